//! Backup and restore through the real redb file and the command line: a backup taken while
//! cases are being written restores to a consistent case list whose journal verifies; a
//! wrong passphrase or a damaged backup is refused and changes nothing.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::path::Path;
use std::process::Output;

use anchi::app::Workspace;

const PASSPHRASE: &str = "mat-khau-sao-luu";

fn anchi(dir: &Path, args: &[&str], passphrase: &str) -> Output {
    common::anchi_with(dir, args, &[("ANCHI_BACKUP_PASSPHRASE", passphrase)])
}

/// Every file of a directory with its bytes, for "nothing changed".
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_backup_taken_during_writes_restores_consistently_and_bad_ones_change_nothing() {
    let source = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(source.path()).unwrap();
    ws.make_demo(80, 3).unwrap();
    let photo = source.path().join("anh.png");
    std::fs::write(&photo, b"\x89PNG\r\n\x1a\n-not-really-a-picture-but-png-magic").unwrap();
    let first = ws.list_cases().unwrap()[0].id;
    ws.attach(first, &photo).unwrap();
    let before = ws.list_cases().unwrap().len();

    // Cases are created on another thread while the backup is taken.
    let out = source.path().join("sao-luu.anchi-backup");
    let ws = std::sync::Arc::new(ws);
    let writer = {
        let ws = ws.clone();
        std::thread::Builder::new()
            .name("new-cases".into())
            .spawn(move || {
                let lead = ws.unit().unwrap().members[0].card_number.clone();
                let commune =
                    ws.reference.admin_units.communes_of(ws.unit().unwrap().province_code).next().unwrap().code;
                for i in 0..40 {
                    let input = anchi::app::NewCase {
                        name: format!("Hộ kinh doanh Số {i}"),
                        personal_id: format!("020090{:06}", 100 + i),
                        street: "Chợ Đông Kinh".into(),
                        commune_code: Some(commune),
                        field: "hang-gia".into(),
                        lead_member: lead.clone(),
                        ..Default::default()
                    };
                    ws.open_new_case(&input).unwrap();
                }
            })
            .unwrap()
    };
    let summary = ws.backup(&out, PASSPHRASE).unwrap();
    writer.join().unwrap();
    let after: Vec<_> = ws.list_cases().unwrap();
    assert_eq!(after.len(), before + 40);
    assert!(summary.cases as usize >= before && summary.cases as usize <= before + 40, "{summary:?}");
    let sealed = std::fs::read(&out).unwrap();
    assert!(sealed.starts_with(b"age-encryption.org/v1\n"), "an age file");

    // Restored elsewhere: the list is the list of that moment (each case as stored then),
    // the journal verifies, the photo is there.
    let target = tempfile::tempdir().unwrap();
    let restored = anchi(target.path(), &["restore", out.to_str().unwrap()], PASSPHRASE);
    assert!(restored.status.success(), "{}", String::from_utf8_lossy(&restored.stderr));
    let back = Workspace::open(target.path()).unwrap();
    let list = back.list_cases().unwrap();
    assert_eq!(list.len() as u64, summary.cases);
    for row in &list {
        let now = after.iter().find(|r| r.id == row.id).expect("a case of the source");
        assert_eq!(row, now, "the restored row is the stored one");
    }
    let audit = back.audit_verify().unwrap();
    assert!(audit.first_broken.is_none() && audit.cases_checked == summary.cases, "{audit:?}");
    let attached = &back.case(first).unwrap().attachments[0];
    assert!(back.attachment_path(&attached.sha256).exists());
    drop(back);

    // A wrong passphrase, a damaged file: refused, the data directory as it was.
    let unchanged = snapshot(target.path());
    let wrong = anchi(target.path(), &["restore", out.to_str().unwrap()], "khong-dung-mat-khau");
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("Sai mật khẩu sao lưu"));
    let mut damaged = sealed.clone();
    let at = damaged.len() / 2;
    damaged[at] ^= 0x01;
    let damaged_file = source.path().join("hong.anchi-backup");
    std::fs::write(&damaged_file, &damaged).unwrap();
    let refused = anchi(target.path(), &["restore", damaged_file.to_str().unwrap()], PASSPHRASE);
    assert_eq!(refused.status.code(), Some(2), "{}", String::from_utf8_lossy(&refused.stderr));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("Bản sao lưu bị hỏng"));
    assert_eq!(snapshot(target.path()), unchanged, "nothing changed");

    // Restoring over a data directory keeps its old database aside.
    let again = anchi(target.path(), &["restore", out.to_str().unwrap()], PASSPHRASE);
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("Cơ sở dữ liệu cũ được giữ lại"));
    let kept = std::fs::read_dir(target.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("anchi.redb.truoc-khoi-phuc-"))
        .count();
    assert_eq!(kept, 1);
}

