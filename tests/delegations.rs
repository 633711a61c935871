//! Giao quyền: a decision signed by a deputy (cấp phó) needs a delegation in force on its
//! date (khoản 1 Điều 54 Luật XLVPHC; NĐ 118/2021 Điều 10), refused with the reason and
//! nothing stored otherwise; once made it cites the delegation and prints "KT." over the
//! deputy's title. The register is kept by a leader, from the window's use case or the
//! command line (refusals exit 2).

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

mod common;

use std::path::Path;
use std::process::Command;

use anchi::app::{AppError, Workspace, demo::demo_unit};
use anchi::domain::delegation::{Delegation, DelegationScope};
use anchi::domain::{Address, Case, DocumentKind as K, Event, Member, Role, Subject, SubjectKind};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use uuid::Uuid;

const DEPUTY: &str = "LS-0199";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn at(date: NaiveDate) -> NaiveDateTime {
    date.and_hms_opt(9, 0, 0).unwrap()
}

/// The demo unit with a deputy head of team.
fn workspace(dir: &Path) -> Workspace {
    let mut ws = Workspace::open(dir).unwrap();
    let mut unit = demo_unit();
    unit.members.push(Member {
        full_name: "Lương Văn Phó".into(),
        title: "Phó Đội trưởng".into(),
        card_number: DEPUTY.into(),
        role: Role::Leader,
    });
    ws.set_unit(unit).unwrap();
    ws
}

/// A case with a decision without a record drafted for the deputy to sign on `date`.
fn drafted(ws: &Workspace, date: NaiveDate, kind: K) -> (Uuid, Uuid) {
    let subject = Subject::new(SubjectKind::Individual, "Hoàng Thị Mai", Address::Legacy { text: "Lạng Sơn".into() });
    let mut case = Case::open(Uuid::now_v7(), "DEMO-LS-D1", at(date) - Duration::hours(1), "hang-gia", subject);
    case.members = vec![demo_unit().members[0].card_number.clone()];
    ws.create_case(&case).unwrap();
    let id = Uuid::now_v7();
    ws.apply_event(case.id, Event::StartDocument { id, kind, at: at(date) }).unwrap();
    ws.fill_like_demo(case.id, id).unwrap();
    ws.save_field(case.id, id, "nguoi_ky", DEPUTY).unwrap();
    (case.id, id)
}

fn finalise(ws: &Workspace, case: Uuid, doc: Uuid, date: NaiveDate) -> Result<(), AppError> {
    ws.apply_event(case, Event::FinaliseDocument { id: doc, number: None, at: at(date) }).map(|_| ())
}

fn delegation(number: &str, scope: DelegationScope) -> Delegation {
    Delegation {
        number: number.into(),
        signed_on: day(2026, 1, 5),
        deputy_card: DEPUTY.into(),
        scope,
        valid_from: day(2026, 1, 5),
        valid_to: Some(day(2026, 12, 31)),
        ended_on: None,
    }
}

fn refusal_on_signer(err: AppError) -> String {
    match err {
        AppError::Invalid(report) => report
            .errors()
            .find(|p| p.field == "field.nguoi_ky")
            .map(|p| p.message_vi.clone())
            .unwrap_or_else(|| panic!("no problem on the signer: {report:?}")),
        other => panic!("expected a refusal, got {other}"),
    }
}

