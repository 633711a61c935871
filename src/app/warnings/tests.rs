//! The rules of the warnings over small hand-made cases.

use chrono::NaiveDateTime;

use super::*;
use crate::domain::{Address, Document, DocumentState, Subject, SubjectKind, TaxCode};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn at(date: NaiveDate) -> NaiveDateTime {
    date.and_hms_opt(9, 0, 0).unwrap()
}

fn subject(name: &str, tax: Option<&str>) -> Subject {
    let address = Address::Coded { street: "Số 1".into(), commune_code: 7001, province_code: 20 };
    Subject {
        tax_code: tax.map(|t| TaxCode::try_from(t).unwrap()),
        ..Subject::new(SubjectKind::Organisation, name, address)
    }
}

fn document(kind: DocumentKind, on: NaiveDate, finalised: bool, provision: &str) -> Document {
    let mut doc = Document::draft(Uuid::new_v4(), kind, at(on));
    doc.fields.insert("dieu_khoan".into(), provision.into());
    doc.fields.insert("hanh_vi".into(), "Kinh doanh hàng hóa không rõ nguồn gốc".into());
    doc.fields.insert("thoi_gian_vi_pham".into(), format!("{on}T08:30"));
    if finalised {
        doc.state = DocumentState::Finalised;
        doc.finalised_at = Some(at(on));
    }
    doc
}

/// A case opened on `on` whose subject was sanctioned that day under `provision`.
fn sanctioned(subject: Subject, on: NaiveDate, provision: &str, fine: Option<u64>) -> Case {
    let mut case = Case::open(Uuid::new_v4(), "LS-D1", at(on), "Hàng hóa", subject);
    case.documents.push(document(DocumentKind::BbViPham, on, true, provision));
    case.documents.push(document(DocumentKind::QdXuPhat, on, true, provision));
    case.fine_vnd = fine;
    case
}

const P: &str = "điểm a khoản 1 Điều 17 Nghị định 98/2020/NĐ-CP";
const DAI_PHAT: &str = "Công ty TNHH Thương mại Đại Phát";

fn act(on: NaiveDate, provision: &str) -> ViolationFact {
    ViolationFact { on, act: String::new(), provision: provision.into(), catalogue: Vec::new() }
}

thread_local! {
    /// The facts of the cases the test's `local` was made of.
    static FACTS: std::cell::RefCell<HashMap<Uuid, CaseFacts>> = Default::default();
}

fn facts_of(id: Uuid) -> Option<CaseFacts> {
    FACTS.with(|f| f.borrow().get(&id).cloned())
}

fn local(cases: &[&Case]) -> LocalSubjects {
    FACTS.with(|f| f.borrow_mut().extend(cases.iter().map(|c| (c.id, CaseFacts::of(c)))));
    LocalSubjects::new(cases.iter().map(|c| CaseSummary::of(c)).collect(), "LS-D1", &[])
}

fn kinds(warnings: &[Warning]) -> Vec<WarningKind> {
    warnings.iter().map(|w| w.kind).collect()
}

#[test]
fn a_repeat_offence_is_flagged_inside_the_window_and_not_a_day_after() {
    let earlier = sanctioned(subject(DAI_PHAT, Some("4922302780")), d(2025, 3, 10), P, Some(15_000_000));
    let local = local(&[&earlier]);
    let facts = SubjectFacts::of(&subject("CTY TNHH TM DAI PHAT", Some("4922302780")));
    let today = d(2026, 3, 12);

    let inside = warnings_for(
        &WarningQuery { subject: &facts, this_case: None, acts: &[act(d(2026, 3, 10), P)], own_team: "LS-D1", today },
        &local,
        None,
        &facts_of,
    );
    let repeat = inside.iter().find(|w| w.kind == WarningKind::RepeatOffence).expect("flagged on the last day");
    assert_eq!(repeat.until, Some(d(2026, 3, 10)));
    assert_eq!(repeat.reason_vi.as_deref(), Some("cùng mã số thuế"));
    assert!(repeat.text_vi.contains("10/03/2026"), "{}", repeat.text_vi);
    assert_eq!(
        repeat.aggravating_text().as_deref(),
        Some("Tái phạm (đã bị xử phạt ngày 10/03/2025 về hành vi cùng điều khoản)")
    );

    let outside = warnings_for(
        &WarningQuery { subject: &facts, this_case: None, acts: &[act(d(2026, 3, 11), P)], own_team: "LS-D1", today },
        &local,
        None,
        &facts_of,
    );
    assert_eq!(kinds(&outside), [WarningKind::EarlierCase], "the day after the window: only the earlier case");

    let other_act = warnings_for(
        &WarningQuery {
            subject: &facts,
            this_case: None,
            acts: &[act(d(2026, 1, 5), "điểm b khoản 2 Điều 9")],
            own_team: "LS-D1",
            today,
        },
        &local,
        None,
        &facts_of,
    );
    assert_eq!(kinds(&other_act), [WarningKind::EarlierCase], "another provision is not a repeat");
}

