//! The workflow transition table: every (stage, event) pair, allowed and forbidden, and
//! the effects and messages of the transitions.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use anchi::domain::workflow::check_step;
use anchi::domain::{
    Address, Bilingual, Case, DocumentKind as K, DocumentNumber, DocumentState, Effect, Event, Prerequisites, Stage,
    Subject, SubjectKind, WorkflowError, apply, stage,
};
use std::sync::LazyLock;

use anchi::forms::Catalog;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use uuid::Uuid;

/// The prerequisites as the embedded form files declare them.
static RULES: LazyLock<Prerequisites> =
    LazyLock::new(|| Catalog::embedded().unwrap().prerequisites(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()).clone());

fn t0() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap().and_hms_opt(8, 0, 0).unwrap()
}

fn new_case() -> Case {
    let subject = Subject::new(SubjectKind::Individual, "Nguyễn Văn A", Address::Legacy { text: "Lạng Sơn".into() });
    Case::open(Uuid::now_v7(), "T", t0(), "hang-gia", subject)
}

fn number(seq: u32) -> DocumentNumber {
    DocumentNumber { seq, year: 2026, ky_hieu: "X".into(), unit_abbreviation: String::new() }
}

/// Starts and finalises a document of `kind`, panicking if the table forbids it.
fn finalised(case: Case, kind: K) -> Case {
    let id = Uuid::now_v7();
    let at = t0() + Duration::hours(case.documents.len() as i64 + 1);
    let (case, _) = apply(&RULES, &case, Event::StartDocument { id, kind, at }).unwrap();
    let number = kind.is_numbered().then(|| number(case.documents.len() as u32));
    apply(&RULES, &case, Event::FinaliseDocument { id, number, at }).unwrap().0
}

/// A case in each stage, built through the table itself.
fn case_in(stage_wanted: Stage) -> Case {
    case_with(stage_wanted, &[])
}

/// A case in each stage whose `extra` documents were made right after the inspection
/// decision (goods seized at the start of the inspection); a new case has none.
fn case_with(stage_wanted: Stage, extra: &[K]) -> Case {
    let decided = || extra.iter().fold(finalised(new_case(), K::QdKiemTra), |case, kind| finalised(case, *kind));
    let inspected = || finalised(decided(), K::BbKiemTra);
    let recorded = || finalised(inspected(), K::BbViPham);
    let case = match stage_wanted {
        Stage::Moi => new_case(),
        Stage::DaCoQuyetDinh => decided(),
        Stage::DaKiemTra => inspected(),
        Stage::DaLapBienBanViPham => recorded(),
        Stage::KhongViPham => apply(&RULES, &inspected(), Event::CloseNoViolation { at: t0() }).unwrap().0,
        Stage::DaXuPhat => finalised(recorded(), K::QdXuPhat),
        Stage::DaHuy => apply(&RULES, &decided(), Event::CancelCase { reason: "lý do".into(), at: t0() }).unwrap().0,
    };
    assert_eq!(stage(&case), stage_wanted);
    case
}

