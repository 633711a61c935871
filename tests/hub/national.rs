//! The national tier over real TLS and a real PostgreSQL (a throwaway cluster, TLS to it
//! too): provincial hubs forward what their laptops send to the national server, which
//! checks each package back to the team key and the province that vouched for it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use super::postgres::Postgres;
use super::{PASSPHRASE, Pki, Province, hub_cmd, listening, pki, province_with_seeded_laptop};
use anchi::sync::{Client, SyncError};

/// A running national server; killed when dropped.
pub struct National {
    child: Child,
    pub addr: String,
    pub dir: PathBuf,
    pub pki: Pki,
    /// The CA file the provinces trust it by.
    pub ca_file: PathBuf,
    pub public_key: String,
    url: String,
    db_ca: PathBuf,
}

impl National {
    /// `national init`, then `national serve` on a free port.
    pub fn start(dir: &Path, pg: &Postgres) -> National {
        std::fs::create_dir_all(dir).unwrap();
        let pki = pki(dir, "national");
        let ca_file = dir.join("national-ca.pem");
        std::fs::write(&ca_file, &pki.ca_pem).unwrap();
        let mut national = National {
            child: Command::new("true").spawn().unwrap(),
            addr: "127.0.0.1:0".into(),
            dir: dir.join("data"),
            pki,
            ca_file,
            public_key: String::new(),
            url: pg.url(),
            db_ca: pg.ca.clone(),
        };
        let init = national.cmd(&["init"]);
        national.public_key = init.lines().find_map(|l| l.strip_prefix("public_key: ")).unwrap().to_string();
        national.restart();
        national
    }

    fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_anchi-hub"));
        command.arg("--data-dir").arg(&self.dir).arg("national");
        command
            .env("DATABASE_URL", &self.url)
            .env("DATABASE_CA", &self.db_ca)
            .env("ANCHI_HUB_PASSWORD", super::STAFF_PASSWORD);
        command
    }

    /// A national command's output (it must succeed).
    pub fn cmd(&self, args: &[&str]) -> String {
        let out = self.command().args(args).output().unwrap();
        assert!(out.status.success(), "national {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// (Re)starts the server on its address (the port may take a moment to be free).
    pub fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for _ in 0..100 {
            let mut command = self.command();
            command
                .args(["serve", "--listen", &self.addr, "--cert"])
                .arg(&self.pki.cert)
                .arg("--key")
                .arg(&self.pki.key);
            if let Ok((child, addr)) = listening(&mut command) {
                self.child = child;
                self.addr = addr;
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the national server did not start on {}", self.addr);
    }

    pub fn cases(&self) -> Vec<serde_json::Value> {
        serde_json::from_str(&self.cmd(&["case", "list", "--json"])).unwrap()
    }

    /// Enrols a province's hub and points the hub at this server.
    pub fn link(&self, code: &str, name: &str, hub_dir: &Path) {
        let shown = hub_cmd(hub_dir, &["key", "show"]);
        let key = shown.lines().find_map(|l| l.strip_prefix("public_key: ")).unwrap();
        self.cmd(&["province", "add", "--code", code, "--name", name, "--pubkey", key]);
        let ca = self.ca_file.to_str().unwrap();
        hub_cmd(hub_dir, &["upstream", "set", "--url", &self.url(), "--ca", ca, "--national-key", &self.public_key]);
    }
}

impl Drop for National {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A province (hub and demo laptop) in its own folder under `tmp`.
fn province_in(tmp: &Path, name: &str, cases: usize, seed: u64) -> Province {
    let dir = tmp.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    province_with_seeded_laptop(&dir, cases, seed)
}

/// Subjects (by identifier) with a sanction in province `a` and one in `b` within a year of
/// each other, counted from the two hubs' own stores.
fn sanctioned_in_both(a: &Path, b: &Path) -> std::collections::BTreeSet<String> {
    let sanctions = |dir: &Path| -> Vec<(String, chrono::NaiveDate)> {
        let store = anchi::hub::store::HubStore::open(dir).unwrap();
        store
            .cases()
            .unwrap()
            .into_iter()
            .flat_map(|c| c.entries)
            .filter(|e| e.kind == anchi::protocol::EntryKind::Sanction)
            .filter_map(|e| Some((e.identifier?, e.decided_on)))
            .collect()
    };
    let (in_a, in_b) = (sanctions(a), sanctions(b));
    in_a.iter()
        .filter(|(id, day)| in_b.iter().any(|(other, d)| other == id && (*d - *day).num_days().abs() <= 365))
        .map(|(id, _)| id.clone())
        .collect()
}

/// Waits until `done` holds (at most `limit`), polling.
fn wait_for(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn upstream_status(hub_dir: &Path) -> serde_json::Value {
    serde_json::from_str(&hub_cmd(hub_dir, &["upstream", "status", "--json"])).unwrap()
}

/// The province hub's own signing key, as its forwarding uses it.
fn hub_client(province: &Province, national: &National) -> Client {
    let store = anchi::hub::store::HubStore::open(&province.hub.dir).unwrap();
    let keys = store.keys().unwrap().unwrap();
    let secret = minisign::SecretKeyBox::from_string(&keys.secret_key).unwrap().into_unencrypted_secret_key().unwrap();
    let mut client = Client::new(&national.url(), national.pki.ca_pem.as_bytes(), &keys.key_id, secret).unwrap();
    client.retry.attempts = 0;
    client
}

fn refusal_code(result: Result<impl std::fmt::Debug, SyncError>) -> String {
    match result {
        Err(SyncError::Refused { refusal, .. }) => refusal.error,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn two_provinces_forward_every_case_once_and_the_nation_sees_both_and_their_common_offenders() {
    let pg = Postgres::start();
    let tmp = tempfile::tempdir().unwrap();
    let national = National::start(&tmp.path().join("national"), &pg);
    let a = province_in(tmp.path(), "a", 40, 11);
    let b = province_in(tmp.path(), "b", 0, 12);
    // Three subjects sanctioned in province 01 are sanctioned again in 79 (the same case
    // file, under a new case id, made on 79's laptop, which has no case of its own).
    let mut copied = 0;
    for summary in a.ws.list_cases().unwrap() {
        let case = a.ws.case(summary.id).unwrap();
        if copied == 3 || anchi::domain::summary::sanctions_of(&case).is_empty() {
            continue;
        }
        let json = a.ws.export_case(case.id).unwrap().replace(&case.id.to_string(), &uuid::Uuid::now_v7().to_string());
        b.ws.import_case(&json).unwrap();
        copied += 1;
    }
    assert_eq!(copied, 3, "sanctioned demo cases");
    let b = Province { count: b.count + 3, ..b };
    national.link("01", "Chi cục QLTT thành phố Hà Nội", &a.hub.dir);
    national.link("79", "Chi cục QLTT Thành phố Hồ Chí Minh", &b.hub.dir);
    for p in [&a, &b] {
        let report = p.ws.sync(&p.client, PASSPHRASE, &|_, _| {}).unwrap();
        assert_eq!((report.uploaded as usize, report.failed.len()), (p.count, 0));
    }
    let total = a.count + b.count;
    wait_for(Duration::from_secs(90), "every case at the national server", || national.cases().len() >= total);

    let cases = national.cases();
    assert_eq!(cases.len(), total, "each case once");
    let in_province = |code: &str| cases.iter().filter(|c| c["province_code"] == code).count();
    assert_eq!((in_province("01"), in_province("79")), (a.count, b.count));
    let team = a.ws.enrolment().unwrap().team_id;
    assert!(cases.iter().all(|c| c["team_id"] == team.as_str() && c["version"] == 1));
    let ids: std::collections::BTreeSet<&str> = cases.iter().map(|c| c["case_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), total, "no case twice");
    assert_eq!(pg.query("select count(*), count(distinct package_id) from packages"), format!("{total}|{total}"));
    for p in [&a, &b] {
        let status = upstream_status(&p.hub.dir);
        assert_eq!((status["queued"].as_u64(), status["sent"].as_u64()), (Some(0), Some(p.count as u64)), "{status}");
        // Every national receipt kept on the province, signed by the national key.
        let store = anchi::hub::store::HubStore::open(&p.hub.dir).unwrap();
        let key = minisign::PublicKey::from_base64(&national.public_key).unwrap();
        for stored in store.packages().unwrap() {
            let receipt = store.forwarded_receipt(&stored.info.package_id).unwrap().expect("a national receipt");
            assert_eq!(receipt.open(Some(&key)).unwrap().case_id, stored.info.case_id);
        }
    }

    // Subjects sanctioned in both provinces within a year: listed, and only they.
    let offenders: Vec<serde_json::Value> = serde_json::from_str(&national.cmd(&["offenders", "--json"])).unwrap();
    assert!(offenders.iter().all(|o| o["earlier"]["province_code"] != o["later"]["province_code"]));
    let listed: std::collections::BTreeSet<String> =
        offenders.iter().map(|o| o["identifier"].as_str().unwrap().to_string()).collect();
    let expected = sanctioned_in_both(&a.hub.dir, &b.hub.dir);
    assert!(!expected.is_empty(), "the two demo provinces share sanctioned subjects");
    assert_eq!(listed, expected, "every subject sanctioned in both provinces within a year");

    warned_across_provinces(&pg, &b);
    national_pages(&pg, &national, &a, &b, total);
    refusals(&pg, &national, &a, tmp.path());
    case_held_by_another_province(&pg, &national, &a, &b);
}

/// Province 79 forwards a version of a case province 01 holds, signed by a key 79 vouched
/// for: refused `case_owned`, and the case stays 01's.
fn case_held_by_another_province(pg: &Postgres, national: &National, a: &Province, b: &Province) {
    let held = a.ws.list_cases().unwrap().into_iter().find(|s| s.documents_finalised > 0).unwrap().id;
    let copy = super::forged_copy(&b.ws, &a.ws.case(held).unwrap());
    let client = hub_client(b, national);
    // Its first version has the id of the one 01 sent: refused as other content under that id.
    let first = b.ws.export_package(copy.id, PASSPHRASE, None, &|_| {}).unwrap();
    assert_eq!(refusal_code(client.upload(&first.info.package_id(), &first.bytes, &|_, _| {})), "conflict");
    // A second version: refused as another province's case.
    let at = copy.opened_at + chrono::Duration::minutes(30);
    let kind = anchi::domain::DocumentKind::BbKiemTra;
    b.ws.apply_event(copy.id, anchi::domain::Event::StartDocument { id: uuid::Uuid::now_v7(), kind, at }).unwrap();
    let second = b.ws.export_package(copy.id, PASSPHRASE, None, &|_| {}).unwrap();
    assert_eq!(second.info.version, 2);
    let refused = client.upload(&second.info.package_id(), &second.bytes, &|_, _| {});
    assert_eq!(refusal_code(refused), "case_owned");
    assert_eq!(pg.query(&format!("select province_code from cases where case_id = '{held}'")), "01");
}

/// Waits until the province's copy of the national index has every change the national
/// store holds.
fn caught_up(pg: &Postgres, p: &Province, code: &str) {
    let newest = pg.query(&format!(
        "select coalesce((select index_xid::text from cases where province_code <> '{code}' order by index_xid desc limit 1), '0')"
    ));
    let newest: i64 = newest.parse().unwrap();
    wait_for(Duration::from_secs(90), "the province's copy of the national index", || {
        upstream_status(&p.hub.dir)["national_index_generation"].as_i64().unwrap_or(0) >= newest
    });
}

/// A case opened now on the laptop with its inspection decision finalised (so it is sent).
fn open_today(ws: &anchi::app::Workspace) -> uuid::Uuid {
    use anchi::domain::{Address, Subject, SubjectKind};
    let subject = Subject::new(
        SubjectKind::Individual,
        "Hộ kinh doanh Trần Văn Hôm Nay",
        Address::Legacy { text: "Chợ Đồng Xuân".into() },
    );
    let id = open_now(ws, subject);
    inspect(ws, id);
    id
}

/// A case opened now on the laptop for `subject`, no document yet (now, not a moment
/// before: in the first minute of a day that would be yesterday).
pub(super) fn open_now(ws: &anchi::app::Workspace, subject: anchi::domain::Subject) -> uuid::Uuid {
    let team = ws.enrolment().unwrap().team_id;
    let at = chrono::Local::now().naive_local();
    let case = anchi::domain::Case::open(uuid::Uuid::now_v7(), &team, at, "hang-gia", subject);
    ws.create_case(&case).unwrap();
    case.id
}

/// The case's inspection decision, made and finalised.
fn inspect(ws: &anchi::app::Workspace, case_id: uuid::Uuid) {
    use anchi::domain::{DocumentKind, Event};
    let at = ws.case(case_id).unwrap().opened_at;
    let id = uuid::Uuid::now_v7();
    ws.apply_event(case_id, Event::StartDocument { id, kind: DocumentKind::QdKiemTra, at }).unwrap();
    ws.fill_like_demo(case_id, id).unwrap();
    ws.apply_event(case_id, Event::FinaliseDocument { id, number: None, at }).unwrap();
}

/// Cases a laptop sent that are under way (not closed, not cancelled), as the laptop lists them.
fn under_way_on(ws: &anchi::app::Workspace) -> usize {
    ws.list_cases()
        .unwrap()
        .iter()
        .filter(|s| s.documents_finalised > 0)
        .filter(|s| s.closed_on.is_none() && !s.stage.is_closed() && s.stage != anchi::domain::Stage::DaHuy)
        .count()
}

/// What a laptop sent, as the national page counts it: opened today, this week (from
/// Monday), this month, under way; and 1 told live (today's case).
fn opened_on(ws: &anchi::app::Workspace, open: usize) -> [i64; 5] {
    use chrono::Datelike;
    let today = chrono::Local::now().date_naive();
    let monday = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let first = today.with_day(1).unwrap();
    let sent: Vec<chrono::NaiveDate> =
        ws.list_cases().unwrap().iter().filter(|s| s.documents_finalised > 0).map(|s| s.opened_at.date()).collect();
    let since = |day: chrono::NaiveDate| sent.iter().filter(|d| **d >= day).count() as i64;
    [since(today), since(monday), since(first), open as i64, 1]
}

/// The numbers of one province's line on the national page.
fn province_numbers(page: &str, code: &str) -> Vec<i64> {
    let start = page.find(&format!("data-province=\"{code}\"")).unwrap_or_else(|| panic!("no line for {code}"));
    let line = &page[start..start + page[start..].find("</tr>").unwrap()];
    line.split("<td class=\"num\">")
        .skip(1)
        .map(|cell| {
            let text: String = cell.split('<').map(|part| part.rsplit('>').next().unwrap()).collect();
            text.replace('.', "").trim().parse().unwrap_or_else(|_| panic!("{cell}"))
        })
        .collect()
}

/// The national pages, over HTTPS and in a real Chromium, against counts made on the laptops.
fn national_pages(pg: &Postgres, national: &National, a: &Province, b: &Province, total: usize) {
    let today_case = open_today(&a.ws);
    a.ws.sync(&a.client, PASSPHRASE, &|_, _| {}).unwrap();
    wait_for(Duration::from_secs(90), "today's case at the national server", || national.cases().len() > total);
    national.cmd(&["user", "add", "--name", "cuc"]);
    let (cuc, first) = super::province_view::Staff::login_at(&national.url(), &national.pki, "cuc");
    assert_eq!(first, "/");
    // Today's case told live by the sync pass (its relay may follow the package by a moment).
    wait_for(Duration::from_secs(60), "today's case live on the national page", || {
        province_numbers(&cuc.page("/"), "01")[4] == 1
    });
    let dashboard = cuc.page("/");
    let (a_open, b_open) = (under_way_on(&a.ws), under_way_on(&b.ws));
    // today, this week, this month, under way, live today, decisions this month, fines
    let hanoi = province_numbers(&dashboard, "01");
    assert_eq!(&hanoi[..5], &opened_on(&a.ws, a_open), "{hanoi:?}");
    assert_eq!(province_numbers(&dashboard, "79")[3], b_open as i64);
    assert!(dashboard.contains("<svg") && dashboard.contains("Theo lĩnh vực") && dashboard.contains("Theo nhóm hàng"));
    let listed = cuc.page("/cases?province=79");
    assert!(listed.contains(&format!("data-count=\"{b_open}\"")), "{listed}");
    let offenders = cuc.page("/offenders");
    let both = sanctioned_in_both(&a.hub.dir, &b.hub.dir);
    for id in &both {
        assert!(offenders.contains(id), "{id} on the repeat offenders' page");
    }
    // The list shows identifiers and names: each case it shows is logged as seen by cuc.
    let logged = pg.query(
        "select count(distinct case_id) from access_log where user_name = 'cuc' and what = 'danh sách tái phạm liên tỉnh'",
    );
    let distinct: std::collections::BTreeSet<&str> =
        offenders.split("href=\"/cases/").skip(1).map(|rest| &rest[..36]).collect();
    assert!(!distinct.is_empty(), "{offenders}");
    assert_eq!(logged, distinct.len().to_string(), "every case on the list logged");
    let case = cuc.page(&format!("/cases/{today_case}"));
    assert!(case.contains("Chi cục QLTT thành phố Hà Nội") && case.contains("Tải PDF"), "{case}");
    let (status, pdf) = cuc.get(&format!("/cases/{today_case}/documents/0"));
    assert_eq!((status, pdf.starts_with(b"%PDF")), (200, true));
    assert_eq!(
        pg.query("select count(*) from access_log where user_name = 'cuc' and what <> 'danh sách tái phạm liên tỉnh'"),
        "2",
        "the case and its PDF logged"
    );

    // Without a session: the login page, nothing else.
    let agent = anchi::sync::agent(national.pki.ca_pem.as_bytes()).unwrap();
    let response = agent.get(&national.url()).config().max_redirects(0).build().call().unwrap();
    assert_eq!(response.headers().get("location").unwrap(), "/login");

    tokio::runtime::Runtime::new().unwrap().block_on(walk(national, &hanoi, b_open, today_case));
}

/// The same in Chromium: login, the national page's line for Hà Nội, the list of a
/// province's cases under way, a case page. Screenshots under `target/tmp/national-view/`.
async fn walk(national: &National, hanoi: &[i64], b_open: usize, case: uuid::Uuid) {
    use fantoccini::Locator;
    let driver = super::browser::Driver::start();
    let profile = tempfile::tempdir().unwrap();
    let client = super::browser::browser(&driver, &national.pki, profile.path()).await;
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("national-view");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = |name: &'static str| {
        let client = client.clone();
        let path = shots.join(format!("{name}.png"));
        async move { std::fs::write(path, client.screenshot().await.unwrap()).unwrap() }
    };
    client.goto(&format!("{}/login", national.url())).await.unwrap();
    client.find(Locator::Css("input[name=user]")).await.unwrap().send_keys("cuc").await.unwrap();
    client.find(Locator::Css("input[name=password]")).await.unwrap().send_keys(super::STAFF_PASSWORD).await.unwrap();
    super::browser::submit(&client, "form button").await;
    assert!(super::browser::heading(&client).await.starts_with("Toàn quốc"));
    let source = client.source().await.unwrap();
    assert_eq!(province_numbers(&source, "01"), hanoi, "the same numbers in the browser");
    let bar = client.find(Locator::Css("svg rect")).await.unwrap();
    assert!(bar.attr("width").await.unwrap().is_some_and(|w| w.parse::<f64>().unwrap() > 0.0));
    shot("1-national").await;
    super::browser::submit(&client, "a[href=\"/cases?province=79\"]").await;
    let source = client.source().await.unwrap();
    assert!(source.contains(&format!("data-count=\"{b_open}\"")));
    shot("2-under-way").await;
    client.goto(&format!("{}/cases/{case}", national.url())).await.unwrap();
    assert_eq!(super::browser::heading(&client).await, "Hộ kinh doanh Trần Văn Hôm Nay");
    shot("3-case").await;
    client.close().await.unwrap();
}

/// After its next sync, province 79's laptop is warned of the sanctions province 01 made on
/// the same subjects, naming the province and the decision.
fn warned_across_provinces(pg: &Postgres, b: &Province) {
    caught_up(pg, b, "79");
    let report = b.ws.sync(&b.client, PASSPHRASE, &|_, _| {}).unwrap();
    assert!(report.index_entries.is_some_and(|n| n > 0), "the province index came with the nation's entries");
    b.ws.load_offender_index(|_| {}).unwrap();
    let mut told = 0;
    for summary in b.ws.list_cases().unwrap() {
        let report = b.ws.case_warnings(summary.id).unwrap();
        let from_hanoi: Vec<_> = report
            .warnings
            .iter()
            .filter(|w| w.text_vi.starts_with("Chi cục QLTT thành phố Hà Nội đã xử phạt"))
            .collect();
        assert!(!from_hanoi.is_empty(), "case {}: {:#?}", summary.id, report.warnings);
        assert!(from_hanoi.iter().any(|w| w.text_vi.contains("(QĐ số ")), "{from_hanoi:#?}");
        told += 1;
    }
    assert_eq!(told, 3);
}

/// What the national server refuses, storing nothing: a package signed by a key no province
/// vouched for, an unenrolled province key, a bad start, a revoked province.
fn refusals(pg: &Postgres, national: &National, a: &Province, tmp: &Path) {
    let before = pg.query("select count(*) from packages");
    // A laptop of a team province 01 never enrolled: its package, forwarded with the hub's key.
    let (stranger, _) = super::laptop(&tmp.join("stranger"), 3);
    let case = stranger.list_cases().unwrap().into_iter().find(|s| s.documents_finalised > 0).unwrap().id;
    let package = stranger.export_package(case, PASSPHRASE, None, &|_| {}).unwrap();
    let client = hub_client(a, national);
    let refused = client.upload(&package.info.package_id(), &package.bytes, &|_, _| {});
    assert_eq!(refusal_code(refused), "bad_signature");

    // A key no province was enrolled with.
    let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let key_id = anchi::package::key_id_of(pair.pk.keynum());
    let unknown = Client::new(&national.url(), national.pki.ca_pem.as_bytes(), &key_id, pair.sk).unwrap();
    assert_eq!(refusal_code(unknown.upload("x-v1", b"bytes", &|_, _| {})), "unknown_key");

    // Statements must be the province's own: one signed by another key is refused.
    let forged = anchi::protocol::KeyStatement {
        hub_key_id: key_id.clone(),
        team_id: "X".into(),
        team_name: "X".into(),
        key_id: key_id.clone(),
        public_key: pair.pk.to_base64(),
        enrolled_at: chrono::Utc::now(),
        revoked_at: None,
    };
    let other = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let signed = anchi::protocol::SignedStatement::sign(&other.sk, &forged);
    assert_eq!(refusal_code(client.vouch(&[signed])), "bad_signature");

    // A start that is not one: refused before anything is kept, naming the problem.
    let auth = anchi::protocol::Auth::sign(
        &hub_key_id(a),
        &hub_secret(a),
        "POST",
        "/api/v1/uploads",
        chrono::Utc::now().timestamp(),
        b"{\"package_id\": 5}",
    )
    .unwrap();
    let (status, body) =
        super::raw(&national.url(), &national.pki.ca_pem, "POST", "/api/v1/uploads", &auth, b"{\"package_id\": 5}");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("package_id"), "{body}");

    // A revoked province is refused at the door.
    national.cmd(&["province", "revoke", "--code", "01"]);
    let refused = client.upload(&package.info.package_id(), &package.bytes, &|_, _| {});
    assert_eq!(refusal_code(refused), "revoked_key");
    assert_eq!(pg.query("select count(*) from packages"), before, "nothing stored");
    assert_eq!(pg.query("select count(*) from uploads"), "0", "no upload left open");
}

fn hub_key_id(p: &Province) -> String {
    anchi::hub::store::HubStore::open(&p.hub.dir).unwrap().keys().unwrap().unwrap().key_id
}

fn hub_secret(p: &Province) -> minisign::SecretKey {
    let keys = anchi::hub::store::HubStore::open(&p.hub.dir).unwrap().keys().unwrap().unwrap();
    minisign::SecretKeyBox::from_string(&keys.secret_key).unwrap().into_unencrypted_secret_key().unwrap()
}

#[test]
fn the_national_server_killed_during_forwarding_receives_every_package_exactly_once() {
    let pg = Postgres::start();
    let tmp = tempfile::tempdir().unwrap();
    let mut national = National::start(&tmp.path().join("national"), &pg);
    let a = province_in(tmp.path(), "a", 40, 11);
    // Packages of about 2 MB, so that the kills land while they are sent.
    let mut rng = fastrand::Rng::with_seed(3);
    for summary in a.ws.list_cases().unwrap().iter().filter(|s| s.documents_finalised > 0) {
        let mut scan = vec![0u8; 2 * 1024 * 1024];
        rng.fill(&mut scan);
        scan[..5].copy_from_slice(b"%PDF-");
        let file = tmp.path().join(format!("{}.pdf", summary.id));
        std::fs::write(&file, scan).unwrap();
        a.ws.attach(summary.id, &file).unwrap();
    }
    let report = a.ws.sync(&a.client, PASSPHRASE, &|_, _| {}).unwrap();
    assert_eq!(report.uploaded as usize, a.count);
    // Queued on the province before it knows of any national server: nothing is lost.
    assert_eq!(upstream_status(&a.hub.dir)["queued"].as_u64(), Some(a.count as u64));
    // The running hub finds the new setting within seconds and forwards while it is killed.
    national.link("01", "Chi cục QLTT thành phố Hà Nội", &a.hub.dir);
    let mut kills = 0;
    let start = Instant::now();
    let mut rng = fastrand::Rng::with_seed(9);
    while upstream_status(&a.hub.dir)["sent"].as_u64().unwrap_or(0) < a.count as u64 {
        assert!(
            start.elapsed() < Duration::from_secs(240),
            "forwarding did not finish: {}",
            upstream_status(&a.hub.dir)
        );
        std::thread::sleep(Duration::from_millis(rng.u64(100..600)));
        if kills < 10 {
            national.restart();
            kills += 1;
        }
    }
    let cases = national.cases();
    assert_eq!(cases.len(), a.count, "every case");
    assert!(cases.iter().all(|c| c["version"] == 1));
    assert_eq!(pg.query("select count(*), count(distinct package_id) from packages"), format!("{0}|{0}", a.count));
    assert_eq!(upstream_status(&a.hub.dir)["queued"].as_u64(), Some(0));
    eprintln!("{kills} kills of the national server; forwarded {} packages in {:?}", a.count, start.elapsed());
}

#[test]
fn a_case_opened_on_site_is_seen_live_by_province_and_nation_and_brings_back_what_they_know() {
    let pg = Postgres::start();
    let tmp = tempfile::tempdir().unwrap();
    let national = National::start(&tmp.path().join("national"), &pg);
    let a = province_in(tmp.path(), "a", 20, 11);
    let b = province_in(tmp.path(), "b", 0, 12);
    national.link("01", "Chi cục QLTT thành phố Hà Nội", &a.hub.dir);
    national.link("79", "Chi cục QLTT Thành phố Hồ Chí Minh", &b.hub.dir);
    a.ws.sync(&a.client, PASSPHRASE, &|_, _| {}).unwrap();
    wait_for(Duration::from_secs(90), "province 01's cases at the national server", || {
        national.cases().len() == a.count
    });
    caught_up(&pg, &b, "79");
    // A subject province 01 sanctioned (with a tax code), inspected today in province 79.
    let sanctioned = super::sanctioned_with_tax_code(&a.ws);
    let case = open_now(&b.ws, sanctioned.subject.clone());
    assert_eq!(b.ws.pending_status().unwrap().len(), 1, "the opening is to be told");

    // Told without a sync: the hub answers with what the nation knows, shown on the case.
    let told = b.ws.send_status(&b.client).unwrap();
    assert_eq!(told.sent, 1);
    assert!(told.told > 0, "{told:?}");
    let warnings = b.ws.case_warnings(case).unwrap().warnings;
    assert!(
        warnings.iter().any(|w| w.text_vi.starts_with("Chi cục QLTT thành phố Hà Nội đã xử phạt")),
        "{warnings:#?}"
    );
    assert!(b.ws.pending_status().unwrap().is_empty(), "heard: nothing more to tell");
    inspect(&b.ws, case);
    assert_eq!(b.ws.pending_status().unwrap().len(), 1, "a new stage is told again");
    b.ws.send_status(&b.client).unwrap();

    // The province sees it before any package: on the morning page.
    hub_cmd(&b.hub.dir, &["user", "role", "--name", "chicuc", "--role", "leader"]);
    let (leader, _) = super::province_view::Staff::login_at(&b.hub.url(), &b.pki, "chicuc");
    let morning = leader.page("/");
    assert!(morning.contains("data-count=\"1\">Đang kiểm tra hôm nay"), "{morning}");
    assert!(morning.contains("chưa gửi hồ sơ"));
    // And the nation, relayed.
    national.cmd(&["user", "add", "--name", "cuc"]);
    let (cuc, _) = super::province_view::Staff::login_at(&national.url(), &national.pki, "cuc");
    wait_for(Duration::from_secs(60), "the national page's live column", || {
        province_numbers(&cuc.page("/"), "79")[4] == 1
    });
    assert_eq!(pg.query("select stage from live_status"), "da_co_quyet_dinh");
}

/// The SQL writing `count` cases of province `code`, numbered from `from`, in one
/// transaction (or in the open transaction of the session it is sent to).
fn synthetic_cases(code: &str, from: u32, count: u32) -> String {
    format!(
        "insert into packages (package_id, sha256, province_code, team_id, case_id, version, size, received_at, receipt, signature, bytes) \
         select 'synthetic-' || n, md5(n::text), '{code}', 'D1', md5('case' || n)::uuid, 1, 1, now(), '{{}}', '', '\\x00'::bytea \
         from generate_series({from}, {last}) n; \
         insert into cases (case_id, province_code, team_id, version, package_id, opened_at, subject_name, field, stage, \
                            under_way, goods_groups, summary, facts, received_at) \
         select md5('case' || n)::uuid, '{code}', 'D1', 1, 'synthetic-' || n, localtimestamp, 'Hộ kinh doanh số ' || n, \
                'hang-gia', 'da_xu_phat', false, '{{}}', '{{}}'::jsonb, '{{}}'::jsonb, now() \
         from generate_series({from}, {last}) n;",
        last = from + count - 1
    )
}

/// Every page of the national index from `since` as province `p` asks for it: the cases
/// and the generation reached.
fn index_from(national: &National, p: &minisign::KeyPair, since: i64) -> (Vec<uuid::Uuid>, i64) {
    let key_id = anchi::package::key_id_of(p.pk.keynum());
    let mut client = Client::new(&national.url(), national.pki.ca_pem.as_bytes(), &key_id, p.sk.clone()).unwrap();
    client.retry.attempts = 0;
    let national_key = minisign::PublicKey::from_base64(&national.public_key).unwrap();
    let (mut cases, mut since) = (Vec::new(), since);
    loop {
        let delta: anchi::protocol::IndexDelta =
            client.national_index(since).unwrap().open_as(Some(&national_key)).unwrap();
        assert_eq!(delta.since, since);
        cases.extend(delta.cases.iter().map(|(id, _)| *id));
        since = delta.generation;
        if !delta.more {
            return (cases, since);
        }
    }
}

/// The index is taken in the order cases were written without a lock among the writers: a
/// write still running when a province asks is not skipped (nor the writes after it handed
/// out meanwhile), and a transaction larger than a page is never cut in two.
#[test]
fn the_national_index_misses_no_case_written_while_a_province_reads_it() {
    use std::io::{BufRead, Write};
    let pg = Postgres::start();
    let tmp = tempfile::tempdir().unwrap();
    let national = National::start(&tmp.path().join("national"), &pg);
    let reader = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let writer = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    for (code, pair) in [("01", &reader), ("02", &writer)] {
        national.cmd(&["province", "add", "--code", code, "--name", code, "--pubkey", &pair.pk.to_base64()]);
    }
    // 7,000 cases in one transaction (more than the 5,000 of a page), then one more.
    pg.query(&synthetic_cases("02", 1, 7000));
    // A write that has begun and not ended: a case of its own, then a later one committed.
    let mut running = pg.session();
    let mut input = running.stdin.take().unwrap();
    let mut output = std::io::BufReader::new(running.stdout.take().unwrap());
    writeln!(input, "begin; select pg_current_xact_id(); {}", synthetic_cases("02", 8001, 1)).unwrap();
    let mut line = String::new();
    output.read_line(&mut line).unwrap();
    line.clear();
    output.read_line(&mut line).unwrap(); // the transaction has its id once this answers
    pg.query(&synthetic_cases("02", 9001, 1));
    let (first, generation) = index_from(&national, &reader, 0);
    let unique: std::collections::BTreeSet<_> = first.iter().collect();
    assert_eq!(
        (first.len(), unique.len()),
        (7000, 7000),
        "the first transaction whole, once; nothing after the running one"
    );
    // The running write ends: its case and the later one come with the next pass.
    writeln!(input, "commit;").unwrap();
    drop(input);
    assert!(running.wait().unwrap().success());
    let (next, _) = index_from(&national, &reader, generation);
    let case = |n: u32| pg.query(&format!("select md5('case{n}')::uuid")).parse::<uuid::Uuid>().unwrap();
    let mut expected = vec![case(8001), case(9001)];
    expected.sort();
    let mut next = next;
    next.sort();
    assert_eq!(next, expected);
    // The province's own cases are never sent back to it.
    let (others, _) = index_from(&national, &writer, 0);
    assert!(others.is_empty());
}

/// A national store made before migration 0002 keeps its index order: each case takes its
/// old number as its transaction id, so a province carries on from the number it holds.
#[test]
fn migration_0002_keeps_the_numbers_the_provinces_hold() {
    let pg = Postgres::start();
    let tmp = tempfile::tempdir().unwrap();
    pg.query(include_str!("../../migrations/national/0001_init.sql"));
    pg.query(
        "create table schema_migrations (version integer primary key, name text not null, \
         applied_at timestamptz not null default now()); insert into schema_migrations (version, name) values (1, 'init')",
    );
    let reader = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let writer = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    for (code, pair) in [("01", &reader), ("02", &writer)] {
        let key_id = anchi::package::key_id_of(pair.pk.keynum());
        pg.query(&format!(
            "insert into provinces (code, name, key_id, public_key, enrolled_at) values ('{code}', '{code}', '{key_id}', '{}', now())",
            pair.pk.to_base64()
        ));
    }
    // Three cases numbered 1, 2, 3 as the old writes numbered them.
    pg.query(&synthetic_cases("02", 1, 3));
    for n in 1..=3 {
        pg.query(&format!(
            "update cases set index_seq = nextval('offender_index_seq') where case_id = md5('case{n}')::uuid"
        ));
    }
    let national = National::start(&tmp.path().join("national"), &pg);
    assert_eq!(pg.query("select max(version) from schema_migrations"), "2");
    let numbers = pg.query("select string_agg(index_xid::text, ',' order by index_xid) from cases");
    assert_eq!(numbers, "1,2,3");
    // A province that held number 1 is sent the two after it, and then a new write.
    let (after_one, generation) = index_from(&national, &reader, 1);
    assert_eq!(after_one.len(), 2);
    assert_eq!(generation, 3);
    pg.query(&synthetic_cases("02", 4, 1));
    let (new, _) = index_from(&national, &reader, generation);
    assert_eq!(new, vec![pg.query("select md5('case4')::uuid").parse::<uuid::Uuid>().unwrap()]);
}
