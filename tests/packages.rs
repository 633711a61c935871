//! Signed case packages (docs/package-format.md): checked with the stock tools (Python's
//! zipfile to unzip, Debian's minisign, coreutils' sha256sum), reproducible, versioned,
//! imported on a leader's laptop, and refused whole when anything in them is altered.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::io::{Cursor, Write};
use std::path::Path;
use std::process::Command;

use anchi::app::packages::{ImportRefusal, open_package};
use anchi::app::{AppError, Workspace};
use anchi::domain::{Bilingual, Stage};
use anchi::package::{self, Limits, PackageError};
use uuid::Uuid;

const PASSPHRASE: &str = "demo";

/// A demo laptop and one of its sanctioned cases (several finalised documents) with a photo.
fn member(dir: &Path) -> (Workspace, Uuid) {
    let mut ws = Workspace::open(dir).unwrap();
    ws.make_demo(12, 5).unwrap();
    let case = ws.list_cases().unwrap().into_iter().find(|s| s.stage == Stage::DaXuPhat).expect("a sanctioned case").id;
    let photo = dir.join("quầy hàng.png");
    image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8, y as u8, 7])).save(&photo).unwrap();
    ws.attach(case, &photo).unwrap();
    (ws, case)
}

/// Attaches a small scan made of `bytes`.
fn attach(ws: &Workspace, case: Uuid, dir: &Path, bytes: &[u8]) {
    let file = dir.join(format!("scan-{}.pdf", Uuid::now_v7().simple()));
    std::fs::write(&file, bytes).unwrap();
    ws.attach(case, &file).unwrap();
}

fn public_key(ws: &Workspace) -> minisign::PublicKey {
    minisign::PublicKey::from_base64(&ws.device_key().unwrap().unwrap().public_key).unwrap()
}

fn export(ws: &Workspace, case: Uuid) -> anchi::app::packages::Exported {
    ws.export_package(case, PASSPHRASE, None, &|_| {}).unwrap()
}

