//! Deadlines and statistics over 100,000 cases (issue 8): the statistics the screen shows
//! (from the rows and facts in memory, as the screen holds them; and with reading them),
//! every open deadline, and the Excel and
//! CSV exports of every case.
//!
//! `cargo bench --bench reports`. ANCHI_BENCH_CASES changes the count.

#![allow(clippy::unwrap_used, reason = "a benchmark fails by panicking")]

use anchi::app::Workspace;
use anchi::app::stats::{Period, Query, compute};
use criterion::{Criterion, criterion_group, criterion_main};

fn reports(c: &mut Criterion) {
    let cases: usize = std::env::var("ANCHI_BENCH_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(dir.path()).unwrap();
    ws.make_demo(cases, 1).unwrap();
    let rows = ws.rows_with_facts().unwrap();
    let members = ws.unit().unwrap().members.clone();
    let all = Query { from: None, to: None, period: Period::Month };

    c.bench_function(&format!("stats_from_rows_{cases}"), |b| {
        b.iter(|| compute(rows.iter().map(|(r, f)| (r, f)), &ws.reference, &members, &all).totals.inspections)
    });
    let mut group = c.benchmark_group("reports");
    group.sample_size(10);
    group.bench_function(format!("stats_with_loading_rows_{cases}"), |b| b.iter(|| ws.stats(&all).unwrap()));
    let today = anchi::app::now().date();
    group.bench_function(format!("open_deadlines_{cases}"), |b| b.iter(|| ws.open_deadlines(today).unwrap().len()));
    let out = dir.path().join("bao-cao.xlsx");
    group.bench_function(format!("export_xlsx_{cases}"), |b| b.iter(|| ws.export_xlsx(&all, &out).unwrap()));
    let size = std::fs::metadata(&out).unwrap().len();
    let csv = dir.path().join("so-vu-viec.csv");
    group.bench_function(format!("export_csv_{cases}"), |b| b.iter(|| ws.export_csv(&all, &csv).unwrap()));
    group.finish();
    println!("workbook of {cases} cases: {:.1} MB", size as f64 / 1e6);
}

criterion_group!(benches, reports);
criterion_main!(benches);
