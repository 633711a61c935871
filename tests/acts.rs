//! An act chosen from the catalogue of violations on a record or a decision: the version in
//! force on the day of the act, the fine refused outside the act's bracket in the wizard's
//! check and on import, the competence judged against the bracket's top, the act typed by
//! hand marked "nhập tay" and counted apart, and the statistics by act adding up.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use anchi::app::Workspace;
use anchi::domain::{Case, Document, DocumentKind as K, DocumentState, GoodsLine, SubjectKind};
use common::anchi;
use uuid::Uuid;

fn workspace(cases: &str) -> (tempfile::TempDir, Workspace) {
    let tmp = tempfile::tempdir().unwrap();
    let out = anchi(tmp.path(), &["demo", "--cases", cases]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ws = Workspace::open(tmp.path()).unwrap();
    (tmp, ws)
}

/// A case of smuggled goods worth `value` for an individual, with no violation record (the
/// act's day is then the document's own).
fn smuggling(ws: &Workspace, value: u64) -> Case {
    let mut case = ws.case(ws.list_cases().unwrap()[0].id).unwrap();
    case.field = "hang-nhap-lau".into();
    case.subject.kind = SubjectKind::Individual;
    case.documents.retain(|d| d.kind != K::BbViPham);
    case.goods = vec![GoodsLine {
        id: Uuid::now_v7(),
        name: "Thuốc lá điếu nhập lậu".into(),
        unit: "bao".into(),
        quantity: (value / 20_000) as f64,
        origin: String::new(),
        condition: String::new(),
        note: String::new(),
        unit_price_vnd: Some(20_000),
    }];
    case
}

fn decision(key: &str, fine: &str, act_day: &str) -> Document {
    let mut doc = Document::draft(Uuid::now_v7(), K::QdXuPhat, anchi::app::now());
    doc.fields.insert("ma_hanh_vi".into(), key.into());
    doc.fields.insert("muc_phat".into(), fine.into());
    doc.fields.insert("thoi_gian_vi_pham".into(), act_day.into());
    doc
}

fn errors_at(ws: &Workspace, case: &Case, doc: &Document, field: &str) -> Vec<String> {
    let report = ws.check_document(case, doc, anchi::app::now());
    report.errors().filter(|p| p.field == field).map(|p| p.message_vi.clone()).collect()
}

#[test]
fn a_fine_outside_the_acts_bracket_is_refused_naming_the_bracket_and_the_provision() {
    let (_tmp, ws) = workspace("3");
    // Goods worth 4 million: điểm b khoản 1 Điều 15, 1–2 million for an individual.
    let mut case = smuggling(&ws, 4_000_000);
    let doc = decision("ND98-15-1", "3.000.000", "2026-06-01T09:00");
    let said = errors_at(&ws, &case, &doc, "field.muc_phat");
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].contains("Mức phạt 3.000.000 đồng nằm ngoài khung tiền phạt của điểm b khoản 1 Điều 15"),
        "{}",
        said[0]
    );
    assert!(said[0].contains("từ 1.000.000 đồng đến 2.000.000 đồng đối với cá nhân"), "{}", said[0]);
    assert!(
        errors_at(&ws, &case, &decision("ND98-15-1", "1.500.000", "2026-06-01T09:00"), "field.muc_phat").is_empty()
    );
    // An organisation: twice the bracket.
    case.subject.kind = SubjectKind::Organisation;
    assert!(errors_at(&ws, &case, &doc, "field.muc_phat").is_empty());
    // More goods, a higher tier: 3 million is below điểm e (10–20 million).
    case.subject.kind = SubjectKind::Individual;
    case.goods[0].quantity = 2_000.0;
    let said = errors_at(&ws, &case, &doc, "field.muc_phat");
    assert!(said[0].contains("điểm e khoản 1 Điều 15"), "{said:?}");
    // The provision typed differs from the act's: pointed out with the right one.
    let mut doc = decision("ND98-15-1", "15.000.000", "2026-06-01T09:00");
    doc.fields.insert("dieu_khoan".into(), "điểm b khoản 1 Điều 15 Nghị định 98/2020/NĐ-CP".into());
    let report = ws.check_document(&case, &doc, anchi::app::now());
    let warned: Vec<_> = report.warnings().filter(|p| p.field == "field.dieu_khoan").collect();
    assert!(warned[0].message_vi.contains("“điểm e khoản 1 Điều 15 Nghị định số 98/2020/NĐ-CP"), "{warned:?}");
    // An act not in force on the day of the act is refused.
    let said = errors_at(&ws, &case, &decision("ND98-17-1-d", "1.000.000", "2026-06-01T09:00"), "field.ma_hanh_vi");
    assert!(said[0].contains("không có trong danh mục hành vi vi phạm có hiệu lực ngày 01/06/2026"), "{said:?}");
}

