//! The command line as a user or script drives it: the real binary on a real data directory.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

mod common;

use std::path::Path;

use serde_json::Value;

use common::anchi;

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = anchi(dir, args);
    assert!(out.status.success(), "anchi {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn json(dir: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok(dir, args)).unwrap()
}

#[test]
fn demo_makes_cases_in_every_state() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["demo", "--cases", "200", "--seed", "5"]);
    let list = json(dir.path(), &["case", "list", "--json"]);
    let items = list.as_array().unwrap();
    assert_eq!(items.len(), 200);
    let stages: std::collections::BTreeSet<&str> = items.iter().map(|c| c["stage"].as_str().unwrap()).collect();
    for stage in
        ["moi", "da_co_quyet_dinh", "da_kiem_tra", "da_lap_bien_ban_vi_pham", "khong_vi_pham", "da_xu_phat", "da_huy"]
    {
        assert!(stages.contains(stage), "no demo case in stage {stage}: {stages:?}");
    }
    // Newest first.
    let dates: Vec<&str> = items.iter().map(|c| c["opened_at"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]));
    // Vietnamese names, real admin units.
    let first = &items[0];
    assert!(!first["subject"]["name"].as_str().unwrap().is_ascii());
    let audit = json(dir.path(), &["audit", "verify", "--json"]);
    assert_eq!(audit["first_broken"], Value::Null);
    assert_eq!(audit["cases_checked"], 200);
}

#[test]
fn export_then_import_round_trips_exactly() {
    let source = tempfile::tempdir().unwrap();
    ok(source.path(), &["demo", "--cases", "30", "--seed", "9"]);
    let target = tempfile::tempdir().unwrap();
    for item in json(source.path(), &["case", "list", "--json"]).as_array().unwrap() {
        let id = item["id"].as_str().unwrap();
        let exported = ok(source.path(), &["case", "export", id]);
        let file = target.path().join(format!("{id}.json"));
        std::fs::write(&file, &exported).unwrap();
        assert_eq!(ok(target.path(), &["case", "import", file.to_str().unwrap()]).trim(), id);
        assert_eq!(ok(target.path(), &["case", "export", id]), exported);
        // The same file again changes nothing.
        ok(target.path(), &["case", "import", file.to_str().unwrap()]);
    }
    let a = json(source.path(), &["case", "list", "--json"]);
    let b = json(target.path(), &["case", "list", "--json"]);
    assert_eq!(a, b);
    let show = json(target.path(), &["case", "show", a[0]["id"].as_str().unwrap(), "--json"]);
    assert_eq!(show["case"]["id"], a[0]["id"]);
    assert_eq!(show["history"][0]["action"], "case.import");
}

/// Imports a modified copy of a demo case in `stage` and returns (exit code, stderr,
/// number of cases after).
fn import_edited(stage: &str, edit: impl FnOnce(&mut Value)) -> (i32, String, usize) {
    import_text_edited(stage, edit, |text| text)
}

/// As [`import_edited`], with a last edit of the file's text.
fn import_text_edited(
    stage: &str,
    edit: impl FnOnce(&mut Value),
    edit_text: impl FnOnce(String) -> String,
) -> (i32, String, usize) {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["demo", "--cases", "60", "--seed", "2"]);
    let list = json(dir.path(), &["case", "list", "--json"]);
    let case = list.as_array().unwrap().iter().find(|c| c["stage"] == stage).expect("demo has every stage");
    let id = case["id"].as_str().unwrap().to_string();
    let mut file: Value = serde_json::from_str(&ok(dir.path(), &["case", "export", &id])).unwrap();
    // A new id, so the import is not compared with the stored original.
    file["case"]["id"] = Value::String(uuid::Uuid::now_v7().to_string());
    edit(&mut file);
    let path = dir.path().join("edited.json");
    std::fs::write(&path, edit_text(serde_json::to_string(&file).unwrap())).unwrap();
    let before = json(dir.path(), &["audit", "verify", "--json"])["entries"].as_u64().unwrap();
    let out = anchi(dir.path(), &["case", "import", path.to_str().unwrap()]);
    let after = json(dir.path(), &["audit", "verify", "--json"]);
    assert_eq!(after["entries"].as_u64().unwrap(), before, "a refused import must store nothing");
    let cases = json(dir.path(), &["case", "list", "--json"]).as_array().unwrap().len();
    (out.status.code().unwrap(), String::from_utf8(out.stderr).unwrap(), cases)
}

