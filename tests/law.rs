//! The law as a signed pack (`docs/law-pack.md`), end to end through the command line: the
//! maintainer unpacks the law in force, changes it and builds a signed pack; stock minisign
//! and sha256sum check it; a laptop applies it, after which a new draft uses the new form
//! edition while a finalised document prints byte for byte as before; a rolled-back,
//! tampered, foreign-key, unsigned, malformed and edition-changing pack is refused with
//! nothing changed; an expired one still applies, with a warning.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anchi::app::Workspace;
use anchi::domain::{DocumentKind as K, DocumentState, Event};
use common::{anchi, anchi_with};
use uuid::Uuid;

const PASSPHRASE: (&str, &str) = ("ANCHI_LAW_KEY_PASSPHRASE", "anchi-demo-law");

fn demo_key() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/demo-law-key.key")
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "{}", text(&out));
    text(&out)
}

fn refused(out: Output, says: &str) {
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains(says), "{says:?} not in {}", text(&out));
}

/// Builds a pack from `src` with `key` as version `version`.
fn build(dir: &Path, src: &Path, key: &Path, version: u32, dates: (&str, &str), out: &Path) -> Output {
    let v = version.to_string();
    let args = ["law", "build", src.to_str().unwrap(), "--key", key.to_str().unwrap(), "--version", &v];
    let rest =
        ["--issued", dates.0, "--expires", dates.1, "--publisher", "Cục Quản lý và Phát triển thị trường trong nước"];
    let out_arg = ["--out", out.to_str().unwrap()];
    let all: Vec<&str> = args.iter().chain(&rest).chain(&out_arg).copied().collect();
    anchi_with(dir, &all, &[PASSPHRASE])
}

fn law_version(dir: &Path) -> u64 {
    let shown: serde_json::Value = serde_json::from_str(&ok(anchi(dir, &["law", "show", "--json"]))).unwrap();
    shown["version"].as_u64().unwrap()
}

/// A finalised inspection decision of the demo, printed.
fn finalised_decision(dir: &Path) -> (Uuid, Uuid, Vec<u8>) {
    let ws = Workspace::open(dir).unwrap();
    for row in ws.list_cases().unwrap() {
        let case = ws.case(row.id).unwrap();
        if let Some(d) = case.documents.iter().find(|d| d.kind == K::QdKiemTra && d.state == DocumentState::Finalised) {
            return (case.id, d.id, ws.render_document(case.id, d.id).unwrap());
        }
    }
    panic!("the demo has a finalised inspection decision")
}

/// A new case's new inspection decision, begun `days_ago`, printed as a draft; and what the
/// workspace says of its form's edition.
fn new_draft(dir: &Path, days_ago: i64) -> (String, Option<String>) {
    let ws = Workspace::open(dir).unwrap();
    let unit = ws.unit().unwrap().clone();
    let input = anchi::app::NewCase {
        name: "Hộ kinh doanh Hoàng Thị Lan".into(),
        personal_id: "020190012345".into(),
        street: "Số 5 phố Lê Lợi".into(),
        commune_code: Some(ws.reference.admin_units.communes_of(unit.province_code).next().unwrap().code),
        field: "hang-gia".into(),
        lead_member: unit.members[0].card_number.clone(),
        ..Default::default()
    };
    let case = ws.open_new_case(&input).unwrap();
    let id = Uuid::now_v7();
    let at = anchi::app::now() - chrono::Duration::days(days_ago);
    ws.apply_event(case, Event::StartDocument { id, kind: K::QdKiemTra, at }).unwrap();
    let pdf = dir.join("draft.pdf");
    std::fs::write(&pdf, ws.render_document(case, id).unwrap()).unwrap();
    let out = Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext (poppler-utils)");
    let text = String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
    let case = ws.case(case).unwrap();
    (text, ws.edition_change(case.document(id).unwrap()))
}