/// The expected table, written independently of `STEPS` and the forms' `requires`: one row per event, one column
/// per stage in `Stage::ALL` order (Mới, Đã có QĐ, Đã kiểm tra, Đã lập BB VP, Không VP,
/// Đã xử phạt, Đã hủy); `x` allowed, `.` forbidden.
const EXPECTED: &[(&str, &str)] = &[
    ("qd-kiem-tra", "x......"),
    ("qd-sua-doi-kiem-tra", ".x....."),
    ("bb-kiem-tra", ".x....."),
    ("phu-luc", ".xxx..."),
    ("bang-ke", ".xxx..."),
    ("bb-lam-viec", ".xxx..."),
    // Since 1 July 2025 the seizure record comes first (Luật 88/2025, khoản 4 Điều 125)
    // and the decision rests on it: forbidden on these cases, which seized nothing
    // (`SEIZED` below has the cases that did).
    ("qd-tam-giu", "......."),
    ("bb-tam-giu", ".xxx..."),
    ("bb-niem-phong", "......."),
    ("tem-niem-phong", "......."),
    ("bb-mo-niem-phong", "......."),
    ("bb-vi-pham", "..x...."),
    ("qd-xu-phat", "...x..."),
    ("qd-xu-phat-khong-lap-bien-ban", "xxx...."),
    // An extension (seizure or sanction deadline) once inspected; a payment once sanctioned.
    ("gia-han", "...x..."),
    ("xac-nhan-nop-phat", ".....x."),
    // The 2025 edition's further forms: those resting on a seizure record or decision are
    // forbidden here, where nothing was seized (`SEIZED` below).
    ("qd-keo-dai-tam-giu", "......."),
    ("qd-tra-lai", "......."),
    ("bb-tra-lai", "......."),
    ("bb-tra-lai-khong-qd", "......."),
    ("bb-giai-trinh", "...x..."),
    ("bb-xac-dinh-gia-tri", "......."),
    ("bb-xac-minh", "...x..."),
    ("qd-trung-cau-giam-dinh", ".xxx..."),
    ("qd-tich-thu", "......."),
    ("qd-khac-phuc", "..xx..."),
    ("bb-tich-thu", "..xx.x."),
    ("bb-tieu-huy", "..xx.x."),
    // Made on a decision (amend, correct, annul), never started on their own.
    ("qd-sua-doi-bo-sung", "......."),
    ("qd-dinh-chinh", "......."),
    ("qd-huy-bo", "......."),
    ("close-no-violation", "..x...."),
    ("cancel-case", "xxxx..."),
];

/// The seizure's steps on cases that seized goods, table as above: (what was made after the
/// inspection decision, the event, its row). Every row of `EXPECTED` forbidden only because
/// nothing was seized is allowed here where the law allows it.
const SEIZED: &[(&[K], &str, &str)] = &[
    (SEIZURE, "qd-tam-giu", ".xxx..."),
    (SEIZURE, "bb-niem-phong", ".xxx..."),
    (SEIZURE, "tem-niem-phong", ".xxx..."),
    (SEIZURE, "bb-mo-niem-phong", ".xxx.x."),
    (SEIZURE, "qd-keo-dai-tam-giu", ".xxx..."),
    (SEIZURE, "qd-tra-lai", ".xxxxx."),
    (SEIZURE, "bb-xac-dinh-gia-tri", ".xxx..."),
    (SEIZURE, "qd-tich-thu", "..xx..."),
    // After a seizure decision the goods go back by MQĐ24 + MBB17, never by MBB16 …
    (SEIZURE, "bb-tra-lai-khong-qd", "......."),
    // … which is for a seizure record with no decision.
    (&[K::BbTamGiu], "bb-tra-lai-khong-qd", ".xxx..."),
    (&[K::BbTamGiu, K::QdTamGiu, K::BbNiemPhong, K::QdTraLai], "bb-tra-lai", ".xxxxx."),
];

/// Goods seized and sealed: the record, the decision, the seal record.
const SEIZURE: &[K] = &[K::BbTamGiu, K::QdTamGiu, K::BbNiemPhong];

#[test]
fn every_stage_and_seizure_step_follows_the_table() {
    for (made, name, row) in SEIZED {
        for (stage_here, expected) in Stage::ALL.into_iter().zip(row.chars()) {
            let case = case_with(stage_here, made);
            let result = apply(&RULES, &case, event_named(name));
            match (expected == 'x', result) {
                (true, Ok(_)) | (false, Err(_)) => {}
                (true, Err(e)) => panic!("{name} after {made:?} in {stage_here:?} should be allowed, got {e}"),
                (false, Ok(_)) => panic!("{name} after {made:?} in {stage_here:?} should be forbidden"),
            }
        }
    }
    // Every kind the plain table forbids throughout for want of a seizure is covered here.
    for (name, row) in EXPECTED.iter().filter(|(_, row)| !row.contains('x')) {
        let kind = K::from_code(name);
        let on_a_decision = kind.is_some_and(|k| k.acts_on_decision());
        assert!(
            on_a_decision || SEIZED.iter().any(|(_, n, r)| n == name && r.contains('x')),
            "{name} is never allowed in the tables ({row})"
        );
    }
}

