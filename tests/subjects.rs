//! Subject warnings where an inspector needs them: the new-case dialog, the case screen,
//! the sanction decision's wizard (tái phạm offered as an aggravating circumstance), the
//! case list, and the command line — over the demo data in a real redb file.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use anchi::app::warnings::{Badge, Source, WarningKind, list_badges};
use anchi::app::{NewCase, Workspace};
use anchi::domain::summary::SanctionFact;
use anchi::domain::{Address, CaseSummary, DocumentKind as K, Event};
use anchi::ui::AnchiApp;
use anchi::ui::command::Command;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use uuid::Uuid;

mod common;

fn harness(dir: &std::path::Path) -> Harness<'static, AnchiApp> {
    common::window(dir, egui::vec2(1280.0, 900.0))
}

/// A demo case whose subject has an identifier and was sanctioned in the last ten months,
/// with that sanction.
fn recently_sanctioned(ws: &Workspace) -> (CaseSummary, SanctionFact) {
    let since = anchi::app::now().date() - chrono::Duration::days(300);
    ws.rows_with_facts()
        .unwrap()
        .into_iter()
        .find_map(|(r, f)| {
            let s = f.sanctions.iter().find(|s| s.decided_on > since && !s.warning_only)?.clone();
            r.subject_identifier.is_some().then_some((r, s))
        })
        .expect("the demo has a recent sanction")
}

/// What the new-case dialog would hold for the subject of `case`, typed the same way.
fn same_subject(ws: &Workspace, case: Uuid) -> NewCase {
    let case = ws.case(case).unwrap();
    let s = &case.subject;
    let (street, commune) = match &s.address {
        Address::Coded { street, commune_code, .. } => (street.clone(), Some(*commune_code)),
        Address::Legacy { text } => (text.clone(), None),
    };
    NewCase {
        kind: s.kind,
        name: s.name.clone(),
        tax_code: s.tax_code.as_ref().map(|t| t.as_str().to_string()).unwrap_or_default(),
        personal_id: s.personal_id.as_ref().map(|p| p.as_str().to_string()).unwrap_or_default(),
        representative: s.representative.clone().unwrap_or_default(),
        street,
        commune_code: commune,
        field: case.field.clone(),
        lead_member: ws.unit().unwrap().members[0].card_number.clone(),
        ..NewCase::default()
    }
}

/// Opens the new case of the same subject with the same goods as `earlier` (so that the
/// demo fills its record with the same act of the catalogue).
fn same_case_again(ws: &Workspace, earlier: Uuid) -> Uuid {
    let case = ws.open_new_case(&same_subject(ws, earlier)).unwrap();
    let goods: Vec<anchi::app::goods::GoodsInput> =
        ws.case(earlier).unwrap().goods.iter().map(anchi::app::goods::GoodsInput::of).collect();
    ws.save_goods(case, &goods).unwrap();
    case
}

/// Starts a document of `kind`, fills it as the demo would, and finalises it unless `draft`.
fn document(ws: &Workspace, case: Uuid, kind: K, draft: bool) -> Uuid {
    let id = Uuid::now_v7();
    ws.apply_event(case, Event::StartDocument { id, kind, at: anchi::app::now() }).unwrap();
    ws.fill_like_demo(case, id).unwrap();
    if !draft {
        ws.apply_event(case, Event::FinaliseDocument { id, number: None, at: anchi::app::now() }).unwrap();
    }
    id
}