#[test]
fn a_signed_law_pack_reaches_a_laptop_and_only_a_good_newer_one_does() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("laptop");
    ok(anchi(&dir, &["demo", "--cases", "12"]));
    assert_eq!(law_version(&dir), 1, "the built-in law");
    let (case, doc, printed_before) = finalised_decision(&dir);

    // The maintainer starts from the law in force: a new edition of the inspection decision
    // in force from today, a holiday added, a list of what changed.
    let src = tmp.path().join("law");
    ok(anchi(&dir, &["law", "unpack", src.to_str().unwrap()]));
    let today = anchi::app::now().date();
    let old = std::fs::read_to_string(src.join("forms/2025-07-01/qd-kiem-tra.toml")).unwrap();
    let edition = old.replace("valid_from = \"2025-07-01\"", &format!("valid_from = \"{today}\"")).replace(
        "Căn cứ Nghị định số 33/2022/NĐ-CP của Chính phủ;",
        "Căn cứ Nghị định số 33/2022/NĐ-CP của Chính phủ (bản cập nhật thử);",
    );
    assert_ne!(edition, old);
    std::fs::create_dir_all(src.join(format!("forms/{today}"))).unwrap();
    std::fs::write(src.join(format!("forms/{today}/qd-kiem-tra.toml")), &edition).unwrap();
    std::fs::write(src.join("changes.txt"), "Mẫu quyết định kiểm tra: căn cứ mới\n").unwrap();
    let pack = tmp.path().join("v2.anchi-law");
    let built = ok(build(&dir, &src, &demo_key(), 2, ("2026-11-30", "2027-12-31"), &pack));
    assert!(built.contains(&format!("thêm forms/{today}/qd-kiem-tra.toml")), "{built}");

    // Anyone checks it with stock tools, as a case package.
    let bag = tmp.path().join("bag");
    ok(Command::new("python3").args(["-m", "zipfile", "-e"]).arg(&pack).arg(&bag).output().unwrap());
    let public =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/law/demo-law-key.pub")).unwrap();
    let said = ok(Command::new("minisign")
        .current_dir(&bag)
        .args(["-Vm", "tagmanifest-sha256.txt", "-P", public.lines().last().unwrap()])
        .output()
        .unwrap());
    assert!(said.contains("anchi-law-pack version 2 issued 2026-11-30"), "{said}");
    ok(Command::new("sha256sum").current_dir(&bag).args(["-c", "manifest-sha256.txt"]).output().unwrap());

    // Tampered with (one byte of a file inside), signed by another key, or not newer: refused,
    // nothing changed.
    let mut tampered = std::fs::read(&pack).unwrap();
    let at = tampered.windows(8).position(|w| w == b"[[year]]").unwrap();
    tampered[at + 2] = b'Y';
    std::fs::write(tmp.path().join("tampered.anchi-law"), &tampered).unwrap();
    refused(anchi(&dir, &["law", "import", tmp.path().join("tampered.anchi-law").to_str().unwrap()]), "đã bị thay đổi");
    let other = tmp.path().join("other");
    ok(anchi_with(&dir, &["law", "keygen", other.to_str().unwrap()], &[PASSPHRASE]));
    let foreign = tmp.path().join("foreign.anchi-law");
    ok(build(&dir, &src, &other.with_extension("key"), 2, ("2026-11-30", "2027-12-31"), &foreign));
    refused(anchi(&dir, &["law", "import", foreign.to_str().unwrap()]), "không được tin cậy");
    let resigned = tmp.path().join("resigned.anchi-law");
    let mut bytes = std::fs::read(&pack).unwrap();
    let sig = bytes.windows(9).position(|w| w == b"untrusted").unwrap();
    bytes[sig + 30] ^= 1;
    std::fs::write(&resigned, &bytes).unwrap();
    refused(anchi(&dir, &["law", "import", resigned.to_str().unwrap()]), "Gói quy định không hợp lệ");
    assert_eq!(law_version(&dir), 1, "nothing applied");

    // Applied: the law in force says so; a new draft uses the new edition; the finalised
    // decision prints byte for byte as before.
    ok(anchi(&dir, &["law", "verify", pack.to_str().unwrap()]));
    let applied = ok(anchi(&dir, &["law", "import", pack.to_str().unwrap()]));
    assert!(applied.contains("Mẫu quyết định kiểm tra: căn cứ mới"), "{applied}");
    assert_eq!(law_version(&dir), 2);
    let (printed, note) = new_draft(&dir, 0);
    assert!(printed.contains("(bản cập nhật thử)"), "a new draft takes the new edition");
    assert_eq!(note, None, "begun under the edition in force");
    // A draft begun yesterday, under the old edition, moves to the new one and says so.
    let (printed, note) = new_draft(&dir, 1);
    assert!(printed.contains("(bản cập nhật thử)"), "it prints with today's edition");
    let note = note.expect("the change is told");
    assert!(note.starts_with(&format!("Mẫu đã đổi theo quy định từ {}", today.format("%d/%m/%Y"))), "{note}");
    let ws = Workspace::open(&dir).unwrap();
    assert_eq!(ws.render_document(case, doc).unwrap(), printed_before, "a finalised document never changes");
    drop(ws);
    refused(anchi(&dir, &["law", "import", pack.to_str().unwrap()]), "không mới hơn");

    // A pack that changes an edition already in force: refused, even newer and signed.
    std::fs::write(src.join("forms/2025-07-01/qd-kiem-tra.toml"), old.replace("QUYẾT ĐỊNH", "QUYẾT ĐỊNH MỚI")).unwrap();
    let changed = tmp.path().join("v3.anchi-law");
    ok(build(&dir, &src, &demo_key(), 3, ("2026-11-30", "2027-12-31"), &changed));
    refused(anchi(&dir, &["law", "import", changed.to_str().unwrap()]), "đang dùng");
    std::fs::write(src.join("forms/2025-07-01/qd-kiem-tra.toml"), &old).unwrap();

    // A calendar that fails its own checks is refused when built.
    let calendar = std::fs::read_to_string(src.join("law/calendar.toml")).unwrap();
    std::fs::write(src.join("law/calendar.toml"), calendar.replace("2026-08-22", "2026-08-24")).unwrap();
    refused(build(&dir, &src, &demo_key(), 3, ("2026-11-30", "2027-12-31"), &changed), "law/calendar.toml");
    std::fs::write(src.join("law/calendar.toml"), &calendar).unwrap();

    // An expired pack applies (the field never stops), with a warning.
    let expired = tmp.path().join("expired.anchi-law");
    ok(build(&dir, &src, &demo_key(), 3, ("2025-01-01", "2025-12-31"), &expired));
    ok(anchi(&dir, &["law", "import", expired.to_str().unwrap()]));
    let shown = ok(anchi(&dir, &["law", "show"]));
    assert!(shown.contains("phiên bản 3") && shown.contains("quá hạn dùng ngày 31/12/2025"), "{shown}");
}

