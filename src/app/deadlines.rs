//! Deadlines of the cases: each case's deadlines from its list row and the rules of
//! `assets/law/deadlines.toml` over the calendar of `assets/law/calendar.toml`, and the
//! leader's list of every open one.

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use super::{AppError, Workspace};
use crate::domain::CaseSummary;
use crate::domain::deadlines::{Deadline, DeadlineState, deadlines_of};

/// An open deadline of a case, for the leader's list and `anchi deadlines`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseDeadline {
    pub case_id: Uuid,
    pub subject_name: String,
    pub latest_number: Option<String>,
    pub lead_member: Option<String>,
    #[serde(flatten)]
    pub deadline: Deadline,
}

impl Workspace {
    /// Every deadline of a case on `as_of` (met ones and informational ones included).
    pub fn case_deadlines(&self, case_id: Uuid, as_of: NaiveDate) -> Result<Vec<Deadline>, AppError> {
        let case = self.case(case_id)?;
        Ok(self.deadlines_of_row(&CaseSummary::of(&case), as_of))
    }

    /// A list row's deadlines on `as_of`.
    pub fn deadlines_of_row(&self, row: &CaseSummary, as_of: NaiveDate) -> Vec<Deadline> {
        deadlines_of(row, &self.reference.deadline_rules, &self.reference.calendar, as_of)
    }

