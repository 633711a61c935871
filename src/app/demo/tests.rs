#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use super::*;

/// A case opened on 30 June 2025 is seized days later, under the forms of 1 July 2025:
/// the seizure record must come first (this broke `demo --cases 400` on 1 December 2026).
#[test]
fn the_seizure_order_follows_the_day_of_the_seizure_not_of_the_opening() {
    let july = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
    let opened = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap().and_hms_opt(10, 0, 0).unwrap();
    let case = Case::open(Uuid::now_v7(), "DEMO-LS-D1", opened, "hang-gia", demo_subject());
    let mut rng = fastrand::Rng::with_seed(7);
    let out = events(&mut rng, &case, Plan::Sanctioned { seized: true }, |day| day >= july);
    let started: Vec<(K, NaiveDateTime)> = out
        .iter()
        .filter_map(|e| match e {
            Event::StartDocument { kind, at, .. } => Some((*kind, *at)),
            _ => None,
        })
        .collect();
    let position = |k: K| started.iter().position(|(kind, _)| *kind == k).expect("started");
    assert!(started[position(K::BbTamGiu)].1.date() >= july, "{started:?}");
    assert!(position(K::BbTamGiu) < position(K::QdTamGiu), "{started:?}");
}

fn demo_subject() -> Subject {
    Subject::new(
        SubjectKind::HouseholdBusiness,
        "Hộ kinh doanh Lê Văn An",
        crate::domain::Address::Legacy { text: "Lạng Sơn".into() },
    )
}

/// Demo cases are worked out on every core and each stored once, yet the journal tells each
/// step as if it had been stored by itself: the opening, then every document started and
/// finalised, in order, the chain whole and each case the content of its last entry. The
/// register holds each number once, for the document that took it.
#[test]
fn a_demo_case_is_stored_once_with_a_journal_entry_for_each_step() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(dir.path()).unwrap();
    assert_eq!(ws.make_demo(60, 5).unwrap(), 60);
    let audit = ws.audit_verify().unwrap();
    assert!(audit.first_broken.is_none(), "{audit:?}");
    assert_eq!(audit.cases_checked, 60);
    let mut numbers = std::collections::HashSet::new();
    for row in ws.list_cases().unwrap() {
        let case = ws.case(row.id).unwrap();
        let history = ws.history(row.id).unwrap();
        let verbs: Vec<&str> = history.iter().map(|e| e.action.split(' ').next().unwrap()).collect();
        assert_eq!(verbs[0], "demo.create", "{verbs:?}");
        assert_eq!(verbs.iter().filter(|v| **v == "document.start").count(), case.documents.len(), "{verbs:?}");
        // Each draft is filled in after it is started, as the window's autosave would.
        assert_eq!(verbs.iter().filter(|v| **v == "document.save_field").count(), case.documents.len(), "{verbs:?}");
        let finalised = case.documents.iter().filter(|d| d.finalised_at.is_some()).count();
        assert_eq!(verbs.iter().filter(|v| **v == "document.finalise").count(), finalised, "{verbs:?}");
        assert!(history.windows(2).all(|w| w[0].seq < w[1].seq));
        for doc in &case.documents {
            let Some(number) = &doc.number else { continue };
            let used = ws.number_use(number).unwrap().expect("the register holds the number");
            assert_eq!(used.document_id, doc.id);
            assert!(numbers.insert((number.to_string(), number.year)), "{number} taken twice");
        }
    }
    assert!(!numbers.is_empty());
}
