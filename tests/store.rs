//! The redb store on real files: records round-trip, the journal detects tampering, a
//! damaged, locked or newer file gives a clear error, old files open, and a refused change
//! leaves everything as it was.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::path::Path;

use anchi::app::Workspace;
use anchi::domain::{
    Address, Case, Closure, DocumentKind as K, Event, Gender, GoodsLine, PersonalId, PhoneNumber, Stage, Subject,
    SubjectKind, TaxCode,
};
use anchi::store::{CURRENT_SCHEMA, DB_FILE, OpenError, Store, StoreError};
use chrono::{NaiveDate, NaiveDateTime};
use redb::{ReadableDatabase, ReadableTable};
use uuid::Uuid;

fn at(d: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap().and_hms_opt(h, 0, 0).unwrap()
}

/// A case with every optional part filled, so a serde attribute that postcard cannot
/// read back (skipped fields, internal tags) fails here.
fn full_case() -> Case {
    let subject = Subject {
        kind: SubjectKind::HouseholdBusiness,
        name: "Hộ kinh doanh Đặng Thị Hường".into(),
        tax_code: Some(TaxCode::try_from("0100109106-001").unwrap()),
        registration_number: Some("14A8001234".into()),
        personal_id: Some(PersonalId::try_from("020185012345").unwrap()),
        old_id_card: None,
        date_of_birth: NaiveDate::from_ymd_opt(1985, 5, 1),
        gender: Some(Gender::Female),
        phone: Some(PhoneNumber::try_from("0912345678").unwrap()),
        representative: Some("Đặng Thị Hường".into()),
        representative_title: Some("Chủ hộ".into()),
        address: Address::Coded { street: "Số 5 Lê Lợi".into(), commune_code: 70, province_code: 1 },
    };
    let mut case = Case::open(Uuid::now_v7(), "T", at(2, 8), "hang-gia", subject);
    case.members = vec!["LS-0101".into()];
    case.goods.push(GoodsLine {
        id: Uuid::now_v7(),
        name: "Túi xách".into(),
        unit: "chiếc".into(),
        quantity: 2.5,
        origin: "Không rõ".into(),
        condition: "Mới".into(),
        note: "ghi chú".into(),
        unit_price_vnd: Some(100_000),
    });
    case.closure = Some(Closure::Cancelled { at: at(3, 9), reason: "lý do".into() });
    case.fine_vnd = Some(5_000_000);
    case
}

#[test]
fn a_full_case_round_trips_through_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let case = full_case();
    {
        let ws = Workspace::open(dir.path()).unwrap();
        ws.create_case(&case).unwrap();
    }
    let ws = Workspace::open(dir.path()).unwrap();
    assert_eq!(ws.case(case.id).unwrap(), case);
    let list = ws.list_cases().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].stage, Stage::DaHuy);
    assert!(list[0].matches("dang thi huong"));
    assert!(list[0].matches("0100109106001"));
}

/// A fresh workspace holding one open case (no documents yet).
fn workspace_with_open_case() -> (tempfile::TempDir, Workspace, Case) {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(dir.path()).unwrap();
    // Decisions name their signer, the unit's leader by default.
    let mut unit = anchi::app::demo::demo_unit();
    unit.names.iter_mut().for_each(|n| n.abbreviation.clear());
    ws.set_unit(unit).unwrap();
    let case = Case { closure: None, ..full_case() };
    ws.create_case(&case).unwrap();
    (dir, ws, case)
}

