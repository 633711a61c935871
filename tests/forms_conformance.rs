//! The 2025 edition of the forms against the gazetted texts: every document of a full
//! case of each branch is rendered to PDF, read back with `pdftotext`, and must hold every
//! fixed sentence of its gazetted form (NĐ 118/2021, kept as test data in
//! `tests/data/gazetted/`), in the form's order. The law's refusals (the seizure decision
//! before its record or more than 24 hours after it, a fine without a record above the
//! cap of Điều 56) are checked through the real store, and nothing is stored on refusal.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::path::Path;
use std::process::Command;

use anchi::app::{AppError, Workspace, demo::demo_unit};
use anchi::domain::delegation::{Delegation, DelegationScope};
use anchi::domain::{
    Address, Case, DocumentKind as K, DocumentState, Event, Signature, SignerRole, Subject, SubjectKind,
};
use anchi::forms::{FieldKind, FormDef};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use uuid::Uuid;

/// A working Monday in 2026, well inside the 2025 edition.
fn monday() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap().and_hms_opt(8, 0, 0).unwrap()
}

/// The demo unit, whose deputy head (Phó Đội trưởng) signs the decisions under the
/// delegations the head gave for 2026, so that every căn cứ line of the forms prints.
fn workspace(dir: &Path) -> Workspace {
    let mut ws = Workspace::open(dir).unwrap();
    ws.set_unit(demo_unit()).unwrap();
    for (number, scope) in [("01/QĐ-GQXP", DelegationScope::Sanction), ("02/QĐ-GQKT", DelegationScope::Inspection)] {
        ws.add_delegation(Delegation {
            number: number.into(),
            signed_on: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            deputy_card: deputy(),
            scope,
            valid_from: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            valid_to: None,
            ended_on: None,
        })
        .unwrap();
    }
    ws
}

fn deputy() -> String {
    demo_unit().members.into_iter().find(|m| m.title.starts_with("Phó")).unwrap().card_number
}

fn subject(kind: SubjectKind) -> Subject {
    let address =
        Address::Legacy { text: "Số 5 đường Lê Lợi, phường Đông Kinh, tỉnh Lạng Sơn".into() };
    let mut s = match kind {
        SubjectKind::Organisation => Subject::new(kind, "Công ty TNHH Thương mại Hoàng Long", address),
        _ => Subject::new(kind, "Hoàng Thị Mai", address),
    };
    if kind == SubjectKind::Organisation {
        s.representative = Some("Trần Văn Long".into());
        s.representative_title = Some("Giám đốc".into());
    }
    s
}

fn new_case(ws: &Workspace, kind: SubjectKind) -> Case {
    let mut case = Case::open(Uuid::now_v7(), "DEMO-LS-D1", monday(), "hang-gia", subject(kind));
    let members = demo_unit().members;
    case.members = members.iter().map(|m| m.card_number.clone()).collect();
    case.goods.push(anchi::domain::GoodsLine {
        id: Uuid::now_v7(),
        name: "Túi xách giả nhãn hiệu".into(),
        unit: "chiếc".into(),
        quantity: 12.0,
        origin: "Không rõ".into(),
        condition: "Mới".into(),
        note: String::new(),
        unit_price_vnd: Some(150_000),
    });
    ws.create_case(&case).unwrap();
    case
}