fn pdftotext(bytes: &[u8], dir: &Path) -> String {
    let pdf = dir.join("doc.pdf");
    std::fs::write(&pdf, bytes).unwrap();
    let out = Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext (poppler-utils)");
    String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_deputy_signs_only_under_a_delegation_in_force_and_cites_it() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let date = day(2026, 3, 2);

    // No delegation: refused beside the signer, nothing stored.
    let (case, doc) = drafted(&ws, date, K::QdXuPhatKhongLapBienBan);
    let before = ws.case(case).unwrap();
    let message = refusal_on_signer(finalise(&ws, case, doc, date).unwrap_err());
    assert!(message.contains("Lương Văn Phó là cấp phó") && message.contains("giao quyền xử phạt"), "{message}");
    assert!(message.contains("02/03/2026"), "{message}");
    assert_eq!(ws.case(case).unwrap(), before);

    // A delegation to issue inspection decisions does not cover a sanction.
    ws.add_delegation(delegation("01/QĐ-GQKT", DelegationScope::Inspection)).unwrap();
    refusal_on_signer(finalise(&ws, case, doc, date).unwrap_err());

    // With the delegation to sanction it is made, and it cites it; "KT." over the title.
    ws.add_delegation(delegation("02/QĐ-GQXP", DelegationScope::Sanction)).unwrap();
    finalise(&ws, case, doc, date).unwrap();
    let stored = ws.case(case).unwrap();
    let made = stored.document(doc).unwrap();
    assert_eq!(made.fields["so_qd_giao_quyen"], "02/QĐ-GQXP");
    assert_eq!(made.fields["ngay_qd_giao_quyen"], "05/01/2026");
    let text = pdftotext(&ws.render_document(case, doc).unwrap(), dir.path());
    assert!(
        text.contains("Căn cứ Quyết định số: 02/QĐ-GQXP ngày 05/01/2026 về việc giao quyền xử phạt vi phạm hành chính"),
        "{text}"
    );
    assert!(text.contains("KT. ĐỘI TRƯỞNG") && text.contains("PHÓ ĐỘI TRƯỞNG"), "{text}");
    assert!(text.contains("ĐỘI TRƯỞNG ĐỘI QUẢN LÝ THỊ TRƯỜNG SỐ 1"), "the authority is the head's: {text}");

    // Ended by the head's decision: later decisions are refused again; the signed one
    // still prints as it was.
    ws.end_delegation("02/QĐ-GQXP", day(2026, 6, 1)).unwrap();
    let (later_case, later) = drafted(&ws, day(2026, 6, 2), K::QdXuPhatKhongLapBienBan);
    refusal_on_signer(finalise(&ws, later_case, later, day(2026, 6, 2)).unwrap_err());
    assert_eq!(pdftotext(&ws.render_document(case, doc).unwrap(), dir.path()), text);

    // An amending decision (MQĐ38) signed by the head cites no delegation, even when the
    // giao quyền fields were filled in by hand.
    let amendment = Uuid::now_v7();
    let amend_at = at(day(2026, 6, 2));
    let with = Some(K::QdSuaDoiBoSung);
    ws.apply_event(case, Event::AmendDocument { original: doc, id: amendment, at: amend_at, with }).unwrap();
    ws.fill_like_demo(case, amendment).unwrap();
    let head = demo_unit().leader().unwrap().card_number.clone();
    ws.save_field(case, amendment, "nguoi_ky", &head).unwrap();
    ws.save_field(case, amendment, "so_qd_giao_quyen", "02/QĐ-GQXP").unwrap();
    let form = ws.catalog.form(K::QdSuaDoiBoSung, day(2026, 6, 2)).clone();
    for field in form.fields.iter().filter(|f| f.required) {
        let current = ws.case(case).unwrap().document(amendment).unwrap().fields.get(&field.id).cloned();
        if current.is_none_or(|v| v.trim().is_empty()) {
            ws.save_field(case, amendment, &field.id, "Nội dung sửa đổi").unwrap();
        }
    }
    finalise(&ws, case, amendment, day(2026, 6, 2)).unwrap();
    let amended = ws.case(case).unwrap();
    let citation = amended.document(amendment).unwrap().fields.get("so_qd_giao_quyen").cloned().unwrap_or_default();
    assert_eq!(citation, "", "no stale citation");

    // The head of team needs none.
    let (head_case, head_doc) = drafted(&ws, day(2026, 6, 2), K::QdXuPhatKhongLapBienBan);
    ws.save_field(head_case, head_doc, "nguoi_ky", &head).unwrap();
    finalise(&ws, head_case, head_doc, day(2026, 6, 2)).unwrap();
}

#[test]
fn the_register_refuses_what_the_law_does_not_allow() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let not_deputy = Delegation {
        deputy_card: demo_unit().members[0].card_number.clone(),
        ..delegation("03/QĐ-GQXP", DelegationScope::Sanction)
    };
    assert!(matches!(ws.add_delegation(not_deputy), Err(AppError::Delegation(_))));
    ws.add_delegation(delegation("03/QĐ-GQXP", DelegationScope::Sanction)).unwrap();
    let again = ws.add_delegation(delegation("03/QĐ-GQXP", DelegationScope::Sanction));
    assert!(matches!(again, Err(AppError::Delegation(_))), "the same number twice");
    let backwards =
        Delegation { valid_to: Some(day(2025, 1, 1)), ..delegation("04/QĐ-GQXP", DelegationScope::Sanction) };
    assert!(matches!(ws.add_delegation(backwards), Err(AppError::Delegation(_))));
    // Its number is printed on the deputy's decisions: the fonts must draw it.
    let unprintable = ws.add_delegation(delegation("05/QĐ-GQXP ✔", DelegationScope::Sanction));
    let Err(AppError::Invalid(report)) = unprintable else { panic!("{unprintable:?}") };
    let problem = report.errors().next().unwrap();
    assert_eq!(problem.field, "delegation.number");
    assert!(problem.message_vi.contains("“✔” (U+2714)"), "{report}");
    assert_eq!(ws.delegations().unwrap().len(), 1, "nothing stored on refusal");
}

