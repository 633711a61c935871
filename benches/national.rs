//! The national tier at scale (issue 18), against a real PostgreSQL started here (a
//! throwaway cluster, TLS to it) and the release `anchi-hub national serve` over TLS:
//!
//! 1. ingest: 34 simulated provinces, each a thread with the hub's upload client and its
//!    own enrolled key, forward ~100 KB signed case packages at once; the rate of packages
//!    verified, stored and indexed per second (goal ≥ 200/s on 2 cores);
//! 2. the national pages with 1,000,000 cases (and their offender entries) in the store,
//!    median of 10 over TLS, logged in (goal ≤ 200 ms each);
//! 3. the national offender index: a province taking the whole of it (1,000,000 cases'
//!    entries, page by page) and one incremental update after a new package (goal ≤ 1 s).
//!
//! The million are written with SQL (`generate_series`): uploading them would measure step 1
//! again. `cargo bench --features hub --bench national`; ANCHI_BENCH_CASES and
//! ANCHI_BENCH_PACKAGES change the counts.

#![allow(clippy::unwrap_used, reason = "a benchmark fails by panicking")]

mod common;
#[path = "../tests/hub/postgres.rs"]
mod postgres;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anchi::app::Workspace;
use anchi::protocol::{IndexDelta, KeyStatement, SignedStatement};
use anchi::sync::Client;
use common::{Pki, listening, pki};

const PASSWORD: &str = common::STAFF_PASSWORD;
const PROVINCES: usize = 34;

struct National {
    dir: std::path::PathBuf,
    url: String,
    db_url: String,
    db_ca: std::path::PathBuf,
}