#[test]
fn the_day_of_the_act_picks_the_version_of_the_consumer_protection_section() {
    let (_tmp, ws) = workspace("3");
    let case = smuggling(&ws, 0);
    // Point a khoản 1 Điều 46: 10–20 million until 20/02/2025, 20–30 million since NĐ 24/2025.
    let before = decision("ND98-46-1-a", "25.000.000", "2025-02-20T10:00");
    let after = decision("ND98-46-1-a", "25.000.000", "2025-02-21T10:00");
    let said = errors_at(&ws, &case, &before, "field.muc_phat");
    assert!(said[0].contains("từ 10.000.000 đồng đến 20.000.000 đồng"), "{said:?}");
    assert!(errors_at(&ws, &case, &after, "field.muc_phat").is_empty());
    let old = ws.acts_of(&case, &before).remove(0).0.unwrap();
    let new = ws.acts_of(&case, &after).remove(0).0.unwrap();
    assert!(old.act.act.text.starts_with("Không thông báo rõ ràng, công khai"), "{}", old.act.act.text);
    assert!(new.act.act.text.starts_with("Không lập văn bản để thực hiện ủy quyền"), "{}", new.act.act.text);
    assert!(!old.provision().contains("24/2025") && new.provision().contains("Nghị định số 24/2025/NĐ-CP"));
}

#[test]
fn competence_is_judged_against_the_top_of_the_acts_bracket() {
    let (_tmp, ws) = workspace("3");
    // Goods worth 150 million: điểm i, 40–50 million; doubled for foodstuffs (điểm c khoản 2):
    // 80–100 million. A fine of 85 million is inside the bracket, and the bracket's top is
    // above a team leader's 30 million: warned, naming the bracket.
    let case = smuggling(&ws, 150_000_000);
    let mut doc = decision("ND98-15-1+2-c", "85.000.000", "2026-06-01T09:00");
    let leader = ws.unit().unwrap().members.iter().find(|m| m.role == anchi::domain::Role::Leader).unwrap().clone();
    doc.fields.insert("nguoi_ky".into(), leader.card_number.clone());
    let report = ws.check_document(&case, &doc, anchi::app::now());
    assert!(report.errors().all(|p| p.field != "field.muc_phat"), "{report:?}");
    let warned: Vec<_> = report.warnings().filter(|p| p.field == "field.muc_phat").collect();
    assert!(
        warned
            .iter()
            .any(|p| p.message_vi.contains("Mức tối đa của khung tiền phạt (điểm i khoản 1, điểm c khoản 2 Điều 15")
                && p.message_vi.contains("100.000.000 đồng")),
        "{warned:?}"
    );
}