fn event_named(name: &str) -> Event {
    match name {
        "close-no-violation" => Event::CloseNoViolation { at: t0() },
        "cancel-case" => Event::CancelCase { reason: "đối tượng ngừng kinh doanh".into(), at: t0() },
        code => Event::StartDocument { id: Uuid::now_v7(), kind: K::from_code(code).unwrap(), at: t0() },
    }
}

#[test]
fn every_stage_and_event_pair_follows_the_table() {
    assert_eq!(EXPECTED.len(), K::ALL.len() + 2, "every kind and case event has a row");
    for (name, row) in EXPECTED {
        for (stage_here, expected) in Stage::ALL.into_iter().zip(row.chars()) {
            let case = case_in(stage_here);
            let result = apply(&RULES, &case, event_named(name));
            match (expected == 'x', result) {
                (true, Ok(_)) | (false, Err(_)) => {}
                (true, Err(e)) => panic!("{name} in {stage_here:?} should be allowed, got {e}"),
                (false, Ok(_)) => panic!("{name} in {stage_here:?} should be forbidden"),
            }
        }
    }
}

#[test]
fn the_seizure_chain_goes_in_order() {
    let mut case = case_in(Stage::DaKiemTra);
    for kind in [K::QdTamGiu, K::BbNiemPhong, K::TemNiemPhong, K::BbMoNiemPhong] {
        assert!(
            matches!(check_step(&RULES, &case, kind), Err(WorkflowError::Missing { .. })),
            "{kind} before its step"
        );
    }
    for kind in [K::BbTamGiu, K::QdTamGiu, K::BbNiemPhong, K::TemNiemPhong] {
        case = finalised(case, kind);
    }
    case = finalised(case, K::BbViPham);
    case = finalised(case, K::QdXuPhat);
    assert_eq!(stage(&case), Stage::DaXuPhat);
    // Sealed goods are unsealed after the sanction decision.
    finalised(case, K::BbMoNiemPhong);
}

#[test]
fn the_seizure_order_is_the_law_of_the_day() {
    // Before 1 July 2025 the decision came first and the record carried it out; since
    // then the record comes first and the decision follows it.
    let catalog = Catalog::embedded().unwrap();
    let before = catalog.prerequisites(NaiveDate::from_ymd_opt(2025, 6, 30).unwrap());
    let since = catalog.prerequisites(NaiveDate::from_ymd_opt(2025, 7, 1).unwrap());
    assert_eq!(before.of(K::BbTamGiu), &[K::QdTamGiu]);
    assert!(!before.of(K::QdTamGiu).contains(&K::BbTamGiu));
    assert_eq!(since.of(K::QdTamGiu), &[K::BbTamGiu]);
    assert!(since.of(K::BbTamGiu).is_empty());
    let err = apply(since, &case_in(Stage::DaKiemTra), event_named("qd-tam-giu")).unwrap_err();
    assert_eq!(err.vi(), "Cần có Biên bản tạm giữ tang vật, phương tiện đã hoàn tất");
}