#[test]
fn a_repeat_offence_is_shown_and_offered_as_an_aggravating_circumstance() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    let (earlier, sanction) = recently_sanctioned(h.state().workspace());

    // The inspector starts a new case and types the subject's tax code or ID: the earlier
    // case shows up in the dialog before the case exists.
    let input = same_subject(h.state().workspace(), earlier.id);
    h.state_mut().execute(Command::NewCaseDialog);
    h.run();
    let (label, typed) = if input.tax_code.is_empty() {
        ("Số định danh cá nhân", input.personal_id.clone())
    } else {
        ("Mã số thuế", input.tax_code.clone())
    };
    if input.tax_code.is_empty() {
        // The personal ID field is there for households and individuals (the default kind).
        assert_ne!(input.kind, anchi::domain::SubjectKind::Organisation);
    } else {
        h.get_by_label("Tổ chức").click();
        h.run();
    }
    h.get_by_label(label).focus();
    h.run();
    h.get_by_label(label).type_text(&typed);
    // The warnings appear in a scroll area that scrolls them into view over a few frames.
    h.run_steps(8);
    h.get_by_label_contains("Cảnh báo về đối tượng");
    let date = earlier.opened_at.format("%d/%m/%Y").to_string();
    h.get_by_label_contains(&format!("Có vụ việc khác ngày {date}"));
    h.state_mut().execute(Command::CloseDialog);

    // The new case reaches its violation record for the same act, then the sanction decision.
    let ws = h.state().workspace();
    let case = same_case_again(ws, earlier.id);
    for kind in [K::QdKiemTra, K::BbKiemTra, K::BbViPham] {
        document(ws, case, kind, false);
    }
    let report = ws.case_warnings(case).unwrap();
    let repeat = report.warnings.iter().find(|w| w.kind == WarningKind::RepeatOffence).expect("tái phạm found");
    assert_eq!(repeat.source, Source::ThisLaptop);
    assert_eq!(repeat.on, Some(sanction.decided_on));
    assert_eq!(repeat.other_case, Some(earlier.id));
    let decision = document(ws, case, K::QdXuPhat, true);

    // The case screen says it, with the reason.
    h.state_mut().execute(Command::OpenCase(case));
    h.run();
    h.get_by_label_contains("TÁI PHẠM: đã bị xử phạt theo Quyết định");

    // The decision's wizard offers it as an aggravating circumstance; one click adds it.
    h.state_mut().execute(Command::OpenDocument { case, document: decision });
    h.run();
    h.get_by_label_contains("TÁI PHẠM: đã bị xử phạt theo Quyết định");
    h.get_by_label_contains("vào tình tiết tăng nặng").click();
    h.run();
    assert!(h.query_by_label_contains("Thêm “Tái phạm").is_none(), "offered once only");
    h.state_mut().execute(Command::OpenCase(case));
    h.run();
    let stored = h.state().workspace().case(case).unwrap();
    let field = stored.document(decision).unwrap().fields.get("tinh_tiet_tang_nang").cloned().unwrap_or_default();
    let expected = format!("Tái phạm (đã bị xử phạt ngày {}", sanction.decided_on.format("%d/%m/%Y"));
    assert!(field.starts_with(&expected), "{field:?}");
    assert!(common::on_case(&h));
}

#[test]
fn the_case_list_marks_repeat_offenders() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    let ws = h.state().workspace();
    let (earlier, _) = recently_sanctioned(ws);
    let case = same_case_again(ws, earlier.id);
    for kind in [K::QdKiemTra, K::BbKiemTra, K::BbViPham] {
        document(ws, case, kind, false);
    }
    h.state_mut().execute(Command::ShowList);
    h.run();
    let rows = h.state_mut().list().rows.clone();
    let badges = list_badges(&rows, &[]);

    assert_eq!(badges.get(&case), Some(&Badge::Repeat));
    // The inspector searches the subject's identifier: each of its cases that repeats an
    // act still in its window is marked, the new one among them.
    let id = earlier.subject_identifier.clone().unwrap();
    let same: Vec<&CaseSummary> =
        rows.iter().filter(|r| r.subject_identifier.as_deref() == Some(id.as_str())).collect();
    let marked = same.iter().filter(|r| badges.get(&r.id) == Some(&Badge::Repeat)).count();
    h.get_by_label("Tìm kiếm").focus();
    h.run();
    h.get_by_label("Tìm kiếm").type_text(&id);
    h.run();
    h.get_by_label(&format!("{} / {} vụ việc", same.len(), rows.len()));
    assert_eq!(h.query_all_by_label("TÁI PHẠM").count(), marked);
    assert!(h.query_all_by_label_contains("vụ trước").count() >= same.len() - marked - 1);
}

