//! The province's pages with 100,000 cases in the hub (issue 25: each page ≤ 200 ms), over
//! real TLS on loopback against the release `anchi-hub`, logged in as the leader.
//!
//! The cases are the laptop's demo cases (their list rows and facts, as a hub keeps them),
//! spread over eight teams and written to the hub's store directly: uploading 100,000
//! packages would measure the ingest, which `benches/hub.rs` does. Each page is asked for
//! ten times after a first request; the median and the slowest are printed, then the first
//! request after the store changed (the rows read again and their deadlines computed).
//!
//! `cargo bench --features hub --bench province_pages`; ANCHI_BENCH_CASES changes the count.

#![allow(clippy::unwrap_used, reason = "a benchmark fails by panicking")]

mod common;

use std::time::{Duration, Instant};

use anchi::app::Workspace;
use anchi::hub::store::{HubRow, HubStore};

use common::{STAFF_PASSWORD as PASSWORD, hub};

fn peak_rss_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse::<u64>().ok())
        .unwrap_or(0)
        / 1024
}

#[allow(clippy::too_many_lines, reason = "one benchmark script: set-up, then each page in turn")]
fn main() {
    if std::env::args().skip(1).any(|a| !a.starts_with("--") && !"province_pages".contains(a.as_str())) {
        return;
    }
    let count: usize = std::env::var("ANCHI_BENCH_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let tmp = tempfile::tempdir().unwrap();

    let start = Instant::now();
    let mut ws = Workspace::open(&tmp.path().join("laptop")).unwrap();
    ws.make_demo(count, 25).unwrap();
    // The laptop's own team first: it sends a package at the end, through the API.
    let laptop_team = ws.unit().unwrap().code.clone();
    let teams: Vec<String> = std::iter::once(laptop_team.clone()).chain((2..=8).map(|n| format!("LS-D{n}"))).collect();
    let rows: Vec<(uuid::Uuid, HubRow)> = ws
        .rows_with_facts()
        .unwrap()
        .into_iter()
        .enumerate()
        .map(|(i, (summary, facts))| (summary.id, HubRow { team_id: teams[i % teams.len()].clone(), summary, facts }))
        .collect();
    let hub_dir = tmp.path().join("hub");
    hub(&hub_dir, &["init"]);
    let device = ws.device_key().unwrap().unwrap();
    for (n, team) in teams.iter().enumerate() {
        let key = if n == 0 {
            device.public_key.clone()
        } else {
            minisign::KeyPair::generate_unencrypted_keypair().unwrap().pk.to_base64()
        };
        hub(
            &hub_dir,
            &["team", "add", "--team-id", team, "--name", &format!("Đội QLTT số {}", n + 1), "--pubkey", &key],
        );
    }
    hub(&hub_dir, &["user", "add", "--name", "lanhdao", "--role", "leader"]);
    let store = HubStore::open(&hub_dir).unwrap();
    store.replace_rows(&rows, true).unwrap();
    // One case in the case index too, for its page (as a package received would put it).
    let (id, row) = &rows[rows.len() / 2];
    let now = chrono::Utc::now();
    let receipt = anchi::protocol::Receipt {
        package_id: "bench".into(),
        sha256: "0".repeat(64),
        team_id: row.team_id.clone(),
        case_id: *id,
        version: 1,
        size: 0,
        received_at: now,
        hub_key_id: String::new(),
    };
    let stored = anchi::hub::store::StoredPackage {
        info: receipt,
        receipt: anchi::protocol::SignedReceipt { receipt: String::new(), signature: String::new() },
    };
    let indexed = anchi::hub::store::IndexedCase {
        case_id: *id,
        team_id: row.team_id.clone(),
        version: 1,
        package_sha256: "0".repeat(64),
        received_at: now,
        opened_at: row.summary.opened_at,
        subject_name: row.summary.subject_name.clone(),
        subject_identifier: row.summary.subject_identifier.clone(),
        field: row.summary.field.clone(),
        stage: row.summary.stage,
        fine_vnd: row.summary.fine_vnd,
        documents: Vec::new(),
        versions: Vec::new(),
        entries: Vec::new(),
    };
    store.store_package(&stored, None, indexed, row.clone(), "bench").unwrap().unwrap();
    drop(store);
    println!("set-up: {count} demo cases on 8 teams in {:.0} s", start.elapsed().as_secs_f64());

    let server = common::serve(tmp.path(), &hub_dir);
    let (url, pid) = (server.url.clone(), server.pid());

    let agent = anchi::sync::agent(server.ca_pem.as_bytes()).unwrap();
    let response = agent
        .post(&format!("{url}/login"))
        .config()
        .max_redirects(0)
        .build()
        .content_type("application/x-www-form-urlencoded")
        .send(format!("user=lanhdao&password={}", PASSWORD.bytes().map(|b| format!("%{b:02X}")).collect::<String>()))
        .unwrap();
    let cookie = response.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
    let get = |path: &str| -> (Duration, usize) {
        let start = Instant::now();
        let mut response = agent.get(&format!("{url}{path}")).header("cookie", &cookie).call().unwrap();
        let body = response.body_mut().with_config().limit(64 * 1024 * 1024).read_to_vec().unwrap();
        (start.elapsed(), body.len())
    };

    // The first page reads the rows and computes every case's deadlines.
    let (first, _) = get("/");
    println!("first page after start (rows read, deadlines computed): {:.0} ms", first.as_secs_f64() * 1000.0);
    let year = chrono::Local::now().format("%Y").to_string();
    let some_case = rows[rows.len() / 2].0;
    let pages = [
        "/".to_string(),
        "/cases".to_string(),
        "/cases?page=900".to_string(),
        "/cases?q=nguyen+van".to_string(),
        "/cases?team=LS-D3&view=overdue".to_string(),
        "/offenders".to_string(),
        format!("/stats?kind=year&year={year}"),
        "/stats?kind=custom&from=01/01/2000&to=31/12/2099".to_string(),
        "/stats.xlsx?kind=custom&from=01/01/2000&to=31/12/2099".to_string(),
        format!("/cases/{some_case}"),
    ];
    let mut worst = Duration::ZERO;
    for page in &pages {
        get(page);
        let mut times: Vec<Duration> = (0..10).map(|_| get(page).0).collect();
        times.sort();
        let (median, max) = (times[5], times[9]);
        worst = worst.max(median);
        println!(
            "{page:<58} median {:>6.1} ms, slowest {:>6.1} ms ({} KB)",
            median.as_secs_f64() * 1000.0,
            max.as_secs_f64() * 1000.0,
            get(page).1 / 1024
        );
    }
    println!(
        "slowest median: {:.1} ms (goal ≤ 200 ms at {count} cases); hub peak RSS {} MiB",
        worst.as_secs_f64() * 1000.0,
        peak_rss_mib(pid)
    );

    // A package received: its row is taken into the pages as it is stored.
    let sent = rows[8].0;
    let exported = ws.export_package(sent, "demo", None, &|_| {}).unwrap();
    let secret = anchi::app::keys::unlock(&device, "demo").unwrap();
    let client = anchi::sync::Client::new(&url, server.ca_pem.as_bytes(), &device.key_id, secret).unwrap();
    let start = Instant::now();
    client.upload(&exported.info.package_id(), &exported.bytes, &|_, _| {}).unwrap();
    let uploaded = start.elapsed();
    let (after, _) = get("/");
    println!(
        "a package received (upload {:.0} ms), then the morning page: {:.0} ms",
        uploaded.as_secs_f64() * 1000.0,
        after.as_secs_f64() * 1000.0
    );

    // A change by another process (a transfer on the command line): every row read again.
    HubStore::open(&hub_dir).unwrap().replace_rows(&rows[..], true).unwrap();
    let (after, _) = get("/");
    println!("first page after another process changed the rows: {:.0} ms", after.as_secs_f64() * 1000.0);
}