/// A value for every field the demo left empty, so that every optional line prints.
fn complete(ws: &Workspace, case: Uuid, doc: Uuid, form: &FormDef, at: NaiveDateTime) {
    ws.fill_like_demo(case, doc).unwrap();
    let current = ws.case(case).unwrap();
    let fields = current.document(doc).unwrap().fields.clone();
    let leader =
        demo_unit().members.iter().find(|m| m.role == anchi::domain::Role::Leader).unwrap().card_number.clone();
    for field in &form.fields {
        if fields.get(&field.id).is_some_and(|v| !v.trim().is_empty()) {
            continue;
        }
        let value = match field.kind {
            FieldKind::Text | FieldKind::LongText => format!("Nội dung {}", field.label.to_lowercase()),
            FieldKind::Date => at.date().format("%d/%m/%Y").to_string(),
            FieldKind::Time => at.format("%H:%M").to_string(),
            FieldKind::DateTime => at.format("%H:%M %d/%m/%Y").to_string(),
            FieldKind::Money => "500.000".into(),
            FieldKind::Integer => "3".into(),
            FieldKind::Choice if !field.options.is_empty() => field.options[0].clone(),
            FieldKind::Choice => continue,
            FieldKind::Signer => leader.clone(),
            FieldKind::Witnesses => "Nguyễn Văn Chứng, thôn Pò Mã, xã Tân Thanh".into(),
            FieldKind::Provision => "điểm a khoản 1 Điều 9 Nghị định số 98/2020/NĐ-CP".into(),
            FieldKind::Subject | FieldKind::Goods | FieldKind::Act => continue,
        };
        let value = match field.max_len {
            Some(max) => value.chars().take(max).collect(),
            None => value,
        };
        if let Some(pattern) = &field.pattern {
            let re = regex_lite::Regex::new(&format!("^(?:{pattern})$")).unwrap();
            if !re.is_match(&value) {
                continue;
            }
        }
        ws.save_field(case, doc, &field.id, &value).unwrap();
    }
}

/// Starts, completes and finalises a document at `at`; returns its id.
fn make(ws: &Workspace, case: Uuid, kind: K, at: NaiveDateTime) -> Uuid {
    make_choosing(ws, case, kind, at, 0)
}

/// [`make`], with the option `alternative` of the form's `truong_hop` (the alternative
/// texts of MQĐ14), and the fields that belong to another alternative emptied.
fn make_choosing(ws: &Workspace, case: Uuid, kind: K, at: NaiveDateTime, alternative: usize) -> Uuid {
    let id = Uuid::now_v7();
    ws.apply_event(case, Event::StartDocument { id, kind, at }).unwrap();
    let form = ws.catalog.form(kind, at.date()).clone();
    complete(ws, case, id, &form, at);
    if let Some(choice) = form.field(ALTERNATIVE) {
        ws.save_field(case, id, ALTERNATIVE, &choice.options[alternative]).unwrap();
    }
    let fields = ws.case(case).unwrap().document(id).unwrap().fields.clone();
    for rule in &form.rules {
        if let anchi::forms::RuleDef::OnlyWhen { field, when, equals } = rule
            && fields.get(when) != Some(equals)
        {
            ws.save_field(case, id, field, "").unwrap();
        }
    }
    if form.field("nguoi_ky").is_some() {
        ws.save_field(case, id, "nguoi_ky", &deputy()).unwrap();
    }
    let signed = [SignerRole::Maker, SignerRole::Violator]
        .into_iter()
        .map(|role| Signature { role, name: "Người ký".into(), signed: true })
        .collect();
    ws.save_signatures(case, id, signed).unwrap();
    ws.apply_event(case, Event::FinaliseDocument { id, number: None, at })
        .unwrap_or_else(|e| panic!("{kind} could not be finalised: {e:?}"));
    id
}

/// A new case with `kinds` made in turn, 20 minutes apart; the case and the time of the last.
fn case_through(ws: &Workspace, subject: SubjectKind, kinds: &[K]) -> (Case, NaiveDateTime) {
    let case = new_case(ws, subject);
    let mut at = monday();
    for &kind in kinds {
        at += Duration::minutes(20);
        make(ws, case.id, kind, at);
    }
    (case, at)
}

/// Makes an MQĐ38/39/40 on the decision `original` at `at`; returns its id.
fn act_on(ws: &Workspace, case: Uuid, original: Uuid, with: K, at: NaiveDateTime) -> Uuid {
    let id = Uuid::now_v7();
    ws.apply_event(case, Event::AmendDocument { original, id, at, with: Some(with) }).unwrap();
    let form = ws.catalog.form(with, at.date()).clone();
    complete(ws, case, id, &form, at);
    ws.save_field(case, id, "nguoi_ky", &deputy()).unwrap();
    ws.apply_event(case, Event::FinaliseDocument { id, number: None, at })
        .unwrap_or_else(|e| panic!("{with} could not be finalised: {e:?}"));
    id
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .unwrap_or_else(|e| panic!("pdftotext is missing ({e}): the test command installs poppler-utils"));
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
    // A sentence that runs over a page has the page's footer and the next page's number in
    // the middle of it: take them out.
    let footer =
        regex_lite::Regex::new(r" ?Số \S+ · Vụ việc [0-9a-f-]+ · Mã kiểm tra [0-9a-f]+(?: · BẢN NHÁP)?(?: \d+)?")
            .unwrap();
    dehyphenated(&footer.replace_all(&text, ""))
}