#[test]
fn subject_find_and_case_show_give_the_warnings_with_their_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_anchi");
    let data = dir.path().to_str().unwrap();
    let run = |args: &[&str]| std::process::Command::new(bin).args(["--data-dir", data]).args(args).output().unwrap();
    assert!(run(&["demo", "--cases", "300"]).status.success());
    let ws = Workspace::open(dir.path()).unwrap();
    let rows = ws.list_cases().unwrap();
    let twice = rows
        .iter()
        .find(|r| {
            r.subject_identifier.as_deref().is_some_and(|id| id.len() == 10)
                && rows.iter().filter(|o| o.subject_identifier == r.subject_identifier).count() > 1
        })
        .expect("a company inspected twice");
    let tax = twice.subject_identifier.clone().unwrap();
    drop(ws);

    let spaced = format!("{} {} {}", &tax[..3], &tax[3..6], &tax[6..]);
    let out = run(&["subject", "find", "--tax-code", &spaced, "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let warnings = report["warnings"].as_array().unwrap();
    assert!(warnings.len() >= 2, "{report:#}");
    for w in warnings {
        assert_eq!(w["kind"], "earlier_case");
        assert_eq!(w["reason_vi"], "cùng mã số thuế");
        assert_eq!(w["source"], "this_laptop");
    }
    assert!(report["index"].is_null(), "no index fetched yet");

    let out = run(&["case", "show", &twice.id.to_string(), "--json"]);
    let view: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let warnings = view["warnings"]["warnings"].as_array().unwrap();
    assert!(warnings.iter().any(|w| w["reason_en"] == "same tax code"), "{view:#}");
    assert!(warnings.iter().all(|w| w["other_case"] != twice.id.to_string()), "not its own earlier case");

    // The name typed another way finds it too (same province by default).
    let name = anchi::domain::text::fold(&twice.subject_name).to_uppercase().replace("CONG TY", "CTY");
    let out = run(&["subject", "find", "--name", &name]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Có vụ việc khác ngày"), "{text}");

    let out = run(&["subject", "find"]);
    assert_eq!(out.status.code(), Some(2), "a search for nobody is refused");
}

#[test]
fn a_leader_merges_two_records_of_one_subject_and_it_is_journalled() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_anchi");
    let data = dir.path().to_str().unwrap();
    let run = |args: &[&str]| std::process::Command::new(bin).args(["--data-dir", data]).args(args).output().unwrap();
    assert!(run(&["demo", "--cases", "120"]).status.success());
    let ws = Workspace::open(dir.path()).unwrap();
    let rows = ws.list_cases().unwrap();
    let households: Vec<&CaseSummary> =
        rows.iter().filter(|r| r.subject_kind == anchi::domain::SubjectKind::HouseholdBusiness).collect();
    let (a, b) =
        (households[0], households.iter().find(|r| r.subject_identifier != households[0].subject_identifier).unwrap());
    let companies: Vec<&CaseSummary> = rows
        .iter()
        .filter(|r| r.subject_kind == anchi::domain::SubjectKind::Organisation)
        .filter(|r| r.subject_identifier.as_deref().is_some_and(|t| t.len() == 10))
        .collect();
    let (x, y) =
        (companies[0], companies.iter().find(|r| r.subject_identifier != companies[0].subject_identifier).unwrap());
    let journal = ws.audit_verify().unwrap().entries;
    drop(ws);

    // Two companies with different tax codes are different enterprises: refused, nothing kept.
    let refused = run(&["subject", "merge", &x.id.to_string(), &y.id.to_string()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("hai doanh nghiệp khác nhau"));
    assert_eq!(Workspace::open(dir.path()).unwrap().audit_verify().unwrap().entries, journal);

    let merged = run(&["subject", "merge", &a.id.to_string(), &b.id.to_string()]);
    assert!(merged.status.success(), "{}", String::from_utf8_lossy(&merged.stderr));
    let show: serde_json::Value =
        serde_json::from_slice(&run(&["case", "show", &a.id.to_string(), "--json"]).stdout).unwrap();
    let warnings = show["warnings"]["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w["other_case"] == b.id.to_string() && w["reason_en"] == "merged as the same subject"),
        "{warnings:#?}"
    );
    assert!(show["history"].as_array().unwrap().iter().any(|h| h["action"] == "subject.merge"));
    let again = run(&["subject", "merge", &b.id.to_string(), &a.id.to_string()]);
    assert_eq!(again.status.code(), Some(2), "already the same subject");
    let audit: serde_json::Value = serde_json::from_slice(&run(&["audit", "verify", "--json"]).stdout).unwrap();
    assert_eq!(audit["first_broken"], serde_json::Value::Null);
}