/// Acts chosen from the catalogue repeat by the catalogue's act: smuggled goods sanctioned at
/// one value tier and found again at another are the same act (the provisions cited differ),
/// and another act under the same article is not.
#[test]
fn a_catalogue_act_repeats_whatever_the_tier_its_goods_fall_in() {
    let tier_b = "điểm b khoản 1 Điều 15 Nghị định số 98/2020/NĐ-CP";
    let tier_e = "điểm e khoản 1 Điều 15 Nghị định số 98/2020/NĐ-CP";
    let mut earlier = sanctioned(subject(DAI_PHAT, Some("4922302780")), d(2025, 9, 1), tier_b, Some(1_500_000));
    for doc in &mut earlier.documents {
        doc.fields.insert("ma_hanh_vi".into(), "ND98-15-1".into());
    }
    let local = local(&[&earlier]);
    let facts = SubjectFacts::of(&subject(DAI_PHAT, Some("4922302780")));
    let query = |id: &str, provision: &str| {
        let acts = [ViolationFact { catalogue: vec![id.to_string()], ..act(d(2026, 3, 2), provision) }];
        let q = WarningQuery { subject: &facts, this_case: None, acts: &acts, own_team: "LS-D1", today: d(2026, 3, 3) };
        kinds(&warnings_for(&q, &local, None, &facts_of))
    };
    assert!(query("ND98-15-1", tier_e).contains(&WarningKind::RepeatOffence), "same act, another tier");
    assert_eq!(query("ND98-15-3-a", tier_e), [WarningKind::EarlierCase], "another act of Điều 15");
    // The list's mark says the same from the rows alone.
    let later = {
        let mut c = sanctioned(subject(DAI_PHAT, Some("4922302780")), d(2026, 3, 2), tier_e, None);
        c.documents.retain(|d| d.kind == DocumentKind::BbViPham);
        c.documents[0].fields.insert("ma_hanh_vi".into(), "ND98-15-1".into());
        c
    };
    let rows = [CaseSummary::of(&earlier), CaseSummary::of(&later)];
    assert!(rows[1].violation_marks[0].same_act(&rows[0].sanction_marks[0]));
    assert_ne!(rows[1].violation_marks[0].provision, rows[0].sanction_marks[0].provision);
}

#[test]
fn a_warning_counts_for_six_months() {
    let earlier = sanctioned(subject(DAI_PHAT, Some("4922302780")), d(2025, 3, 10), P, None);
    let local = local(&[&earlier]);
    let facts = SubjectFacts::of(&subject(DAI_PHAT, Some("4922302780")));
    let on = |day| {
        warnings_for(
            &WarningQuery { subject: &facts, this_case: None, acts: &[act(day, P)], own_team: "LS-D1", today: day },
            &local,
            None,
            &facts_of,
        )
    };
    assert!(kinds(&on(d(2025, 9, 10))).contains(&WarningKind::RepeatOffence));
    assert!(!kinds(&on(d(2025, 9, 11))).contains(&WarningKind::RepeatOffence));
}

#[test]
fn the_case_in_hand_is_not_its_own_earlier_case() {
    let case = sanctioned(subject(DAI_PHAT, Some("4922302780")), d(2025, 3, 10), P, Some(1));
    let local = local(&[&case]);
    let facts = SubjectFacts::of(&case.subject);
    let got = warnings_for(
        &WarningQuery {
            subject: &facts,
            this_case: Some(case.id),
            acts: &acts_of(&case, d(2025, 3, 10)),
            own_team: "LS-D1",
            today: d(2025, 3, 10),
        },
        &local,
        None,
        &facts_of,
    );
    assert!(got.is_empty(), "{got:?}");
}