    /// Every open deadline (not met, not informational) of every case on `as_of`, the
    /// most pressing first (overdue, then due soon, then by due date).
    pub fn open_deadlines(&self, as_of: NaiveDate) -> Result<Vec<CaseDeadline>, AppError> {
        let mut out: Vec<CaseDeadline> = self
            .list_cases()?
            .into_iter()
            .flat_map(|row| {
                self.deadlines_of_row(&row, as_of)
                    .into_iter()
                    .filter(|d| !d.informational && d.state != DeadlineState::Met)
                    .map(move |deadline| CaseDeadline {
                        case_id: row.id,
                        subject_name: row.subject_name.clone(),
                        latest_number: row.latest_number.clone(),
                        lead_member: row.lead_member.clone(),
                        deadline,
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        out.sort_by_key(|d| (d.deadline.state, d.deadline.due));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Reference;
    use crate::app::reference::parse_calendar;
    use crate::domain::deadlines::{Length, Milestone, Unit};
    use crate::domain::{Address, Case, DocumentKind as K, Subject, SubjectKind};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn working_days_skip_weekends_holidays_and_count_make_up_saturdays() {
        let cal = Reference::embedded().calendar;
        let due = |from, n| cal.add_working_days(from, n);
        assert_eq!(due(d(2026, 11, 27), 2), d(2026, 12, 1), "Friday + 2: over the weekend, start day not counted");
        assert_eq!(due(d(2026, 2, 13), 1), d(2026, 2, 23), "over the Lunar New Year 2026 (16–20/2 off)");
        assert_eq!(due(d(2026, 2, 12), 7), d(2026, 3, 2), "a sanction decision after a record on 12/2/2026");
        assert_eq!(due(d(2025, 12, 31), 1), d(2026, 1, 5), "New Year's Day, Friday 2/1/2026 swapped off");
        assert_eq!(due(d(2026, 1, 9), 1), d(2026, 1, 10), "Saturday 10/1/2026 worked in its place");
        assert_eq!(due(d(2026, 8, 28), 1), d(2026, 9, 3), "Monday 31/8/2026 swapped off, 1–2/9 Quốc khánh");
        assert_eq!(due(d(2026, 8, 21), 1), d(2026, 8, 22), "Saturday 22/8/2026 worked in its place");
        assert_eq!(due(d(2024, 4, 26), 2), d(2024, 5, 3), "29/4/2024 swapped off, 30/4 and 1/5 holidays");
        assert_eq!(due(d(2024, 4, 26), 3), d(2024, 5, 4), "Saturday 4/5/2024 was a working day");
        assert_eq!(due(d(2026, 4, 24), 1), d(2026, 4, 28), "Hùng Kings' day on a Sunday: Monday 27/4 off");
        assert_eq!(due(d(2025, 1, 24), 1), d(2025, 2, 3), "Lunar New Year 2025");
        assert_eq!(due(d(2025, 8, 29), 1), d(2025, 9, 3), "National Day 2025: 1 and 2 September off");
        assert_eq!(cal.holiday(d(2026, 2, 18)), Some("Tết Nguyên đán Bính Ngọ"));
    }

    #[test]
    fn calendar_lengths_end_on_the_next_working_day() {
        let cal = Reference::embedded().calendar;
        let month = Length { length: 1, unit: Unit::Months };
        assert_eq!(month.due(d(2026, 1, 31), &cal), d(2026, 3, 2), "28/2/2026 is a Saturday");
        let year = Length { length: 1, unit: Unit::Years };
        assert_eq!(year.due(d(2025, 2, 16), &cal), d(2026, 2, 23), "16/2/2026 falls in Tết");
        assert!(cal.official_between(d(2024, 1, 1), d(2026, 12, 31)));
        assert!(!cal.official_between(d(2026, 12, 28), d(2027, 1, 8)), "2027 is provisional");
        assert!(!cal.official_between(d(2023, 12, 28), d(2024, 1, 8)), "2023 is not in the table");
    }

    #[test]
    fn a_bad_calendar_table_is_refused() {
        let weekday_make_up =
            "[[year]]\nyear = 2026\nstatus = \"official\"\nworking = [{ date = \"2026-04-28\", name = \"x\" }]";
        assert!(parse_calendar(weekday_make_up).unwrap_err().contains("is not a Saturday or Sunday"));
        let wrong_year =
            "[[year]]\nyear = 2026\nstatus = \"official\"\noff = [{ date = \"2027-01-01\", name = \"x\" }]";
        assert!(parse_calendar(wrong_year).unwrap_err().contains("is not in 2026"));
        let backwards = "[[year]]\nyear = 2026\nstatus = \"official\"\noff = [{ from = \"2026-02-20\", to = \"2026-02-16\", name = \"x\" }]";
        assert!(parse_calendar(backwards).unwrap_err().contains("from ≤ to"));
    }

    #[test]
    fn every_extension_in_the_rules_is_an_option_of_an_edition_of_the_extension_form() {
        let reference = Reference::embedded();
        let catalog = crate::forms::Catalog::embedded().unwrap();
        let options: Vec<String> = catalog
            .all()
            .filter(|f| f.identity.id == "gia-han")
            .flat_map(|f| f.field("gia_han").unwrap().options.clone())
            .collect();
        for rule in &reference.deadline_rules.rule {
            for e in &rule.extensions {
                assert!(options.contains(&e.option), "rule {}: {:?} is in no forms/**/gia-han.toml", rule.id, e.option);
            }
        }
        // Today's edition offers only the superior's extension of the sanction term.
        let today = catalog.form(K::GiaHan, d(2026, 11, 30)).field("gia_han").unwrap().options.clone();
        assert_eq!(today.len(), 1, "{today:?}");
        assert!(today[0].contains("cấp trên gia hạn"));
    }

    fn row(milestones: &[(K, NaiveDate, Option<&str>)], field: &str) -> CaseSummary {
        let address = Address::Legacy { text: "Lạng Sơn".into() };
        let case = Case::open(
            Uuid::nil(),
            "LS-D1",
            d(2026, 2, 10).and_hms_opt(8, 0, 0).unwrap(),
            field,
            Subject::new(SubjectKind::Individual, "A", address),
        );
        let mut row = CaseSummary::of(&case);
        row.milestones = milestones
            .iter()
            .map(|(kind, on, option)| Milestone { kind: *kind, on: *on, option: option.map(Into::into), until: None })
            .collect();
        row
    }

    #[test]
    fn the_sanction_deadline_moves_with_an_extension_and_caps_the_seizure() {
        let r = Reference::embedded();
        let of = |row: &CaseSummary, as_of| deadlines_of(row, &r.deadline_rules, &r.calendar, as_of);
        let find = |list: &[Deadline], id: &str| list.iter().find(|x| x.rule == id).cloned().unwrap();

        let recorded = row(
            &[
                (K::BbKiemTra, d(2026, 2, 11), None),
                (K::BbViPham, d(2026, 2, 12), None),
                (K::BbTamGiu, d(2026, 2, 12), None),
            ],
            "hang-gia",
        );
        let list = of(&recorded, d(2026, 2, 27));
        let sanction = find(&list, "xu-phat");
        assert_eq!((sanction.due, sanction.state), (d(2026, 3, 2), DeadlineState::DueSoon), "due the next working day");
        assert_eq!(find(&list, "bien-ban-vi-pham").state, DeadlineState::Met);
        assert_eq!(
            of(&recorded, d(2026, 3, 3)).iter().find(|x| x.rule == "xu-phat").unwrap().state,
            DeadlineState::Overdue
        );
        assert_eq!(
            of(&recorded, d(2026, 2, 25)).iter().find(|x| x.rule == "xu-phat").unwrap().state,
            DeadlineState::OnTime
        );

        // The violator asks to explain: one month from the record; the seizure, extended for
        // two months, may not outlast it.
        let extended = row(
            &[
                (K::BbKiemTra, d(2026, 2, 11), None),
                (K::BbViPham, d(2026, 2, 12), None),
                (K::BbTamGiu, d(2026, 2, 12), None),
                (K::GiaHan, d(2026, 2, 13), Some("Xử phạt: người vi phạm yêu cầu giải trình (01 tháng)")),
                (
                    K::GiaHan,
                    d(2026, 2, 13),
                    Some("Tạm giữ: gia hạn lần 2, cấp trên phê duyệt (tối đa 02 tháng kể từ ngày tạm giữ)"),
                ),
            ],
            "hang-gia",
        );
        let list = of(&extended, d(2026, 2, 27));
        let sanction = find(&list, "xu-phat");
        assert_eq!((sanction.due, sanction.length_vi.as_str()), (d(2026, 3, 12), "1 tháng"));
        assert!(sanction.extended.is_some());
        let seizure = find(&list, "tam-giu");
        assert_eq!((seizure.due, seizure.capped), (d(2026, 3, 12), true), "capped by the sanction deadline");

        // Counterfeit goods: two years' limitation from the act.
        let mut limited = row(&[(K::BbViPham, d(2026, 2, 12), None)], "hang-gia");
        limited.violation_marks = vec![crate::domain::summary::Mark {
            provision: 1,
            acts: Vec::new(),
            on: d(2026, 2, 9),
            warning_only: false,
        }];
        assert_eq!(find(&of(&limited, d(2026, 2, 27)), "thoi-hieu").due, d(2028, 2, 9));
        limited.field = "an-toan-thuc-pham".into();
        let one_year = find(&of(&limited, d(2026, 2, 27)), "thoi-hieu");
        // 9/2/2027 falls in the (provisional) Lunar New Year 2027 break: the next working day,
        // and the deadline says its calendar is not official yet.
        assert_eq!((one_year.due, one_year.calendar_official), (d(2027, 2, 12), false));
    }

    /// The terms as the law sets them since 1/7/2025, each with its article; the old terms
    /// kept for the cases whose count started before.
    #[test]
    fn the_law_in_force_when_the_count_starts_sets_each_term() {
        let r = Reference::embedded();
        let of = |row: &CaseSummary| deadlines_of(row, &r.deadline_rules, &r.calendar, d(2026, 3, 2));
        let find = |list: &[Deadline], id: &str| list.iter().find(|x| x.rule == id).cloned().unwrap();

        // Delivery of the decision: 03 working days since Luật 88/2025 (khoản 1 Điều 70), 02 before.
        let now = find(&of(&row(&[(K::QdXuPhat, d(2026, 2, 12), None)], "hang-gia")), "giao-quyet-dinh");
        assert_eq!((now.due, now.length_vi.as_str()), (d(2026, 2, 24), "3 ngày làm việc"), "over Tết 16–20/2");
        assert!(now.basis.contains("khoản 14 Điều 1 Luật số 88/2025/QH15"), "{}", now.basis);
        let before = find(&of(&row(&[(K::QdXuPhat, d(2025, 6, 20), None)], "hang-gia")), "giao-quyet-dinh");
        assert_eq!((before.due, before.length_vi.as_str()), (d(2025, 6, 24), "2 ngày làm việc"));

        // The violation record: 02 working days from the inspection (NĐ 118 Điều 12 k2 a); 03
        // from the valuation's result (điểm c).
        let inspected = row(&[(K::BbKiemTra, d(2026, 2, 23), None)], "hang-gia");
        let record = find(&of(&inspected), "bien-ban-vi-pham");
        assert_eq!((record.due, record.why.clone()), (d(2026, 2, 25), None));
        assert!(record.basis.contains("khoản 2 Điều 12 Nghị định 118/2021/NĐ-CP"));
        let valued =
            row(&[(K::BbKiemTra, d(2026, 2, 23), None), (K::BbXacDinhGiaTri, d(2026, 2, 26), None)], "hang-gia");
        let record = find(&of(&valued), "bien-ban-vi-pham");
        assert_eq!(
            (record.start, record.due, record.length_vi.as_str()),
            (d(2026, 2, 26), d(2026, 3, 3), "3 ngày làm việc")
        );
        assert!(record.why.unwrap().contains("điểm c khoản 2 Điều 12"));

        // The decision: 07 working days; one month by law once the violator has explained —
        // no extension; two months only with the superior's extension.
        let recorded = [(K::BbViPham, d(2026, 2, 12), None)];
        assert_eq!(find(&of(&row(&recorded, "hang-gia")), "xu-phat").due, d(2026, 3, 2));
        let explained = [(K::BbViPham, d(2026, 2, 12), None), (K::BbGiaiTrinh, d(2026, 2, 24), None)];
        let sanction = find(&of(&row(&explained, "hang-gia")), "xu-phat");
        assert_eq!((sanction.due, sanction.extended.clone()), (d(2026, 3, 12), None));
        assert!(sanction.why.unwrap().contains("Điều 66"));
        let option = "Xử phạt: cấp trên gia hạn thêm không quá 01 tháng (vụ việc đặc biệt nghiêm trọng, phức tạp, đã giải trình hoặc xác minh)";
        let granted = [explained[0], explained[1], (K::GiaHan, d(2026, 3, 10), Some(option))];
        let sanction = find(&of(&row(&granted, "hang-gia")), "xu-phat");
        assert_eq!((sanction.due, sanction.length_vi.as_str()), (d(2026, 4, 13), "2 tháng"), "12/4/2026 is a Sunday");

        // A seizure extended by MQĐ21 runs to the day the decision states.
        let mut seized = row(
            &[
                (K::BbViPham, d(2026, 2, 12), None),
                (K::BbTamGiu, d(2026, 2, 12), None),
                (K::BbGiaiTrinh, d(2026, 2, 13), None),
            ],
            "hang-gia",
        );
        assert_eq!(find(&of(&seized), "tam-giu").due, d(2026, 3, 2), "7 working days over Tết");
        seized.milestones.push(Milestone {
            kind: K::QdKeoDaiTamGiu,
            on: d(2026, 2, 23),
            option: None,
            until: Some(d(2026, 3, 10)),
        });
        let seizure = find(&of(&seized), "tam-giu");
        assert_eq!(seizure.due, d(2026, 3, 10));
        assert!(seizure.extended.unwrap().contains("10/03/2026"));

        // The head of the team reports within 24 hours of the inspection record (TT 27/2020
        // Điều 19 k2), through a weekend.
        let report = find(&of(&row(&[(K::BbKiemTra, d(2026, 2, 27), None)], "hang-gia")), "bao-cao");
        assert_eq!((report.due, report.length_vi.as_str(), report.informational), (d(2026, 2, 28), "24 giờ", true));
    }

    #[test]
    fn a_rule_twice_for_the_same_dates_is_refused() {
        let rule = |from: &str, to: &str| {
            format!(
                "[[rule]]\nid = \"a\"\ntitle = \"t\"\nstart = \"qd-xu-phat\"\nmet_by = []\nlength = 1\nunit = \"days\"\nbasis = \"b\"\n{from}{to}"
            )
        };
        let parse = |text: &str| toml::from_str::<crate::domain::deadlines::RuleFile>(text).unwrap().check();
        let split = rule("", "valid_to = \"2025-06-30\"\n") + &rule("valid_from = \"2025-07-01\"\n", "");
        assert_eq!(parse(&split), Ok(()));
        let overlap = rule("", "valid_to = \"2025-07-01\"\n") + &rule("valid_from = \"2025-07-01\"\n", "");
        assert!(parse(&overlap).unwrap_err().contains("declared twice"));
        let backwards = rule("valid_from = \"2025-07-01\"\n", "valid_to = \"2025-06-30\"\n");
        assert!(parse(&backwards).unwrap_err().contains("after valid_to"));
        let bad_kind = rule("restart = { after = [\"bb-khong-co\"], length = 3, unit = \"days\", why = \"w\" }\n", "");
        assert!(parse(&bad_kind).unwrap_err().contains("restart \"bb-khong-co\""));
    }
}