/// pdftotext takes a hyphen that ends a line for a word break and drops it: the fixed
/// wording and the text are compared without free-standing hyphens.
fn dehyphenated(text: &str) -> String {
    text.replace(" - ", " ")
}

/// The fixed sentences of a gazetted form for this kind of subject and this alternative
/// text (lines prefixed "[alt1] " …; 0 when the form has none), in order.
fn fragments(code: &str, organisation: bool, alternative: usize) -> Vec<String> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/gazetted").join(format!("{code}.txt"));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let alt = regex_lite::Regex::new(r"^\[alt(\d)\] ").unwrap();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| match alt.captures(l) {
            Some(c) => (c[1].parse::<usize>().unwrap() == alternative).then(|| &l[c[0].len()..]),
            None => Some(l),
        })
        .filter_map(|l| match (l.strip_prefix("[org] "), l.strip_prefix("[ind] ")) {
            (Some(rest), _) => organisation.then_some(rest),
            (_, Some(rest)) => (!organisation).then_some(rest),
            _ => Some(l),
        })
        .map(|l| dehyphenated(&l.split_whitespace().collect::<Vec<_>>().join(" ")))
        .collect()
}

/// The test-data file name of a gazetted code: ASCII (MQĐ02 → MQD02).
fn ascii(code: &str) -> String {
    code.replace('Đ', "D")
}

/// The choice field that picks one of a form's alternative texts (MQĐ14's two cases).
const ALTERNATIVE: &str = "truong_hop";

/// Renders every finalised document of the case and checks each against its gazetted
/// form's fixed sentences, in order. Returns the gazetted codes it checked.
fn conforms(ws: &Workspace, case: Uuid, out: &Path) -> Vec<String> {
    let case = ws.case(case).unwrap();
    let organisation = case.subject.kind == SubjectKind::Organisation;
    let mut checked = Vec::new();
    for doc in case.documents.iter().filter(|d| d.state == DocumentState::Finalised) {
        let form = ws.form_of(doc);
        let Some(code) = form.identity.gazetted.clone() else { continue };
        let pdf = out.join(format!("{}-{}.pdf", doc.kind.code(), if organisation { "org" } else { "ind" }));
        std::fs::write(&pdf, ws.render_document(case.id, doc.id).unwrap()).unwrap();
        let text = pdftotext(&pdf);
        let mut rest = text.as_str();
        let mut missing = Vec::new();
        // The alternative texts a decision prints: the one its truong_hop chose (1, 2 …).
        let alternative = form
            .field(ALTERNATIVE)
            .and_then(|f| f.options.iter().position(|o| doc.fields.get(ALTERNATIVE) == Some(o)))
            .map_or(0, |i| i + 1);
        for fragment in fragments(&ascii(&code), organisation, alternative) {
            match rest.find(&fragment) {
                Some(at) => rest = &rest[at + fragment.len()..],
                None => missing.push(fragment),
            }
        }
        assert!(
            missing.is_empty(),
            "{code} ({}, {}): fixed wording missing or out of order: {missing:#?}\nin: {text}",
            doc.kind.code(),
            if organisation { "tổ chức" } else { "cá nhân" }
        );
        checked.push(code);
    }
    checked
}