#[test]
fn the_province_index_tells_sanctions_and_recent_inspections_by_other_teams() {
    let today = d(2026, 6, 1);
    let entry = |team: &str, kind, on, provision: &str| OffenderEntry {
        identifier: None,
        folded_name: String::new(),
        name: "Công ty TNHH Thương mại Đại Phát".into(),
        province: Some(20),
        commune: Some(7001),
        team_id: team.into(),
        case_id: Uuid::new_v4(),
        act: "Bán hàng giả".into(),
        provision: provision.into(),
        decided_on: on,
        fine_vnd: Some(10_000_000),
        kind,
        unit: None,
        decision: None,
    };
    let entries = vec![
        entry("LS-D3", EntryKind::Sanction, d(2025, 12, 1), P),
        entry("LS-D3", EntryKind::Inspection, d(2026, 5, 20), ""),
        entry("LS-D4", EntryKind::Inspection, d(2025, 11, 1), ""),
        entry("LS-D1", EntryKind::Inspection, d(2026, 5, 25), ""),
    ];
    let index = ProvinceIndex {
        status: IndexStatus { generated_at: Utc::now(), expires_at: Utc::now(), entries: 4, expired: false },
        lookup: OffenderLookup::new(entries),
        loaded_from: None,
    };
    // Typed without accents, words in another order, no tax code: found by name and commune.
    let facts = SubjectFacts::of(&subject("Cty TNHH Dai Phat Thuong Mai", None));
    let got = warnings_for(
        &WarningQuery { subject: &facts, this_case: None, acts: &[act(today, P)], own_team: "LS-D1", today },
        &LocalSubjects::default(),
        Some(&index),
        &facts_of,
    );
    let repeat = got.iter().find(|w| w.kind == WarningKind::RepeatOffence).expect("a repeat from the index");
    assert_eq!(repeat.source, Source::ProvinceIndex);
    assert_eq!(repeat.team_id.as_deref(), Some("LS-D3"));
    assert_eq!(repeat.reason_vi.as_deref(), Some("tên gần giống, cùng phường/xã"));
    let inspections: Vec<_> = got.iter().filter(|w| w.kind == WarningKind::OtherTeamInspection).collect();
    assert_eq!(inspections.len(), 1, "only LS-D3's recent one: LS-D4's is too old, LS-D1 is this team: {got:#?}");
    assert!(inspections[0].text_vi.contains("Đội LS-D3 đã kiểm tra"), "{}", inspections[0].text_vi);
}