#[test]
fn numbers_are_never_reused_and_cancellations_are_recorded() {
    let (_dir, ws, case) = workspace_with_open_case();
    let finalise_new = |kind| {
        let id = Uuid::now_v7();
        ws.apply_event(case.id, Event::StartDocument { id, kind, at: at(4, 8) }).unwrap();
        for (field, value) in [("noi_dung", "Nhãn hàng hóa"), ("thoi_han", "03 ngày"), ("can_cu", "Kế hoạch năm")]
        {
            ws.save_field(case.id, id, field, value).unwrap();
        }
        let (case, _) = ws.apply_event(case.id, Event::FinaliseDocument { id, number: None, at: at(4, 9) }).unwrap();
        case.document(id).unwrap().clone()
    };
    let first = finalise_new(K::QdKiemTra);
    assert_eq!(first.number.as_ref().unwrap().to_string(), "1/QĐ-KT");
    let reason = "ghi sai tên đối tượng".to_string();
    ws.apply_event(case.id, Event::CancelDocument { id: first.id, reason, at: at(4, 10) }).unwrap();
    let second = finalise_new(K::QdKiemTra);
    assert_eq!(second.number.as_ref().unwrap().seq, 2, "a cancelled number is not given out again");
    let used = ws.number_use(first.number.as_ref().unwrap()).unwrap().unwrap();
    assert!(used.cancelled);
    assert_eq!(used.document_id, first.id);
    assert!(!ws.number_use(second.number.as_ref().unwrap()).unwrap().unwrap().cancelled);
    assert!(ws.audit_verify().unwrap().first_broken.is_none());
}

#[test]
fn a_refused_change_stores_nothing() {
    let (_dir, ws, case) = workspace_with_open_case();
    let before = ws.audit_verify().unwrap().entries;
    let err = ws.apply_event(case.id, Event::StartDocument { id: Uuid::now_v7(), kind: K::QdXuPhat, at: at(4, 8) });
    assert!(err.is_err());
    assert_eq!(ws.case(case.id).unwrap(), case);
    assert_eq!(ws.audit_verify().unwrap().entries, before);
}

/// Rewrites the first value of a table in the raw redb file, as someone with the file
/// and a redb library could. `$key` is the table's key type. Gives the row's key.
macro_rules! tamper_first {
    ($path:expr, $key:ty, $table:expr, $edit:expr) => {{
        let db = redb::Database::open($path).unwrap();
        let tx = db.begin_write().unwrap();
        let key = {
            let def: redb::TableDefinition<$key, &[u8]> = redb::TableDefinition::new($table);
            let mut table = tx.open_table(def).unwrap();
            let (key, mut value) = {
                let (k, v) = table.first().unwrap().unwrap();
                (k.value(), v.value().to_vec())
            };
            let edit: fn(&mut Vec<u8>) = $edit;
            edit(&mut value);
            table.insert(key, value.as_slice()).unwrap();
            key
        };
        tx.commit().unwrap();
        key
    }};
}

fn demo_dir(cases: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    Workspace::open(dir.path()).unwrap().make_demo(cases, 3).unwrap();
    dir
}

#[test]
fn the_journal_detects_an_edited_case() {
    let dir = demo_dir(5);
    assert!(Workspace::open(dir.path()).unwrap().audit_verify().unwrap().first_broken.is_none());
    // Flip one bit in the middle of the stored case, as an edit of a name or amount would.
    tamper_first!(&dir.path().join(DB_FILE), u128, "cases", |v| {
        let i = v.len() / 2;
        v[i] ^= 0x01;
    });
    let report = Workspace::open(dir.path()).unwrap().audit_verify().unwrap();
    let broken = report.first_broken.expect("tampering must be found");
    assert!(broken.reason.contains("differs from what journal entry"), "{}", broken.reason);
}

#[test]
fn the_journal_detects_an_edited_entry() {
    // The entries since the journal's last 64 are in a table of their own (a small demo's
    // are all there), the others in the main one: an edit is found in either.
    for (cases, table) in [(3, "journal_recent"), (30, "journal")] {
        let dir = demo_dir(cases);
        // The last byte of an entry is part of its hash: flipping it breaks the entry.
        let seq = tamper_first!(&dir.path().join(DB_FILE), u64, table, |v| *v.last_mut().unwrap() ^= 0xff);
        let report = Workspace::open(dir.path()).unwrap().audit_verify().unwrap();
        let broken = report.first_broken.expect("tampering must be found");
        assert_eq!(broken.seq, seq, "{table}: {}", broken.reason);
    }
}