#[test]
fn every_gazetted_form_of_every_branch_prints_its_fixed_wording_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let mut checked = std::collections::BTreeSet::new();
    // Each branch: the documents made in turn, 20 minutes apart, on a new case.
    let branches: [&[K]; 6] = [
        // Sanction with a record, after a seizure (record first, then the decision).
        &[
            K::QdKiemTra,
            K::BbKiemTra,
            K::BbTamGiu,
            K::QdTamGiu,
            K::BbNiemPhong,
            K::BbViPham,
            K::BbMoNiemPhong,
            K::QdXuPhat,
        ],
        // Sanction without a record.
        &[K::QdXuPhatKhongLapBienBan],
        // Seizure → valuation, expert examination, extension → return.
        &[
            K::QdKiemTra,
            K::BbKiemTra,
            K::BbTamGiu,
            K::QdTamGiu,
            K::BbXacDinhGiaTri,
            K::QdTrungCauGiamDinh,
            K::QdKeoDaiTamGiu,
            K::QdTraLai,
            K::BbTraLai,
        ],
        // Seizure → violation record, hearing, verification → sanction → confiscation, destruction.
        &[
            K::QdKiemTra,
            K::BbKiemTra,
            K::BbTamGiu,
            K::QdTamGiu,
            K::BbViPham,
            K::BbGiaiTrinh,
            K::BbXacMinh,
            K::QdXuPhat,
            K::BbTichThu,
            K::BbTieuHuy,
        ],
        // No sanction decision: the goods back without a seizure decision, or confiscated
        // and remedies ordered by decisions of their own.
        &[K::QdKiemTra, K::BbKiemTra, K::BbTamGiu, K::BbTraLaiKhongQd, K::QdTichThu, K::QdKhacPhuc],
        // A sanction decision, then amended (MQĐ38), corrected (MQĐ39) and annulled (MQĐ40) below.
        &[K::QdKiemTra, K::BbKiemTra, K::BbViPham, K::QdXuPhat],
    ];
    for kind in [SubjectKind::Organisation, SubjectKind::Individual] {
        for (i, branch) in branches.iter().enumerate() {
            let case = new_case(&ws, kind);
            let mut at = monday();
            let mut last = Uuid::nil();
            for &k in *branch {
                at += Duration::minutes(20);
                last = make(&ws, case.id, k, at);
            }
            if branch.contains(&K::QdTichThu) {
                // MQĐ14's second text: goods not collected when the seizure term ended.
                at += Duration::minutes(20);
                make_choosing(&ws, case.id, K::QdTichThu, at, 1);
            }
            if i == branches.len() - 1 {
                for with in [K::QdSuaDoiBoSung, K::QdDinhChinh, K::QdHuyBo] {
                    at += Duration::hours(2);
                    act_on(&ws, case.id, last, with, at);
                }
                let annulled = ws.case(case.id).unwrap();
                assert_eq!(annulled.document(last).unwrap().state, DocumentState::Cancelled, "MQĐ40 annulled it");
            }
            checked.extend(conforms(&ws, case.id, &out));
        }
    }
    let expected = [
        "MBB01", "MBB03", "MBB04", "MBB05", "MBB15", "MBB16", "MBB17", "MBB20", "MBB21", "MBB26", "MBB27", "MQĐ01",
        "MQĐ02", "MQĐ14", "MQĐ15", "MQĐ20", "MQĐ21", "MQĐ24", "MQĐ38", "MQĐ39", "MQĐ40", "MQĐ41",
    ];
    for code in expected {
        assert!(checked.contains(code), "{code} was never checked (checked: {checked:?})");
    }
}

fn refused(result: Result<(Case, Vec<anchi::domain::Effect>), AppError>) -> String {
    match result {
        Err(AppError::Workflow(e)) => anchi::domain::Bilingual::vi(&e),
        Err(AppError::Invalid(report)) => report.errors().map(|p| p.message_vi.clone()).collect::<Vec<_>>().join("; "),
        Err(other) => panic!("expected a refusal, got {other}"),
        Ok(_) => panic!("expected a refusal, it was accepted"),
    }
}