impl National {
    fn cmd(&self, args: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_anchi-hub"))
            .arg("--data-dir")
            .arg(&self.dir)
            .arg("national")
            .args(args)
            .env("DATABASE_URL", &self.db_url)
            .env("DATABASE_CA", &self.db_ca)
            .env("ANCHI_HUB_PASSWORD", PASSWORD)
            .output()
            .unwrap();
        assert!(out.status.success(), "national {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }
}

/// A province: its hub key, enrolled nationally, and its client.
struct Province {
    code: String,
    pair: minisign::KeyPair,
}

fn key_id(pair: &minisign::KeyPair) -> String {
    anchi::package::key_id_of(pair.pk.keynum())
}

fn client(national: &National, pki: &Pki, p: &Province) -> Client {
    let mut c = Client::new(&national.url, pki.ca_pem.as_bytes(), &key_id(&p.pair), p.pair.sk.clone()).unwrap();
    c.retry.attempts = 3;
    c
}

/// `count` demo cases with a finalised document, those with the fewest documents first (the
/// smallest packages), exported as packages.
fn packages(dir: &Path, count: usize) -> (Workspace, Vec<anchi::app::packages::Exported>) {
    let mut ws = Workspace::open(dir).unwrap();
    ws.make_demo(count * 2, 31).unwrap();
    let mut rows: Vec<_> = ws.list_cases().unwrap().into_iter().filter(|s| s.documents_finalised > 0).collect();
    rows.sort_by_key(|s| s.documents_finalised);
    let out = rows.iter().take(count).map(|s| ws.export_package(s.id, "demo", None, &|_| {}).unwrap()).collect();
    (ws, out)
}

#[allow(clippy::too_many_lines, reason = "one benchmark script: set-up, then each measure in turn")]
fn main() {
    if std::env::args().skip(1).any(|a| !a.starts_with("--") && !"national".contains(a.as_str())) {
        return;
    }
    let cases: i64 = std::env::var("ANCHI_BENCH_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let count: usize = std::env::var("ANCHI_BENCH_PACKAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(1360);
    let tmp = tempfile::tempdir().unwrap();
    let pg = postgres::Postgres::start();
    let national_dir = tmp.path().join("national");
    let pki = pki(tmp.path(), "national");
    let mut national =
        National { dir: national_dir.clone(), url: String::new(), db_url: pg.url(), db_ca: pg.ca.clone() };
    let init = national.cmd(&["init"]);
    let national_key = init.lines().find_map(|l| l.strip_prefix("public_key: ")).unwrap();
    let national_key = minisign::PublicKey::from_base64(national_key).unwrap();
    national.cmd(&["user", "add", "--name", "cuc"]);
    let mut serve = Command::new(env!("CARGO_BIN_EXE_anchi-hub"));
    serve
        .arg("--data-dir")
        .arg(&national_dir)
        .args(["national", "serve", "--listen", "127.0.0.1:0", "--cert"])
        .arg(&pki.cert)
        .arg("--key")
        .arg(&pki.key)
        .env("DATABASE_URL", &national.db_url)
        .env("DATABASE_CA", &national.db_ca);
    let (mut child, url) = listening(&mut serve);
    national.url = url;

    // 34 provinces, each vouching for the laptop's key (a team key may be vouched by several).
    let started = Instant::now();
    let (ws, packages) = packages(&tmp.path().join("laptop"), count);
    let sizes: u64 = packages.iter().map(|p| p.bytes.len() as u64).sum();
    println!(
        "{} packages of {} KB on average made in {:.1} s",
        packages.len(),
        sizes / packages.len() as u64 / 1024,
        started.elapsed().as_secs_f64()
    );
    let device = ws.device_key().unwrap().unwrap();
    let provinces: Vec<Province> = (1..=PROVINCES)
        .map(|n| Province { code: format!("{n:02}"), pair: minisign::KeyPair::generate_unencrypted_keypair().unwrap() })
        .collect();
    for p in &provinces {
        let pubkey = p.pair.pk.to_base64();
        national.cmd(&[
            "province",
            "add",
            "--code",
            &p.code,
            "--name",
            &format!("Chi cục QLTT số {}", p.code),
            "--pubkey",
            &pubkey,
        ]);
        let statement = KeyStatement {
            hub_key_id: key_id(&p.pair),
            team_id: ws.enrolment().unwrap().team_id,
            team_name: "Đội QLTT số 1".into(),
            key_id: device.key_id.clone(),
            public_key: device.public_key.clone(),
            enrolled_at: chrono::Utc::now(),
            revoked_at: None,
        };
        client(&national, &pki, p).vouch(&[SignedStatement::sign(&p.pair.sk, &statement)]).unwrap();
    }

    // 1. Ingest: every province forwards its share at once.
    let packages = Arc::new(packages);
    let start = Instant::now();
    let threads: Vec<_> = provinces
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let c = client(&national, &pki, p);
            let packages = packages.clone();
            std::thread::Builder::new()
                .name(format!("province-{}", p.code))
                .spawn(move || {
                    for package in packages.iter().skip(i).step_by(PROVINCES) {
                        c.upload(&package.info.package_id(), &package.bytes, &|_, _| {}).unwrap();
                    }
                })
                .unwrap()
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let took = start.elapsed();
    let stored: i64 = pg.query("select count(*) from packages").parse().unwrap();
    assert_eq!(stored as usize, packages.len());
    println!(
        "ingest: {} packages ({} MB) from {PROVINCES} provinces in {:.2} s = {:.0} packages/s (goal ≥ 200)",
        packages.len(),
        sizes / 1_000_000,
        took.as_secs_f64(),
        packages.len() as f64 / took.as_secs_f64()
    );

    // 2. A million cases, written with SQL, then the pages.
    let start = Instant::now();
    million(&pg, cases);
    println!("{cases} cases and their entries written with SQL in {:.0} s", start.elapsed().as_secs_f64());
    pages(&national, &pki, &packages[0].info.case_id.to_string());

    // 3. The national index: the whole of it for province 01, then one change.
    let p = &provinces[0];
    let c = client(&national, &pki, p);
    let start = Instant::now();
    let (mut since, mut taken, mut pages_read) = (0i64, 0usize, 0usize);
    loop {
        let delta: IndexDelta = c.national_index(since).unwrap().open_as(Some(&national_key)).unwrap();
        taken += delta.cases.len();
        pages_read += 1;
        since = delta.generation;
        if !delta.more {
            break;
        }
    }
    println!(
        "national index, whole: {taken} cases' entries in {pages_read} pages, {:.1} s",
        start.elapsed().as_secs_f64()
    );
    // One new package from province 02, then province 01's incremental update.
    let (_, more) = packages_one(&tmp.path().join("laptop2"));
    let p2 = &provinces[1];
    let vouch = KeyStatement {
        hub_key_id: key_id(&p2.pair),
        team_id: more.0,
        team_name: "Đội QLTT số 2".into(),
        key_id: more.1.key_id.clone(),
        public_key: more.1.public_key.clone(),
        enrolled_at: chrono::Utc::now(),
        revoked_at: None,
    };
    let c2 = client(&national, &pki, p2);
    c2.vouch(&[SignedStatement::sign(&p2.pair.sk, &vouch)]).unwrap();
    c2.upload(&more.2.info.package_id(), &more.2.bytes, &|_, _| {}).unwrap();
    let mut times = Vec::new();
    let mut changed = 0;
    for _ in 0..10 {
        let start = Instant::now();
        let delta: IndexDelta = c.national_index(since).unwrap().open_as(Some(&national_key)).unwrap();
        times.push(start.elapsed());
        changed = delta.cases.len();
    }
    times.sort();
    println!(
        "national index, incremental: {changed} case(s) changed, median {:.1} ms, slowest {:.1} ms (goal ≤ 1 s)",
        ms(times[times.len() / 2]),
        ms(*times.last().unwrap())
    );
    let _ = child.kill();
    let _ = child.wait();
}

/// One more laptop's package: its team, its key and the package.
fn packages_one(dir: &Path) -> (Workspace, (String, anchi::app::keys::DeviceKey, anchi::app::packages::Exported)) {
    let mut ws = Workspace::open(dir).unwrap();
    ws.make_demo(3, 77).unwrap();
    let case = ws.list_cases().unwrap().into_iter().find(|s| s.documents_finalised > 0).unwrap().id;
    let package = ws.export_package(case, "demo", None, &|_| {}).unwrap();
    let team = ws.enrolment().unwrap().team_id;
    let key = ws.device_key().unwrap().unwrap();
    (ws, (team, key, package))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `cases` synthetic cases over the 34 provinces and the last three years, each with an
/// inspection entry and, one in three, a sanction; a fifth under way.
fn million(pg: &postgres::Postgres, cases: i64) {
    pg.query(&format!(
        "insert into packages (package_id, sha256, province_code, team_id, case_id, version, size, received_at, receipt, signature, bytes) \
         select 'bench-' || n, md5(n::text), lpad((1 + n % 34)::text, 2, '0'), 'D' || (n % 7), \
                md5('case' || n)::uuid, 1, 1, now(), '{{}}', '', '\\x00'::bytea \
         from generate_series(1, {cases}) n"
    ));
    // In transactions of 5,000 cases (each transaction's id orders the offender index, whose
    // pages hold whole transactions).
    pg.query(&format!(
        "do $$ begin for chunk in 0..({cases} - 1) / 5000 loop \
         insert into cases (case_id, province_code, team_id, version, package_id, opened_at, subject_name, subject_identifier, \
                            field, stage, fine_vnd, under_way, goods_groups, summary, facts, received_at) \
         select md5('case' || n)::uuid, lpad((1 + n % 34)::text, 2, '0'), 'D' || (n % 7), 1, 'bench-' || n, \
                localtimestamp - (n % 1095) * interval '1 day' - (n % 600) * interval '1 minute', \
                'Hộ kinh doanh số ' || n, lpad((n % 600000)::text, 10, '0'), \
                (array['hang-gia','an-toan-thuc-pham','gia-ca','do-luong'])[1 + n % 4], \
                case when n % 5 = 0 then 'da_co_quyet_dinh' else 'da_xu_phat' end, \
                case when n % 3 = 0 then 5000000 end, n % 5 = 0, \
                array[(array['thuc-pham','my-pham','dien-tu'])[1 + n % 3]], '{{}}'::jsonb, '{{}}'::jsonb, now() \
         from generate_series(chunk * 5000 + 1, least((chunk + 1) * 5000, {cases})) n; \
         commit; end loop; end $$"
    ));
    pg.query(&format!(
        "insert into offender_entries (case_id, province_code, team_id, kind, identifier, folded_name, name, act, provision, decided_on, fine_vnd) \
         select md5('case' || n)::uuid, lpad((1 + n % 34)::text, 2, '0'), 'D' || (n % 7), k, lpad((n % 600000)::text, 10, '0'), \
                'ho kinh doanh so ' || n, 'Hộ kinh doanh số ' || n, 'Bán hàng giả', 'khoản 1 Điều 9', \
                current_date - (n % 1095), case when k = 'sanction' then 5000000 end \
         from generate_series(1, {cases}) n, unnest(case when n % 3 = 0 then array['inspection','sanction'] else array['inspection'] end) k"
    ));
    // What the server keeps as each case is written: the pairs of sanctions across provinces.
    pg.query(&format!(
        "insert into offender_pairs (earlier_case, later_case, identifier, name, earlier_province, earlier_on, earlier_act, \
         later_province, later_on, later_act) {}",
        anchi::hub::national::db::PAIRS
    ));
    pg.query("analyze");
}

/// Each national page ten times after a first request: the median and the slowest.
fn pages(national: &National, pki: &Pki, case: &str) {
    let agent = anchi::sync::agent(pki.ca_pem.as_bytes()).unwrap();
    let response = agent
        .post(&format!("{}/login", national.url))
        .config()
        .max_redirects(0)
        .build()
        .content_type("application/x-www-form-urlencoded")
        .send(format!("user=cuc&password={}", PASSWORD.bytes().map(|b| format!("%{b:02X}")).collect::<String>()))
        .unwrap();
    let cookie = response.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
    let get = |path: &str| {
        let mut r = agent.get(&format!("{}{path}", national.url)).header("cookie", &cookie).call().unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        r.body_mut().with_config().limit(1 << 30).read_to_vec().unwrap().len()
    };
    for path in
        ["/", "/cases", "/cases?province=07&page=100", "/offenders", "/offenders?page=50", &format!("/cases/{case}")]
    {
        let size = get(path);
        let mut times: Vec<Duration> = (0..10)
            .map(|_| {
                let start = Instant::now();
                get(path);
                start.elapsed()
            })
            .collect();
        times.sort();
        println!(
            "page {path}: {} KB, median {:.1} ms, slowest {:.1} ms (goal ≤ 200 ms)",
            size / 1024,
            ms(times[5]),
            ms(times[9])
        );
    }
}
