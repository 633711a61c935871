//! Documents filled and checked against their forms, through the real store: prefills from
//! the case and earlier documents, typed fields, cross-field rules, refusals to sign, and
//! a refused finalisation that changes nothing.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use anchi::app::{AppError, Workspace, demo::demo_unit, now};
use anchi::domain::{
    Address, Case, DocumentKind as K, DocumentState, Event, Signature, SignerRole, Subject, SubjectKind,
};
use chrono::{Duration, NaiveDateTime};
use uuid::Uuid;

fn workspace(dir: &std::path::Path) -> Workspace {
    let mut ws = Workspace::open(dir).unwrap();
    ws.set_unit(demo_unit()).unwrap();
    ws
}

fn new_case(ws: &Workspace) -> Case {
    let address =
        Address::Legacy { text: "Số 5 đường Lê Lợi, phường Đông Kinh, tỉnh Lạng Sơn".into() };
    let mut case = Case::open(
        Uuid::now_v7(),
        "DEMO-LS-D1",
        now() - Duration::hours(3),
        "hang-gia",
        Subject::new(SubjectKind::Individual, "Hoàng Thị Mai", address),
    );
    case.members = vec![demo_unit().members[0].card_number.clone()];
    ws.create_case(&case).unwrap();
    case
}

/// Starts a document and returns its id.
fn start(ws: &Workspace, case: Uuid, kind: K, at: NaiveDateTime) -> Uuid {
    let id = Uuid::now_v7();
    ws.apply_event(case, Event::StartDocument { id, kind, at }).unwrap();
    id
}

fn fill(ws: &Workspace, case: Uuid, doc: Uuid, fields: &[(&str, &str)]) {
    for (k, v) in fields {
        ws.save_field(case, doc, k, v).unwrap();
    }
}

fn finalise(ws: &Workspace, case: Uuid, doc: Uuid, at: NaiveDateTime) -> Result<(), AppError> {
    ws.apply_event(case, Event::FinaliseDocument { id: doc, number: None, at }).map(|_| ())
}

fn refused_fields(err: AppError) -> Vec<(String, String)> {
    match err {
        AppError::Invalid(report) => report.errors().map(|p| (p.field.clone(), p.message_vi.clone())).collect(),
        other => panic!("expected a validation refusal, got {other}"),
    }
}