#[test]
fn the_seizure_decision_follows_its_record_and_is_warned_after_24_hours() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let case = new_case(&ws, SubjectKind::Individual);
    let at = monday();
    make(&ws, case.id, K::QdKiemTra, at);
    // Before the record: not even a draft (Luật 88/2025, khoản 4 Điều 125).
    let before = ws.case(case.id).unwrap();
    let message = refused(ws.apply_event(
        case.id,
        Event::StartDocument { id: Uuid::now_v7(), kind: K::QdTamGiu, at: at + Duration::minutes(5) },
    ));
    assert!(message.contains("Biên bản tạm giữ"), "{message}");
    assert_eq!(ws.case(case.id).unwrap(), before, "nothing stored on refusal");
    // The record, then a decision more than 24 hours later: the law sets 24 hours for the
    // report to the competent person (điểm c khoản 4 Điều 125), so it is a warning.
    let record_at = at + Duration::hours(1);
    make(&ws, case.id, K::BbTamGiu, record_at);
    let id = Uuid::now_v7();
    let start = record_at + Duration::hours(2);
    ws.apply_event(case.id, Event::StartDocument { id, kind: K::QdTamGiu, at: start }).unwrap();
    let form = ws.catalog.form(K::QdTamGiu, start.date()).clone();
    complete(&ws, case.id, id, &form, start);
    let current = ws.case(case.id).unwrap();
    let doc = current.document(id).unwrap();
    let late = ws.check_document(&current, doc, record_at + Duration::hours(25));
    let warned: Vec<_> = late.warnings().filter(|p| p.message_vi.contains("24 giờ")).collect();
    assert!(late.is_ok() && warned.len() == 1, "{late:?}");
    let in_time = ws.check_document(&current, doc, record_at + Duration::hours(23));
    assert!(in_time.warnings().all(|p| !p.message_vi.contains("24 giờ")), "{in_time:?}");
    // Made, it cites the record by number and date.
    ws.apply_event(case.id, Event::FinaliseDocument { id, number: None, at: record_at + Duration::hours(23) }).unwrap();
    let case = ws.case(case.id).unwrap();
    let record = case.documents.iter().find(|d| d.kind == K::BbTamGiu).unwrap();
    let pdf = dir.path().join("qd-tam-giu.pdf");
    std::fs::write(&pdf, ws.render_document(case.id, id).unwrap()).unwrap();
    let text = pdftotext(&pdf);
    assert!(text.contains(&record.number.as_ref().unwrap().to_string()), "{text}");
    assert!(text.contains(&record.finalised_at.unwrap().format("%d/%m/%Y").to_string()), "{text}");
}

#[test]
fn a_warning_needs_no_fine_and_a_fine_needs_its_amount() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let case = new_case(&ws, SubjectKind::Individual);
    let at = monday();
    let id = Uuid::now_v7();
    ws.apply_event(case.id, Event::StartDocument { id, kind: K::QdXuPhatKhongLapBienBan, at }).unwrap();
    let form = ws.catalog.form(K::QdXuPhatKhongLapBienBan, at.date()).clone();
    complete(&ws, case.id, id, &form, at);
    ws.save_field(case.id, id, "hinh_thuc", "Phạt tiền").unwrap();
    ws.save_field(case.id, id, "muc_phat", "").unwrap();
    let message = refused(ws.apply_event(case.id, Event::FinaliseDocument { id, number: None, at }));
    assert!(message.contains("Phạt tiền"), "{message}");
    // A warning with a fine left in is refused: the amount must go.
    ws.save_field(case.id, id, "hinh_thuc", "Cảnh cáo").unwrap();
    ws.save_field(case.id, id, "muc_phat", "500.000").unwrap();
    let message = refused(ws.apply_event(case.id, Event::FinaliseDocument { id, number: None, at }));
    assert!(message.contains("chỉ nhập khi"), "{message}");
    ws.save_field(case.id, id, "muc_phat", "").unwrap();
    ws.apply_event(case.id, Event::FinaliseDocument { id, number: None, at }).unwrap();
    assert_eq!(ws.case(case.id).unwrap().fine_vnd, None, "a warning fixes no fine");
}