#[test]
fn a_malformed_pack_signed_with_the_law_key_is_refused_whole() {
    use anchi::package::{Info, LawInfo, Unsigned};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("laptop");
    ok(anchi(&dir, &["demo", "--cases", "3"]));
    // A well-signed bag whose deadline rules name a document that does not exist.
    let boxed = minisign::SecretKeyBox::from_string(&std::fs::read_to_string(demo_key()).unwrap()).unwrap();
    let sk = boxed.into_secret_key(Some(PASSPHRASE.1.into())).unwrap();
    let pk = minisign::PublicKey::from_secret_key(&sk).unwrap();
    let ws = Workspace::open(&dir).unwrap();
    let mut payload: Vec<(String, Vec<u8>)> =
        ws.active_law().files().iter().map(|(p, b)| (format!("data/{p}"), b.to_vec())).collect();
    drop(ws);
    let rules = payload.iter_mut().find(|(p, _)| p == "data/law/deadlines.toml").unwrap();
    rules.1 = String::from_utf8(rules.1.clone())
        .unwrap()
        .replace("start = \"bb-vi-pham\"", "start = \"bb-khong-co\"")
        .into_bytes();
    let info = LawInfo {
        version: 5,
        issued: "2026-11-30".parse().unwrap(),
        expires: "2027-12-31".parse().unwrap(),
        publisher: "thử".into(),
        key_id: anchi::package::key_id_of(pk.keynum()),
        created: chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp(), 0).unwrap(),
    };
    // Unsigned: refused.
    let bare = tmp.path().join("unsigned.anchi-law");
    std::fs::write(&bare, Unsigned::new(info.clone(), payload.clone()).unwrap().finish("")).unwrap();
    refused(anchi(&dir, &["law", "import", bare.to_str().unwrap()]), "Chữ ký của gói không hợp lệ");
    let unsigned = Unsigned::new(info, payload).unwrap();
    let signature = minisign::sign(
        None,
        &sk,
        std::io::Cursor::new(unsigned.tag_manifest().as_bytes()),
        Some(&unsigned.info.trusted_comment()),
        Some(&unsigned.info.untrusted_comment()),
    )
    .unwrap()
    .into_string();
    let bad = tmp.path().join("bad.anchi-law");
    std::fs::write(&bad, unsigned.finish(&signature)).unwrap();
    refused(anchi(&dir, &["law", "import", bad.to_str().unwrap()]), "law/deadlines.toml");
    assert_eq!(law_version(&dir), 1, "nothing applied");
}