mod common;

#[test]
fn the_window_makes_a_backup_after_the_passphrase_twice() {
    use egui_kittest::kittest::Queryable;
    let dir = tempfile::tempdir().unwrap();
    let mut h = common::window(dir.path(), eframe::egui::vec2(1280.0, 900.0));
    h.get_by_label("Sao lưu…").click();
    h.run();
    h.get_by_label("Sao lưu").click();
    h.run();
    h.get_by_label("Chưa nhập mật khẩu sao lưu");
    for (label, text) in [("Mật khẩu sao lưu", "mat-khau-1"), ("Nhập lại mật khẩu", "mat-khau-2")] {
        h.get_by_label(label).focus();
        h.run();
        h.get_by_label(label).type_text(text);
        h.run();
    }
    h.get_by_label("Sao lưu").click();
    h.run();
    h.get_by_label("Hai lần nhập mật khẩu khác nhau");
    assert!(!h.state().busy(), "nothing started");
    let out = dir.path().join("usb").join("ban-sao.anchi-backup");
    common::retype(&mut h, "Nhập lại mật khẩu", "mat-khau-1");
    common::retype(&mut h, "Lưu vào tệp", &out.display().to_string());
    h.get_by_label("Sao lưu").click();
    h.step();
    common::settle(&mut h);
    let notice = common::text_with(&h, "Đã sao lưu 300 vụ việc vào");
    assert!(notice.contains(&out.display().to_string()), "{notice}");
    assert!(std::fs::read(&out).unwrap().starts_with(b"age-encryption.org/v1\n"));
    assert!(!common::shows(&h, "Lưu vào tệp"), "the dialog closed");
}

/// The automatic backups' files in `folder`, oldest first.
fn automatic(folder: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with("anchi-tu-dong-"))
        .collect();
    files.sort();
    files
}

#[test]
fn automatic_backups_keep_the_newest_and_restore_with_the_passphrase_and_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("may");
    Workspace::open(&data).unwrap().make_demo(12, 7).unwrap();
    let usb = dir.path().join("usb");
    let on = anchi(&data, &["backup", "--enable-auto", usb.to_str().unwrap(), "--keep", "2"], PASSPHRASE);
    assert!(on.status.success(), "{}", String::from_utf8_lossy(&on.stderr));
    assert!(usb.join(anchi::app::backup::KEY_FILE).exists(), "the key file goes with the backups");
    for _ in 0..2 {
        let again = anchi(&data, &["backup", "--auto"], "");
        assert!(again.status.success(), "no passphrase needed: {}", String::from_utf8_lossy(&again.stderr));
    }
    let kept = automatic(&usb);
    assert_eq!(kept.len(), 2, "only the newest two are kept: {kept:?}");
    let ws = Workspace::open(&data).unwrap();
    assert!(ws.auto_backup_due(anchi::app::now()).is_none(), "done for today");
    let tomorrow = anchi::app::now() + chrono::Duration::days(1);
    assert!(ws.auto_backup_due(tomorrow).is_some(), "due again tomorrow");
    drop(ws);

    let newest = kept.last().unwrap().to_str().unwrap().to_string();
    let fresh = dir.path().join("may-moi");
    let wrong = anchi(&fresh, &["restore", &newest], "khong-phai-mat-khau");
    assert_eq!(wrong.status.code(), Some(2));
    assert!(!fresh.join(anchi::store::DB_FILE).exists(), "nothing written for a wrong passphrase");
    let alone = dir.path().join("chi-ban-sao.anchi-backup");
    std::fs::copy(&newest, &alone).unwrap();
    let no_key = anchi(&fresh, &["restore", alone.to_str().unwrap()], PASSPHRASE);
    assert_eq!(no_key.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_key.stderr).contains(anchi::app::backup::KEY_FILE), "{no_key:?}");
    let restored = anchi(&fresh, &["restore", &newest], PASSPHRASE);
    assert!(restored.status.success(), "{}", String::from_utf8_lossy(&restored.stderr));
    let (a, b) = (Workspace::open(&data).unwrap(), Workspace::open(&fresh).unwrap());
    assert_eq!(a.list_cases().unwrap(), b.list_cases().unwrap());
    assert!(b.audit_verify().unwrap().first_broken.is_none());
}

