#![allow(clippy::unwrap_used, reason = "tests")]

use chrono::NaiveDate;

use super::*;

fn catalogue() -> Catalogue {
    Catalogue::parse(include_str!("../../../assets/law/catalogue.toml")).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn the_embedded_catalogue_parses() {
    let c = catalogue();
    assert!(c.acts_on(day(2026, 11, 30)).len() >= 20);
}

#[test]
fn the_value_of_the_goods_chooses_the_tier() {
    let c = catalogue();
    let key = Key::parse("ND98-15-1").unwrap();
    let s = c.select(&key, day(2026, 3, 1), 4_000_000).unwrap();
    assert_eq!(s.tier.point, "1-b");
    assert_eq!(s.bracket(false), Bracket { min_vnd: 1_000_000, max_vnd: 2_000_000, warning: false });
    assert_eq!(s.bracket(true).max_vnd, 4_000_000, "an organisation is fined twice");
    assert_eq!(s.points_vi(), "điểm b khoản 1 Điều 15");
    let top = c.select(&key, day(2026, 3, 1), 150_000_000).unwrap();
    assert_eq!(top.tier.point, "1-i");
    // An act of khoản 3 at the bracket of khoản 1, doubled by khoản 2.
    let s = c.select(&Key::parse("ND98-15-3-a+2-c").unwrap(), day(2026, 3, 1), 4_000_000).unwrap();
    assert_eq!(s.points_vi(), "điểm a khoản 3, điểm b khoản 1, điểm c khoản 2 Điều 15");
    assert_eq!(s.bracket(false).max_vnd, 4_000_000);
}

#[test]
fn an_id_of_a_tier_names_the_act_at_that_tier() {
    let c = catalogue();
    let (act, tier) = c.act("ND98-15-1-b", day(2026, 1, 1)).unwrap();
    assert_eq!(act.id(), "ND98-15-1");
    assert_eq!(tier.unwrap().max_vnd, 2_000_000);
    let s = c.select(&Key::parse("ND98-15-1-b").unwrap(), day(2026, 1, 1), 90_000_000).unwrap();
    assert_eq!(s.tier.point, "1-b", "the tier named wins over the goods' value");
}

#[test]
fn the_day_of_the_act_chooses_the_version() {
    let c = catalogue();
    // Until 20/02/2025 point a of khoản 1 Điều 17 was goods past their use-by date.
    let before = c.act("ND98-17-1-a", day(2025, 2, 20)).unwrap().0;
    let after = c.act("ND98-17-1-a", day(2025, 2, 21)).unwrap().0;
    assert!(before.act.text.contains("quá hạn sử dụng"));
    assert_eq!(after.act.text, "Kinh doanh hàng hóa không rõ nguồn gốc, xuất xứ");
    assert!(after.decree_citation().contains("24/2025"));
    assert!(!before.decree_citation().contains("24/2025"));
    assert!(c.act("ND98-17-1-d", day(2025, 2, 21)).is_none(), "point d is gone");
    // Điều 46 (consumer information) was replaced: 10–20 M before, 20–30 M after.
    let key = Key::parse("ND98-46-1-a").unwrap();
    assert_eq!(c.select(&key, day(2024, 6, 1), 0).unwrap().bracket(false).max_vnd, 20_000_000);
    assert_eq!(c.select(&key, day(2025, 6, 1), 0).unwrap().bracket(false).max_vnd, 30_000_000);
    let s = c.select(&Key::parse("ND98-17-1-a").unwrap(), day(2026, 1, 5), 12_000_000).unwrap();
    assert_eq!(s.points_vi(), "điểm a khoản 1, khoản 5 Điều 17");
    assert_eq!(s.bracket(false), Bracket { min_vnd: 5_000_000, max_vnd: 7_000_000, warning: false });
    assert!(c.select(&Key::parse("ND98-17-1-a").unwrap(), day(2026, 1, 5), 500_000).unwrap().bracket(false).warning);
}

#[test]
fn a_large_platform_is_fined_four_times_without_doubling_again() {
    let c = catalogue();
    let s = c.select(&Key::parse("ND98-46-2-a+4").unwrap(), day(2026, 1, 1), 0).unwrap();
    assert_eq!(s.bracket(true).max_vnd, 160_000_000);
    let err = c.select(&Key::parse("ND98-46-2-a+4").unwrap(), day(2024, 1, 1), 0).unwrap_err();
    assert!(matches!(err, SelectError::NoAct { .. } | SelectError::NoDouble { .. }), "{err}");
}

#[test]
fn finding_by_words_without_accents_or_by_article() {
    let c = catalogue();
    let on = day(2026, 11, 30);
    let ids = |q: &str| find(&c, q, on).iter().map(ActRef::id).collect::<Vec<_>>();
    assert_eq!(ids("hang nhap lau")[0], "ND98-15-1");
    assert!(ids("khong ro nguon goc").contains(&"ND98-17-1-a".to_string()));
    assert!(ids("điều 15").iter().all(|i| i.starts_with("ND98-15-")));
    assert_eq!(ids("dieu 15").len(), 4);
    assert_eq!(ids("d17 khoang san"), ["ND98-17-1-b"]);
    assert_eq!(ids("ND98-15-1-b"), ["ND98-15-1"]);
    assert!(ids("xe máy cà phê").is_empty());
}

#[test]
fn a_bad_catalogue_is_refused_with_the_article_named() {
    let text =
        include_str!("../../../assets/law/catalogue.toml").replacen("tiers = \"gia-tri\"", "tiers = \"nope\"", 1);
    let err = Catalogue::parse(&text).unwrap_err();
    assert!(err.contains("Điều 9 (2020-10-15)") && err.contains("nope"), "{err}");
}

#[test]
fn a_food_safety_bracket_in_multiples_of_the_goods_value_follows_the_value() {
    let c = catalogue();
    let key = Key::parse("ND115-12-1").unwrap();
    let s = c.select(&key, day(2026, 5, 4), 3_000_000).unwrap();
    assert_eq!(s.bracket(false), Bracket { min_vnd: 3_000_000, max_vnd: 6_000_000, warning: false });
    assert_eq!(s.bracket(true).max_vnd, 12_000_000);
    assert_eq!(s.points_vi(), "khoản 1 Điều 12");
    assert!(s.provision().contains("Nghị định số 115/2018/NĐ-CP") && s.provision().contains("124/2021"));
    let err = c.select(&key, day(2026, 5, 4), 0).unwrap_err();
    assert!(matches!(err, SelectError::NoValue { .. }), "{err}");
    // Before NĐ 124/2021 came into force the decree is cited alone.
    let before = c.select(&key, day(2021, 6, 1), 1).unwrap();
    assert!(!before.provision().contains("124/2021"));
    assert_eq!(
        find(&c, "thuc pham hong moc", day(2026, 5, 4)).iter().map(ActRef::id).collect::<Vec<_>>(),
        ["ND115-14-1"]
    );
}