fn anchi(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_anchi"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("ANCHI_KEY_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap()
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn stock_tools_verify_an_exported_package() {
    let dir = tempfile::tempdir().unwrap();
    let (_, case) = member(dir.path());
    let file = dir.path().join("goi.anchi");
    let out = anchi(dir.path(), &["package", "export", "--case", &case.to_string(), "--out", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key = String::from_utf8(anchi(dir.path(), &["key", "show", "--minisign"]).stdout).unwrap();
    assert_eq!(key.lines().count(), 1, "one line: {key:?}");

    let bag = dir.path().join("bag");
    run_ok(Command::new("python3").args(["-m", "zipfile", "-e"]).arg(&file).arg(&bag));
    let said =
        run_ok(Command::new("minisign").current_dir(&bag).args(["-Vm", "tagmanifest-sha256.txt", "-P", key.trim()]));
    assert!(said.contains(&format!("anchi-package {case}-v1 version 1")), "{said}");
    let payload = run_ok(Command::new("sha256sum").current_dir(&bag).args(["-c", "manifest-sha256.txt"]));
    for expected in ["data/case.json: OK", "-qd-xu-phat.pdf: OK", ".png: OK"] {
        assert!(payload.contains(expected), "{expected} in {payload}");
    }
    run_ok(Command::new("sha256sum").current_dir(&bag).args(["-c", "tagmanifest-sha256.txt"]));

    // Change one byte of a document after unzipping: the stock check fails on that file.
    let pdf = std::fs::read_dir(bag.join("data/documents")).unwrap().next().unwrap().unwrap().path();
    let mut bytes = std::fs::read(&pdf).unwrap();
    bytes[100] ^= 1;
    std::fs::write(&pdf, bytes).unwrap();
    let out = Command::new("sha256sum").current_dir(&bag).args(["-c", "manifest-sha256.txt"]).output().unwrap();
    assert!(!out.status.success());

    // Our own verify says the same as the stock tools on the untouched file.
    let out = anchi(dir.path(), &["package", "verify", file.to_str().unwrap(), "--pubkey", key.trim()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn the_same_case_gives_the_same_file_and_a_change_a_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, case) = member(dir.path());
    let first = export(&ws, case);
    let again = export(&ws, case);
    assert!(first.new_version && !again.new_version);
    assert_eq!(first.bytes, again.bytes, "unchanged content, byte-identical package");
    assert_eq!(first.info.version, 1);

    let scan = dir.path().join("scan.pdf");
    std::fs::write(&scan, b"%PDF-1.4\n% bien ban scan\n").unwrap();
    ws.attach(case, &scan).unwrap();
    let second = export(&ws, case);
    assert_eq!(second.info.version, 2);
    assert_eq!(second.info.previous_sha256.as_deref(), Some(first.sha256.as_str()));
    let (a, b) = (
        package::open(&first.bytes, &Limits::default()).unwrap(),
        package::open(&second.bytes, &Limits::default()).unwrap(),
    );
    for (path, bytes) in &a.payload {
        if path.starts_with("data/documents/") {
            assert_eq!(b.file(path), Some(bytes.as_slice()), "{path} rendered to the same bytes");
        }
    }
    assert_eq!(b.payload.len(), a.payload.len() + 1);
    let versions = ws.package_versions(case).unwrap();
    assert_eq!(versions.iter().map(|r| r.version).collect::<Vec<_>>(), [1, 2]);
    let history: Vec<String> = ws.history(case).unwrap().into_iter().map(|e| e.action).collect();
    assert!(history.iter().any(|a| a.starts_with("package.export v2 ")), "{history:?}");
    assert!(ws.audit_verify().unwrap().first_broken.is_none(), "package entries keep the journal whole");
    let view = serde_json::to_value(ws.case_view(case).unwrap()).unwrap();
    assert_eq!(view["packages"][1]["version"], 2);
    assert_eq!(view["packages"][1]["sha256"], second.sha256.as_str());
    assert_eq!(view["packages"][1]["received_by_hub"], false);
}

#[test]
fn a_leader_imports_newer_versions_only() {
    let member_dir = tempfile::tempdir().unwrap();
    let (ws, case) = member(member_dir.path());
    let v1 = export(&ws, case);
    attach(&ws, case, member_dir.path(), b"%PDF-1.4\n% them\n");
    let v2 = export(&ws, case);
    let trusted = [public_key(&ws)];

    let leader_dir = tempfile::tempdir().unwrap();
    let leader = Workspace::open(leader_dir.path()).unwrap();
    let imported = leader.import_package(&v2.bytes, &trusted, None).unwrap();
    assert_eq!((imported.case_id, imported.version, imported.unchanged), (case, 2, false));
    let got = leader.case(case).unwrap();
    assert_eq!(got, ws.case(case).unwrap(), "the same case, field for field");
    for a in &got.attachments {
        assert!(leader.attachment_path(&a.sha256).exists(), "attachment {} stored", a.file_name);
    }
    let number = got.documents.iter().find_map(|d| d.number.clone()).unwrap();
    assert!(leader.number_use(&number).unwrap().is_some(), "its numbers are recorded as used");

    let journal_len = leader.audit_verify().unwrap().entries;
    let err = leader.import_package(&v1.bytes, &trusted, None).unwrap_err();
    assert!(matches!(err, AppError::PackageImport(ImportRefusal::OlderVersion { incoming: 1, stored: 2 })), "{err}");
    assert!(err.vi().contains("không mới hơn"), "{}", err.vi());
    assert!(leader.import_package(&v2.bytes, &trusted, None).unwrap().unchanged);
    assert_eq!(leader.audit_verify().unwrap().entries, journal_len, "nothing stored");

    // A case the leader changed after version 2 is not overwritten by version 3.
    attach(&leader, case, leader_dir.path(), b"%PDF-1.4\n% leader note\n");
    attach(&ws, case, member_dir.path(), b"%PDF-1.4\n% member again\n");
    let v3 = export(&ws, case);
    let err = leader.import_package(&v3.bytes, &trusted, None).unwrap_err();
    assert!(matches!(err, AppError::PackageImport(ImportRefusal::ChangedHere(2))), "{err}");
}

/// Writes a zip the way the format does (stored, fixed dates and modes), from entries that
/// a test has tampered with.
fn rezip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn entries(bytes: &[u8]) -> package::Payload {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut content = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut content).unwrap();
            (f.name().unwrap().to_string(), content)
        })
        .collect()
}

/// Sets the sizes the central directory declares for `name`.
fn declare_size(bytes: &mut [u8], name: &str, size: u32) {
    let at = bytes
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"PK\x01\x02")
        .map(|(i, _)| i)
        .find(|&i| {
            let len = u16::from_le_bytes([bytes[i + 28], bytes[i + 29]]) as usize;
            &bytes[i + 46..i + 46 + len] == name.as_bytes()
        })
        .unwrap();
    bytes[at + 20..at + 24].copy_from_slice(&size.to_le_bytes());
    bytes[at + 24..at + 28].copy_from_slice(&size.to_le_bytes());
}

