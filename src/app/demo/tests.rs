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