#[test]
fn a_bad_tax_code_is_refused_with_its_path() {
    let (code, err, cases) = import_edited("da_kiem_tra", |f| {
        f["case"]["subject"]["kind"] = "organisation".into();
        f["case"]["subject"]["tax_code"] = "12345".into();
    });
    assert_eq!(code, 2);
    assert_eq!(cases, 60);
    assert!(err.contains("$.case.subject.tax_code"), "{err}");
    assert!(err.contains("Mã số thuế phải gồm 10 chữ số"), "{err}");
}

#[test]
fn semantic_problems_are_all_reported_at_once() {
    let (code, err, _) = import_edited("da_kiem_tra", |f| {
        f["case"]["field"] = "khong-co".into();
        f["case"]["opened_at"] = "2099-01-01T08:00:00".into();
        f["case"]["goods"][0]["quantity"] = 0.into();
        f["case"]["subject"]["address"] =
            serde_json::json!({"coded": {"street": "x", "commune_code": 70, "province_code": 20}});
    });
    assert_eq!(code, 2);
    for needle in [
        "$.case.field",
        "$.case.opened_at: Ngày giờ không được ở tương lai",
        "$.case.goods[0].quantity: Số lượng phải lớn hơn 0",
        "$.case.subject.address: Xã/phường 00070 không thuộc tỉnh có mã 20",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
}

#[test]
fn an_out_of_order_document_is_refused() {
    let (code, err, _) = import_edited("da_xu_phat", |f| {
        // Drop the inspection decision: everything after it rested on it.
        f["case"]["documents"].as_array_mut().unwrap().retain(|d| d["kind"] != "qd-kiem-tra");
    });
    assert_eq!(code, 2);
    assert!(err.contains("state: Văn bản được hoàn tất trước khi có Quyết định kiểm tra"), "{err}");
}

#[test]
fn a_number_already_used_is_refused() {
    let (code, err, _) = import_edited("da_xu_phat", |f| {
        // Fresh document ids with the same numbers: the numbers belong to the original case.
        for d in f["case"]["documents"].as_array_mut().unwrap() {
            d["id"] = uuid::Uuid::now_v7().to_string().into();
        }
    });
    assert_eq!(code, 2);
    assert!(err.contains("đã được dùng cho văn bản khác"), "{err}");
}

#[test]
fn broken_json_and_unknown_fields_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, "{ \"format\": \"anchi-case\", ").unwrap();
    let out = anchi(dir.path(), &["case", "import", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"));
    std::fs::write(&path, r#"{"format": "anchi-case", "version": 1, "case": {}, "extra": 1}"#).unwrap();
    let out = anchi(dir.path(), &["case", "import", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("$."), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json(dir.path(), &["case", "list", "--json"]).as_array().unwrap().len(), 0);
}

#[test]
fn decomposed_text_is_stored_composed() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["demo", "--cases", "1", "--seed", "4"]);
    let id = json(dir.path(), &["case", "list", "--json"])[0]["id"].as_str().unwrap().to_string();
    let mut file: Value = serde_json::from_str(&ok(dir.path(), &["case", "export", &id])).unwrap();
    let new_id = uuid::Uuid::now_v7().to_string();
    file["case"]["id"] = new_id.clone().into();
    file["case"]["documents"] = Value::Array(vec![]);
    file["case"]["subject"]["name"] = "Hộ kinh doanh Nguye\u{302}\u{303}n Va\u{306}n Hu\u{300}ng".into();
    let path = dir.path().join("nfd.json");
    std::fs::write(&path, serde_json::to_string(&file).unwrap()).unwrap();
    ok(dir.path(), &["case", "import", path.to_str().unwrap()]);
    let stored = json(dir.path(), &["case", "show", &new_id, "--json"]);
    assert_eq!(stored["case"]["subject"]["name"], "Hộ kinh doanh Nguyễn Văn Hùng");
}

#[test]
fn a_locked_database_and_an_unknown_case_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["demo", "--cases", "1"]);
    let out = anchi(dir.path(), &["case", "show", "01890000-0000-7000-8000-000000000000"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Không tìm thấy vụ việc"));
    let _held = anchi::store::Store::open(&dir.path().join(anchi::store::DB_FILE)).unwrap();
    // Held by another anchi (an open window): a refusal, exit 2, like every refusal.
    let out = anchi(dir.path(), &["case", "list"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("đang được một cửa sổ hoặc lệnh anchi khác sử dụng"));
}

/// A command that only reads leaves the database file as it was, byte for byte: it opens
/// it read-only, with no write of the header on opening nor of the allocator's state on
/// closing (each waited for the disk), and two such commands may hold it at once.
#[test]
fn commands_that_only_read_leave_the_database_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["demo", "--cases", "20", "--seed", "4"]);
    let db = dir.path().join(anchi::store::DB_FILE);
    let before = std::fs::read(&db).unwrap();
    let list = json(dir.path(), &["case", "list", "--json"]);
    let case = list.as_array().unwrap().iter().max_by_key(|c| c["documents_finalised"].as_u64()).unwrap();
    let id = case["id"].as_str().unwrap();
    let out = dir.path().join("in");
    let out = out.to_str().unwrap();
    ok(dir.path(), &["doc", "render", "--case", id, "--all", "--out", out]);
    assert!(std::fs::read_dir(out).unwrap().count() > 1);
    for args in [
        &["case", "show", id][..],
        &["case", "export", id],
        &["case", "parties", id],
        &["deadlines"],
        &["stats"],
        &["audit", "verify"],
        &["audit", "log"],
        &["law", "show"],
        &["user", "list"],
        &["delegation", "list"],
        &["catalogue", "find", "nhãn hàng hóa"],
        &["subject", "find", "--name", "Công ty"],
        &["calendar", "due", "--from", "2026-02-12", "--working-days", "7"],
    ] {
        ok(dir.path(), args);
    }
    for kind in ["xlsx", "csv", "national"] {
        let file = dir.path().join(format!("export.{kind}"));
        ok(dir.path(), &["export", kind, "--out", file.to_str().unwrap()]);
        assert!(std::fs::metadata(&file).unwrap().len() > 0, "export {kind}");
    }
    assert!(std::fs::read(&db).unwrap() == before, "a command that only reads changed the database file");
    // Two readers at once; a writer meanwhile is refused as locked, as before.
    let reader = anchi::store::Store::open_for_reading(&db).unwrap();
    assert!(reader.is_read_only());
    ok(dir.path(), &["case", "list"]);
    let out = anchi(dir.path(), &["case", "parties", id, "--set", "witness.name=Trần Văn Bình"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("đang được một cửa sổ hoặc lệnh anchi khác sử dụng"));
    drop(reader);
    ok(dir.path(), &["case", "parties", id, "--set", "witness.name=Trần Văn Bình"]);
    assert!(std::fs::read(&db).unwrap() != before, "the change was written");
}

#[test]
fn demo_refuses_a_real_unit() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = anchi::app::Workspace::open(dir.path()).unwrap();
    let mut unit = anchi::app::demo::demo_unit();
    unit.demo = false;
    ws.set_unit(unit).unwrap();
    drop(ws);
    let out = anchi(dir.path(), &["demo", "--cases", "3"]);
    // Refused: exit 2, like every other refusal.
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("đơn vị thật"));
}