#[test]
fn the_command_line_keeps_the_register_and_refuses_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    drop(workspace(dir.path()));
    let anchi = |args: &[&str]| common::anchi(dir.path(), args);
    let add = ["delegation", "add", "--number", "05/QĐ-GQXP", "--signed", "2026-01-05", "--card", DEPUTY];
    let out = anchi(&add);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = anchi(&add);
    assert_eq!(out.status.code(), Some(2), "the same number again is refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("đã có trong sổ"));
    let out = anchi(&["delegation", "add", "--number", "06/QĐ-GQXP", "--signed", "2026-01-05", "--card", "NOBODY"]);
    assert_eq!(out.status.code(), Some(2));
    let out =
        anchi(&["delegation", "add", "--number", "07", "--signed", "2026-01-05", "--card", DEPUTY, "--scope", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let out = anchi(&["delegation", "list", "--json"]);
    let list: Vec<Delegation> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(anchi(&["delegation", "end", "05/QĐ-GQXP", "--on", "2026-06-01"]).status.code(), Some(0));
    assert_eq!(anchi(&["delegation", "end", "99/QĐ-GQXP", "--on", "2026-06-01"]).status.code(), Some(2));
}

#[test]
fn only_the_head_delegates_and_only_the_signer_finalises() {
    let dir = tempfile::tempdir().unwrap();
    let profile = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/setup-profile.example.toml");
    let parsed = anchi::app::setup::Profile::read(Path::new(profile)).unwrap();
    let chosen = [("LS-0201".to_string(), "hung-mat-khau".to_string())].into_iter().collect();
    let mut ws = Workspace::open(dir.path()).unwrap();
    ws.init_from_profile(&parsed, dir.path(), "mat-khau-doi-2", &chosen).unwrap();
    ws.sign_in("LS-0201", "hung-mat-khau").unwrap();
    let deputy = Member {
        full_name: "Lương Văn Phó".into(),
        title: "Phó Đội trưởng".into(),
        card_number: "LS-0209".into(),
        role: Role::Leader,
    };
    let temporary = ws.add_member(deputy).unwrap();

    // The deputy cannot give himself a delegation.
    ws.sign_in("LS-0209", &temporary).unwrap();
    let own = Delegation { deputy_card: "LS-0209".into(), ..delegation("08/QĐ-GQXP", DelegationScope::Sanction) };
    let refused = ws.add_delegation(own.clone()).unwrap_err();
    assert!(anchi::domain::Bilingual::vi(&refused).contains("chỉ cấp trưởng"), "{refused}");
    assert!(ws.delegations().unwrap().is_empty());

    // A case and an on-the-spot decision drafted by the deputy: he is its signer by default.
    ws.sign_in("LS-0201", "hung-mat-khau").unwrap();
    let commune = ws.reference.admin_units.communes_of(20).next().unwrap().code;
    let input = anchi::app::NewCase {
        name: "Hộ kinh doanh Nông Thị Mai".into(),
        personal_id: "020090004321".into(),
        street: "Chợ Đông Kinh".into(),
        commune_code: Some(commune),
        field: "hang-gia".into(),
        lead_member: "LS-0201".into(),
        ..Default::default()
    };
    let case = ws.open_new_case(&input).unwrap();
    ws.sign_in("LS-0209", &temporary).unwrap();
    let now = anchi::app::now();
    let doc = Uuid::now_v7();
    ws.apply_event(case, Event::StartDocument { id: doc, kind: K::QdXuPhatKhongLapBienBan, at: now }).unwrap();
    ws.fill_like_demo(case, doc).unwrap();
    let draft = ws.case(case).unwrap();
    assert_eq!(draft.document(doc).unwrap().fields["nguoi_ky"], "LS-0209", "the signed-in leader signs");

    // The head records the delegation; the head may not finalise what the deputy signs.
    ws.sign_in("LS-0201", "hung-mat-khau").unwrap();
    let term = Delegation { valid_from: now.date(), valid_to: None, signed_on: now.date(), ..own };
    ws.add_delegation(term).unwrap();
    let message = refusal_on_signer(
        ws.apply_event(case, Event::FinaliseDocument { id: doc, number: None, at: now }).map(|_| ()).unwrap_err(),
    );
    assert!(message.contains("Chỉ người ký quyết định (Lương Văn Phó)"), "{message}");
    // The deputy does, under the delegation.
    ws.sign_in("LS-0209", &temporary).unwrap();
    ws.apply_event(case, Event::FinaliseDocument { id: doc, number: None, at: now }).unwrap();
    assert_eq!(ws.case(case).unwrap().document(doc).unwrap().fields["so_qd_giao_quyen"], "08/QĐ-GQXP");
}

#[test]
fn an_inspector_has_no_competence_to_sign_a_decision() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let date = day(2026, 3, 2);
    let (case, doc) = drafted(&ws, date, K::QdXuPhatKhongLapBienBan);
    let inspector = demo_unit().members.into_iter().find(|m| m.role == Role::Inspector).unwrap();
    ws.save_field(case, doc, "nguoi_ky", &inspector.card_number).unwrap();
    let message = refusal_on_signer(finalise(&ws, case, doc, date).unwrap_err());
    assert!(message.contains("không có thẩm quyền ký quyết định"), "{message}");
}

/// The decision giving a deputy the competence to sanction is printed from the register as
/// its gazetted form, MQĐ34: every fixed sentence in order, the deputy, the term and the
/// head's signature; a delegation to issue inspection decisions is no MQĐ34 (exit 2).
#[test]
fn a_delegation_to_sanction_prints_as_its_gazetted_form() {
    let dir = tempfile::tempdir().unwrap();
    drop(workspace(dir.path()));
    let anchi = |args: &[&str]| common::anchi(dir.path(), args);
    let add = |number: &str, scope: &str| {
        let args =
            ["delegation", "add", "--number", number, "--signed", "2026-01-05", "--card", DEPUTY, "--scope", scope];
        let out = anchi(&[&args[..], &["--until", "2026-12-31"]].concat());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    add("05/QĐ-GQXP", "xu-phat");
    add("06/QĐ-GQKT", "kiem-tra");
    let pdf = dir.path().join("giao-quyen.pdf");
    let basis = "Quyết định số 12/QĐ-SCT ngày 02/7/2025 của Giám đốc Sở Công Thương";
    let out = anchi(&["delegation", "print", "05/QĐ-GQXP", "--out", pdf.to_str().unwrap(), "--basis", basis]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = pdftotext(&std::fs::read(&pdf).unwrap(), dir.path());
    let data = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gazetted/MQD34.txt")).unwrap();
    let mut rest = text.as_str();
    for fragment in data.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let fragment = fragment.split_whitespace().collect::<Vec<_>>().join(" ");
        let at = rest.find(&fragment).unwrap_or_else(|| panic!("{fragment:?} missing or out of order in: {text}"));
        rest = &rest[at + fragment.len()..];
    }
    for filled in [
        "Số: 05/QĐ-GQXP",
        "ngày 05 tháng 01 năm 2026",
        "ĐỘI TRƯỞNG ĐỘI QUẢN LÝ THỊ TRƯỜNG SỐ 1",
        &format!("Căn cứ {basis} quy định chức năng"),
        "Họ và tên: Lương Văn Phó",
        "Chức vụ: Phó Đội trưởng",
        "2. Phạm vi giao quyền: Thường xuyên",
        "4. Thời hạn giao quyền: từ ngày 05/01/2026 đến ngày 31/12/2026",
        "kể từ ngày 05/01/2026",
    ] {
        assert!(text.contains(filled), "{filled:?} not printed: {text}");
    }
    let head = demo_unit().leader().unwrap().full_name.clone();
    assert!(text.contains(&head), "signed by the head {head}: {text}");

    for number in ["06/QĐ-GQKT", "99/QĐ-GQXP"] {
        let other = dir.path().join("khac.pdf");
        let out = anchi(&["delegation", "print", number, "--out", other.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{number}");
        assert!(!String::from_utf8_lossy(&out.stderr).trim().is_empty());
        assert!(!other.exists(), "nothing written for {number}");
    }
}