#[test]
fn an_act_typed_by_hand_is_marked_and_counted_apart_and_acts_add_up_to_the_totals() {
    let (_tmp, ws) = workspace("60");
    let stats = ws.stats(&anchi::app::stats::Query::default()).unwrap();
    let by_act = &stats.by_provision;
    let typed = by_act.iter().filter(|l| l.key.starts_with("nhap-tay:")).count();
    let chosen: Vec<_> = by_act.iter().filter(|l| l.key.starts_with("ND98-")).collect();
    assert!(typed > 0 && !chosen.is_empty(), "{by_act:?}");
    assert!(chosen.iter().all(|l| l.label.starts_with("Điều ") && l.label.ends_with("(Nghị định 98/2020/NĐ-CP)")));
    assert!(by_act.iter().filter(|l| l.key.starts_with("nhap-tay:")).all(|l| l.label.starts_with("Nhập tay: ")));
    // Each demo case records one act: the sanctions and fines by act add up to the totals.
    let sanctions: u64 = by_act.iter().map(|l| l.totals.sanctions).sum();
    let fines: u64 = by_act.iter().map(|l| l.totals.fines_imposed_vnd).sum();
    assert_eq!((sanctions, fines), (stats.totals.sanctions, stats.totals.fines_imposed_vnd));
    // The wizard's check marks a typed act.
    let case = ws.case(ws.list_cases().unwrap()[0].id).unwrap();
    let mut doc = Document::draft(Uuid::now_v7(), K::BbViPham, anchi::app::now());
    doc.fields.insert("hanh_vi".into(), "Bán hàng không niêm yết giá".into());
    let report = ws.check_document(&case, &doc, anchi::app::now());
    assert!(report.warnings().any(|p| p.field == "field.ma_hanh_vi" && p.message_vi.contains("“nhập tay”")));
}

#[test]
fn a_case_file_whose_decision_fines_outside_the_bracket_is_refused_whole() {
    let (_tmp, ws) = workspace("60");
    // A demo case whose finalised decision chose its act from the catalogue.
    let case = ws
        .list_cases()
        .unwrap()
        .iter()
        .map(|r| ws.case(r.id).unwrap())
        .find(|c| {
            c.documents.iter().any(|d| {
                d.kind == K::QdXuPhat && d.state == DocumentState::Finalised && d.fields.contains_key("ma_hanh_vi")
            })
        })
        .expect("a demo decision with a catalogue act");
    let mut json: serde_json::Value = serde_json::from_str(&ws.export_case(case.id).unwrap()).unwrap();
    json["case"]["id"] = serde_json::json!(Uuid::now_v7());
    let docs = json["case"]["documents"].as_array_mut().unwrap();
    let at = docs.iter().position(|d| d["kind"] == "qd-xu-phat").unwrap();
    docs[at]["fields"]["muc_phat"] = serde_json::json!("999000000");
    let before = ws.list_cases().unwrap().len();
    let err = ws.import_case(&json.to_string()).unwrap_err();
    let anchi::app::AppError::Invalid(report) = err else { panic!("refused as invalid: {err}") };
    let path = format!("$.case.documents[{at}].fields.muc_phat");
    assert!(
        report.errors().any(|p| p.field == path && p.message_vi.contains("nằm ngoài khung tiền phạt")),
        "{report:?}"
    );
    assert_eq!(ws.list_cases().unwrap().len(), before, "nothing stored");
}

/// The fields two acts fill, as the wizard writes them.
fn fill_acts(ws: &Workspace, case: Uuid, doc: Uuid, acts: &str) {
    use anchi::domain::catalogue::chosen;
    let stored = ws.case(case).unwrap();
    let document = stored.document(doc).unwrap();
    let mut fields = document.fields.clone();
    fields.insert(chosen::FIELD.into(), acts.into());
    let mut with = document.clone();
    with.fields = fields.clone();
    let selections = ws.acts_of(&stored, &with);
    let pairs: Vec<_> = selections.iter().map(|(s, c)| (*s.as_ref().unwrap(), c)).collect();
    ws.save_field(case, doc, chosen::FIELD, acts).unwrap();
    for (field, value) in chosen::fills(&pairs, &[], &fields) {
        ws.save_field(case, doc, field, &value).unwrap();
    }
}