#[test]
fn altered_packages_are_refused_with_what_is_wrong_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, case) = member(dir.path());
    let good = export(&ws, case).bytes;
    let trusted = [public_key(&ws)];
    let with = |change: &dyn Fn(&mut package::Payload)| {
        let mut e = entries(&good);
        change(&mut e);
        rezip(&e)
    };

    let mut huge = good.clone();
    declare_size(&mut huge, "data/case.json", 0x7FFF_0000);
    // The zip writer refuses a duplicate name, so write "data/case.jsoo" and rename it in
    // place (same length) in the local header and the central directory.
    let duplicate = {
        let mut bytes = with(&|e| e.push(("data/case.jsoo".into(), b"{}".to_vec())));
        let name = b"data/case.jsoo";
        let spots: Vec<usize> =
            bytes.windows(name.len()).enumerate().filter(|(_, w)| *w == name).map(|(i, _)| i).collect();
        for at in spots {
            bytes[at + name.len() - 1] = b'n';
        }
        bytes
    };
    let mut sig_other_key = entries(&good);
    let stranger = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let tag = sig_other_key.iter().find(|(n, _)| n == "tagmanifest-sha256.txt").unwrap().1.clone();
    let forged = minisign::sign(None, &stranger.sk, Cursor::new(tag), Some("anchi-package forged"), None).unwrap();
    sig_other_key.iter_mut().find(|(n, _)| n.ends_with(".minisig")).unwrap().1 = forged.into_string().into_bytes();

    // The untrusted comment of the signature file is not covered by the signature: anchi
    // refuses it changed all the same, so that any byte of a package changed is noticed.
    let mut edited_comment = entries(&good);
    let sig = &mut edited_comment.iter_mut().find(|(n, _)| n.ends_with(".minisig")).unwrap().1;
    let text = String::from_utf8(sig.clone()).unwrap();
    let first = text.lines().next().unwrap().to_string();
    *sig = text.replacen(&first, "untrusted comment: đã kiểm tra, hợp lệ", 1).into_bytes();

    type Expect<'a> = &'a dyn Fn(&PackageError) -> bool;
    let cases: Vec<(&str, Vec<u8>, Expect)> = vec![
        ("truncated", good[..good.len() / 2].to_vec(), &|e| matches!(e, PackageError::NotAZip(_))),
        ("cut at the end", good[..good.len() - 10].to_vec(), &|e| matches!(e, PackageError::NotAZip(_))),
        (
            "extra file",
            with(&|e| e.push(("data/extra.txt".into(), b"hello".to_vec()))),
            &|e| matches!(e, PackageError::NotInManifest { file, .. } if file == "data/extra.txt"),
        ),
        (
            "file outside data/",
            with(&|e| e.push(("notes.txt".into(), b"hello".to_vec()))),
            &|e| matches!(e, PackageError::ExtraFile(f) if f == "notes.txt"),
        ),
        (
            "missing file",
            with(&|e| e.retain(|(n, _)| n != "data/case.json")),
            &|e| matches!(e, PackageError::MissingFile { file, .. } if file == "data/case.json"),
        ),
        (
            "changed file",
            with(&|e| {
                let json = &mut e.iter_mut().find(|(n, _)| n == "data/case.json").unwrap().1;
                let at = json.len() / 2;
                json[at] ^= 0x20;
            }),
            &|e| matches!(e, PackageError::HashMismatch { file, .. } if file == "data/case.json"),
        ),
        (
            "path traversal",
            with(&|e| e.push(("../evil.sh".into(), b"rm".to_vec()))),
            &|e| matches!(e, PackageError::UnsafeName(n) if n == "../evil.sh"),
        ),
        ("traversal inside data/", with(&|e| e.push(("data/../../x".into(), b"x".to_vec()))), &|e| {
            matches!(e, PackageError::UnsafeName(_))
        }),
        ("duplicate name", duplicate, &|e| matches!(e, PackageError::DuplicateName(n) if n == "data/case.json")),
        ("huge declared size", huge, &|e| matches!(e, PackageError::TooLarge { name, .. } if name == "data/case.json")),
        ("signed by another key", rezip(&sig_other_key), &|e| {
            matches!(e, PackageError::UnknownKey(_) | PackageError::BadSignature(_))
        }),
        (
            "untrusted comment edited",
            rezip(&edited_comment),
            &|e| matches!(e, PackageError::BadSignature(m) if m.contains("untrusted comment")),
        ),
        ("not a zip", b"hello, this is not a package".to_vec(), &|e| matches!(e, PackageError::NotAZip(_))),
    ];

    let leader_dir = tempfile::tempdir().unwrap();
    let leader = Workspace::open(leader_dir.path()).unwrap();
    let journal = leader.audit_verify().unwrap().entries;
    for (what, bytes, expected) in cases {
        let err = open_package(&bytes, None).and_then(|o| o.verify(&trusted)).expect_err(what);
        assert!(expected(&err), "{what}: got {err:?}");
        assert!(!err.vi().is_empty() && !err.to_string().is_empty());
        let err = leader.import_package(&bytes, &trusted, None).unwrap_err();
        assert!(matches!(err, AppError::Package(_)), "{what}: {err}");
    }
    assert_eq!(leader.audit_verify().unwrap().entries, journal, "nothing stored");
    assert_eq!(leader.case_count().unwrap(), 0);
    assert!(!leader_dir.path().join("attachments").exists());

    // A good package signed by a key nobody trusts.
    let err = open_package(&good, None).unwrap().verify(&[stranger.pk]).unwrap_err();
    assert!(matches!(err, PackageError::UnknownKey(_)), "{err:?}");
}

