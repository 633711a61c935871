//! The province's offender index served to laptops by pages (issue 23), over real TLS on
//! loopback against the release `anchi-hub`, with 1,000,000 cases' entries in the hub's
//! store (written through the path the national index's changes take, which records them in
//! the served index as an upload does):
//!
//! - one page request (`GET /api/v1/offender-index/{since}`): p50, p99 and the slowest over
//!   every page of a whole first copy;
//! - the request of a laptop whose copy is one change behind;
//! - a laptop taking the whole copy by pages into its real redb file (its first sync);
//! - the answer to a live status event (`POST /api/v1/status`): the entries about its
//!   subject, found through the identifiers' table;
//! - the baseline: the whole index in one answer, made from every case on the request, as
//!   every sync asked for it before.
//!
//! `cargo bench --features hub --bench hub_index`. ANCHI_BENCH_ENTRIES changes the count.

#![allow(clippy::unwrap_used, reason = "a benchmark fails by panicking")]

mod common;

use std::time::{Duration, Instant};

use anchi::app::keys::unlock;
use anchi::app::offenders::synthetic;
use anchi::app::{Reference, Workspace};
use anchi::hub::store::HubStore;
use anchi::protocol::IndexDelta;
use anchi::sync::Client;

use common::hub;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1e3
}

