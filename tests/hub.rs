//! The provincial server over real TLS on loopback (a test CA made with rcgen): the hub is
//! the real `anchi-hub` binary in a child process, the laptop a real workspace with its
//! device key. Pushes, refusals, the province view, and a hub killed during uploads.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anchi::app::Workspace;
use anchi::protocol::{API, Auth, StartUpload};
use anchi::sync::{Client, Retry, SyncError};

#[path = "hub/browser.rs"]
mod browser;
mod common;
#[path = "hub/national.rs"]
mod national;
#[path = "hub/postgres.rs"]
mod postgres;
#[path = "hub/province_view.rs"]
mod province_view;

const PASSPHRASE: &str = "demo";
const STAFF_PASSWORD: &str = "mật khẩu chi cục 2026";

/// A CA, and a server certificate for 127.0.0.1 and localhost signed by it.
struct Pki {
    ca_pem: String,
    cert: PathBuf,
    key: PathBuf,
}

fn pki(dir: &Path, name: &str) -> Pki {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, format!("{name} CA"));
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    let (cert_path, key_path) = (dir.join(format!("{name}.crt")), dir.join(format!("{name}.key")));
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    Pki { ca_pem: ca_cert.pem(), cert: cert_path, key: key_path }
}

fn hub_cmd(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_anchi-hub"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("ANCHI_HUB_PASSWORD", STAFF_PASSWORD)
        .output()
        .unwrap();
    assert!(out.status.success(), "anchi-hub {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A running hub; killed when dropped.
struct Hub {
    child: Child,
    addr: String,
    dir: PathBuf,
    cert: PathBuf,
    key: PathBuf,
    extra: Vec<String>,
}

/// Starts `anchi-hub serve`; its address once it is listening, or why it is not.
fn spawn_hub(dir: &Path, cert: &Path, key: &Path, listen: &str, extra: &[String]) -> Result<(Child, String), String> {
    // `nofile=N` first among the extras: the hub runs under a descriptor limit of N.
    let (mut command, extra) = match extra.first().and_then(|e| e.strip_prefix("nofile=")) {
        Some(n) => {
            let mut sh = Command::new("sh");
            sh.args(["-c", &format!("ulimit -n {n} && exec \"$0\" \"$@\""), env!("CARGO_BIN_EXE_anchi-hub")]);
            (sh, &extra[1..])
        }
        None => (Command::new(env!("CARGO_BIN_EXE_anchi-hub")), extra),
    };
    command.arg("--data-dir").arg(dir).args(["serve", "--listen", listen, "--cert"]).arg(cert).arg("--key").arg(key);
    listening(command.args(extra))
}

/// Starts a server command; its address once it says it is listening, or why it is not.
fn listening(command: &mut Command) -> Result<(Child, String), String> {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().map_err(|e| e.to_string())?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).map_err(|e| e.to_string())?;
    match line.trim().strip_prefix("listening on https://") {
        Some(addr) => Ok((child, addr.to_string())),
        None => {
            let _ = child.kill();
            let _ = child.wait();
            Err(format!("hub said {line:?}"))
        }
    }
}

impl Hub {
    fn start(dir: &Path, pki: &Pki, listen: &str, extra: &[&str]) -> Hub {
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        let (child, addr) = spawn_hub(dir, &pki.cert, &pki.key, listen, &extra).unwrap();
        Hub { child, addr, dir: dir.to_path_buf(), cert: pki.cert.clone(), key: pki.key.clone(), extra }
    }

    fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts it again on the same address (the port may take a moment to be free).
    fn restart(&mut self) {
        self.kill();
        for _ in 0..50 {
            if let Ok((child, _)) = spawn_hub(&self.dir, &self.cert, &self.key, &self.addr, &self.extra) {
                self.child = child;
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the hub did not start again on {}", self.addr);
    }

    fn cases(&self) -> Vec<serde_json::Value> {
        serde_json::from_str(&hub_cmd(&self.dir, &["case", "list", "--json"])).unwrap()
    }

    /// Starts it again with other options (`nofile=N` first: under that descriptor limit).
    fn restart_with(&mut self, extra: &[&str]) {
        self.extra = extra.iter().map(|s| s.to_string()).collect();
        self.restart();
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A demo laptop with `cases` cases; returns it and how many have a finalised document.
fn laptop(dir: &Path, cases: usize) -> (Workspace, usize) {
    laptop_seeded(dir, cases, 11)
}

/// [`laptop`] with another demo seed (other case ids, subjects and days).
fn laptop_seeded(dir: &Path, cases: usize, seed: u64) -> (Workspace, usize) {
    let mut ws = Workspace::open(dir).unwrap();
    ws.make_demo(cases, seed).unwrap();
    let with_documents = ws.list_cases().unwrap().iter().filter(|s| s.documents_finalised > 0).count();
    (ws, with_documents)
}

/// A hub set up with the laptop's team enrolled and a staff user.
fn province(dir: &Path, pki: &Pki, ws: &Workspace, extra: &[&str]) -> (Hub, minisign::PublicKey) {
    let init = hub_cmd(dir, &["init"]);
    let hub_key = init.lines().find_map(|l| l.strip_prefix("public_key: ")).unwrap().to_string();
    let enrol = ws.enrolment().unwrap();
    hub_cmd(
        dir,
        &["team", "add", "--team-id", &enrol.team_id, "--name", "Đội QLTT số 1", "--pubkey", &enrol.public_key],
    );
    hub_cmd(dir, &["user", "add", "--name", "chicuc"]);
    (Hub::start(dir, pki, "127.0.0.1:0", extra), minisign::PublicKey::from_base64(&hub_key).unwrap())
}

/// A province with one laptop of `cases` demo cases enrolled, trusting the hub's key: the
/// laptop, its count of cases with documents, the hub, its key and the laptop's client.
struct Province {
    pki: Pki,
    ws: Workspace,
    count: usize,
    hub: Hub,
    hub_key: minisign::PublicKey,
    client: Client,
}

fn province_with_laptop(tmp: &Path, cases: usize) -> Province {
    province_with_seeded_laptop(tmp, cases, 11)
}

fn province_with_seeded_laptop(tmp: &Path, cases: usize, seed: u64) -> Province {
    let pki = pki(tmp, "province");
    let (ws, count) = laptop_seeded(&tmp.join("laptop"), cases, seed);
    let (hub, hub_key) = province(&tmp.join("hub"), &pki, &ws, &[]);
    ws.set_setting("server.hub_key", &hub_key.to_base64()).unwrap();
    let client = ws.sync_client(PASSPHRASE, Some(&hub.url()), Some(&pki.ca_pem)).unwrap();
    Province { pki, ws, count, hub, hub_key, client }
}

#[test]
fn fifty_cases_are_pushed_once_each_with_signed_receipts() {
    let tmp = tempfile::tempdir().unwrap();
    let Province { ws, count, hub, hub_key, client, .. } = province_with_laptop(tmp.path(), 70);
    assert!(count >= 50, "{count} cases with documents");
    let report = ws.sync(&client, PASSPHRASE, &|_, _| {}).unwrap();
    assert_eq!((report.uploaded as usize, report.failed.len()), (count, 0), "{:?}", report.failed);
    assert_eq!(report.index_entries.map(|n| n > 0), Some(true), "the offender index came back");

    let cases = hub.cases();
    assert_eq!(cases.len(), count, "each case once");
    assert!(cases.iter().all(|c| c["versions"] == serde_json::json!([1])));
    let stored = std::fs::read_dir(tmp.path().join("hub").join("packages")).unwrap().count();
    assert_eq!(stored, count, "one package file each");
    for summary in ws.list_cases().unwrap().iter().filter(|s| s.documents_finalised > 0) {
        let record = ws.package_versions(summary.id).unwrap().pop().unwrap();
        let signed: anchi::protocol::SignedReceipt = serde_json::from_str(record.receipt.as_ref().unwrap()).unwrap();
        let receipt = signed.open(Some(&hub_key)).expect("the hub's signature holds");
        assert_eq!((receipt.sha256, receipt.case_id), (record.sha256, summary.id));
        assert!(ws.case_view(summary.id).unwrap().packages.last().unwrap().received_by_hub);
    }

    // Nothing new: nothing sent. The same package again gives the original receipt.
    let again = ws.sync(&client, PASSPHRASE, &|_, _| {}).unwrap();
    assert_eq!((again.uploaded, again.up_to_date as usize), (0, count));
    let case = ws.list_cases().unwrap().into_iter().find(|s| s.documents_finalised > 0).unwrap().id;
    let exported = ws.export_package(case, PASSPHRASE, None, &|_| {}).unwrap();
    let (receipt, stats) = client.upload(&exported.info.package_id(), &exported.bytes, &|_, _| {}).unwrap();
    assert_eq!(stats.sent, 0, "idempotent: no bytes sent");
    assert_eq!(receipt.open(Some(&hub_key)).unwrap().sha256, exported.sha256);
    assert_eq!(hub.cases().len(), count);
}

/// A raw signed request, for what the client never sends (replays, stale times).
fn raw(url: &str, ca_pem: &str, method: &str, path: &str, auth: &Auth, body: &[u8]) -> (u16, String) {
    let agent = anchi::sync::agent(ca_pem.as_bytes()).unwrap();
    let request = match method {
        "POST" => agent.post(&format!("{url}{path}")),
        _ => agent.patch(&format!("{url}{path}")),
    };
    let mut response = request.header("authorization", auth.header()).send(body).unwrap();
    (response.status().as_u16(), response.body_mut().read_to_string().unwrap())
}

#[test]
fn refusals_name_their_reason_and_store_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = pki(tmp.path(), "province");
    let (ws, _) = laptop(&tmp.path().join("laptop"), 12);
    let (mut hub, _) = province(&tmp.path().join("hub"), &pki, &ws, &["--max-package-mb", "1"]);
    let key = ws.device_key().unwrap().unwrap();
    let secret = || {
        let boxed = minisign::SecretKeyBox::from_string(&key.secret_key).unwrap();
        boxed.into_secret_key(Some(PASSPHRASE.into())).unwrap()
    };
    let client = Client::new(&hub.url(), pki.ca_pem.as_bytes(), &key.key_id, secret()).unwrap();
    let case = ws.list_cases().unwrap().into_iter().find(|s| s.documents_finalised > 0).unwrap().id;
    let good = ws.export_package(case, PASSPHRASE, None, &|_| {}).unwrap();
    let refused = |result: Result<_, SyncError>| match result {
        Err(SyncError::Refused { status, refusal }) => (status, refusal.error),
        other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
    };

    // A tampered package: one byte of a PDF changed.
    let mut tampered = good.bytes.clone();
    let at = tampered.len() / 2;
    tampered[at] ^= 0x01;
    assert_eq!(refused(client.upload(&good.info.package_id(), &tampered, &|_, _| {})), (422, "package_invalid".into()));

    // Too large for this hub (1 MB): refused at the start, before any chunk.
    let big = vec![7u8; 2 * 1024 * 1024];
    assert_eq!(refused(client.upload("x-v1", &big, &|_, _| {})), (413, "too_large".into()));

    // A laptop the province never enrolled.
    let stranger = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let stranger_id = anchi::package::key_id_of(stranger.pk.keynum());
    let outsider = Client::new(&hub.url(), pki.ca_pem.as_bytes(), &stranger_id, stranger.sk).unwrap();
    assert_eq!(refused(outsider.upload(&good.info.package_id(), &good.bytes, &|_, _| {})), (401, "unknown_key".into()));

    // A replayed request and a stale one.
    let body =
        serde_json::to_vec(&StartUpload { package_id: "p-v1".into(), size: 10, sha256: "a".repeat(64) }).unwrap();
    let path = format!("{API}/uploads");
    let now = chrono::Utc::now().timestamp();
    let auth = Auth::sign(&key.key_id, &secret(), "POST", &path, now, &body).unwrap();
    assert_eq!(raw(&hub.url(), &pki.ca_pem, "POST", &path, &auth, &body).0, 201);
    let (status, answer) = raw(&hub.url(), &pki.ca_pem, "POST", &path, &auth, &body);
    assert_eq!(status, 401);
    assert!(answer.contains("replayed_request"), "{answer}");
    // A restart forgets the nonces, not the replay: a request signed before it is refused.
    let earlier = Auth::sign(&key.key_id, &secret(), "POST", &path, now, &body).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    hub.restart();
    let (status, answer) = raw(&hub.url(), &pki.ca_pem, "POST", &path, &earlier, &body);
    assert_eq!(status, 401, "{answer}");
    assert!(answer.contains("replayed_request"), "{answer}");
    // A time at the edge of i64 is refused as stale, not an overflow that kills the request.
    for edge in [i64::MIN, i64::MAX] {
        let forged = Auth::sign(&key.key_id, &secret(), "POST", &path, edge, &body).unwrap();
        let (status, answer) = raw(&hub.url(), &pki.ca_pem, "POST", &path, &forged, &body);
        assert_eq!(status, 401, "{answer}");
        assert!(answer.contains("stale_request"), "{answer}");
    }
    let old = Auth::sign(&key.key_id, &secret(), "POST", &path, now - 600, &body).unwrap();
    let (status, answer) = raw(&hub.url(), &pki.ca_pem, "POST", &path, &old, &body);
    assert_eq!((status, answer.contains("stale_request")), (401, true), "{answer}");
    // A body that is not the one signed.
    let fresh = chrono::Utc::now().timestamp();
    let other = Auth::sign(&key.key_id, &secret(), "POST", &path, fresh, b"{}").unwrap();
    assert_eq!(raw(&hub.url(), &pki.ca_pem, "POST", &path, &other, &body).0, 400);

    // A client that trusts another CA refuses the hub's certificate.
    let elsewhere = self::pki(tmp.path(), "elsewhere");
    let wrong_ca = Client::new(&hub.url(), elsewhere.ca_pem.as_bytes(), &key.key_id, secret()).unwrap();
    assert!(matches!(wrong_ca.upload(&good.info.package_id(), &good.bytes, &|_, _| {}), Err(SyncError::Tls(_))));

    assert!(hub.cases().is_empty(), "nothing stored");

    // A revoked key is refused; the good package was never stored.
    hub_cmd(&hub.dir, &["team", "revoke", "--team-id", &ws.unit().unwrap().code]);
    assert_eq!(refused(client.upload(&good.info.package_id(), &good.bytes, &|_, _| {})), (403, "revoked_key".into()));
    assert!(hub.cases().is_empty());
    assert_eq!(std::fs::read_dir(hub.dir.join("packages")).unwrap().count(), 0);
}

#[test]
fn a_hub_with_a_certificate_from_another_ca_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let province_pki = pki(tmp.path(), "province");
    let rogue = pki(tmp.path(), "rogue");
    let (ws, _) = laptop(&tmp.path().join("laptop"), 6);
    let (hub, _) = province(&tmp.path().join("hub"), &rogue, &ws, &[]);
    let client = ws.sync_client(PASSPHRASE, Some(&hub.url()), Some(&province_pki.ca_pem)).unwrap();
    let err = ws.sync(&client, PASSPHRASE, &|_, _| {}).unwrap_err();
    assert!(matches!(err, anchi::app::AppError::Sync(SyncError::Tls(_))), "{err}");
    assert!(hub.cases().is_empty());
}

#[test]
fn province_staff_see_cases_only_after_logging_in() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = pki(tmp.path(), "province");
    let (ws, _) = laptop(&tmp.path().join("laptop"), 10);
    let (hub, _) = province(&tmp.path().join("hub"), &pki, &ws, &[]);
    let client = ws.sync_client(PASSPHRASE, Some(&hub.url()), Some(&pki.ca_pem)).unwrap();
    ws.sync(&client, PASSPHRASE, &|_, _| {}).unwrap();
    let pushed = ws.list_cases().unwrap().into_iter().find(|s| s.documents_finalised > 0).unwrap();

    let agent = anchi::sync::agent(pki.ca_pem.as_bytes()).unwrap();
    let get = |path: &str, cookie: Option<&str>| {
        // No following of redirects: the test looks at where a visitor is sent.
        let mut request = agent.get(&format!("{}{path}", hub.url())).config().max_redirects(0).build();
        if let Some(c) = cookie {
            request = request.header("cookie", c);
        }
        let mut response = request.call().unwrap();
        let location = response.headers().get("location").map(|v| v.to_str().unwrap().to_string());
        (response.status().as_u16(), location, response.body_mut().read_to_string().unwrap())
    };

    // Without a session: nothing but the way to the login page.
    for path in ["/", "/cases", "/stats", &format!("/cases/{}", pushed.id)] {
        let (status, location, body) = get(path, None);
        assert_eq!((status, location.as_deref()), (303, Some("/login")), "{path}");
        assert!(!body.contains(&pushed.subject_name));
    }
    let (_, _, login) = get("/login", None);
    assert!(login.contains("Đăng nhập"));

    let form = |password: &str| {
        let body = format!("user=chicuc&password={}", urlencode(password));
        agent
            .post(&format!("{}/login", hub.url()))
            .config()
            .max_redirects(0)
            .build()
            .content_type("application/x-www-form-urlencoded")
            .send(body)
            .unwrap()
    };
    assert_eq!(form("sai mật khẩu").status().as_u16(), 401);
    let response = form(STAFF_PASSWORD);
    let cookie = response.headers().get("set-cookie").expect("a session cookie").to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("Secure"));
    let cookie = cookie.split(';').next().unwrap().to_string();

    let (status, _, list) = get("/cases", Some(&cookie));
    assert_eq!(status, 200);
    let escaped = pushed.subject_name.replace('&', "&amp;");
    assert!(list.contains(&escaped), "the list shows {}", pushed.subject_name);
    let (_, _, page) = get(&format!("/cases/{}", pushed.id), Some(&cookie));
    assert!(page.contains("Tải PDF"), "documents can be downloaded");
    let mut response =
        agent.get(&format!("{}/cases/{}/documents/0", hub.url(), pushed.id)).header("cookie", &cookie).call().unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.body_mut().read_to_vec().unwrap().starts_with(b"%PDF-"));
    let (_, _, stats) = get("/stats", Some(&cookie));
    assert!(stats.contains("Tiền phạt"));

    // Logging out takes the form's token: without it (a page elsewhere posting the form)
    // the session stays; with it, it ends.
    let token = stats.split("name=\"csrf\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_string();
    let logout = |csrf: &str| {
        let request = agent.post(&format!("{}/logout", hub.url())).config().max_redirects(0).build();
        let response = request
            .header("cookie", &cookie)
            .content_type("application/x-www-form-urlencoded")
            .send(format!("csrf={csrf}"))
            .unwrap();
        response.status().as_u16()
    };
    assert_eq!(logout("0000"), 403);
    assert_eq!(get("/", Some(&cookie)).0, 200, "still logged in");
    assert_eq!(logout(&token), 303);
    assert_eq!(get("/", Some(&cookie)).1.as_deref(), Some("/login"), "logged out");
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

#[test]
fn uploads_resume_after_the_hub_is_killed_twenty_times() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = pki(tmp.path(), "province");
    let (ws, count) = laptop(&tmp.path().join("laptop"), 30);
    // Big enough packages that the kills land mid-upload: a 4 MB scan on each case.
    let mut rng = fastrand::Rng::with_seed(20);
    let mut packages = Vec::new();
    for summary in ws.list_cases().unwrap().iter().filter(|s| s.documents_finalised > 0) {
        let mut scan = vec![0u8; 4 * 1024 * 1024];
        rng.fill(&mut scan);
        scan[..5].copy_from_slice(b"%PDF-");
        let file = tmp.path().join(format!("{}.pdf", summary.id));
        std::fs::write(&file, scan).unwrap();
        ws.attach(summary.id, &file).unwrap();
        packages.push(ws.export_package(summary.id, PASSPHRASE, None, &|_| {}).unwrap());
    }
    let (hub, hub_key) = province(&tmp.path().join("hub"), &pki, &ws, &[]);
    let hub = std::sync::Arc::new(std::sync::Mutex::new(hub));
    let url = hub.lock().unwrap().url();
    let mut client = ws.sync_client(PASSPHRASE, Some(&url), Some(&pki.ca_pem)).unwrap();
    client.chunk = 64 * 1024;
    client.retry =
        Retry { attempts: 200, first_delay: Duration::from_millis(20), max_delay: Duration::from_millis(200) };

    let killer = {
        let hub = hub.clone();
        std::thread::Builder::new()
            .name("hub-killer".into())
            .spawn(move || {
                let mut rng = fastrand::Rng::with_seed(7);
                for _ in 0..20 {
                    std::thread::sleep(Duration::from_millis(rng.u64(50..250)));
                    hub.lock().unwrap().restart();
                }
            })
            .unwrap()
    };
    let mut total = anchi::sync::UploadStats::default();
    for package in &packages {
        let (receipt, stats) = client.upload(&package.info.package_id(), &package.bytes, &|_, _| {}).unwrap();
        assert_eq!(receipt.open(Some(&hub_key)).unwrap().sha256, package.sha256);
        total.sent += stats.sent;
        total.resent += stats.resent;
        total.cuts += stats.cuts;
    }
    let kills_during_uploads = !killer.is_finished();
    killer.join().unwrap();
    // The laptop's own pass finds every package acknowledged and keeps the receipts.
    let report = ws.sync(&client, PASSPHRASE, &|_, _| {}).unwrap();
    assert_eq!((report.uploaded as usize, report.stats.sent), (count, 0), "idempotent: receipts, no bytes");

    let cases = hub.lock().unwrap().cases();
    assert_eq!(cases.len(), count, "every case stored");
    assert!(cases.iter().all(|c| c["versions"] == serde_json::json!([1])), "each exactly once");
    let stored = std::fs::read_dir(tmp.path().join("hub").join("packages")).unwrap().count();
    assert_eq!(stored, count, "one package file each");
    assert!(total.cuts > 0, "the kills cut uploads");
    assert!(
        total.resent <= total.cuts as u64 * client.chunk as u64,
        "resent {} bytes after {} cuts of {}-byte chunks",
        total.resent,
        total.cuts,
        client.chunk
    );
    eprintln!(
        "{} cuts, {} bytes sent, {} resent; kills still going when uploads ended: {kills_during_uploads}",
        total.cuts, total.sent, total.resent
    );
}

/// "Gửi về Chi cục…" in the window with the key's passphrase, until the first pass ends.
fn send_from_window(h: &mut egui_kittest::Harness<'static, anchi::ui::AnchiApp>, passphrase: &str) {
    use egui_kittest::kittest::Queryable;
    h.get_by_label("Gửi về Chi cục…").click();
    h.run();
    h.get_by_label("Mật khẩu khóa ký").type_text(passphrase);
    h.run();
    h.get_by_label("Gửi").click();
    h.step();
    let start = std::time::Instant::now();
    while h.state().busy() || !common::shows(h, "Chi cục đã nhận") {
        assert!(start.elapsed() < Duration::from_secs(60), "the pass did not end");
        std::thread::sleep(Duration::from_millis(20));
        h.step();
    }
}

#[test]
fn the_window_sends_cases_to_the_province_after_the_passphrase() {
    use eframe::egui;
    use egui_kittest::kittest::Queryable;

    let tmp = tempfile::tempdir().unwrap();
    let pki = pki(tmp.path(), "province");
    let (ws, count) = laptop(&tmp.path().join("laptop"), 8);
    let (hub, hub_key) = province(&tmp.path().join("hub"), &pki, &ws, &[]);
    let ca = tmp.path().join("province-ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    ws.set_setting("server.url", &hub.url()).unwrap();
    ws.set_setting("server.ca", ca.to_str().unwrap()).unwrap();
    ws.set_setting("server.hub_key", &hub_key.to_base64()).unwrap();

    let mut h = common::window_of(anchi::ui::AnchiApp::new(ws).unwrap(), egui::vec2(1280.0, 900.0));
    send_from_window(&mut h, PASSPHRASE);
    h.get_by_label_contains(&format!("Chi cục đã nhận {count} gói hồ sơ"));
    assert_eq!(hub.cases().len(), count);
}

/// Once the window sends (the passphrase given), a case opened on site reaches the province
/// within seconds without a pass of sending, and what the province knows of its subject
/// comes back and is said at once.
#[test]
fn the_window_tells_the_province_of_a_case_opened_on_site_within_seconds() {
    use eframe::egui;
    use egui_kittest::kittest::Queryable;

    let tmp = tempfile::tempdir().unwrap();
    let FirstTeam { pki, ws: first, hub_dir, hub, hub_key } = first_team_sent(tmp.path(), 30);
    let sanctioned = sanctioned_with_tax_code(&first);

    let second = other_team(&tmp.path().join("doi-2"), &hub_dir, &pki, &hub, &hub_key);
    let mut h = common::window_of(anchi::ui::AnchiApp::new(second).unwrap(), egui::vec2(1280.0, 900.0));
    send_from_window(&mut h, "mat-khau-doi-2");
    h.get_by_label_contains("Chi cục đã nhận 0 gói hồ sơ");

    // Opened on site (no document yet, so nothing to send as a package).
    let case = national::open_now(h.state().workspace(), sanctioned.subject.clone());
    assert_eq!(h.state().workspace().pending_status().unwrap().len(), 1);
    let opened = std::time::Instant::now();
    while !common::shows(&h, "thông tin về đối tượng đang kiểm tra") {
        // A look every 5 s (a failed one waits 30 s): the key is opened in a debug build too.
        assert!(opened.elapsed() < Duration::from_secs(45), "the opening was not told within 45 s");
        std::thread::sleep(Duration::from_millis(50));
        h.step();
    }
    h.get_by_label_contains("Chi cục báo ");
    assert!(!common::shows(&h, "Chi cục đã nhận"), "told by a look, not by a pass of sending");
    let on_site = h.state().workspace();
    assert!(on_site.pending_status().unwrap().is_empty(), "heard by the province");
    // What came back is on the case now: the first team's sanction of this subject.
    let warnings = on_site.case_warnings(case).unwrap().warnings;
    assert!(warnings.iter().any(|w| w.text_vi.contains("Đội DEMO-LS-D1 đã xử phạt")), "{warnings:#?}");
    // The province's morning page has it, before any package of it.
    hub_cmd(&hub_dir, &["user", "role", "--name", "chicuc", "--role", "leader"]);
    let (leader, _) = province_view::Staff::login_at(&hub.url(), &pki, "chicuc");
    let morning = leader.page("/");
    assert!(morning.contains("data-count=\"1\">Đang kiểm tra hôm nay"), "{morning}");
}

/// A first team's laptop of demo cases, enrolled at its province's hub, everything sent.
struct FirstTeam {
    pki: Pki,
    ws: Workspace,
    hub_dir: PathBuf,
    hub: Hub,
    hub_key: minisign::PublicKey,
}

fn first_team_sent(tmp: &Path, cases: usize) -> FirstTeam {
    let pki = pki(tmp, "province");
    let (ws, _) = laptop(&tmp.join("laptop"), cases);
    let hub_dir = tmp.join("hub");
    let (hub, hub_key) = province(&hub_dir, &pki, &ws, &[]);
    ws.set_setting("server.hub_key", &hub_key.to_base64()).unwrap();
    let client = ws.sync_client(PASSPHRASE, Some(&hub.url()), Some(&pki.ca_pem)).unwrap();
    ws.sync(&client, PASSPHRASE, &|_, _| {}).unwrap();
    FirstTeam { pki, ws, hub_dir, hub, hub_key }
}

/// A case of `ws` with a sanction decision, whose subject has a tax code.
fn sanctioned_with_tax_code(ws: &Workspace) -> anchi::domain::Case {
    ws.list_cases()
        .unwrap()
        .into_iter()
        .map(|s| ws.case(s.id).unwrap())
        .find(|c| !anchi::domain::summary::sanctions_of(c).is_empty() && c.subject.tax_code.is_some())
        .expect("a sanctioned demo subject with a tax code")
}

/// Another team's laptop: its own unit and key, enrolled at the same hub, no cases.
fn other_team(dir: &Path, hub_dir: &Path, pki: &Pki, hub: &Hub, hub_key: &minisign::PublicKey) -> Workspace {
    let mut ws = Workspace::open(dir).unwrap();
    let unit = anchi::domain::Unit { code: "LS-D2".into(), demo: false, ..anchi::app::demo::demo_unit() };
    ws.set_unit(unit).unwrap();
    ws.init_key("mat-khau-doi-2").unwrap();
    let enrol = ws.enrolment().unwrap();
    hub_cmd(hub_dir, &["team", "add", "--team-id", "LS-D2", "--name", "Đội QLTT số 2", "--pubkey", &enrol.public_key]);
    let ca = dir.join("province-ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    ws.set_setting("server.url", &hub.url()).unwrap();
    ws.set_setting("server.ca", ca.to_str().unwrap()).unwrap();
    ws.set_setting("server.hub_key", &hub_key.to_base64()).unwrap();
    ws
}

#[test]
fn another_team_is_warned_of_sanctions_and_inspections_through_the_province_index() {
    use anchi::app::warnings::{Source, WarningKind};
    use anchi::domain::matching::SubjectFacts;
    use eframe::egui;
    use egui_kittest::kittest::Queryable;

    let tmp = tempfile::tempdir().unwrap();
    let FirstTeam { pki, ws: first, hub_dir, hub, hub_key } = first_team_sent(tmp.path(), 60);

    let second = other_team(&tmp.path().join("doi-2"), &hub_dir, &pki, &hub, &hub_key);
    let client = second.sync_client("mat-khau-doi-2", None, None).unwrap();
    let report = second.sync(&client, "mat-khau-doi-2", &|_, _| {}).unwrap();
    assert_eq!(report.uploaded, 0);
    let status = second.load_offender_index(|_| {}).unwrap().expect("an index was fetched");
    assert!(!status.expired && status.entries > 0, "{status:?}");

    // A subject the first team sanctioned, as the second team would type it: a repeat of
    // the same act today (if its window is still open), and the sanction as an earlier case.
    let today = anchi::app::now().date();
    let sent = first.list_cases().unwrap();
    let with_facts = first.rows_with_facts().unwrap();
    let (sanctioned, facts) = with_facts
        .iter()
        .filter(|(r, _)| r.documents_finalised > 0 && r.subject_identifier.is_some())
        .find(|(_, f)| {
            f.sanctions.iter().any(|s| !s.warning_only && s.decided_on > today - chrono::Duration::days(330))
        })
        .expect("a sanction within the last year");
    let sanction = &facts.sanctions[0];
    let facts = SubjectFacts::of_summary(sanctioned);
    let act = anchi::domain::summary::ViolationFact {
        on: today,
        act: String::new(),
        provision: sanction.provision.clone(),
        catalogue: Vec::new(),
    };
    let found = second.subject_report(&facts, None, &[act]).unwrap();
    let repeat = found.warnings.iter().find(|w| w.kind == WarningKind::RepeatOffence).expect("tái phạm from the index");
    assert_eq!((repeat.source, repeat.team_id.as_deref()), (Source::ProvinceIndex, Some("DEMO-LS-D1")));
    assert!(repeat.text_vi.starts_with("TÁI PHẠM: Đội DEMO-LS-D1 đã xử phạt ngày"), "{}", repeat.text_vi);
    assert!(found.warnings.iter().any(|w| w.kind == WarningKind::EarlierCase && w.source == Source::ProvinceIndex));

    // A subject the first team inspected lately: the second team is told, to avoid
    // inspecting it twice.
    let recent = sent
        .iter()
        .filter(|r| r.subject_identifier.is_some() && r.documents_finalised > 0)
        .max_by_key(|r| r.opened_at)
        .unwrap();
    let found = second.subject_report(&SubjectFacts::of_summary(recent), None, &[]).unwrap();
    let inspected = found.warnings.iter().find(|w| w.kind == WarningKind::OtherTeamInspection).expect("told");
    assert!(inspected.text_vi.contains("Đội DEMO-LS-D1 đã kiểm tra"), "{}", inspected.text_vi);

    // The window loads the index in the background and says how old it is; the new-case
    // dialog then warns as the tax code or ID is typed.
    let mut app = anchi::ui::AnchiApp::new(second).unwrap();
    app.load_index();
    let mut h = common::window_of(app, egui::vec2(1280.0, 900.0));
    common::settle(&mut h);
    h.get_by_label_contains("Danh sách đối tượng của Chi cục:");
    h.get_by_label_contains("cập nhật hôm nay, còn hạn đến");
    h.state_mut().execute(anchi::ui::command::Command::NewCaseDialog);
    h.run();
    let id = sanctioned.subject_identifier.clone().unwrap();
    let label = if id.len() == 12 { "Số định danh cá nhân" } else { "Mã số thuế" };
    if label == "Mã số thuế" {
        h.get_by_label("Tổ chức").click();
        h.run();
    }
    h.get_by_label(label).focus();
    h.run();
    h.get_by_label(label).type_text(&id);
    h.run();
    h.get_by_label_contains("Đội DEMO-LS-D1 đã xử phạt");
}

/// A copy of `case` made on `ws` under the same id, with one finalised document: what a
/// team that learnt another team's case id could sign and send as its own.
fn forged_copy(ws: &Workspace, case: &anchi::domain::Case) -> anchi::domain::Case {
    use anchi::domain::{DocumentKind, Event};
    let subject = anchi::domain::Subject::new(
        anchi::domain::SubjectKind::Individual,
        "Người Khác",
        anchi::domain::Address::Legacy { text: "Nơi khác".into() },
    );
    let forged = anchi::domain::Case::open(case.id, "LS-D2", case.opened_at, "khac", subject);
    ws.create_case(&forged).unwrap();
    let id = uuid::Uuid::now_v7();
    let at = case.opened_at + chrono::Duration::minutes(5);
    ws.apply_event(forged.id, Event::StartDocument { id, kind: DocumentKind::QdKiemTra, at }).unwrap();
    ws.fill_like_demo(forged.id, id).unwrap();
    ws.apply_event(forged.id, Event::FinaliseDocument { id, number: None, at }).unwrap();
    ws.case(forged.id).unwrap()
}

#[test]
fn a_team_cannot_take_over_another_team_s_case_nor_learn_its_ids() {
    let tmp = tempfile::tempdir().unwrap();
    let Province { pki, ws: first, hub, hub_key, client: owner, .. } = province_with_laptop(tmp.path(), 20);
    let hub_dir = tmp.path().join("hub");
    first.sync(&owner, PASSPHRASE, &|_, _| {}).unwrap();
    let before = hub.cases();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&hub_dir.join("hub.redb")), 0o600, "the hub's keys are its own");
        assert_eq!(mode(&hub_dir), 0o700);
    }
    let own_ids: Vec<String> = before.iter().map(|c| c["case_id"].as_str().unwrap().to_string()).collect();

    // The second team's index names the first team and its facts, never its case ids.
    let second = other_team(&tmp.path().join("doi-2"), &hub_dir, &pki, &hub, &hub_key);
    let attacker = second.sync_client("mat-khau-doi-2", None, None).unwrap();
    let index = attacker.offender_index().unwrap().open(Some(&hub_key)).unwrap();
    assert!(index.entries.iter().any(|e| e.team_id == "DEMO-LS-D1"), "the first team's entries are there");
    assert!(
        index.entries.iter().all(|e| !own_ids.contains(&e.case_id.to_string())),
        "another team's case ids are not disclosed"
    );
    // Nor do its pages: neither the cases' names nor their entries.
    let mut since = 0;
    loop {
        let page: anchi::protocol::IndexDelta =
            attacker.offender_changes(since).unwrap().unwrap().open_as(Some(&hub_key)).unwrap();
        for (name, entries) in &page.cases {
            assert!(!own_ids.contains(&name.to_string()), "a page names a case by its id");
            assert!(entries.iter().all(|e| !own_ids.contains(&e.case_id.to_string())));
        }
        since = page.generation as u64;
        if !page.more {
            break;
        }
    }
    // The owner's own index keeps its ids.
    let own_index = owner.offender_index().unwrap().open(Some(&hub_key)).unwrap();
    assert!(own_index.entries.iter().any(|e| own_ids.contains(&e.case_id.to_string())));

    // Knowing a case id anyway, the second team signs a package of its own for it: refused.
    // A case still open, so that its owner can go on with it below.
    let victim_id = first
        .list_cases()
        .unwrap()
        .into_iter()
        .find(|s| own_ids.contains(&s.id.to_string()) && !s.stage.is_closed())
        .expect("an open case was sent")
        .id;
    let victim = first.case(victim_id).unwrap();
    forged_copy(&second, &victim);
    // Version 1 would collide with the owner's package id; version 2 is the real attack.
    second.export_package(victim_id, "mat-khau-doi-2", None, &|_| {}).unwrap();
    {
        use anchi::domain::{DocumentKind, Event};
        let (id, at) = (uuid::Uuid::now_v7(), victim.opened_at + chrono::Duration::minutes(9));
        second.apply_event(victim_id, Event::StartDocument { id, kind: DocumentKind::BbLamViec, at }).unwrap();
    }
    let forged = second.export_package(victim_id, "mat-khau-doi-2", None, &|_| {}).unwrap();
    assert_eq!(forged.info.version, 2);
    match attacker.upload(&forged.info.package_id(), &forged.bytes, &|_, _| {}) {
        Err(anchi::sync::SyncError::Refused { status: 409, refusal }) => {
            assert_eq!(refusal.error, "case_owned", "{refusal:?}")
        }
        other => panic!("a forged version of another team's case must be refused, got {other:?}"),
    }
    assert_eq!(hub.cases(), before, "the province's cases are unchanged");
    let files = std::fs::read_dir(hub_dir.join("packages")).unwrap().count();
    assert_eq!(files, before.len(), "no package file kept for the refused upload");

    // The owner's package id and hash get no receipt for another team.
    let record = first.package_versions(victim_id).unwrap().pop().unwrap();
    let genuine = first.export_package(victim_id, PASSPHRASE, None, &|_| {}).unwrap();
    assert_eq!(genuine.sha256, record.sha256, "unchanged content: the same package");
    match attacker.upload(&genuine.info.package_id(), &genuine.bytes, &|_, _| {}) {
        Err(anchi::sync::SyncError::Refused { status: 409, .. }) => {}
        other => panic!("another team's package must not be acknowledged to a stranger, got {other:?}"),
    }

    // The owner goes on: a new version that follows the stored one is taken.
    let next = {
        use anchi::domain::{DocumentKind, Event};
        let id = uuid::Uuid::now_v7();
        let at = anchi::app::now();
        first.apply_event(victim_id, Event::StartDocument { id, kind: DocumentKind::BbLamViec, at }).unwrap();
        first.export_package(victim_id, PASSPHRASE, None, &|_| {}).unwrap()
    };
    assert_eq!(next.info.previous_sha256.as_deref(), Some(record.sha256.as_str()));
    owner.upload(&next.info.package_id(), &next.bytes, &|_, _| {}).expect("the owner's next version");
    let case = hub.cases().into_iter().find(|c| c["case_id"] == victim_id.to_string()).unwrap();
    assert_eq!(case["team_id"], "DEMO-LS-D1");
}

