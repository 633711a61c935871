//! Signed package benchmarks (issue 5): a case with 20 photos totalling 60 MB — export
//! (render, read, hash, sign, zip), verify (read, every hash, the signature, the canonical
//! zip check), and SHA-256 throughput against coreutils' `sha256sum` on the same bytes in
//! the same run.
//!
//! `cargo bench --bench package`. Each figure is the median of several runs; the photos
//! are random bytes (incompressible, like JPEG data) behind a JPEG signature.

#![allow(clippy::unwrap_used, reason = "a benchmark fails by panicking")]

use std::time::{Duration, Instant};

use anchi::app::Workspace;
use anchi::app::packages::open_package;
use anchi::domain::Stage;
use sha2::{Digest, Sha256};

const PHOTOS: usize = 20;
const PHOTO_BYTES: usize = 3 * 1024 * 1024;
const RUNS: usize = 7;

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time<T>(mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

fn mb_per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn main() {
    // `cargo bench` passes --bench; a filter that names nothing here skips the run.
    if std::env::args().skip(1).any(|a| !a.starts_with("--") && !"package".contains(a.as_str())) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(dir.path()).unwrap();
    ws.make_demo(12, 5).unwrap();
    let case = ws.list_cases().unwrap().into_iter().find(|s| s.stage == Stage::DaXuPhat).unwrap().id;
    let mut rng = fastrand::Rng::with_seed(60);
    let photos = dir.path().join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    let mut files = Vec::new();
    for i in 0..PHOTOS {
        let mut bytes = vec![0u8; PHOTO_BYTES];
        rng.fill(&mut bytes);
        bytes[..4].copy_from_slice(&[0xFF, 0xD8, 0xFF, 0xE0]);
        let file = photos.join(format!("anh-{i:02}.jpg"));
        std::fs::write(&file, &bytes).unwrap();
        files.push(file);
    }
    for file in &files {
        ws.attach(case, file).unwrap();
    }
    let payload_bytes = PHOTOS * PHOTO_BYTES;

    // Export: the first makes version 1 (signed); later ones find the case unchanged and
    // rebuild the same file (same work but the signature, which is reused).
    let first = Instant::now();
    let exported = ws.export_package(case, "demo", None, &|_| {}).unwrap();
    let first = first.elapsed();
    let again = time(|| ws.export_package(case, "demo", None, &|_| {}).unwrap().bytes.len());
    let key = minisign::PublicKey::from_base64(&ws.device_key().unwrap().unwrap().public_key).unwrap();
    let verify = time(|| open_package(&exported.bytes, None).unwrap().verify(std::slice::from_ref(&key)).unwrap());

    // Hashing: the sha2 crate as the package code uses it, and sha256sum over the same
    // photo files (in the page cache after the writes above).
    let all: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    let ours = time(|| all.iter().map(|b| Sha256::digest(b)[0]).fold(0u8, |a, b| a ^ b));
    let ours_from_files =
        time(|| files.iter().map(|f| Sha256::digest(std::fs::read(f).unwrap())[0]).fold(0u8, |a, b| a ^ b));
    let theirs = time(|| {
        let out = std::process::Command::new("sha256sum").args(&files).output().expect("sha256sum (coreutils)");
        assert!(out.status.success());
    });

    println!("package of a case with {PHOTOS} photos, {} MB of payload:", payload_bytes / 1_000_000);
    println!("  package file: {:.1} MB", exported.bytes.len() as f64 / 1e6);
    println!("  export, new version (unlock key, render, read, hash, sign, zip): {:.0} ms", first.as_secs_f64() * 1e3);
    println!("  export, unchanged case (median of {RUNS}): {:.0} ms", again.as_secs_f64() * 1e3);
    println!(
        "  verify (median of {RUNS}): {:.0} ms = {:.0} MB/s",
        verify.as_secs_f64() * 1e3,
        mb_per_s(exported.bytes.len(), verify)
    );
    println!(
        "  SHA-256: anchi {:.0} MB/s, sha256sum {:.0} MB/s (process start included) -> {:.0}% of sha256sum",
        mb_per_s(payload_bytes, ours),
        mb_per_s(payload_bytes, theirs),
        100.0 * theirs.as_secs_f64() / ours.as_secs_f64()
    );
    println!(
        "  SHA-256 reading the same files as sha256sum does: anchi {:.0} MB/s -> {:.0}% of sha256sum",
        mb_per_s(payload_bytes, ours_from_files),
        100.0 * theirs.as_secs_f64() / ours_from_files.as_secs_f64()
    );
}