fn main() {
    if std::env::args().skip(1).any(|a| !a.starts_with("--") && !"hub_index".contains(a.as_str())) {
        return;
    }
    let count: usize = std::env::var("ANCHI_BENCH_ENTRIES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let tmp = tempfile::tempdir().unwrap();

    // A laptop with its team's key, and the hub with the team enrolled.
    let mut ws = Workspace::open(&tmp.path().join("laptop")).unwrap();
    ws.make_demo(1, 1).unwrap();
    let key = ws.device_key().unwrap().unwrap();
    let secret = unlock(&key, "demo").unwrap();
    let team = ws.unit().unwrap().code.clone();
    let hub_dir = tmp.path().join("hub");
    let init = hub(&hub_dir, &["init"]);
    let hub_key = init.lines().find_map(|l| l.strip_prefix("public_key: ")).unwrap();
    let hub_key = minisign::PublicKey::from_base64(hub_key).unwrap();
    hub(&hub_dir, &["team", "add", "--team-id", &team, "--name", "Đội 1", "--pubkey", &key.public_key]);

    // A million cases of other provinces, ten thousand per transaction.
    let units = Reference::embedded().admin_units;
    let mut entries = synthetic(count, 2026, &units);
    for entry in &mut entries {
        entry.unit = Some(format!("Chi cục QLTT tỉnh {}", entry.province.unwrap_or_default()));
    }
    let start = Instant::now();
    {
        let store = HubStore::open(&hub_dir).unwrap();
        for (n, chunk) in entries.chunks(10_000).enumerate() {
            let cases = chunk.iter().map(|e| (e.case_id, vec![e.clone()])).collect();
            let delta = IndexDelta {
                generated_at: chrono::Utc::now(),
                expires_at: None,
                epoch: None,
                since: n as i64,
                generation: n as i64 + 1,
                more: false,
                cases,
            };
            store.apply_national(&delta).unwrap();
        }
    }
    println!("{count} cases' entries stored in the hub in {:.1} s", start.elapsed().as_secs_f64());
    let changed = entries[count / 2].clone();
    drop(entries);

    // ANCHI_BENCH_PAGE: the hub's --index-page (its default otherwise).
    let page = std::env::var("ANCHI_BENCH_PAGE").ok();
    let options: Vec<&str> = page.as_deref().map(|p| vec!["--index-page", p]).unwrap_or_default();
    let server = common::serve_with(tmp.path(), &hub_dir, &options);
    let client = Client::new(&server.url, server.ca_pem.as_bytes(), &key.key_id, secret).unwrap();

    // Every page of a whole copy, one request at a time.
    let (mut since, mut cases, mut times) = (0u64, 0usize, Vec::new());
    let start = Instant::now();
    loop {
        let asked = Instant::now();
        let signed = client.offender_changes(since).unwrap().unwrap();
        times.push(asked.elapsed());
        let delta: IndexDelta = signed.open_as(Some(&hub_key)).unwrap();
        cases += delta.cases.len();
        since = delta.generation as u64;
        if !delta.more {
            break;
        }
    }
    let whole_by_pages = start.elapsed();
    assert_eq!(cases, count);
    times.sort();
    println!(
        "one page of {} cases: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, slowest {:.1} ms over the {} pages of a whole copy ({:.1} s, signatures opened on the way; goal ≤ 50 ms per request)",
        count.div_ceil(times.len()),
        percentile(&times, 0.5),
        percentile(&times, 0.9),
        percentile(&times, 0.99),
        times.last().unwrap().as_secs_f64() * 1e3,
        times.len(),
        whole_by_pages.as_secs_f64()
    );

    // One case changes (its sanction's fine): a copy one change behind gets that case alone.
    {
        let store = HubStore::open(&hub_dir).unwrap();
        let mut entry = changed.clone();
        entry.fine_vnd = Some(entry.fine_vnd.unwrap_or_default() + 1_000_000);
        let generation = store.national_generation().unwrap() + 1;
        let delta = IndexDelta {
            generated_at: chrono::Utc::now(),
            expires_at: None,
            epoch: None,
            since: generation - 1,
            generation,
            more: false,
            cases: vec![(entry.case_id, vec![entry])],
        };
        store.apply_national(&delta).unwrap();
    }
    let mut one = Vec::new();
    for _ in 0..20 {
        let asked = Instant::now();
        let delta: IndexDelta = client.offender_changes(since).unwrap().unwrap().open_as(Some(&hub_key)).unwrap();
        one.push(asked.elapsed());
        assert_eq!(delta.cases.len(), 1);
    }
    one.sort();
    println!("a copy one change behind: p50 {:.1} ms (20 requests)", percentile(&one, 0.5));

    live_status(&client, &team, &changed, &hub_key);

    // A laptop's first sync of the index: every page, into its redb file.
    let start = Instant::now();
    let taken = ws.take_index_changes(&client, Some(&hub_key)).unwrap();
    assert_eq!(taken.state.entries as usize, count);
    println!("a laptop taking the whole copy by pages into its store: {:.1} s", start.elapsed().as_secs_f64());

    // The baseline: the whole index in one answer, made from every case on the request.
    let start = Instant::now();
    let whole = client.offender_index().unwrap();
    let took = start.elapsed();
    println!(
        "baseline, the whole index in one answer (as every sync asked before): {:.1} s ({:.0} MB); one page is {:.0}× faster, a copy one change behind {:.0}×",
        took.as_secs_f64(),
        whole.index.len() as f64 / 1e6,
        took.as_secs_f64() * 1e3 / percentile(&times, 0.5),
        took.as_secs_f64() * 1e3 / percentile(&one, 0.5)
    );
}

/// The answer to a live status event (a case opened on site) about a subject the index
/// holds: it carries that subject's entries (other provinces').
fn live_status(client: &Client, team: &str, changed: &anchi::protocol::OffenderEntry, hub_key: &minisign::PublicKey) {
    let event = anchi::protocol::StatusEvent {
        case_id: uuid::Uuid::now_v7(),
        team_id: team.to_string(),
        stage: anchi::domain::Stage::Moi,
        subject_identifier: changed.identifier.clone(),
        province: changed.province,
        commune: changed.commune,
        at: chrono::Utc::now(),
    };
    let mut live = Vec::new();
    for _ in 0..20 {
        let asked = Instant::now();
        let told = client.status(std::slice::from_ref(&event)).unwrap().open(Some(hub_key)).unwrap();
        live.push(asked.elapsed());
        assert!(told.entries.iter().any(|e| e.identifier == changed.identifier));
    }
    live.sort();
    println!(
        "the answer to a live status event about a subject of the index: p50 {:.1} ms, slowest {:.1} ms (20 requests)",
        percentile(&live, 0.5),
        live.last().unwrap().as_secs_f64() * 1e3
    );
}