#[test]
fn two_acts_in_one_decision_each_fined_print_each_fine_and_the_total() {
    use anchi::domain::Event;
    let (tmp, ws) = workspace("3");
    let (case, record) = common::smuggling_with_record(&ws);
    ws.fill_like_demo(case, record).unwrap();
    ws.save_field(case, record, "hanh_vi", "").unwrap();
    fill_acts(&ws, case, record, "ND98-15-1\nND98-17-1-a");
    let stored = ws.case(case).unwrap();
    let doc = stored.document(record).unwrap();
    assert_eq!(
        doc.fields["hanh_vi"],
        "1. Kinh doanh hàng hóa nhập lậu; 2. Kinh doanh hàng hóa không rõ nguồn gốc, xuất xứ"
    );
    assert!(
        doc.fields["dieu_khoan"]
            .starts_with("điểm b khoản 1 Điều 15; điểm a khoản 1, khoản 3 Điều 17 Nghị định số 98/2020/NĐ-CP")
    );
    let now = anchi::app::now();
    ws.apply_event(case, Event::FinaliseDocument { id: record, number: None, at: now }).unwrap();

    let decision = Uuid::now_v7();
    ws.apply_event(case, Event::StartDocument { id: decision, kind: K::QdXuPhat, at: now }).unwrap();
    let stored = ws.case(case).unwrap();
    let prefilled = ws.prefill(&stored, stored.document(decision).unwrap());
    assert_eq!(prefilled["ma_hanh_vi"], "ND98-15-1\nND98-17-1-a", "the decision starts with the record's acts");
    ws.fill_like_demo(case, decision).unwrap();
    // Each act fined: 1,5 million (1–2 million) and 2 million (khoản 3 Điều 17, 1–3 million).
    fill_acts(&ws, case, decision, "ND98-15-1 = 1.500.000\nND98-17-1-a = 2.000.000");
    let check = |ws: &Workspace| {
        let stored = ws.case(case).unwrap();
        ws.check_document(&stored, stored.document(decision).unwrap(), now)
    };
    let report = check(&ws);
    assert!(report.errors().all(|p| !p.field.ends_with("muc_phat") && !p.field.ends_with("ma_hanh_vi")), "{report:?}");
    // A fine outside its act's bracket, a fine missing, a total that is not the sum.
    ws.save_field(case, decision, "ma_hanh_vi", "ND98-15-1 = 1.500.000\nND98-17-1-a = 500.000").unwrap();
    let said: Vec<String> = check(&ws).errors().map(|p| p.message_vi.clone()).collect();
    assert!(
        said.iter()
            .any(|m| m.contains("Mức phạt 500.000 đồng nằm ngoài khung tiền phạt của điểm a khoản 1, khoản 3 Điều 17")),
        "{said:?}"
    );
    assert!(
        said.iter()
            .any(|m| m.contains("Mức phạt tiền 3.500.000 đồng khác tổng số tiền phạt của các hành vi: 2.000.000 đồng")),
        "{said:?}"
    );
    ws.save_field(case, decision, "ma_hanh_vi", "ND98-15-1 = 1.500.000\nND98-17-1-a").unwrap();
    let said: Vec<String> = check(&ws).errors().map(|p| p.message_vi.clone()).collect();
    assert!(said.iter().any(|m| m.contains("Chưa nhập mức phạt cho hành vi thứ 2")), "{said:?}");
    ws.save_field(case, decision, "ma_hanh_vi", "ND98-15-1 = 1.500.000\nND98-17-1-a = 2.000.000").unwrap();
    ws.apply_event(case, Event::FinaliseDocument { id: decision, number: None, at: now }).unwrap();
    assert_eq!(ws.case(case).unwrap().fine_vnd, Some(3_500_000));
    // Printed: each act's fine and the total.
    let pdf = tmp.path().join("qd.pdf");
    std::fs::write(&pdf, ws.render_document(case, decision).unwrap()).unwrap();
    let out = std::process::Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext (poppler-utils)");
    let text = String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("- Hành vi thứ 1 (điểm b khoản 1 Điều 15): phạt tiền 1.500.000 đồng"), "{text}");
    assert!(text.contains("- Hành vi thứ 2 (điểm a khoản 1, khoản 3 Điều 17): phạt tiền 2.000.000 đồng"), "{text}");
    assert!(text.contains("Cụ thể: 3.500.000 đồng"), "{text}");
    // Statistics count the decision under each act.
    let stats = ws.stats(&anchi::app::stats::Query::default()).unwrap();
    for id in ["ND98-15-1", "ND98-17-1-a"] {
        assert!(stats.by_provision.iter().any(|l| l.key == id && l.totals.sanctions >= 1), "{id}");
    }
}