#[test]
fn the_index_comes_by_pages_and_afterwards_only_what_changed() {
    use anchi::domain::{DocumentKind, Event};
    let tmp = tempfile::tempdir().unwrap();
    let pki = pki(tmp.path(), "province");
    let (first, _) = laptop_seeded(&tmp.path().join("laptop"), 24, 11);
    let hub_dir = tmp.path().join("hub");
    // Three cases a page: the first copy takes many pages.
    let (hub, hub_key) = province(&hub_dir, &pki, &first, &["--index-page", "3"]);
    first.set_setting("server.hub_key", &hub_key.to_base64()).unwrap();
    let client = first.sync_client(PASSPHRASE, Some(&hub.url()), Some(&pki.ca_pem)).unwrap();
    // The whole index as the hub makes it in one answer, and the copy as loaded, each as
    // its entries' sorted texts.
    let whole = |c: &Client| {
        let entries = c.offender_index().unwrap().open(Some(&hub_key)).unwrap().entries;
        let mut texts: Vec<String> = entries.iter().map(|e| serde_json::to_string(e).unwrap()).collect();
        texts.sort();
        texts
    };
    let copy = |ws: &Workspace| {
        let status = ws.load_offender_index(|_| {}).unwrap().unwrap();
        let lookup = &ws.province_index().unwrap().lookup;
        assert_eq!(status.entries, lookup.len());
        let mut texts: Vec<String> =
            (0..lookup.len()).map(|i| serde_json::to_string(&lookup.entry(i)).unwrap()).collect();
        texts.sort();
        texts
    };

    let report = first.sync(&client, PASSPHRASE, &|_, _| {}).unwrap();
    assert!(report.uploaded > 6, "{} cases sent: more than two pages", report.uploaded);
    let page: anchi::protocol::IndexDelta =
        client.offender_changes(0).unwrap().unwrap().open_as(Some(&hub_key)).unwrap();
    assert_eq!((page.cases.len(), page.more, page.since), (3, true, 0), "a page of three");
    assert!(page.epoch.is_some());
    assert_eq!(report.index_entries, Some(whole(&client).len()));
    assert_eq!(copy(&first), whole(&client), "the pages make up the whole index");

    // Nothing changed: nothing comes.
    let again = first.sync(&client, PASSPHRASE, &|_, _| {}).unwrap();
    assert_eq!((again.index_changes, again.index_entries), (0, report.index_entries));

    // A second team sends a case: the first team's next sync brings that case alone.
    let second = other_team(&tmp.path().join("doi-2"), &hub_dir, &pki, &hub, &hub_key);
    let subject = anchi::domain::Subject::new(
        anchi::domain::SubjectKind::Individual,
        "Lò Thị Mới",
        anchi::domain::Address::Legacy { text: "Chợ Đông Kinh".into() },
    );
    let at = anchi::app::now();
    let case = anchi::domain::Case::open(uuid::Uuid::now_v7(), "LS-D2", at, "khac", subject);
    second.create_case(&case).unwrap();
    let id = uuid::Uuid::now_v7();
    second.apply_event(case.id, Event::StartDocument { id, kind: DocumentKind::QdKiemTra, at }).unwrap();
    second.fill_like_demo(case.id, id).unwrap();
    second.apply_event(case.id, Event::FinaliseDocument { id, number: None, at }).unwrap();
    let second_client = second.sync_client("mat-khau-doi-2", None, None).unwrap();
    assert_eq!(second.sync(&second_client, "mat-khau-doi-2", &|_, _| {}).unwrap().uploaded, 1);
    let after = first.sync(&client, PASSPHRASE, &|_, _| {}).unwrap();
    assert_eq!(after.index_changes, 1, "only the new case");
    assert_eq!(after.index_entries, report.index_entries.map(|n| n + 1), "its inspection joined");
    assert_eq!(copy(&first), whole(&client));

    // The province moves one of the first team's cases to the second: its entries change
    // team, and come again alone; they now carry a pseudonym, not the case's id.
    let moved = first.list_cases().unwrap().into_iter().find(|s| s.documents_finalised > 0).unwrap().id;
    let reason = "Quyết định số 12/QĐ-CCQLTT ngày 30/11/2026 của Chi cục trưởng";
    hub_cmd(
        &hub_dir,
        &["case", "transfer", "--case", &moved.to_string(), "--to", "LS-D2", "--by", "chicuc", "--reason", reason],
    );
    let moved_on = first.sync(&client, PASSPHRASE, &|_, _| {}).unwrap();
    assert_eq!((moved_on.index_changes, moved_on.index_entries), (1, after.index_entries));
    let now = copy(&first);
    assert_eq!(now, whole(&client));
    assert!(now.iter().all(|e| !e.contains(&moved.to_string())), "another team's case: under a pseudonym");
    let second_team = now.iter().filter(|e| e.contains("\"team_id\":\"LS-D2\"")).count();
    assert!(second_team >= 2, "the second team's own case and the one it received: {second_team}");

    // Taken without a key, then with the key set again: the copy is taken again from
    // nothing (it was not all checked), aside, and replaces the one in use whole.
    assert_eq!(first.take_index_changes(&client, None).unwrap().changed, 0, "goes on, unchecked");
    assert_eq!(first.index_state().unwrap().unwrap().checked_with, None);
    let retaken = first.sync(&client, PASSPHRASE, &|_, _| {}).unwrap();
    assert_eq!(retaken.index_entries, moved_on.index_entries);
    assert!(retaken.index_changes > 0);
    assert_eq!(first.index_state().unwrap().unwrap().checked_with, Some(hub_key.to_base64()));
    assert_eq!(copy(&first), whole(&client));

    // The hub's index renamed (as after putting back its file from a backup): taken again.
    let epoch = first.index_state().unwrap().unwrap().epoch;
    hub_cmd(&hub_dir, &["index", "renew"]);
    let renewed = first.sync(&client, PASSPHRASE, &|_, _| {}).unwrap();
    assert!(renewed.index_changes > 0);
    assert_ne!(first.index_state().unwrap().unwrap().epoch, epoch);
    assert_eq!(copy(&first), whole(&client));
}