#[test]
fn a_forms_folder_in_the_data_directory_overrides_and_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let forms = dir.path().join("forms");
    std::fs::create_dir_all(&forms).unwrap();
    let original = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("forms/bang-ke.toml")).unwrap();
    std::fs::write(forms.join("bang-ke.toml"), original.replace("ky_hieu = \"BK\"", "ky_hieu = \"BK-MOI\"")).unwrap();
    let list = ok(dir.path(), &["forms", "list"]);
    assert!(list.contains("BK-MOI"));
    // The unit's delegation decision is listed with its gazetted code.
    assert!(list.lines().any(|l| l.starts_with("qd-giao-quyen") && l.contains("MQĐ34")), "{list}");
    // A bad override is refused with its file and line, not skipped.
    std::fs::write(forms.join("bang-ke.toml"), original.replace("{subject.address}", "{subject.dia_chi}")).unwrap();
    let out = anchi(dir.path(), &["forms", "check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bang-ke.toml:") && err.contains("subject.dia_chi"), "{err}");
}

#[test]
fn an_import_refuses_unprintable_huge_or_inconsistent_content_with_its_path() {
    // A NUL in the subject's name, a name of 10 000 characters.
    let (code, err, _) = import_edited("da_kiem_tra", |f| {
        f["case"]["subject"]["name"] = "Công ty\u{0}X".into();
        f["case"]["goods"][0]["name"] = "x".repeat(10_000).into();
    });
    assert_eq!(code, 2);
    assert!(err.contains("$.case.subject.name") && err.contains("ký tự điều khiển"), "{err}");
    assert!(err.contains("$.case.goods[0].name") && err.contains("dài quá 500"), "{err}");
    // Two documents of the file under one number.
    let (code, err, _) = import_edited("da_kiem_tra", |f| {
        let docs = f["case"]["documents"].as_array_mut().unwrap();
        let first = docs.iter().find(|d| !d["number"].is_null()).unwrap()["number"].clone();
        let other = docs.iter_mut().filter(|d| !d["number"].is_null()).nth(1).unwrap();
        other["number"] = first;
    });
    assert_eq!(code, 2);
    assert!(err.contains(".number") && err.contains("đã được dùng"), "{err}");
    // An attachment whose file this laptop does not have.
    let (code, err, _) = import_edited("da_kiem_tra", |f| {
        f["case"]["attachments"] = serde_json::json!([{
            "sha256": "ab".repeat(32), "file_name": "anh.jpg", "media_type": "image/jpeg", "size_bytes": 3,
            "added_at": "2026-03-02T08:00:00"
        }]);
    });
    assert_eq!(code, 2);
    assert!(err.contains("$.case.attachments[0].sha256") && err.contains("không có trên máy này"), "{err}");
    // A key given twice: a reader keeping the first would see another subject than one
    // keeping the last, so the file is refused, naming the key and where it is.
    let (code, err, _) = import_text_edited(
        "da_kiem_tra",
        |_| {},
        |text| text.replacen("\"subject\":{", "\"subject\":{\"name\":\"Kẻ mạo danh\",", 1),
    );
    assert_eq!(code, 2);
    assert!(err.contains("\"name\" appears twice") && err.contains("line 1"), "{err}");
    // Nor one whose hash is not a hash (it would name a path).
    let (code, _, _) = import_edited("da_kiem_tra", |f| {
        f["case"]["attachments"] = serde_json::json!([{
            "sha256": "x", "file_name": "anh.jpg", "media_type": "image/jpeg", "size_bytes": 3,
            "added_at": "2026-03-02T08:00:00"
        }]);
    });
    assert_eq!(code, 2);
}

/// A laptop with no province's server set is told where to set it in the window's words;
/// the command is named in the English line for the log (the Vietnamese told members to run
/// `anchi config set server.url` in a terminal).
#[test]
fn sending_without_a_server_says_where_to_set_it() {
    let dir = tempfile::tempdir().unwrap();
    assert!(anchi(dir.path(), &["demo", "--cases", "3"]).status.success());
    let out = common::anchi_with(dir.path(), &["sync", "--once"], &[("ANCHI_KEY_PASSPHRASE", "demo")]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let vi = stderr.lines().find(|l| l.starts_with("Lỗi:")).unwrap_or_default();
    let en = stderr.lines().find(|l| l.starts_with("error:")).unwrap_or_default();
    assert!(vi.contains("Chưa có địa chỉ máy chủ của Chi cục") && vi.contains("Gửi về Chi cục…"), "{stderr}");
    assert!(!vi.contains("anchi config"), "no terminal command for members: {vi}");
    assert!(en.contains("server.url is not set") && en.contains("anchi config set server.url"), "{stderr}");
}