#[test]
fn a_case_is_prefilled_checked_and_refused_until_complete() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let case = new_case(&ws);
    let t = case.opened_at;

    let decision = start(&ws, case.id, K::QdKiemTra, t);
    let fields = [("noi_dung", "Nhãn hàng hóa"), ("thoi_han", "03 ngày làm việc"), ("can_cu", "Kế hoạch năm")];
    fill(&ws, case.id, decision, &fields);
    finalise(&ws, case.id, decision, t).unwrap();

    // The inspection record starts with the place taken from the subject's address.
    let record = start(&ws, case.id, K::BbKiemTra, t + Duration::minutes(30));
    let stored = ws.case(case.id).unwrap();
    let draft = stored.document(record).unwrap();
    assert_eq!(draft.fields["dia_diem"], "Số 5 đường Lê Lợi, phường Đông Kinh, tỉnh Lạng Sơn");

    // Finalising with required fields empty and a bad time is refused, each problem named.
    ws.save_field(case.id, record, "gio_ket_thuc", "25 giờ").unwrap();
    let problems = refused_fields(finalise(&ws, case.id, record, t + Duration::minutes(40)).unwrap_err());
    let fields: Vec<&str> = problems.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["field.ket_qua", "field.ket_luan", "field.gio_ket_thuc"], "{problems:?}");
    assert_eq!(problems[0].1, "Kết quả kiểm tra: bắt buộc phải nhập");
    assert!(problems[2].1.contains("không phải giờ hợp lệ"), "{}", problems[2].1);
    // …and nothing changed: still a draft, no number taken.
    let after = ws.case(case.id).unwrap();
    assert_eq!(after, stored.clone().with_field(record, "gio_ket_thuc", "25 giờ"));

    fill(
        &ws,
        case.id,
        record,
        &[("ket_qua", "Bày bán túi xách giả"), ("ket_luan", "Có vi phạm"), ("gio_ket_thuc", "9h30")],
    );
    finalise(&ws, case.id, record, t + Duration::minutes(40)).unwrap();
    let done = ws.case(case.id).unwrap();
    assert_eq!(done.document(record).unwrap().number.as_ref().unwrap().seq, 1, "the refusal used no number");

    // The violation record takes its places from the inspection record.
    let at = t + Duration::minutes(60);
    let violation = start(&ws, case.id, K::BbViPham, at);
    let draft = ws.case(case.id).unwrap().document(violation).unwrap().clone();
    assert_eq!(draft.fields["dia_diem"], draft.fields["dia_diem_vi_pham"]);
    assert_eq!(draft.fields["dia_diem"], "Số 5 đường Lê Lợi, phường Đông Kinh, tỉnh Lạng Sơn");
    let later = (at + Duration::days(1)).format("%H:%M %d/%m/%Y").to_string();
    fill(
        &ws,
        case.id,
        violation,
        &[
            ("linh_vuc", "Thương mại"),
            ("thoi_gian_vi_pham", &later),
            ("hanh_vi", "Kinh doanh túi xách giả nhãn hiệu"),
            ("dieu_khoan", "khoản 2 Nghị định 98/2020/NĐ-CP"),
            ("nguoi_giai_trinh", "Đội trưởng"),
            ("gio_ket_thuc", "10:15"),
            ("nguoi_chung_kien", "Lò Văn Sáu, thôn Nà Pàn\n12345"),
        ],
    );
    // The violator refuses to sign and nobody confirms it.
    let refusal = vec![
        Signature { role: SignerRole::Maker, name: "Nguyễn Văn An".into(), signed: true },
        Signature { role: SignerRole::Violator, name: "Hoàng Thị Mai".into(), signed: false },
    ];
    ws.save_signatures(case.id, violation, refusal.clone()).unwrap();
    let problems = refused_fields(finalise(&ws, case.id, violation, at + Duration::minutes(20)).unwrap_err());
    let by_field = |f: &str| problems.iter().find(|(p, _)| p == f).map(|(_, m)| m.as_str()).unwrap_or("");
    assert!(by_field("field.thoi_gian_vi_pham").contains("không được sau thời điểm lập văn bản"), "{problems:?}");
    assert!(by_field("field.dieu_khoan").contains("phải ghi rõ điểm, khoản, Điều"), "{problems:?}");
    assert!(by_field("field.nguoi_chung_kien").contains("dòng 2 chưa có họ tên"), "{problems:?}");
    assert!(by_field("signatures").contains("Người vi phạm từ chối ký"), "{problems:?}");
    assert!(by_field("signatures").contains("Lý do"), "names the reason field: {problems:?}");

    // Corrected, with a witness who signs to confirm the refusal, it goes through.
    let earlier = (at - Duration::minutes(30)).format("%H:%M %d/%m/%Y").to_string();
    fill(
        &ws,
        case.id,
        violation,
        &[
            ("thoi_gian_vi_pham", &earlier),
            ("dieu_khoan", "điểm c khoản 2 Điều 9 Nghị định 98/2020/NĐ-CP"),
            ("nguoi_chung_kien", "Lò Văn Sáu, thôn Nà Pàn, 020090001234"),
            // The time and place the violator must appear (MBB01 item 11).
            ("thoi_gian_co_mat", &later),
            ("dia_diem_co_mat", "Trụ sở Đội Quản lý thị trường số 1"),
        ],
    );
    let witness = Signature { role: SignerRole::Witness, name: "Lò Văn Sáu".into(), signed: true };
    ws.save_signatures(case.id, violation, [refusal, vec![witness]].concat()).unwrap();
    finalise(&ws, case.id, violation, at + Duration::minutes(20)).unwrap();

    // The sanction decision starts with the act and the provision of the violation record.
    let sanction = start(&ws, case.id, K::QdXuPhat, at + Duration::minutes(90));
    let draft = ws.case(case.id).unwrap().document(sanction).unwrap().clone();
    assert_eq!(draft.fields["hanh_vi"], "Kinh doanh túi xách giả nhãn hiệu");
    assert_eq!(draft.fields["dieu_khoan"], "điểm c khoản 2 Điều 9 Nghị định 98/2020/NĐ-CP");
    assert_eq!(draft.state, DocumentState::Draft);
}

/// Test helper: the case with one field of one document set, as `save_field` would.
trait WithField {
    fn with_field(self, doc: Uuid, field: &str, value: &str) -> Case;
}

impl WithField for Case {
    fn with_field(mut self, doc: Uuid, field: &str, value: &str) -> Case {
        let d = self.documents.iter_mut().find(|d| d.id == doc).unwrap();
        d.fields.insert(field.into(), value.into());
        self
    }
}

/// The documents of a case rendered together, on every core, are the documents rendered
/// one by one, in the case's order (signed packages rely on the same bytes).
#[test]
fn documents_rendered_together_are_those_rendered_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(dir.path()).unwrap();
    ws.make_demo(40, 3).unwrap();
    let summary = ws.list_cases().unwrap().into_iter().max_by_key(|s| s.documents_finalised).unwrap();
    let case = ws.case(summary.id).unwrap();
    assert!(case.documents.len() >= 4, "a case with several documents");
    let jobs: Vec<_> = case.documents.iter().map(|d| ws.pdf_job_of(&case, d)).collect();
    let together = anchi::app::render::PdfJob::render_all(&jobs.iter().collect::<Vec<_>>()).unwrap();
    let alone: Vec<Vec<u8>> = case.documents.iter().map(|d| ws.render_document(case.id, d.id).unwrap()).collect();
    assert_eq!(together.len(), case.documents.len());
    for (i, (a, b)) in together.iter().zip(&alone).enumerate() {
        assert!(a == b, "document {i} ({:?}) differs when rendered together", case.documents[i].kind);
    }
}