#[test]
fn a_fine_without_a_record_is_capped_by_subject_kind() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    for (kind, cap, above) in
        [(SubjectKind::Individual, "500.000", "500.001"), (SubjectKind::Organisation, "1.000.000", "1.000.001")]
    {
        let case = new_case(&ws, kind);
        let at = monday();
        let id = Uuid::now_v7();
        ws.apply_event(case.id, Event::StartDocument { id, kind: K::QdXuPhatKhongLapBienBan, at }).unwrap();
        let form = ws.catalog.form(K::QdXuPhatKhongLapBienBan, at.date()).clone();
        complete(&ws, case.id, id, &form, at);
        ws.save_field(case.id, id, "muc_phat", above).unwrap();
        let before = ws.case(case.id).unwrap();
        let message = refused(ws.apply_event(case.id, Event::FinaliseDocument { id, number: None, at }));
        assert!(message.contains(cap) && message.contains("Điều 56"), "{message}");
        assert_eq!(ws.case(case.id).unwrap(), before, "nothing stored on refusal");
        ws.save_field(case.id, id, "muc_phat", cap).unwrap();
        ws.apply_event(case.id, Event::FinaliseDocument { id, number: None, at }).unwrap();
    }
}

#[test]
fn decisions_cite_the_gazetted_ky_hieu_and_the_signer_s_authority() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let case = new_case(&ws, SubjectKind::Organisation);
    let id = make(&ws, case.id, K::QdXuPhatKhongLapBienBan, monday());
    let case = ws.case(case.id).unwrap();
    let doc = case.document(id).unwrap();
    assert_eq!(doc.number.as_ref().unwrap().ky_hieu, "QĐ-XPHC");
    let pdf = dir.path().join("mqd01.pdf");
    std::fs::write(&pdf, ws.render_document(case.id, id).unwrap()).unwrap();
    let text = pdftotext(&pdf);
    let leader = demo_unit().members.into_iter().find(|m| m.role == anchi::domain::Role::Leader).unwrap();
    let names = demo_unit().names.last().unwrap().clone();
    let authority = format!("{} {}", leader.title.to_uppercase(), names.doi.to_uppercase());
    assert!(text.contains(&authority), "THẨM QUYỀN BAN HÀNH {authority:?} missing: {text}");
    assert!(!text.contains("Tôi:"), "the obsolete opening is gone: {text}");
    assert!(!text.contains("<ông") && !text.contains("(bà)/tổ chức"), "no raw choice printed: {text}");
}

#[test]
fn a_document_finalised_before_the_editions_prints_as_it_was_printed() {
    // A file from before schema 6 keeps its finalised documents on their first form.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-v1.redb"),
        dir.path().join(anchi::store::DB_FILE),
    )
    .unwrap();
    let ws = Workspace::open(dir.path()).unwrap();
    let list = ws.list_cases().unwrap();
    let mut seen = 0;
    for row in list {
        let case = ws.case(row.id).unwrap();
        for doc in case.documents.iter().filter(|d| d.state == DocumentState::Finalised) {
            assert_eq!(ws.form_of(doc), ws.catalog.oldest(doc.kind), "{}", doc.kind);
            seen += 1;
        }
    }
    assert!(seen > 0, "the fixture holds finalised documents");
}