/// A leader's decision confiscating goods worth more than twice his fine ceiling is warned
/// about (điểm c khoản 2 Điều 12 NĐ 189/2025): 30 % × 100 million × 2 = 60 million for an
/// individual's smuggled goods; a fine within the ceiling is not.
#[test]
fn confiscating_beyond_the_signers_competence_is_warned_about() {
    let tmp = tempfile::tempdir().unwrap();
    ok(anchi(tmp.path(), &["demo", "--cases", "3"]));
    let ws = Workspace::open(tmp.path()).unwrap();
    let mut case = ws.case(ws.list_cases().unwrap()[0].id).unwrap();
    case.field = "hang-nhap-lau".into();
    case.subject.kind = anchi::domain::SubjectKind::Individual;
    case.goods = vec![anchi::domain::GoodsLine {
        id: Uuid::now_v7(),
        name: "Thuốc lá điếu nhập lậu".into(),
        unit: "bao".into(),
        quantity: 4_000.0,
        origin: String::new(),
        condition: String::new(),
        note: String::new(),
        unit_price_vnd: Some(20_000),
    }];
    let at = anchi::app::now();
    let mut doc = anchi::domain::Document::draft(Uuid::now_v7(), K::QdXuPhat, at);
    doc.fields.insert("muc_phat".into(), "20.000.000".into());
    doc.fields.insert("xu_phat_bo_sung".into(), "Tịch thu tang vật vi phạm hành chính".into());
    let warned = |ws: &Workspace, case: &anchi::domain::Case, doc: &anchi::domain::Document| {
        ws.check_document(case, doc, at)
            .warnings()
            .filter(|p| p.field == "field.xu_phat_bo_sung")
            .map(|p| p.message_vi.clone())
            .collect::<Vec<_>>()
    };
    let said = warned(&ws, &case, &doc);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].contains("Tang vật trị giá 80.000.000 đồng") && said[0].contains("đến 60.000.000 đồng"),
        "{}",
        said[0]
    );
    case.goods[0].quantity = 3_000.0;
    assert!(warned(&ws, &case, &doc).is_empty(), "60 million is within");
    doc.fields.insert("xu_phat_bo_sung".into(), String::new());
    case.goods[0].quantity = 9_000.0;
    assert!(warned(&ws, &case, &doc).is_empty(), "nothing confiscated, nothing to warn");
}