#[test]
fn seized_goods_go_back_or_are_confiscated_in_order() {
    // Return: the decision to return rests on the seizure decision, the record on it.
    let mut case = case_in(Stage::DaKiemTra);
    for kind in [K::QdTraLai, K::BbTraLai, K::QdKeoDaiTamGiu, K::BbXacDinhGiaTri, K::QdTichThu] {
        assert!(matches!(check_step(&RULES, &case, kind), Err(WorkflowError::Missing { .. })), "{kind} first");
    }
    for kind in [K::BbTamGiu, K::QdTamGiu, K::BbXacDinhGiaTri, K::QdKeoDaiTamGiu, K::QdTraLai, K::BbTraLai] {
        case = finalised(case, kind);
    }
    // Without a seizure decision the goods go back with MBB16 after the record alone …
    let record_only = finalised(case_in(Stage::DaKiemTra), K::BbTamGiu);
    finalised(record_only, K::BbTraLaiKhongQd);
    // … and once a seizure decision was made, never with MBB16: MQĐ24 and MBB17 return them.
    let refused = check_step(&RULES, &case, K::BbTraLaiKhongQd).unwrap_err();
    assert_eq!(refused, WorkflowError::ExcludedBy { kind: K::BbTraLaiKhongQd, by: K::QdTamGiu });
    assert!(refused.vi().contains("MQĐ24") && refused.vi().contains("không ra quyết định tạm giữ"), "{}", refused.vi());
    let id = Uuid::now_v7();
    assert!(apply(&RULES, &case, Event::StartDocument { id, kind: K::BbTraLaiKhongQd, at: t0() }).is_err());
    // Confiscation carries out the sanction decision; a closed case still returns goods.
    let sanctioned = finalised(finalised(case_in(Stage::DaLapBienBanViPham), K::BbGiaiTrinh), K::QdXuPhat);
    let done = finalised(finalised(sanctioned, K::BbTichThu), K::BbTieuHuy);
    assert_eq!(stage(&done), Stage::DaXuPhat);
}

/// A step stays offered while its draft is being written; a second draft of the kind was a
/// slip (two inspection decisions begun for one case): refused, the first to be continued.
#[test]
fn one_draft_of_a_kind_at_a_time() {
    let case = new_case();
    let first = Uuid::now_v7();
    let (case, _) = apply(&RULES, &case, Event::StartDocument { id: first, kind: K::QdKiemTra, at: t0() }).unwrap();
    let second = Event::StartDocument { id: Uuid::now_v7(), kind: K::QdKiemTra, at: t0() };
    let refused = apply(&RULES, &case, second.clone()).unwrap_err();
    assert_eq!(refused, WorkflowError::DraftOpen { kind: K::QdKiemTra });
    assert!(refused.vi().contains("Tiếp tục soạn"), "{}", refused.vi());
    // Cancelled, a new one may be begun.
    let (case, _) =
        apply(&RULES, &case, Event::CancelDocument { id: first, reason: "lập lại".into(), at: t0() }).unwrap();
    apply(&RULES, &case, second).unwrap();
}

#[test]
fn refusals_say_in_vietnamese_what_is_missing() {
    let err = apply(&RULES, &case_in(Stage::DaKiemTra), event_named("qd-xu-phat")).unwrap_err();
    assert_eq!(err, WorkflowError::Missing { kind: K::QdXuPhat, missing: K::BbViPham });
    assert_eq!(err.vi(), "Cần có Biên bản vi phạm hành chính đã hoàn tất");
    let err = apply(&RULES, &case_in(Stage::Moi), event_named("bb-kiem-tra")).unwrap_err();
    assert_eq!(err.vi(), "Cần có Quyết định kiểm tra đã hoàn tất");
    let err = apply(&RULES, &case_in(Stage::DaHuy), event_named("bang-ke")).unwrap_err();
    assert_eq!(err, WorkflowError::CaseClosed { stage: Stage::DaHuy });
    let err = apply(&RULES, &case_in(Stage::DaLapBienBanViPham), event_named("bb-kiem-tra")).unwrap_err();
    assert!(matches!(err, WorkflowError::WrongStage { .. }), "{err}");
}

#[test]
fn finalising_uses_a_number_renders_and_locks() {
    let case = case_in(Stage::DaLapBienBanViPham);
    let id = Uuid::now_v7();
    let (case, _) = apply(&RULES, &case, Event::StartDocument { id, kind: K::QdXuPhat, at: t0() }).unwrap();
    let missing = apply(&RULES, &case, Event::FinaliseDocument { id, number: None, at: t0() }).unwrap_err();
    assert_eq!(missing, WorkflowError::NumberMissing { kind: K::QdXuPhat });
    let (done, effects) =
        apply(&RULES, &case, Event::FinaliseDocument { id, number: Some(number(7)), at: t0() }).unwrap();
    assert_eq!(
        effects,
        vec![Effect::NumberUsed(number(7)), Effect::RenderPdf(id), Effect::CaseClosed(Stage::DaXuPhat)]
    );
    let again = apply(&RULES, &done, Event::FinaliseDocument { id, number: Some(number(8)), at: t0() }).unwrap_err();
    assert_eq!(again, WorkflowError::NotDraft { state: DocumentState::Finalised });
}

