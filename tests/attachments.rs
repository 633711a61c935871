//! Photos and scans attached to a case: stored once under their SHA-256 in the data
//! directory (checked with coreutils' sha256sum), told by content rather than by name,
//! refused with a message naming the file when they are not photos or are too large.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::process::Command;

use anchi::app::{AppError, Workspace};
use anchi::domain::Bilingual;

fn demo(dir: &std::path::Path) -> (Workspace, uuid::Uuid) {
    let mut ws = Workspace::open(dir).unwrap();
    let (case, _) = ws.make_demo_long_goods_list(2).unwrap();
    (ws, case)
}

fn jpeg_like(seed: u8) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend((0..4000u32).map(|i| (i as u8).wrapping_mul(seed)));
    bytes
}

#[test]
fn a_photo_is_stored_once_under_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, case) = demo(dir.path());
    let photo = dir.path().join("quầy hàng.jpg");
    std::fs::write(&photo, jpeg_like(7)).unwrap();
    let attached = ws.attach(case, &photo).unwrap();
    assert_eq!((attached.media_type.as_str(), attached.file_name.as_str()), ("image/jpeg", "quầy hàng.jpg"));
    let stored = ws.attachment_path(&attached.sha256);
    assert_eq!(std::fs::read(&stored).unwrap(), jpeg_like(7));
    let out = Command::new("sha256sum").arg(&stored).output().unwrap();
    let sum = String::from_utf8(out.stdout).unwrap();
    assert_eq!(sum.split_whitespace().next(), Some(attached.sha256.as_str()));

    // The same photo under another name is the same attachment.
    let copy = dir.path().join("ảnh 2.jpg");
    std::fs::copy(&photo, &copy).unwrap();
    ws.attach(case, &copy).unwrap();
    assert_eq!(ws.case(case).unwrap().attachments.len(), 1);
    assert!(ws.history(case).unwrap().iter().any(|e| e.action == "case.attach"));
}

#[test]
fn files_that_are_not_photos_or_too_large_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, case) = demo(dir.path());
    let before = ws.case(case).unwrap();
    let text = dir.path().join("ghi chú.jpg");
    std::fs::write(&text, "không phải ảnh").unwrap();
    let AppError::Invalid(report) = ws.attach(case, &text).unwrap_err() else { panic!() };
    let problem = report.errors().next().unwrap();
    assert!(problem.message_vi.starts_with("ghi chú.jpg: không phải ảnh hoặc bản quét"), "{}", problem.message_vi);

    let huge = dir.path().join("quét.pdf");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(51 * 1024 * 1024).unwrap();
    let err = ws.attach(case, &huge).unwrap_err();
    assert!(err.vi().contains("vượt quá 50 MB"), "{}", err.vi());
    assert_eq!(ws.case(case).unwrap(), before);
    assert!(!dir.path().join(anchi::app::attachments::ATTACHMENTS_DIR).exists(), "nothing was stored");
}

#[test]
fn the_command_line_attaches_and_prints_the_hash() {
    let dir = tempfile::tempdir().unwrap();
    let case = demo(dir.path()).1;
    let scan = dir.path().join("scan.pdf");
    std::fs::write(&scan, b"%PDF-1.4\n%test scan\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_anchi"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "case", "attach", &case.to_string()])
        .arg(&scan)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8(out.stdout).unwrap();
    let ws = Workspace::open(dir.path()).unwrap();
    let attached = &ws.case(case).unwrap().attachments[0];
    assert_eq!(printed.trim(), format!("{}  scan.pdf", attached.sha256));
    assert_eq!(attached.media_type, "application/pdf");
}

#[test]
fn a_photo_gets_a_small_thumbnail_and_other_files_none() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, case) = demo(dir.path());
    let photo = dir.path().join("kệ hàng.png");
    image::RgbImage::from_fn(800, 600, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])).save(&photo).unwrap();
    let attached = ws.attach(case, &photo).unwrap();
    let thumb = image::load_from_memory(&ws.thumbnail(&attached.sha256).expect("a thumbnail")).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (240, 180), "the longest side is 240 px, the shape kept");
    let scan = dir.path().join("scan.pdf");
    std::fs::write(&scan, b"%PDF-1.4\n").unwrap();
    let pdf = ws.attach(case, &scan).unwrap();
    assert!(ws.thumbnail(&pdf.sha256).is_none());
}
