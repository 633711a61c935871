//! Offender index at the scale of a province over years (issue 7): 1,000,000 synthetic
//! entries (Vietnamese company and person names, real communes), held in a laptop's real
//! redb file as the sync keeps it. Reports the time to load the copy into the in-memory
//! index as the window does, the memory it takes (live heap bytes, counted by the
//! allocator), and p50/p99 of exact identifier lookups and of fuzzy name lookups (names
//! typed without accents, in capitals, with a typo).
//!
//! `cargo bench --bench offenders`. ANCHI_BENCH_ENTRIES changes the count.

#![allow(clippy::unwrap_used, reason = "a benchmark fails by panicking")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anchi::app::offenders::{LookupBuilder, synthetic};
use anchi::app::{Reference, Workspace};
use anchi::domain::matching::SubjectFacts;
use anchi::protocol::{OffenderIndex, SignedIndex};

/// The system allocator, counting the bytes live and their peak: the memory a structure
/// holds, whatever the allocator keeps from the process's earlier work (RSS would count that).
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            // Both blocks are live while a moved block is copied: the peak counts both.
            grew(new_size);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        new
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }
}

fn grew(size: usize) {
    let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
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
    // The entries as parsed whole, as the import did before issue 23 (then built its lookup
    // from them): the baseline of the memory figure.
    let whole_bytes = {
        let text = serde_json::to_string(&index).unwrap();
        let before = LIVE.load(Ordering::Relaxed);
        let whole: OffenderIndex = serde_json::from_str(&text).unwrap();
        let bytes = LIVE.load(Ordering::Relaxed).saturating_sub(before);
        drop(whole);
        bytes
    };
    // The index as a hub of before sent it whole, taken into a laptop's copy (what a hub
    // of now sends by pages ends in the same tables).
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(dir.path()).unwrap();
    let secret = minisign::KeyPair::generate_unencrypted_keypair().unwrap().sk;
    let signed = SignedIndex::sign(&secret, &index, "bench");
    drop(index);
    let generated = start.elapsed();
    let start = Instant::now();
    ws.take_whole_index(&signed, None).unwrap();
    let taken = start.elapsed();
    let text_bytes = signed.index.len();
    drop(signed);

    // The import the window runs in the background: the copy read case by case into the
    // lookup, then indexed.
    let live = LIVE.load(Ordering::Relaxed);
    PEAK.store(live, Ordering::Relaxed);
    let start = Instant::now();
    let status = ws.load_offender_index(|_| {}).unwrap().unwrap();
    let built = start.elapsed();
    let held = LIVE.load(Ordering::Relaxed).saturating_sub(live);
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(live);
    assert_eq!(status.entries, count);
    let province = ws.province_index().unwrap();
    let lookup = &province.lookup;
    // The lookup alone, built from entries already in memory: the held figure above less
    // what the load keeps besides (redb's read cache of the laptop's file, ≤ 64 MiB).
    let alone = {
        let entries = synthetic(count, 2026, &units);
        let before = LIVE.load(Ordering::Relaxed);
        let mut builder = LookupBuilder::default();
        entries.iter().for_each(|e| builder.push(e));
        let built = builder.finish(|_| {});
        let bytes = LIVE.load(Ordering::Relaxed).saturating_sub(before);
        drop(built);
        bytes
    };

    let mut rng = fastrand::Rng::with_seed(9);
    let mut exact = Vec::new();
    for _ in 0..10_000 {
        let e = lookup.entry(rng.usize(..lookup.len()));
        let id = e.identifier.clone().unwrap();
        let start = Instant::now();
        let found = lookup.by_identifier(&id);
        exact.push(start.elapsed());
        assert!(!found.is_empty());
    }
    let mut fuzzy = Vec::new();
    let mut hits = 0;
    for _ in 0..2_000 {
        let e = lookup.entry(rng.usize(..lookup.len()));
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
        "  generate {:.1} s ({:.0} MB of JSON); take it whole into the laptop's copy {:.1} s; load the copy into the lookup (the window's import) {:.1} s",
        generated.as_secs_f64(),
        text_bytes as f64 / 1e6,
        taken.as_secs_f64(),
        built.as_secs_f64(),
    );
    println!(
        "  memory held after the load: {:.0} MB, of which the lookup {:.0} MB, the rest kept by the store (redb's read cache, ≤ 64 MiB) (peak during the load {:.0} MB); the entries as parsed whole, before any index: {:.0} MB",
        mb(held),
        mb(alone),
        mb(peak),
        mb(whole_bytes)
    );
    println!("  exact identifier lookup: p50 {e50:.4} ms, p99 {e99:.4} ms (10,000 lookups)");
    println!(
        "  fuzzy name lookup (no accents, capitals, one typo, same commune): p50 {f50:.2} ms, p99 {f99:.2} ms; found the subject in {hits} of 2,000"
    );
}
