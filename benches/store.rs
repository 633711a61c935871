//! Store benchmarks (issue 2): loading the case list of 100,000 cases, loading one case,
//! one autosave-sized change (commit + journal) against a bare redb commit of the same
//! bytes, and demo generation throughput.
//!
//! `cargo bench --bench store`. The 100,000-case database is built once per run
//! (set ANCHI_BENCH_CASES to change the count).

#![allow(clippy::unwrap_used, reason = "a benchmark fails by panicking")]

use std::time::Duration;

use anchi::app::Workspace;
use anchi::domain::{CaseSummary, DocumentState};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use redb::TableDefinition;

/// The allocator the `anchi` program uses (`src/main.rs`), so that an autosave here
/// allocates as it does in the window (until stop 43 this bench ran on glibc's).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn case_count() -> usize {
    std::env::var("ANCHI_BENCH_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000)
}

fn store_benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let cases = case_count();
    let started = std::time::Instant::now();
    let mut ws = Workspace::open(dir.path()).unwrap();
    ws.make_demo(cases, 1).unwrap();
    let size = std::fs::metadata(dir.path().join(anchi::store::DB_FILE)).unwrap().len();
    eprintln!(
        "demo --cases {cases}: {:.1} s, file {:.1} MiB",
        started.elapsed().as_secs_f64(),
        size as f64 / (1024.0 * 1024.0)
    );

    let mut group = c.benchmark_group("case_list");
    group.sample_size(10);
    group.bench_function(format!("load_all_summaries_{cases}"), |b| b.iter(|| ws.list_cases().unwrap().len()));
    group.finish();

    let list = ws.list_cases().unwrap();
    let some_id = list[list.len() / 2].id;
    c.bench_function("load_one_case", |b| b.iter(|| ws.case(some_id).unwrap()));

    // An open case with a draft to autosave into (the demo leaves drafts open on its
    // newest cases; which cases depends on the day the bench runs).
    let (target, draft) = list
        .iter()
        .filter(|s| !s.stage.is_closed())
        .find_map(|s| {
            let case = ws.case(s.id).unwrap();
            case.documents.iter().find(|d| d.state == DocumentState::Draft).map(|d| (s.id, d.id))
        })
        .expect("the demo leaves some drafts open");
    let case = ws.case(target).unwrap();
    let case_bytes = postcard::to_stdvec(&case).unwrap().len() + 1;
    let summary_bytes = postcard::to_stdvec(&CaseSummary::of(&case)).unwrap().len() + 1;
    // seq, time, actor, action, case id, three hashes: about this much per journal entry.
    let journal_bytes = 8 + 12 + 9 + 20 + 17 + 3 * 32 + 1;
    eprintln!("autosave writes {case_bytes} + {summary_bytes} + ~{journal_bytes} bytes");

    // Two baselines for the same bytes in one commit: a fresh, empty redb file, and a copy
    // of the 100,000-case file (same size, same tree depths for redb's own bookkeeping).
    let bare_dir = tempfile::tempdir().unwrap();
    let fresh = redb::Database::create(bare_dir.path().join("fresh.redb")).unwrap();
    let copy_path = bare_dir.path().join("copy.redb");
    std::fs::copy(dir.path().join(anchi::store::DB_FILE), &copy_path).unwrap();
    let same_size = redb::Database::open(&copy_path).unwrap();
    const BARE: TableDefinition<u64, &[u8]> = TableDefinition::new("bare");
    let payloads = [vec![7u8; case_bytes], vec![8u8; summary_bytes], vec![9u8; journal_bytes]];
    let bare_commit = |db: &redb::Database, key: &mut u64| {
        let tx = db.begin_write().unwrap();
        {
            let mut table = tx.open_table(BARE).unwrap();
            for payload in &payloads {
                *key += 1;
                table.insert(*key % 3, payload.as_slice()).unwrap();
            }
        }
        tx.commit().unwrap();
    };

    // A third baseline: the same bytes written the way an autosave spread them until schema
    // 11 — the case's record and an appended journal entry into the main tables of the
    // same-size copy (100,000 cases, millions of entries), with no decoding, hashing or
    // list-row work of ours. It shows what the small tables of schema 11 save: each change
    // there is one page, not a path of four (`src/store/recent.rs`).
    const CASES: TableDefinition<u128, &[u8]> = TableDefinition::new("cases");
    const JOURNAL: TableDefinition<u64, &[u8]> = TableDefinition::new("journal");
    let (mut n, mut seq, mut fresh_key, mut same_size_key) = (0u64, 1u64 << 40, 0u64, 0u64);
    let mut autosave = || {
        n += 1;
        ws.save_field(target, draft, "ghi_chu", &format!("Hàng hóa đã kiểm đếm, lần {n}")).unwrap();
    };
    let mut main_tables = || {
        seq += 1;
        let tx = same_size.begin_write().unwrap();
        tx.open_table(CASES).unwrap().insert(target.as_u128(), payloads[0].as_slice()).unwrap();
        tx.open_table(JOURNAL).unwrap().insert(seq, payloads[2].as_slice()).unwrap();
        tx.commit().unwrap();
    };
    let mut fresh_file = || bare_commit(&fresh, &mut fresh_key);
    let mut same_size_file = || bare_commit(&same_size, &mut same_size_key);

    let mut group = c.benchmark_group("autosave");
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("save_field_commit_and_journal", |b| b.iter(&mut autosave));
    group.bench_function("bare_redb_commit_same_bytes_into_the_main_tables", |b| b.iter(&mut main_tables));
    group.bench_function("bare_redb_commit_same_bytes_fresh_file", |b| b.iter(&mut fresh_file));
    group.bench_function("bare_redb_commit_same_bytes_same_size_file", |b| b.iter(&mut same_size_file));
    group.finish();

    // This disk's waits drift over seconds, so the groups above, run one after the other,
    // can differ by more than what they compare. Here each round times every commit once,
    // in an order that turns with the round: the slow and fast moments fall on all alike.
    let commits: [(&str, &mut dyn FnMut()); 4] = [
        ("autosave", &mut autosave),
        ("main tables", &mut main_tables),
        ("fresh file", &mut fresh_file),
        ("same-size file", &mut same_size_file),
    ];
    let medians = paired(2000, commits);
    let ratio = |i: usize| medians[0].1 / medians[i].1;
    eprintln!(
        "autosave, paired medians of 2000 rounds: {}; autosave / fresh file {:.2}×, / same-size file {:.2}×, / \
         main tables {:.2}×",
        medians.iter().map(|(name, us)| format!("{name} {us:.0} µs")).collect::<Vec<_>>().join(", "),
        ratio(2),
        ratio(3),
        ratio(1),
    );
}

/// Times each commit once per round, `rounds` times, round `i` starting with commit `i`
/// (mod their count); gives each one's median, in µs.
fn paired<'a, const N: usize>(rounds: usize, commits: [(&'a str, &mut dyn FnMut()); N]) -> Vec<(&'a str, f64)> {
    let mut times = vec![Vec::with_capacity(rounds); N];
    for round in 0..rounds {
        for i in (0..N).map(|k| (round + k) % N) {
            let started = std::time::Instant::now();
            (commits[i].1)();
            times[i].push(started.elapsed().as_secs_f64() * 1e6);
        }
    }
    commits
        .iter()
        .zip(&mut times)
        .map(|((name, _), t)| {
            t.sort_by(f64::total_cmp);
            (*name, t[t.len() / 2])
        })
        .collect()
}

fn demo_benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("demo");
    group.sample_size(10);
    group.bench_function("make_demo_1000_cases", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| Workspace::open(dir.path()).unwrap().make_demo(1000, 7).unwrap(),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, store_benches, demo_benches);
criterion_main!(benches);