#[test]
fn another_province_s_sanction_and_inspection_are_told_with_its_name_and_decision_even_under_our_team_code() {
    // Team codes repeat from province to province: an entry of the national index with our
    // own team's code is still another body's case.
    let today = d(2026, 6, 1);
    let elsewhere = |kind, on, provision: &str, decision: Option<&str>| OffenderEntry {
        identifier: Some("0101234567".into()),
        folded_name: crate::domain::text::fold("Công ty TNHH Đại Phát"),
        name: "Công ty TNHH Đại Phát".into(),
        province: Some(1),
        commune: None,
        team_id: "LS-D1".into(),
        case_id: Uuid::new_v4(),
        act: "Bán hàng giả".into(),
        provision: provision.into(),
        decided_on: on,
        fine_vnd: Some(10_000_000),
        kind,
        unit: Some("Chi cục QLTT thành phố Hà Nội".into()),
        decision: decision.map(str::to_string),
    };
    let entries = vec![
        elsewhere(EntryKind::Sanction, d(2025, 12, 1), P, Some("12/QĐ-XPHC-QLTTHN")),
        elsewhere(EntryKind::Inspection, d(2026, 5, 20), "", None),
    ];
    let index = ProvinceIndex {
        status: IndexStatus { generated_at: Utc::now(), expires_at: Utc::now(), entries: 2, expired: false },
        lookup: OffenderLookup::new(entries),
        loaded_from: None,
    };
    let mut subject = subject("Công ty TNHH Đại Phát", None);
    subject.tax_code = Some(TaxCode::try_from("0101234567").unwrap());
    let facts = SubjectFacts::of(&subject);
    let got = warnings_for(
        &WarningQuery { subject: &facts, this_case: None, acts: &[act(today, P)], own_team: "LS-D1", today },
        &LocalSubjects::default(),
        Some(&index),
        &facts_of,
    );
    let earlier = got.iter().find(|w| w.kind == WarningKind::EarlierCase).expect("the other province's sanction");
    assert!(
        earlier.text_vi.starts_with("Chi cục QLTT thành phố Hà Nội đã xử phạt")
            && earlier.text_vi.contains("(QĐ số 12/QĐ-XPHC-QLTTHN)"),
        "{}",
        earlier.text_vi
    );
    let repeat = got.iter().find(|w| w.kind == WarningKind::RepeatOffence).expect("a repeat across provinces");
    assert!(repeat.text_vi.contains("Chi cục QLTT thành phố Hà Nội đã xử phạt"), "{}", repeat.text_vi);
    let inspections: Vec<_> = got.iter().filter(|w| w.kind == WarningKind::OtherTeamInspection).collect();
    assert_eq!(inspections.len(), 1, "not taken for this team's own: {got:#?}");
    assert!(
        inspections[0].text_vi.starts_with("Chi cục QLTT thành phố Hà Nội đã kiểm tra"),
        "{}",
        inspections[0].text_vi
    );
}

#[test]
fn merged_subjects_count_as_one_whatever_their_names() {
    let link = |a: &str, b: &str| SubjectLink {
        keys: [a.into(), b.into()],
        names: [String::new(), String::new()],
        cases: [Uuid::nil(), Uuid::nil()],
        at: at(d(2026, 1, 1)),
    };
    let groups = link_groups(&[link("id:3", "id:2"), link("id:5", "id:4"), link("id:4", "id:3")]);
    assert!(["id:2", "id:3", "id:4", "id:5"].iter().all(|k| groups[*k] == "id:2"), "{groups:?}");

    let shop = |name: &str, commune| {
        let address = Address::Coded { street: "Chợ".into(), commune_code: commune, province_code: 20 };
        Subject::new(SubjectKind::Individual, name, address)
    };
    let earlier = sanctioned(shop("Quầy tạp hóa Bà Tư", 7001), d(2025, 6, 1), P, Some(1_000_000));
    let now = shop("Nguyễn Thị Tư", 7002);
    let key = |s: &Subject| {
        subject_key(
            &s.name,
            s.identifier(),
            Some(match s.address {
                Address::Coded { commune_code, .. } => commune_code,
                _ => 0,
            }),
        )
    };
    let facts = SubjectFacts::of(&now);
    let acts = [act(d(2026, 2, 1), P)];
    let plain = warnings_for(
        &WarningQuery { subject: &facts, this_case: None, acts: &acts, own_team: "LS-D1", today: d(2026, 2, 1) },
        &local(&[&earlier]),
        None,
        &facts_of,
    );
    assert!(plain.is_empty(), "a different name in another commune: {plain:?}");
    let links = [SubjectLink { keys: [key(&earlier.subject), key(&now)], ..link("", "") }];
    let merged_local = LocalSubjects::new(vec![CaseSummary::of(&earlier)], "LS-D1", &links);
    let merged = warnings_for(
        &WarningQuery { subject: &facts, this_case: None, acts: &acts, own_team: "LS-D1", today: d(2026, 2, 1) },
        &merged_local,
        None,
        &facts_of,
    );
    assert_eq!(kinds(&merged), [WarningKind::RepeatOffence, WarningKind::EarlierCase]);
    assert_eq!(merged[0].reason_vi.as_deref(), Some("đã gộp là cùng đối tượng"));

    let mut later = sanctioned(now.clone(), d(2026, 2, 1), P, Some(1));
    later.opened_at = at(d(2026, 2, 1));
    let rows = vec![CaseSummary::of(&earlier), CaseSummary::of(&later)];
    assert!(list_badges(&rows, &[]).is_empty());
    assert_eq!(list_badges(&rows, &links).get(&later.id), Some(&Badge::Repeat));
}