#[test]
fn an_index_that_fails_its_check_is_ignored_with_a_warning_offline() {
    let tmp = tempfile::tempdir().unwrap();
    let Province { ws, hub, client, .. } = province_with_laptop(tmp.path(), 8);
    let laptop_dir = tmp.path().join("laptop");
    ws.sync(&client, PASSPHRASE, &|_, _| {}).unwrap();
    assert!(ws.has_offender_index().unwrap());
    drop(hub);
    // Another key pinned: the stored index no longer passes its signature check.
    let other = minisign::KeyPair::generate_unencrypted_keypair().unwrap().pk;
    ws.set_setting("server.hub_key", &other.to_base64()).unwrap();
    let case = ws.list_cases().unwrap()[0].id.to_string();
    drop(ws);
    let run = |args: &[&str]| common::anchi(&laptop_dir, args);
    for args in [vec!["case", "show", case.as_str()], vec!["subject", "find", "--tax-code", "0100109106"]] {
        let out = run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?} must keep working offline: {stderr}");
        assert!(stderr.contains("bỏ qua danh sách đối tượng của Chi cục"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_case_that_cannot_be_packaged_does_not_stop_the_others() {
    let tmp = tempfile::tempdir().unwrap();
    let Province { ws, count, hub, client, .. } = province_with_laptop(tmp.path(), 12);
    // One case in the middle of the list attaches a photo whose file is then lost.
    let sent: Vec<_> = ws.list_cases().unwrap().into_iter().filter(|s| s.documents_finalised > 0).collect();
    let broken = sent[sent.len() / 2].id;
    let photo = tmp.path().join("anh.jpg");
    std::fs::write(&photo, b"\xFF\xD8\xFF\xE0 not much of a photo").unwrap();
    let attached = ws.attach(broken, &photo).unwrap();
    std::fs::remove_file(ws.attachment_path(&attached.sha256)).unwrap();

    let report = ws.sync(&client, PASSPHRASE, &|_, _| {}).unwrap();
    assert_eq!(report.uploaded as usize, count - 1, "every other case went");
    assert_eq!(report.failed.len(), 1);
    let (case, reason) = &report.failed[0];
    assert_eq!(*case, broken);
    assert!(reason.contains("Tệp đính kèm") && !reason.contains("ổ đĩa đầy"), "{reason}");
    assert_eq!(hub.cases().len(), count - 1);
}

/// The peak memory of a process (VmHWM), in MiB.
fn peak_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
}

#[test]
fn a_storm_of_logins_is_bounded_and_the_pages_are_hardened() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = pki(tmp.path(), "province");
    let (ws, _) = laptop(&tmp.path().join("laptop"), 2);
    let (hub, _) = province(&tmp.path().join("hub"), &pki, &ws, &[]);
    let agent = anchi::sync::agent(pki.ca_pem.as_bytes()).unwrap();
    let post = |user: &str, password: &str, origin: Option<&str>| {
        let mut request = agent.post(&format!("{}/login", hub.url())).config().max_redirects(0).build();
        if let Some(o) = origin {
            request = request.header("origin", o);
        }
        let body = format!("user={}&password={}", urlencode(user), urlencode(password));
        // None: the connection was refused (too many at once from this address).
        request.content_type("application/x-www-form-urlencoded").send(body).ok().map(|r| r.status().as_u16())
    };

    // Every page carries the security headers.
    let page = agent.get(&format!("{}/login", hub.url())).call().unwrap();
    for (name, expected) in [
        ("x-frame-options", "DENY"),
        ("cache-control", "no-store"),
        ("x-content-type-options", "nosniff"),
        ("strict-transport-security", "max-age=31536000"),
    ] {
        assert_eq!(page.headers().get(name).map(|v| v.to_str().unwrap()), Some(expected), "{name}");
    }
    let csp = page.headers().get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("form-action 'self'"), "{csp}");
    // A login posted from another site is refused before any password is checked.
    assert_eq!(post("chicuc", STAFF_PASSWORD, Some("https://evil.example")), Some(403));

    // Five wrong passwords for a name make it wait, even with the right one; another name
    // from the same address is still checked.
    for _ in 0..5 {
        while post("chicuc", "sai", None) == Some(429) {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    assert_eq!(post("chicuc", STAFF_PASSWORD, None), Some(429), "the account waits");
    assert_eq!(post("ban-khac", "sai", None), Some(401));

    // 120 wrong logins at once, unknown names: each answered (wrong, or busy) or its
    // connection refused (one address has at most 64 open), and the hub's memory stays
    // bounded (each check costs ~19 MiB; unbounded they took gigabytes).
    let pid = hub.child.id();
    let before = peak_mib(pid);
    let answers: Vec<Option<u16>> = std::thread::scope(|s| {
        let runs: Vec<_> = (0..120).map(|i| s.spawn(move || post(&format!("ke-la-{i}"), "doan-bua", None))).collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    assert!(answers.iter().all(|a| matches!(a, None | Some(401 | 429))), "{answers:?}");
    assert!(answers.contains(&Some(429)), "some were told to wait: {answers:?}");
    let after = peak_mib(pid);
    assert!(after < before + 150, "peak memory went from {before} to {after} MiB");
    // Twenty wrong passwords from one address, whatever the names: the address waits.
    let mut tried = 0;
    let answer = loop {
        match post(&format!("lan-luot-{tried}"), "sai", None) {
            Some(401) if tried < 20 => tried += 1,
            other => break other,
        }
    };
    assert_eq!(answer, Some(429), "the address waits after {tried} more names");
    assert_eq!(post("chua-thu-bao-gio", "sai", None), Some(429), "a new name from there waits too");
}

/// A TCP connection to `addr` from the local address `from` (any of 127.0.0.0/8).
fn connect_from(from: [u8; 4], addr: &str) -> std::io::Result<std::net::TcpStream> {
    let to: std::net::SocketAddr = addr.parse().unwrap();
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
    socket.bind(&std::net::SocketAddr::from((from, 0)).into())?;
    socket.connect_timeout(&to.into(), Duration::from_secs(5))?;
    Ok(socket.into())
}

/// Whether the server has closed `stream` (end of file or reset) within `wait`.
fn closed_within(stream: &mut impl std::io::Read, wait: Duration) -> bool {
    let deadline = std::time::Instant::now() + wait;
    let mut buf = [0u8; 4096];
    while std::time::Instant::now() < deadline {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => continue,
            Err(_) => return true,
        }
    }
    false
}

/// A TLS connection to the hub (handshake done), trusting the test CA.
fn tls_to(addr: &str, ca_pem: &str) -> rustls::StreamOwned<rustls::ClientConnection, std::net::TcpStream> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(rustls::pki_types::CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap()).unwrap();
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut conn = rustls::ClientConnection::new(std::sync::Arc::new(config), name).unwrap();
    let mut sock = connect_from([127, 0, 0, 1], addr).unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    while conn.is_handshaking() {
        conn.complete_io(&mut sock).unwrap();
    }
    rustls::StreamOwned::new(conn, sock)
}

#[test]
fn idle_and_crowding_connections_do_not_shut_out_a_team() {
    let tmp = tempfile::tempdir().unwrap();
    let mut p = province_with_laptop(tmp.path(), 6);
    // As found: a hub under a 256-descriptor limit, 300 idle connections from one address.
    p.hub.restart_with(&["nofile=256", "--idle-timeout-secs", "2", "--max-connections-per-ip", "40"]);
    let crowd: Vec<std::net::TcpStream> =
        (0..300).map(|_| connect_from([127, 0, 0, 2], &p.hub.addr).expect("the kernel takes the connection")).collect();
    for s in &crowd {
        s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    }
    // Past its share, the crowd's connections are closed at once, before any TLS work.
    let shut = crowd.iter().filter(|s| closed_within(&mut &**s, Duration::from_millis(300))).count();
    assert!(shut >= 250, "{shut} of 300 closed at once");

    // Meanwhile the team is served, at once: its cases reach the province.
    let agent = anchi::sync::agent(p.pki.ca_pem.as_bytes()).unwrap();
    let quick =
        agent.get(&format!("{}{API}/hub-key", p.hub.url())).config().timeout_global(Some(Duration::from_secs(5)));
    assert_eq!(quick.build().call().expect("the hub answers").status().as_u16(), 200);
    let report = p.ws.sync(&p.client, PASSPHRASE, &|_, _| {}).unwrap();
    assert_eq!((report.uploaded as usize, report.failed.len()), (p.count, 0), "{report:?}");

    // A connection that never starts its handshake, one silent in the middle of its headers
    // and one kept alive after its answer are each closed after the idle time.
    let mut slow_headers = tls_to(&p.hub.addr, &p.pki.ca_pem);
    use std::io::Write as _;
    slow_headers.write_all(b"GET /login HTTP/1.1\r\nHost: localhost\r\n").unwrap();
    slow_headers.flush().unwrap();
    let mut kept_alive = tls_to(&p.hub.addr, &p.pki.ca_pem);
    kept_alive.write_all(b"GET /login HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let started = std::time::Instant::now();
    assert!(closed_within(&mut slow_headers, Duration::from_secs(6)), "headers never finished: closed");
    assert!(closed_within(&mut kept_alive, Duration::from_secs(6)), "idle keep-alive: closed");
    assert!(started.elapsed() >= Duration::from_millis(1500), "not before the idle time: {:?}", started.elapsed());
    let open = crowd.iter().filter(|s| !closed_within(&mut &**s, Duration::from_secs(4))).count();
    assert_eq!(open, 0, "the crowd's silent connections are all closed after the idle time");
}

#[test]
fn unfinished_uploads_are_bounded_per_team_and_expire() {
    let tmp = tempfile::tempdir().unwrap();
    let mut p = province_with_laptop(tmp.path(), 2);
    p.hub.restart_with(&["--team-open-uploads", "3", "--team-upload-mb", "5", "--upload-expiry-secs", "3"]);
    let key = p.ws.device_key().unwrap().unwrap();
    let secret =
        minisign::SecretKeyBox::from_string(&key.secret_key).unwrap().into_secret_key(Some(PASSPHRASE.into())).unwrap();
    let path = format!("{API}/uploads");
    let start = |id: &str, size: u64, sha256: &str| {
        let body = serde_json::to_vec(&StartUpload { package_id: id.into(), size, sha256: sha256.into() }).unwrap();
        let auth = Auth::sign(&key.key_id, &secret, "POST", &path, chrono::Utc::now().timestamp(), &body).unwrap();
        raw(&p.hub.url(), &p.pki.ca_pem, "POST", &path, &auth, &body)
    };
    let parts = || std::fs::read_dir(p.hub.dir.join("uploads")).unwrap().count();

    // The same upload asked for again with its hash in capitals is the same upload.
    let hash = "ab".repeat(32);
    assert_eq!(start("a-v1", 1024, &hash).0, 201);
    let (status, answer) = start("a-v1", 1024, &hash.to_uppercase());
    assert_eq!(status, 200, "{answer}");
    // Declared bytes past the team's quota, then one upload too many: refused, nothing kept.
    let (status, answer) = start("b-v1", 5 * 1024 * 1024, &"cd".repeat(32));
    assert_eq!((status, answer.contains("upload_quota")), (429, true), "{answer}");
    assert_eq!(start("c-v1", 1024, &"cd".repeat(32)).0, 201);
    assert_eq!(start("d-v1", 1024, &"ef".repeat(32)).0, 201);
    let (status, answer) = start("e-v1", 1024, &"01".repeat(32));
    assert_eq!((status, answer.contains("upload_quota")), (429, true), "{answer}");
    assert_eq!(parts(), 3);

    // Left unfinished past their time, they are removed with their bytes, and the team
    // can send again.
    std::thread::sleep(Duration::from_millis(3500));
    assert_eq!(start("e-v1", 1024, &"01".repeat(32)).0, 201);
    assert_eq!(parts(), 1, "the expired parts are gone");
    let report = p.ws.sync(&p.client, PASSPHRASE, &|_, _| {}).unwrap();
    assert_eq!((report.uploaded as usize, report.failed.len()), (p.count, 0), "{report:?}");
}

#[test]
fn the_province_transfers_a_case_and_from_then_on_only_the_receiving_team_sends_it() {
    use anchi::domain::{DocumentKind, Event};
    let tmp = tempfile::tempdir().unwrap();
    let Province { pki, ws: first, hub, hub_key, client: owner, .. } = province_with_laptop(tmp.path(), 8);
    let hub_dir = tmp.path().join("hub");
    first.sync(&owner, PASSPHRASE, &|_, _| {}).unwrap();
    let second = other_team(&tmp.path().join("doi-2"), &hub_dir, &pki, &hub, &hub_key);
    let receiver = second.sync_client("mat-khau-doi-2", None, None).unwrap();
    let moved = first.list_cases().unwrap().into_iter().find(|s| !s.stage.is_closed() && s.documents_finalised > 0);
    let moved = moved.expect("an open case was sent").id;
    let held = first.package_versions(moved).unwrap().pop().unwrap();

    // Refused with the option and the problem, nothing changed: an unknown team, the owner
    // itself, an unknown staff user, no reason.
    let transfer = |to: &str, by: &str, reason: &str| {
        Command::new(env!("CARGO_BIN_EXE_anchi-hub"))
            .arg("--data-dir")
            .arg(&hub_dir)
            .args(["case", "transfer", "--case", &moved.to_string(), "--to", to, "--by", by, "--reason", reason])
            .output()
            .unwrap()
    };
    let reason = "Quyết định số 12/QĐ-CCQLTT ngày 30/11/2026 của Chi cục trưởng";
    for (to, by, why, expected) in [
        ("LS-D9", "chicuc", reason, "--to"),
        ("DEMO-LS-D1", "chicuc", reason, "--to"),
        ("LS-D2", "ai-do", reason, "--by"),
        ("LS-D2", "chicuc", "  ", "--reason"),
    ] {
        let out = transfer(to, by, why);
        assert_eq!(out.status.code(), Some(2), "{to} {by} {why:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(expected), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let owner_now = |c: &[serde_json::Value]| c.iter().find(|c| c["case_id"] == moved.to_string()).unwrap().clone();
    assert_eq!(owner_now(&hub.cases())["team_id"], "DEMO-LS-D1");

    // The province moves it: a record signed by the hub's key, naming both teams, who
    // ordered it, why, and the version held.
    let out = transfer("LS-D2", "chicuc", reason);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let signed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = signed["transfer"].as_str().unwrap();
    let signature = minisign::SignatureBox::from_string(signed["signature"].as_str().unwrap()).unwrap();
    minisign::verify(&hub_key, &signature, std::io::Cursor::new(text.as_bytes()), true, false, false)
        .expect("signed by the hub");
    let record: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!((record["from_team"].as_str(), record["to_team"].as_str()), (Some("DEMO-LS-D1"), Some("LS-D2")));
    assert_eq!((record["by"].as_str(), record["reason"].as_str()), (Some("chicuc"), Some(reason)));
    assert_eq!(record["package_sha256"].as_str(), Some(held.sha256.as_str()));
    assert_eq!(owner_now(&hub.cases())["team_id"], "LS-D2");

    // The team that had it can no longer send it.
    let at = anchi::app::now();
    first
        .apply_event(moved, Event::StartDocument { id: uuid::Uuid::now_v7(), kind: DocumentKind::BbLamViec, at })
        .unwrap();
    let late = first.export_package(moved, PASSPHRASE, None, &|_| {}).unwrap();
    match owner.upload(&late.info.package_id(), &late.bytes, &|_, _| {}) {
        Err(SyncError::Refused { status: 409, refusal }) => assert_eq!(refusal.error, "case_owned", "{refusal:?}"),
        other => panic!("the former owner must be refused, got {other:?}"),
    }

    // The receiving team takes the package the province held, and goes on with it: its
    // next version follows the one held at the transfer.
    let held_bytes = std::fs::read(hub_dir.join("packages").join(format!("{}.anchi", held.sha256))).unwrap();
    let first_key = minisign::PublicKey::from_base64(&first.enrolment().unwrap().public_key).unwrap();
    second.import_package(&held_bytes, &[first_key], None).unwrap();
    let at = anchi::app::now();
    second
        .apply_event(moved, Event::StartDocument { id: uuid::Uuid::now_v7(), kind: DocumentKind::BbLamViec, at })
        .unwrap();
    let next = second.export_package(moved, "mat-khau-doi-2", None, &|_| {}).unwrap();
    assert_eq!(next.info.previous_sha256.as_deref(), Some(held.sha256.as_str()));
    receiver.upload(&next.info.package_id(), &next.bytes, &|_, _| {}).expect("the receiving team's next version");
    let case = owner_now(&hub.cases());
    assert_eq!(case["team_id"], "LS-D2");
    assert_eq!(case["version"], next.info.version);
}

/// `anchi sync` left running keeps the window's schedule: a refusal that waiting will not
/// cure (here the hub's certificate is not from the province's CA) stops it with exit 2 and
/// the reason, instead of trying again every 5 minutes for ever.
#[test]
fn anchi_sync_left_running_stops_on_a_refusal_that_waiting_will_not_cure() {
    let tmp = tempfile::tempdir().unwrap();
    let Province { hub, .. } = province_with_laptop(tmp.path(), 2);
    let elsewhere = pki(tmp.path(), "elsewhere");
    let ca = tmp.path().join("elsewhere-ca.pem");
    std::fs::write(&ca, &elsewhere.ca_pem).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_anchi"))
        .arg("--data-dir")
        .arg(tmp.path().join("laptop"))
        .args(["sync", "--server", &hub.url(), "--ca"])
        .arg(&ca)
        .env("ANCHI_KEY_PASSPHRASE", PASSPHRASE)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("anchi sync went on after a certificate refusal");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(stderr.to_lowercase().contains("tls") || stderr.contains("chứng chỉ"), "{stderr}");
}

/// The demo law key pair (`tests/data/demo-law-key.key`, its passphrase public knowledge).
fn demo_law_key() -> minisign::KeyPair {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/demo-law-key.key");
    let boxed = minisign::SecretKeyBox::from_string(&std::fs::read_to_string(path).unwrap()).unwrap();
    let sk = boxed.into_secret_key(Some("anchi-demo-law".into())).unwrap();
    minisign::KeyPair { pk: minisign::PublicKey::from_secret_key(&sk).unwrap(), sk }
}

#[test]
fn a_law_pack_published_on_the_hub_reaches_the_laptop_through_sync() {
    use anchi::app::law::{PackMeta, build_pack};
    use anchi::domain::{DocumentKind as K, DocumentState};
    let tmp = tempfile::tempdir().unwrap();
    let Province { ws, client, hub: _hub, .. } = province_with_laptop(tmp.path(), 6);
    let hub_dir = tmp.path().join("hub");
    // Nothing served yet: a pass changes no law.
    let report = ws.sync(&client, PASSPHRASE, &|_, _| {}).unwrap();
    assert!(report.law_applied.is_none() && report.law_refused.is_none());

    // The maintainer's new version: a new edition of the inspection decision from today.
    let src = tmp.path().join("law");
    for (path, bytes) in ws.active_law().files() {
        let target = src.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
    let today = anchi::app::now().date();
    let edition = std::fs::read_to_string(src.join("forms/2025-07-01/qd-kiem-tra.toml"))
        .unwrap()
        .replace("valid_from = \"2025-07-01\"", &format!("valid_from = \"{today}\""))
        .replace(
            "Căn cứ Nghị định số 33/2022/NĐ-CP của Chính phủ;",
            "Căn cứ Nghị định số 33/2022/NĐ-CP (bản của Chi cục);",
        );
    std::fs::create_dir_all(src.join(format!("forms/{today}"))).unwrap();
    std::fs::write(src.join(format!("forms/{today}/qd-kiem-tra.toml")), edition).unwrap();
    let key = demo_law_key();
    let meta = |version| PackMeta {
        version,
        issued: today,
        expires: today + chrono::Duration::days(365),
        publisher: "Cục Quản lý và Phát triển thị trường trong nước".into(),
    };
    let (bytes, _) = build_pack(&src, &meta(2), &key).unwrap();
    let pack = tmp.path().join("v2.anchi-law");
    std::fs::write(&pack, bytes).unwrap();

    // The province publishes it (pinning the law key the first time); a pack signed with
    // another key, or not newer, is refused by the hub.
    let published = hub_cmd(&hub_dir, &["law", "publish", pack.to_str().unwrap(), "--law-key", &key.pk.to_base64()]);
    assert!(published.contains("serving law pack version 2"), "{published}");
    let other = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let (foreign, _) = build_pack(&src, &meta(3), &other).unwrap();
    std::fs::write(tmp.path().join("foreign.anchi-law"), foreign).unwrap();
    for (file, says) in [("foreign.anchi-law", "not a trusted key"), ("v2.anchi-law", "not newer")] {
        let out = Command::new(env!("CARGO_BIN_EXE_anchi-hub"))
            .arg("--data-dir")
            .arg(&hub_dir)
            .args(["law", "publish", tmp.path().join(file).to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains(says), "{}", String::from_utf8_lossy(&out.stderr));
    }

    // The laptop's next pass takes it; a finalised decision prints as before, a new draft
    // takes the new edition.
    let finalised = ws
        .list_cases()
        .unwrap()
        .into_iter()
        .find_map(|row| {
            let case = ws.case(row.id).unwrap();
            let doc = case.documents.iter().find(|d| d.kind == K::QdKiemTra && d.state == DocumentState::Finalised)?;
            Some((case.id, doc.id))
        })
        .unwrap();
    let printed = ws.render_document(finalised.0, finalised.1).unwrap();
    let report = ws.sync(&client, PASSPHRASE, &|_, _| {}).unwrap();
    assert_eq!(report.law_applied.as_ref().map(|l| l.version), Some(2), "{:?}", report.law_refused);
    assert!(ws.sync(&client, PASSPHRASE, &|_, _| {}).unwrap().law_applied.is_none(), "taken once");
    drop(ws);
    let ws = Workspace::open(&tmp.path().join("laptop")).unwrap();
    assert_eq!(ws.law().version, 2);
    assert_eq!(ws.render_document(finalised.0, finalised.1).unwrap(), printed, "a finalised document never changes");
    let form = ws.catalog.form(K::QdKiemTra, today);
    assert_eq!(form.identity.valid_from, today, "today's inspection decision is the new edition");
}