/// MQĐ14's two texts are one or the other: a decision that fills the fields of both would
/// print both, and is refused; MQĐ38's item 3 needs "a)" or "b)", never neither.
#[test]
fn a_decision_prints_one_alternative_and_an_amendment_says_what_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let (case, mut at) = case_through(&ws, SubjectKind::Individual, &[K::QdKiemTra, K::BbKiemTra, K::BbTamGiu]);
    at += Duration::minutes(20);
    let id = Uuid::now_v7();
    ws.apply_event(case.id, Event::StartDocument { id, kind: K::QdTichThu, at }).unwrap();
    let form = ws.catalog.form(K::QdTichThu, at.date()).clone();
    complete(&ws, case.id, id, &form, at);
    ws.save_field(case.id, id, "nguoi_ky", &deputy()).unwrap();
    let before = ws.case(case.id).unwrap();
    let message = refused(ws.apply_event(case.id, Event::FinaliseDocument { id, number: None, at }));
    assert!(message.contains("Lý do tịch thu") && message.contains("chỉ nhập khi"), "{message}");
    assert_eq!(ws.case(case.id).unwrap(), before, "nothing stored on refusal");
    for field in ["ly_do_tich_thu", "noi_thong_bao", "ngay_thong_bao"] {
        ws.save_field(case.id, id, field, "").unwrap();
    }
    ws.apply_event(case.id, Event::FinaliseDocument { id, number: None, at }).unwrap();

    let case = new_case(&ws, SubjectKind::Organisation);
    let mut last = Uuid::nil();
    for kind in [K::QdKiemTra, K::BbKiemTra, K::BbViPham, K::QdXuPhat] {
        at += Duration::minutes(20);
        last = make(&ws, case.id, kind, at);
    }
    at += Duration::hours(2);
    let id = Uuid::now_v7();
    ws.apply_event(case.id, Event::AmendDocument { original: last, id, at, with: Some(K::QdSuaDoiBoSung) }).unwrap();
    let form = ws.catalog.form(K::QdSuaDoiBoSung, at.date()).clone();
    complete(&ws, case.id, id, &form, at);
    ws.save_field(case.id, id, "nguoi_ky", &deputy()).unwrap();
    for field in ["loai_sua_doi", "vi_tri_sua_doi", "noi_dung_sua_doi", "vi_tri_huy_bo", "noi_dung_huy_bo"] {
        ws.save_field(case.id, id, field, "").unwrap();
    }
    let before = ws.case(case.id).unwrap();
    let message = refused(ws.apply_event(case.id, Event::FinaliseDocument { id, number: None, at }));
    assert!(message.contains("Cần ghi ít nhất một trong") && message.contains("b) Hủy bỏ"), "{message}");
    assert_eq!(ws.case(case.id).unwrap(), before, "nothing stored on refusal");
    ws.save_field(case.id, id, "vi_tri_huy_bo", "khoản 3 Điều 2").unwrap();
    ws.save_field(case.id, id, "noi_dung_huy_bo", "Hủy bỏ biện pháp khắc phục hậu quả").unwrap();
    ws.apply_event(case.id, Event::FinaliseDocument { id, number: None, at }).unwrap();
}

/// A finalised decision cites the documents in force when it was made: annulling the one it
/// cited later, while another of its kind remains, used to make it cite that other one.
#[test]
fn a_finalised_decision_keeps_citing_what_it_cited() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let (case, mut at) = case_through(&ws, SubjectKind::Individual, &[K::QdKiemTra, K::BbKiemTra, K::BbTamGiu]);
    at += Duration::minutes(20);
    let first = make(&ws, case.id, K::QdTamGiu, at);
    at += Duration::minutes(20);
    let second = make(&ws, case.id, K::QdTamGiu, at);
    at += Duration::minutes(20);
    let confiscation = make_choosing(&ws, case.id, K::QdTichThu, at, 1);
    let number = |id| ws.case(case.id).unwrap().document(id).unwrap().number.as_ref().unwrap().to_string();
    let (first_number, second_number) = (number(first), number(second));
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let text = |ws: &Workspace| {
        let pdf = out.join("qd-tich-thu.pdf");
        std::fs::write(&pdf, ws.render_document(case.id, confiscation).unwrap()).unwrap();
        pdftotext(&pdf)
    };
    let before = text(&ws);
    assert!(before.contains(&format!("Căn cứ Quyết định số: {second_number}")), "{before}");
    at += Duration::minutes(20);
    act_on(&ws, case.id, second, K::QdHuyBo, at);
    assert_eq!(ws.case(case.id).unwrap().document(second).unwrap().state, DocumentState::Cancelled, "annulled");
    let after = text(&ws);
    assert!(!after.contains(&format!("Căn cứ Quyết định số: {first_number}")), "{after}");
    assert_eq!(after, before, "a finalised decision prints as it was printed");
}