#[test]
fn a_new_laptop_restores_the_team_from_the_window_and_asks_who_signs_in() {
    use egui_kittest::kittest::Queryable;
    let dir = tempfile::tempdir().unwrap();
    // The old laptop: a set-up unit with a few cases, backed up.
    let old = dir.path().join("may-cu");
    let profile = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/setup-profile.example.toml");
    let parsed = anchi::app::setup::Profile::read(Path::new(profile)).unwrap();
    let chosen = [("LS-0201".to_string(), "hung-mat-khau".to_string())].into_iter().collect();
    let mut ws = Workspace::open(&old).unwrap();
    ws.init_from_profile(&parsed, &old, "mat-khau-doi-2", &chosen).unwrap();
    ws.sign_in("LS-0201", "hung-mat-khau").unwrap();
    let commune = ws.reference.admin_units.communes_of(20).next().unwrap().code;
    for i in 0..3 {
        let input = anchi::app::NewCase {
            name: format!("Hộ kinh doanh Số {i}"),
            personal_id: format!("020090{:06}", 200 + i),
            street: "Chợ Giếng Vuông".into(),
            commune_code: Some(commune),
            field: "hang-gia".into(),
            lead_member: "LS-0202".into(),
            ..Default::default()
        };
        ws.open_new_case(&input).unwrap();
    }
    let file = dir.path().join("usb").join("doi-2.anchi-backup");
    ws.backup(&file, PASSPHRASE).unwrap();
    let before = ws.list_cases().unwrap();
    drop(ws);

    // The new laptop starts on the demo; its set-up screen offers the restore.
    let new = dir.path().join("may-moi");
    let mut h = common::window(&new, eframe::egui::vec2(1280.0, 900.0));
    h.get_by_label("Thiết lập đơn vị…").click();
    h.run();
    h.get_by_label("Khôi phục từ bản sao lưu…").click();
    h.run();
    common::retype(&mut h, "Tệp sao lưu (.anchi-backup)", &file.display().to_string());
    common::retype(&mut h, "Mật khẩu của bản sao lưu", "sai-mat-khau-roi");
    h.get_by_label("Khôi phục").click();
    h.run();
    h.get_by_label_contains("Sai mật khẩu sao lưu");
    assert!(h.state().workspace().unit().unwrap().demo, "still the demo after a refusal");
    common::retype(&mut h, "Mật khẩu của bản sao lưu", PASSPHRASE);
    h.get_by_label("Khôi phục").click();
    h.run();
    assert!(!common::shows(&h, "Tệp sao lưu (.anchi-backup)"), "the dialog closed");
    assert_eq!(h.state().workspace().unit().unwrap().code, "LS-D2");
    assert_eq!(h.state().workspace().list_cases().unwrap(), before);
    h.get_by_label("Đăng nhập để làm việc");

    // Signed in as the leader, restoring the same backup over newer work brings it back,
    // the newer database kept aside.
    let (card, password) = ("LS-0201", "hung-mat-khau");
    h.state_mut().execute(anchi::ui::command::Command::SignIn { card: card.into(), password: password.into() });
    h.run();
    assert!(!common::shows(&h, "Đăng nhập để làm việc"), "signed in");
    let ws = h.state().workspace();
    ws.open_new_case(&anchi::app::NewCase {
        name: "Hộ kinh doanh Mới".into(),
        personal_id: "020090000999".into(),
        street: "Chợ Kỳ Lừa".into(),
        commune_code: Some(commune),
        field: "hang-gia".into(),
        lead_member: "LS-0201".into(),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(h.state().workspace().case_count().unwrap(), 4);
    h.state_mut().execute(anchi::ui::command::Command::RestoreDialog);
    h.state_mut().execute(anchi::ui::command::Command::Restore { file: file.clone(), passphrase: PASSPHRASE.into() });
    h.run();
    assert_eq!(h.state().workspace().list_cases().unwrap(), before, "back to the backup");
    let aside = std::fs::read_dir(&new)
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| e.file_name().to_str().is_some_and(|n| n.starts_with("anchi.redb.truoc-khoi-phuc-")));
    assert!(aside, "the newer database is kept aside");
    h.get_by_label("Đăng nhập để làm việc"); // everyone signs in again
}

/// A backup edited to ask for a huge scrypt work factor is refused at once (exit 2),
/// before the work, and the data stays as it was.
#[test]
fn a_backup_asking_for_excessive_work_is_refused_before_it() {
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("nguon");
    let mut ws = Workspace::open(&source).unwrap();
    ws.make_demo(3, 1).unwrap();
    let backup = tmp.path().join("sao-luu.anchi-backup");
    ws.backup(&backup, PASSPHRASE).unwrap();
    drop(ws);
    // The age header names the work factor in clear: "-> scrypt <salt> 18".
    let mut bytes = std::fs::read(&backup).unwrap();
    let header_end = bytes.windows(4).position(|w| w == b"\n---").unwrap();
    let header = String::from_utf8(bytes[..header_end].to_vec()).unwrap();
    let line = header.lines().find(|l| l.starts_with("-> scrypt ")).expect("a passphrase stanza");
    assert!(line.ends_with(" 18"), "sealed with the fixed work factor: {line}");
    let at = bytes.windows(line.len()).position(|w| w == line.as_bytes()).unwrap() + line.len() - 2;
    // 2^22: 4 GiB and about 20 s here, which a restore used to spend before refusing.
    bytes[at..at + 2].copy_from_slice(b"22");
    let edited = tmp.path().join("sua.anchi-backup");
    std::fs::write(&edited, bytes).unwrap();

    let target = tmp.path().join("dich");
    drop(Workspace::open(&target).unwrap());
    let before = snapshot(&target);
    let started = std::time::Instant::now();
    let out = anchi(&target, &["restore", edited.to_str().unwrap()], PASSPHRASE);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("scrypt"), "refused for the work it asks, not as a wrong passphrase: {stderr}");
    assert!(started.elapsed() < std::time::Duration::from_secs(15), "refused before the work");
    assert_eq!(snapshot(&target), before, "nothing changed");
}