#[test]
fn a_damaged_file_is_a_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    std::fs::write(&path, b"this is not a database, just some bytes that a broken copy left").unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, OpenError::Corrupt { .. }), "{err}");
    // A real database cut in half, as a failed copy to a USB stick would leave it.
    let dir = demo_dir(30);
    let path = dir.path().join(DB_FILE);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    match Store::open(&path) {
        Err(OpenError::Corrupt { .. }) => {}
        Err(other) => panic!("expected Corrupt, got {other}"),
        // redb may repair a file whose lost half held no live data; then the journal must still verify.
        Ok(store) => assert!(store.verify_journal().map(|r| r.first_broken.is_none()).unwrap_or(true)),
    }
}

#[test]
fn a_file_in_use_is_reported_as_locked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    let _first = Store::open(&path).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, OpenError::Locked { .. }), "{err}");
}

/// A store opened for reading reads everything and refuses every change (a fault of the
/// program, never a member's doing), leaving the file as it was; a file that cannot be read
/// so (older schema, newer schema, never made) is opened as for writing.
#[test]
fn a_store_opened_for_reading_refuses_changes_and_falls_back_where_it_cannot_read() {
    let dir = demo_dir(5);
    let path = dir.path().join(DB_FILE);
    let before = std::fs::read(&path).unwrap();
    {
        let mut store = Store::open_for_reading(&path).unwrap();
        assert!(store.is_read_only());
        assert_eq!(store.summaries().unwrap().len(), 5);
        assert!(store.verify_journal().unwrap().first_broken.is_none());
        let refused = store.write("test", |w| w.put_meta("x", &1u32, "test.put"));
        assert!(matches!(refused, Err(StoreError::ReadOnly)), "{refused:?}");
        assert!(matches!(store.compact(), Err(StoreError::ReadOnly)));
        // The window (a writer) cannot open it meanwhile, as with any other holder.
        assert!(matches!(Store::open(&path), Err(OpenError::Locked { .. })));
    }
    assert!(std::fs::read(&path).unwrap() == before);

    // Older schema: migrated, as Workspace::open does.
    let old = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-v1.redb");
    std::fs::copy(&fixture, old.path().join(DB_FILE)).unwrap();
    let ws = Workspace::open_for_reading(old.path()).unwrap();
    assert!(!ws.is_read_only());
    assert_eq!(ws.case_count().unwrap(), 20);
    assert_eq!(Store::open_for_reading(&old.path().join(DB_FILE)).map(|s| s.is_read_only()).ok(), None, "held");
    drop(ws);
    let store = Store::open_for_reading(&old.path().join(DB_FILE)).unwrap();
    assert!(store.is_read_only(), "migrated and closed: now read-only");
    assert_eq!(store.schema_version().unwrap(), CURRENT_SCHEMA);
    drop(store);

    // Newer schema: refused, as by Store::open.
    {
        let store = Store::open(&path).unwrap();
        store.write("test", |w| w.put_meta("schema_version", &(CURRENT_SCHEMA + 1), "test.bump")).unwrap();
    }
    let err = Store::open_for_reading(&path).unwrap_err();
    assert!(matches!(err, OpenError::NewerSchema { .. }), "{err}");

    // No file yet: made, as by Store::open.
    let empty = tempfile::tempdir().unwrap();
    let store = Store::open_for_reading(&empty.path().join(DB_FILE)).unwrap();
    assert!(!store.is_read_only());
    assert_eq!(store.schema_version().unwrap(), CURRENT_SCHEMA);
}

#[test]
fn a_newer_schema_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    {
        let store = Store::open(&path).unwrap();
        store.write("test", |w| w.put_meta("schema_version", &(CURRENT_SCHEMA + 1), "test.bump")).unwrap();
    }
    for _ in 0..2 {
        // Refused both times: the first refusal did not "migrate" the file down.
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, OpenError::NewerSchema { found, .. } if found == CURRENT_SCHEMA + 1), "{err}");
    }
}