/// A draft begun before an edition came into force previews with the edition it will be
/// checked and finalised with (it previewed with the old one and was checked with the new).
#[test]
fn a_draft_begun_under_an_old_edition_previews_as_it_will_print() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let june = NaiveDate::from_ymd_opt(2025, 6, 2).unwrap().and_hms_opt(8, 0, 0).unwrap();
    let subject = subject(SubjectKind::Individual);
    let mut case = Case::open(Uuid::now_v7(), "DEMO-LS-D1", june, "hang-gia", subject);
    case.members = demo_unit().members.iter().map(|m| m.card_number.clone()).collect();
    ws.create_case(&case).unwrap();
    let id = Uuid::now_v7();
    ws.apply_event(case.id, Event::StartDocument { id, kind: K::QdXuPhatKhongLapBienBan, at: june }).unwrap();
    let stored = ws.case(case.id).unwrap();
    let doc = stored.document(id).unwrap();
    let today = ws.catalog.form(K::QdXuPhatKhongLapBienBan, anchi::app::now().date());
    assert_ne!(today, ws.catalog.form(K::QdXuPhatKhongLapBienBan, june.date()), "two editions apart");
    assert_eq!(ws.form_of(doc), today);
    let preview = ws.print_of(&stored, doc);
    assert!(preview.header.number_line.contains(&today.identity.ky_hieu), "{:?}", preview.header);
}

/// Goods seized as the violation record is made need no seizure record (điểm b khoản 4 Điều
/// 125 as amended by Luật 88/2025): the record shows them, and the seizure decision rests on
/// it and cites it. A record that seized nothing does not stand for a seizure record.
#[test]
fn goods_seized_in_the_violation_record_need_no_seizure_record() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let (case, mut at) = case_through(&ws, SubjectKind::Individual, &[K::QdKiemTra, K::BbKiemTra]);
    // A record without the seizure: the decision still needs its seizure record.
    at += Duration::minutes(20);
    let id = Uuid::now_v7();
    ws.apply_event(case.id, Event::StartDocument { id, kind: K::BbViPham, at }).unwrap();
    let form = ws.catalog.form(K::BbViPham, at.date()).clone();
    complete(&ws, case.id, id, &form, at);
    ws.save_field(case.id, id, "tam_giu", "").unwrap();
    let signed = [SignerRole::Maker, SignerRole::Violator]
        .into_iter()
        .map(|role| Signature { role, name: "Người ký".into(), signed: true })
        .collect();
    ws.save_signatures(case.id, id, signed).unwrap();
    ws.apply_event(case.id, Event::FinaliseDocument { id, number: None, at }).unwrap();
    let start = |at| ws.apply_event(case.id, Event::StartDocument { id: Uuid::now_v7(), kind: K::QdTamGiu, at });
    let message = refused(start(at));
    assert!(message.contains("Biên bản tạm giữ"), "{message}");

    // Another case: the record seizes the goods; it shows them and the decision cites it.
    let case = new_case(&ws, SubjectKind::Individual);
    for kind in [K::QdKiemTra, K::BbKiemTra] {
        at += Duration::minutes(20);
        make(&ws, case.id, kind, at);
    }
    at += Duration::minutes(20);
    let record = make(&ws, case.id, K::BbViPham, at);
    let stored = ws.case(case.id).unwrap();
    assert_eq!(stored.document(record).unwrap().fields["tam_giu"], "Có tạm giữ");
    let record_number = stored.document(record).unwrap().number.as_ref().unwrap().to_string();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let text_of = |doc: Uuid, name: &str| {
        let pdf = out.join(name);
        std::fs::write(&pdf, ws.render_document(case.id, doc).unwrap()).unwrap();
        pdftotext(&pdf)
    };
    let text = text_of(record, "bb-vi-pham.pdf");
    assert!(text.contains("Tạm giữ tang vật, phương tiện vi phạm hành chính cùng thời điểm lập biên bản"), "{text}");
    assert!(text.contains("Túi xách giả nhãn hiệu"), "the seized goods are shown: {text}");
    at += Duration::hours(2);
    let decision = make(&ws, case.id, K::QdTamGiu, at);
    let text = text_of(decision, "qd-tam-giu.pdf");
    assert!(text.contains(&format!("Căn cứ Biên bản số: {record_number} lập ngày")), "{text}");
    // The record cannot be cancelled while the decision rests on it.
    let cancel = Event::CancelDocument { id: record, reason: "Lập nhầm".into(), at };
    let message = refused(ws.apply_event(case.id, cancel));
    assert!(message.contains("Quyết định tạm giữ"), "{message}");
}
