//! Offender index at the scale of a province over years (issue 7): 1,000,000 synthetic
//! entries (Vietnamese company and person names, real communes). Reports the time to build
//! the in-memory index, the memory it takes, and p50/p99 of exact identifier lookups and of
//! fuzzy name lookups (names typed without accents, in capitals, with a typo).
//!
//! `cargo bench --bench offenders`. ANCHI_BENCH_ENTRIES changes the count.

#![allow(clippy::unwrap_used, reason = "a benchmark fails by panicking")]

use std::time::{Duration, Instant};

use anchi::app::Reference;
use anchi::app::offenders::{OffenderLookup, synthetic};
use anchi::domain::matching::SubjectFacts;
use anchi::protocol::OffenderIndex;

fn rss_mb() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0.0);
    pages * 4096.0 / 1e6
}

fn percentiles(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)].as_secs_f64() * 1e3;
    (at(0.5), at(0.99))
}

/// A name as an inspector might type it: no accents, capitals, and one letter dropped in
/// a long word.
fn retyped(name: &str) -> String {
    let folded = anchi::domain::text::fold(name).to_uppercase();
    let mut words: Vec<String> = folded.split(' ').map(str::to_string).collect();
    if let Some(w) = words.iter_mut().find(|w| w.len() >= 6) {
        w.remove(2);
    }
    words.join(" ")
}

fn main() {
    if std::env::args().skip(1).any(|a| !a.starts_with("--") && !"offenders".contains(a.as_str())) {
        return;
    }
    let count: usize = std::env::var("ANCHI_BENCH_ENTRIES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let units = Reference::embedded().admin_units;
    let start = Instant::now();
    let generated_at = chrono::Utc::now();
    let index = OffenderIndex { generated_at, expires_at: generated_at, entries: synthetic(count, 2026, &units) };
    // The index as the hub sends it and the laptop stores it: JSON text.
    let text = serde_json::to_string(&index).unwrap();
    drop(index);
    let generated = start.elapsed();
    let before = rss_mb();
    // The import the window runs in the background: parse the text, build the lookup.
    let start = Instant::now();
    let parsed: OffenderIndex = serde_json::from_str(&text).unwrap();
    let parse = start.elapsed();
    let lookup = OffenderLookup::build(parsed.entries, |_| {});
    let built = start.elapsed();
    let after = rss_mb();
    let entries = lookup.entries();

    let mut rng = fastrand::Rng::with_seed(9);
    let mut exact = Vec::new();
    for _ in 0..10_000 {
        let e = &entries[rng.usize(..entries.len())];
        let id = e.identifier.clone().unwrap();
        let start = Instant::now();
        let found = lookup.by_identifier(&id);
        exact.push(start.elapsed());
        assert!(!found.is_empty());
    }
    let mut fuzzy = Vec::new();
    let mut hits = 0;
    for _ in 0..2_000 {
        let e = &entries[rng.usize(..entries.len())];
        let facts =
            SubjectFacts { name: retyped(&e.name), province: e.province, commune: e.commune, ..Default::default() };
        let start = Instant::now();
        let found = lookup.matches(&facts);
        fuzzy.push(start.elapsed());
        hits += usize::from(found.iter().any(|(_, f)| f.case_id == e.case_id));
    }
    let (e50, e99) = percentiles(exact);
    let (f50, f99) = percentiles(fuzzy);
    println!("offender index of {count} entries:");
    println!(
        "  generate {:.1} s ({:.0} MB of JSON); import (parse {:.1} s + build) {:.1} s; memory of the loaded index ≈ {:.0} MB (RSS growth)",
        generated.as_secs_f64(),
        text.len() as f64 / 1e6,
        parse.as_secs_f64(),
        built.as_secs_f64(),
        after - before
    );
    println!("  exact identifier lookup: p50 {e50:.4} ms, p99 {e99:.4} ms (10,000 lookups)");
    println!(
        "  fuzzy name lookup (no accents, capitals, one typo, same commune): p50 {f50:.2} ms, p99 {f99:.2} ms; found the subject in {hits} of 2,000"
    );
}