/// The backup at `path` opened with the passphrase, its database passed through `edit`, and
/// sealed again exactly as anchi seals (manifest hash updated): what a person holding the
/// passphrase could make by hand.
fn rebuilt(path: &Path, edit: impl FnOnce(&Path)) -> Vec<u8> {
    use std::io::{Read, Write};
    let sealed = std::fs::read(path).unwrap();
    let mut identity = age::scrypt::Identity::new(PASSPHRASE.to_string().into());
    identity.set_max_work_factor(20);
    let decryptor = age::Decryptor::new(&sealed[..]).unwrap();
    let mut plain = Vec::new();
    decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity)).unwrap().read_to_end(&mut plain).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(plain)).unwrap();
    let mut files: Vec<(String, Vec<u8>)> = (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            (f.name().unwrap().to_string(), bytes)
        })
        .collect();
    let hex = |b: &[u8]| {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(b))
    };
    let db = files.iter_mut().find(|(n, _)| n == "anchi.redb").unwrap();
    let old_hash = hex(&db.1);
    let scratch = tempfile::tempdir().unwrap();
    let db_path = scratch.path().join("anchi.redb");
    std::fs::write(&db_path, &db.1).unwrap();
    edit(&db_path);
    db.1 = std::fs::read(&db_path).unwrap();
    let new_hash = hex(&db.1);
    let manifest = files.iter_mut().find(|(n, _)| n == "anchi-backup.txt").unwrap();
    manifest.1 = String::from_utf8(manifest.1.clone()).unwrap().replace(&old_hash, &new_hash).into_bytes();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in &files {
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(bytes).unwrap();
    }
    let zipped = out.finish().unwrap().into_inner();
    let mut recipient = age::scrypt::Recipient::new(PASSPHRASE.to_string().into());
    recipient.set_work_factor(18);
    let encryptor = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient)).unwrap();
    let mut sealed = Vec::new();
    let mut writer = encryptor.wrap_output(&mut sealed).unwrap();
    writer.write_all(&zipped).unwrap();
    writer.finish().unwrap();
    sealed
}