#[test]
fn every_flipped_bit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(dir.path()).unwrap();
    ws.make_demo(3, 9).unwrap();
    let case = ws.list_cases().unwrap().into_iter().find(|s| s.documents_finalised > 0).unwrap().id;
    let good = export(&ws, case).bytes;
    let trusted = [public_key(&ws)];
    assert!(open_package(&good, None).unwrap().verify(&trusted).is_ok());

    // Every byte of the zip structure and the tag files at the two ends, and random bytes
    // everywhere (mostly inside the PDFs).
    let mut rng = fastrand::Rng::with_seed(2026);
    let ends = (0..good.len().min(1500)).chain(good.len().saturating_sub(1500)..good.len());
    let positions: Vec<usize> = ends.chain((0..600).map(|_| rng.usize(..good.len()))).collect();
    for &at in &positions {
        let mut bad = good.clone();
        bad[at] ^= 1 << rng.u8(0..8);
        let result = open_package(&bad, None).and_then(|o| o.verify(&trusted));
        assert!(result.is_err(), "flipping a bit of byte {at} of {} was not noticed", good.len());
    }
}

#[test]
fn a_sealed_package_opens_only_with_the_servers_identity() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, case) = member(dir.path());
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let sealed = ws.export_package(case, PASSPHRASE, Some(&recipient), &|_| {}).unwrap();
    assert!(sealed.sealed && package::is_sealed(&sealed.bytes));
    assert!(!sealed.bytes.windows(9).any(|w| w == b"case.json"), "nothing readable inside");

    let file = dir.path().join("goi.anchi");
    std::fs::write(&file, &sealed.bytes).unwrap();
    let key = ws.device_key().unwrap().unwrap().public_key;
    let out = anchi(dir.path(), &["package", "verify", file.to_str().unwrap(), "--pubkey", &key]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--identity"));

    let id_file = dir.path().join("hub.key");
    use age::secrecy::ExposeSecret;
    std::fs::write(&id_file, format!("# hub\n{}\n", identity.to_string().expose_secret())).unwrap();
    let out = anchi(
        dir.path(),
        &["package", "verify", file.to_str().unwrap(), "--pubkey", &key, "--identity", id_file.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let inner = package::unseal(&sealed.bytes, &std::fs::read_to_string(&id_file).unwrap()).unwrap();
    assert_eq!(anchi::app::packages::open_package(&inner, None).unwrap().sha256, sealed.sha256);

    let err = ws.export_package(case, PASSPHRASE, Some("age1notarecipient"), &|_| {}).unwrap_err();
    assert!(err.vi().contains("age1notarecipient"), "{}", err.vi());
}

#[test]
fn the_device_key_is_made_once_shown_and_rotated() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, case) = member(dir.path());
    let old = ws.device_key().unwrap().unwrap();
    let team = ws.unit().unwrap().code.clone();
    drop(ws); // one process at a time holds the database
    let shown = String::from_utf8(anchi(dir.path(), &["key", "show"]).stdout).unwrap();
    let lines: Vec<&str> = shown.lines().collect();
    assert_eq!(
        lines,
        [format!("team_id: {team}"), format!("key_id: {}", old.key_id), format!("public_key: {}", old.public_key)]
    );
    let ws = Workspace::open(dir.path()).unwrap();
    let err = ws.init_key("another passphrase").unwrap_err();
    assert!(err.vi().contains("đã có khóa ký"), "{}", err.vi());
    let err = ws.export_package(case, "wrong", None, &|_| {}).unwrap_err();
    assert!(err.vi().contains("Mật khẩu của khóa ký không đúng"), "{}", err.vi());

    let v1 = export(&ws, case);
    drop(ws);
    let out = anchi(dir.path(), &["key", "rotate"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ws = Workspace::open(dir.path()).unwrap();
    let new = ws.device_key().unwrap().unwrap();
    assert_ne!(new.key_id, old.key_id);
    assert_eq!(ws.retired_keys().unwrap(), std::slice::from_ref(&old));
    assert!(ws.audit_verify().unwrap().entries > 0);

    // Packages made before still verify with the old key; new ones are signed by the new key.
    let old_pk = minisign::PublicKey::from_base64(&old.public_key).unwrap();
    assert!(open_package(&v1.bytes, None).unwrap().verify(std::slice::from_ref(&old_pk)).is_ok());
    let v2 = export(&ws, case);
    assert_eq!(v2.info.version, 2, "a new key makes a new version");
    let verified = open_package(&v2.bytes, None).unwrap().verify(&[old_pk, public_key(&ws)]).unwrap();
    assert_eq!(verified.key_id, new.key_id);

    // Without a passphrase and without a terminal the command line says what to do.
    drop(ws);
    let out = Command::new(env!("CARGO_BIN_EXE_anchi"))
        .args([
            "--data-dir",
            dir.path().to_str().unwrap(),
            "package",
            "export",
            "--case",
            &case.to_string(),
            "--out",
            "x.anchi",
        ])
        .env_remove("ANCHI_KEY_PASSPHRASE")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ANCHI_KEY_PASSPHRASE"));
}

/// Two exports of one case built at once: the first recorded takes the version, the other
/// is refused saying so (it used to be reported as a full disk), and nothing is recorded
/// twice.
#[test]
fn two_exports_of_one_case_at_once_the_second_is_told_the_version_was_taken() {
    use anchi::domain::Bilingual;
    let dir = tempfile::tempdir().unwrap();
    let (ws, case) = member(dir.path());
    let one = ws.prepare_export(case, PASSPHRASE, None).unwrap().run(&|_| {}).unwrap();
    let two = ws.prepare_export(case, PASSPHRASE, None).unwrap().run(&|_| {}).unwrap();
    assert_eq!(ws.record_export(one).unwrap().info.version, 1);
    let err = ws.record_export(two).unwrap_err();
    assert!(matches!(err, AppError::VersionTaken { version: 1, .. }), "{err:?}");
    assert!(err.vi().contains("đã xong trước") && err.is_refusal(), "{}", err.vi());
    assert_eq!(ws.package_versions(case).unwrap().len(), 1);
}

/// A package is named for people: the day the case opened, the subject without accents,
/// and the start of its id (it was "ho-so-<uuid>.anchi").
#[test]
fn a_package_file_is_named_for_people() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, case) = member(dir.path());
    let stored = ws.case(case).unwrap();
    let path = ws.default_package_path(case);
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let subject = anchi::domain::text::fold(&stored.subject.name).replace(' ', "-");
    let expected = format!(
        "ho-so-{}-{}-{}.anchi",
        stored.opened_at.format("%Y-%m-%d"),
        subject.trim_matches('-'),
        &case.simple().to_string()[..8]
    );
    assert_eq!(name, expected);
    assert!(name.is_ascii(), "{name}");
}