#[test]
fn the_first_schema_fixture_opens_and_migrates() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-v1.redb");
    std::fs::copy(&fixture, dir.path().join(DB_FILE)).unwrap();
    let ws = Workspace::open(dir.path()).unwrap();
    assert_eq!(ws.case_count().unwrap(), 20);
    assert!(ws.unit().unwrap().demo);
    let report = ws.audit_verify().unwrap();
    assert!(report.first_broken.is_none(), "{:?}", report.first_broken);
    assert_eq!(report.cases_checked, 20);
    for summary in ws.list_cases().unwrap() {
        assert_eq!(ws.case(summary.id).unwrap().id, summary.id);
        // Schema 2's journal index was built from the old journal: every case has its history.
        let history = ws.history(summary.id).unwrap();
        assert_eq!(history.first().map(|e| e.action.as_str()), Some("demo.create"));
        assert!(history.iter().all(|e| e.case_id == Some(summary.id)));
    }
    // A change after the migration is journaled and found in its case's history.
    let cancelled = ws.list_cases().unwrap().iter().map(|s| s.id).find(|id| {
        let before = ws.history(*id).unwrap().len();
        let cancel = Event::CancelCase { reason: "kiểm thử".into(), at: at(5, 8) };
        ws.apply_event(*id, cancel).is_ok() && {
            assert_eq!(ws.history(*id).unwrap().len(), before + 1);
            true
        }
    });
    assert!(cancelled.is_some(), "some case of the fixture can be cancelled");
    let report = ws.audit_verify().unwrap();
    assert!(report.first_broken.is_none(), "{:?}", report.first_broken);
    // The raw file says which schema it is now.
    drop(ws);
    let db = redb::Database::open(dir.path().join(DB_FILE)).unwrap();
    let tx = db.begin_read().unwrap();
    let meta: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");
    let table = tx.open_table(meta).unwrap();
    let version = table.get("schema_version").unwrap().unwrap();
    let bytes = version.value();
    assert_eq!(bytes[0], 1, "record version byte");
    assert_eq!(postcard::from_bytes::<u32>(&bytes[1..]).unwrap(), CURRENT_SCHEMA);
}

#[cfg(unix)]
#[test]
fn the_database_backups_and_packages_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("anchi-data");
    let mut ws = Workspace::open(&dir).unwrap();
    assert_eq!(mode(&dir.join(anchi::store::DB_FILE)), 0o600, "the database holds the signing key");
    assert_eq!(mode(&dir), 0o700, "a data folder made by anchi is its owner's alone");
    ws.make_demo(3, 1).unwrap();
    let backup = tmp.path().join("sao-luu.anchi-backup");
    ws.backup(&backup, "mat-khau-sao-luu-dai").unwrap();
    assert_eq!(mode(&backup), 0o600);
    let case = ws.list_cases().unwrap().into_iter().find(|c| c.documents_finalised > 0).unwrap().id;
    let out = tmp.path().join("goi.anchi");
    let exported = ws.export_package_to(case, anchi::app::keys::DEMO_PASSPHRASE, None, &out, &|_| {}).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), exported.bytes);
    assert_eq!(mode(&out), 0o600);
    assert!(!tmp.path().join("goi.anchi.part").exists());
    // A folder the user chose keeps its own mode.
    let chosen = tmp.path().join("chosen");
    std::fs::create_dir(&chosen).unwrap();
    std::fs::set_permissions(&chosen, std::fs::Permissions::from_mode(0o755)).unwrap();
    drop(Workspace::open(&chosen).unwrap());
    assert_eq!(mode(&chosen), 0o755);
}

#[test]
fn a_long_list_is_read_whole_and_in_order_on_two_threads() {
    // From 4,096 rows on, the list is decoded from both ends of the table at once: every
    // row must come back once, in id order, as one thread would read them.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join(DB_FILE)).unwrap();
    let mut ids = Vec::new();
    store
        .write("test", |w| -> Result<(), anchi::store::StoreError> {
            for i in 0..4_321u32 {
                let mut case = full_case();
                case.id = Uuid::from_u128(u128::from(i) * 7_919 + 1);
                case.subject.name = format!("Hộ kinh doanh số {i}");
                ids.push(case.id);
                w.put_case(&case, "test")?;
            }
            Ok(())
        })
        .unwrap();
    ids.sort();
    let rows = store.summaries().unwrap();
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), ids);
    let numbered =
        |r: &anchi::domain::CaseSummary| r.subject_name == format!("Hộ kinh doanh số {}", (r.id.as_u128() - 1) / 7_919);
    assert!(rows.iter().all(numbered), "each row is its own case's");
}