#[test]
fn the_index_says_its_age_and_when_it_has_expired() {
    let generated = DateTime::parse_from_rfc3339("2026-11-01T08:00:00Z").unwrap().with_timezone(&Utc);
    let status = IndexStatus {
        generated_at: generated,
        expires_at: generated + Duration::days(14),
        entries: 12,
        expired: false,
    };
    let on = |day: &str| DateTime::parse_from_rfc3339(day).unwrap().with_timezone(&Utc);
    assert_eq!(
        status.describe_vi(on("2026-11-04T09:00:00Z")),
        "Danh sách đối tượng của Chi cục: 12 mục, cập nhật 3 ngày trước, còn hạn đến 15/11/2026"
    );
    assert_eq!(
        status.describe_vi(on("2026-11-16T09:00:00Z")),
        "Danh sách đối tượng của Chi cục: 12 mục, cập nhật 15 ngày trước, ĐÃ HẾT HẠN từ 15/11/2026, cần đồng bộ lại"
    );
}

#[test]
fn the_list_marks_repeat_offenders_and_earlier_cases() {
    let first = sanctioned(subject(DAI_PHAT, Some("4922302780")), d(2025, 3, 10), P, Some(5_000_000));
    let branch = sanctioned(subject("Chi nhánh Đại Phát", Some("4922302780-001")), d(2025, 8, 1), P, Some(1));
    let late = sanctioned(subject(DAI_PHAT, Some("4922302780")), d(2027, 1, 1), P, Some(1));
    let stranger = sanctioned(subject("Công ty TNHH Khác", Some("0100109106")), d(2025, 8, 1), P, Some(1));
    let rows: Vec<CaseSummary> = [&first, &branch, &late, &stranger].iter().map(|c| CaseSummary::of(c)).collect();
    let badges = list_badges(&rows, &[]);
    assert_eq!(badges.get(&first.id), None, "the first case of a subject has no badge");
    assert_eq!(badges.get(&branch.id), Some(&Badge::Repeat), "the branch repeats its parent's act within a year");
    assert_eq!(badges.get(&late.id), Some(&Badge::Earlier(2)), "the window has run out; two earlier cases");
    assert_eq!(badges.get(&stranger.id), None);
}

#[test]
fn the_same_act_twice_is_a_repeated_violation() {
    let subject = subject(DAI_PHAT, Some("4922302780"));
    let mut case = Case::open(Uuid::new_v4(), "LS-D1", at(d(2026, 2, 2)), "Hàng hóa", subject.clone());
    case.documents.push(document(DocumentKind::BbViPham, d(2026, 2, 2), true, P));
    case.documents.push(document(DocumentKind::BbViPham, d(2026, 2, 3), false, &P.to_uppercase()));
    let acts = acts_of(&case, d(2026, 2, 3));
    let within = warnings_for(
        &WarningQuery {
            subject: &SubjectFacts::of(&subject),
            this_case: Some(case.id),
            acts: &acts,
            own_team: "LS-D1",
            today: d(2026, 2, 3),
        },
        &local(&[&case]),
        None,
        &facts_of,
    );
    assert_eq!(kinds(&within), [WarningKind::RepeatedViolation]);
    assert_eq!(within[0].source, Source::ThisCase);

    // An earlier case recorded the act and was never sanctioned: vi phạm nhiều lần too.
    let mut unsanctioned = Case::open(Uuid::new_v4(), "LS-D1", at(d(2025, 10, 1)), "Hàng hóa", subject.clone());
    unsanctioned.documents.push(document(DocumentKind::BbViPham, d(2025, 10, 1), true, P));
    let later = warnings_for(
        &WarningQuery {
            subject: &SubjectFacts::of(&subject),
            this_case: None,
            acts: &[act(d(2026, 2, 2), P)],
            own_team: "LS-D1",
            today: d(2026, 2, 2),
        },
        &local(&[&unsanctioned]),
        None,
        &facts_of,
    );
    assert_eq!(kinds(&later), [WarningKind::RepeatedViolation, WarningKind::EarlierCase]);
    assert_eq!(later[0].source, Source::ThisLaptop);
}