#[test]
fn seal_labels_take_no_number() {
    let mut case = case_in(Stage::DaKiemTra);
    for kind in [K::BbTamGiu, K::QdTamGiu, K::BbNiemPhong] {
        case = finalised(case, kind);
    }
    let id = Uuid::now_v7();
    let (case, _) = apply(&RULES, &case, Event::StartDocument { id, kind: K::TemNiemPhong, at: t0() }).unwrap();
    let err = apply(&RULES, &case, Event::FinaliseDocument { id, number: Some(number(1)), at: t0() }).unwrap_err();
    assert_eq!(err, WorkflowError::NumberNotExpected { kind: K::TemNiemPhong });
}

#[test]
fn cancelling_records_the_number_and_respects_dependents() {
    let case = case_in(Stage::DaKiemTra);
    let decision = case.documents.iter().find(|d| d.kind == K::QdKiemTra).unwrap().clone();
    let record = case.documents.iter().find(|d| d.kind == K::BbKiemTra).unwrap().clone();
    let cancel = |id, reason: &str| Event::CancelDocument { id, reason: reason.into(), at: t0() };
    let err = apply(&RULES, &case, cancel(decision.id, "ghi sai")).unwrap_err();
    assert_eq!(err, WorkflowError::HasDependent { dependent: K::BbKiemTra });
    assert_eq!(apply(&RULES, &case, cancel(record.id, "  ")).unwrap_err(), WorkflowError::ReasonMissing);
    let (case, effects) = apply(&RULES, &case, cancel(record.id, "ghi sai thời gian")).unwrap();
    assert_eq!(effects, vec![Effect::NumberCancelled(record.number.clone().unwrap())]);
    assert_eq!(stage(&case), Stage::DaCoQuyetDinh, "the stage follows the documents");
    // The number stays on the cancelled document: it is never given out again.
    assert_eq!(case.document(record.id).unwrap().number, record.number);
}

#[test]
fn a_sanction_decision_is_changed_only_by_a_decision_of_its_own() {
    let case = case_in(Stage::DaXuPhat);
    let decision = case.documents.iter().find(|d| d.kind == K::QdXuPhat).unwrap().clone();
    let id = Uuid::now_v7();
    let amend = |with| Event::AmendDocument { original: decision.id, id, at: t0(), with };
    // Not a free copy of itself, nor a plain cancellation (Điều 18a Luật XLVPHC).
    let err = apply(&RULES, &case, amend(None)).unwrap_err();
    assert_eq!(err, WorkflowError::DecisionChangedByDecision { kind: K::QdXuPhat });
    assert!(err.vi().contains("MQĐ38") && err.vi().contains("MQĐ40"), "{}", err.vi());
    let cancel = Event::CancelDocument { id: decision.id, reason: "sai".into(), at: t0() };
    assert_eq!(apply(&RULES, &case, cancel).unwrap_err(), err);
    // MQĐ38, MQĐ39, MQĐ40: a draft of its own kind, linked to the decision, starting empty.
    for kind in [K::QdSuaDoiBoSung, K::QdDinhChinh, K::QdHuyBo] {
        let (amended, _) = apply(&RULES, &case, amend(Some(kind))).unwrap();
        let draft = amended.document(id).unwrap();
        assert_eq!((draft.kind, draft.state, draft.amends), (kind, DocumentState::Draft, Some(decision.id)));
        assert!(draft.fields.is_empty());
        assert_eq!(amended.document(decision.id), Some(&decision), "the original is untouched");
    }
    // Never started on their own.
    let alone = Event::StartDocument { id: Uuid::now_v7(), kind: K::QdHuyBo, at: t0() };
    assert_eq!(apply(&RULES, &case, alone).unwrap_err(), WorkflowError::OnlyOnADecision { kind: K::QdHuyBo });
    // The annulment, finalised, ends the decision it annuls (its number stays used) and
    // the case is back before the sanction.
    let (drafted, _) = apply(&RULES, &case, amend(Some(K::QdHuyBo))).unwrap();
    let (annulled, effects) =
        apply(&RULES, &drafted, Event::FinaliseDocument { id, number: Some(number(90)), at: t0() }).unwrap();
    let original = annulled.document(decision.id).unwrap();
    assert_eq!(original.state, DocumentState::Cancelled);
    assert!(original.cancellation.as_ref().unwrap().reason.contains("90/X"), "{:?}", original.cancellation);
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::NumberCancelled(_))),
        "the annulled number was used: {effects:?}"
    );
    assert_eq!(stage(&annulled), Stage::DaLapBienBanViPham);
}