/// A backup whose database is not a database, or whose settings were edited into
/// something no laptop can read, is refused whole (exit 2): restored, it would have left a
/// laptop that cannot show a case.
#[test]
fn a_backup_with_a_garbage_database_or_unreadable_settings_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("nguon");
    let mut ws = Workspace::open(&source).unwrap();
    ws.make_demo(3, 1).unwrap();
    let case = ws.list_cases().unwrap()[0].id.to_string();
    let backup = tmp.path().join("sao-luu.anchi-backup");
    ws.backup(&backup, PASSPHRASE).unwrap();
    drop(ws);
    let target = tmp.path().join("dich");
    drop(Workspace::open(&target).unwrap());
    let before = snapshot(&target);

    let garbage = rebuilt(&backup, |db| std::fs::write(db, vec![0x5au8; 64 * 1024]).unwrap());
    let meta: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");
    let edited_unit = rebuilt(&backup, |db| {
        let db = redb::Database::open(db).unwrap();
        let tx = db.begin_write().unwrap();
        tx.open_table(meta).unwrap().insert("unit", b"\xff\xff not a unit".as_slice()).unwrap();
        tx.commit().unwrap();
    });
    for (what, bytes) in [("garbage database", garbage), ("edited unit", edited_unit)] {
        let file = tmp.path().join("sua.anchi-backup");
        std::fs::write(&file, bytes).unwrap();
        let out = anchi(&target, &["restore", file.to_str().unwrap()], PASSPHRASE);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {stderr}");
        assert!(stderr.contains("Bản sao lưu bị hỏng"), "{what}: {stderr}");
        assert_eq!(snapshot(&target), before, "{what}: nothing changed");
    }
    // The backup as made restores, and its cases show.
    let out = anchi(&target, &["restore", backup.to_str().unwrap()], PASSPHRASE);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(anchi(&target, &["case", "show", &case], PASSPHRASE).status.success());
}

/// Backups belong off the laptop: the drives mounted under the removable-media folders are
/// found (and offered first), the user's own folder among them is not taken for a drive.
#[test]
fn removable_drives_are_found_under_the_media_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let user = tmp.path().join("media").join("can-bo");
    std::fs::create_dir_all(user.join("KINGSTON 16GB")).unwrap();
    std::fs::create_dir_all(tmp.path().join("run-media").join("can-bo").join("USB ĐỘI 1")).unwrap();
    let roots = [user.clone(), tmp.path().join("run-media").join("can-bo"), tmp.path().join("media")];
    let found = anchi::app::backup::mounted_under(&roots);
    assert_eq!(
        found,
        vec![user.join("KINGSTON 16GB"), tmp.path().join("run-media").join("can-bo").join("USB ĐỘI 1")],
        "{found:?}"
    );
}

/// Restoring over the folder that is open releases its database, restores and opens it
/// again, in one use case of app: a wrong passphrase leaves the old data open, the right one
/// opens the restored data.
#[test]
fn a_restore_in_place_releases_restores_and_reopens() {
    use anchi::app::backup::restore_in_place;
    let source = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(source.path()).unwrap();
    ws.make_demo(6, 3).unwrap();
    let out = source.path().join("sao-luu.anchi-backup");
    ws.backup(&out, PASSPHRASE).unwrap();
    drop(ws);

    let home = tempfile::tempdir().unwrap();
    let mut current = Workspace::open(home.path()).unwrap();
    current.make_demo(2, 9).unwrap();
    let before = current.list_cases().unwrap().len();
    let wrong = restore_in_place(current, home.path(), &out, "sai-mat-khau");
    assert!(wrong.restored.is_err());
    let current = wrong.workspace.expect("the old data open again");
    assert_eq!(current.list_cases().unwrap().len(), before, "nothing changed");

    let right = restore_in_place(current, home.path(), &out, PASSPHRASE);
    let (summary, _) = right.restored.unwrap();
    let restored = right.workspace.unwrap();
    assert_eq!(summary.cases, 6);
    assert_eq!(restored.list_cases().unwrap().len(), 6);
}