#[test]
fn other_documents_are_amended_by_a_new_one_of_their_kind() {
    let id = Uuid::now_v7();
    // An amendment of the inspection decision is its own kind of decision.
    let case = case_in(Stage::DaCoQuyetDinh);
    let qd = case.documents[0].id;
    let (case, _) = apply(&RULES, &case, Event::AmendDocument { original: qd, id, at: t0(), with: None }).unwrap();
    assert_eq!(case.document(id).unwrap().kind, K::QdSuaDoiKiemTra);
    let again = Event::AmendDocument { original: id, id: Uuid::now_v7(), at: t0(), with: None };
    assert_eq!(apply(&RULES, &case, again).unwrap_err(), WorkflowError::NotFinalised { state: DocumentState::Draft });
    // A record: a new record of its kind with its content; no decision kind on a record.
    let case = case_in(Stage::DaKiemTra);
    let record = case.documents.iter().find(|d| d.kind == K::BbKiemTra).unwrap().id;
    let wrong = Event::AmendDocument { original: record, id, at: t0(), with: Some(K::QdHuyBo) };
    assert!(apply(&RULES, &case, wrong).is_err());
    let (case, _) = apply(&RULES, &case, Event::AmendDocument { original: record, id, at: t0(), with: None }).unwrap();
    assert_eq!(case.document(id).unwrap().kind, K::BbKiemTra);
}

/// The history says who did what to which document, and an editing session once (it
/// showed "document.save_field" codes, or "Lưu nội dung" several times a second, naming no
/// document).
#[test]
fn the_history_names_the_person_and_the_document_and_tells_a_session_once() {
    use anchi::app::history::history_lines;
    use anchi::domain::{DocumentKind, Event};
    let dir = tempfile::tempdir().unwrap();
    let mut ws = anchi::app::Workspace::open(dir.path()).unwrap();
    ws.make_demo(12, 4).unwrap();
    // A new case of a demo subject, with no draft begun (one draft of a kind at a time).
    let demo = ws.case(ws.list_cases().unwrap()[0].id).unwrap();
    let mut fresh = Case::open(Uuid::now_v7(), &demo.unit_code, anchi::app::now(), &demo.field, demo.subject);
    fresh.members = demo.members;
    ws.create_case(&fresh).unwrap();
    let case = fresh.id;
    assert_eq!(ws.case(case).unwrap().documents.len(), 0);
    let doc = uuid::Uuid::now_v7();
    ws.apply_event(case, Event::StartDocument { id: doc, kind: DocumentKind::QdKiemTra, at: anchi::app::now() })
        .unwrap();
    for text in ["Đ", "Đi", "Điều"] {
        ws.save_field(case, doc, "can_cu", text).unwrap();
    }
    let view = ws.case_view(case).unwrap();
    let lines: Vec<String> = history_lines(&view.case, &view.history).into_iter().map(|l| l.text).collect();
    let title = DocumentKind::QdKiemTra.title_vi();
    assert!(lines.contains(&format!("Máy trạm bắt đầu soạn {title}")), "{lines:#?}");
    let edits: Vec<&String> = lines.iter().filter(|l| l.contains(" sửa ")).collect();
    assert_eq!(edits.len(), 1, "one line for the session: {lines:#?}");
    assert!(edits[0].starts_with(&format!("Máy trạm sửa {title} (3 lần lưu, đến ")), "{}", edits[0]);
}
