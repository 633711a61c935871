//! The acts of the catalogue chosen on a document: the day they are judged by, how they are
//! stored (one a line, a decision's with its own fine), what the choice fills in, and the
//! bracket explained to the member.
//!
//! MQĐ02 lets one decision sanction several acts, each with its own fine, the total being
//! the decision's fine (footnote 10: "ghi cụ thể số tiền phạt đối với từng hành vi").

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{Catalogue, Key, SelectError, Selection, point_vi};
use crate::domain::Case;
use crate::domain::text::{format_vnd, parse_date, parse_money};

/// The field holding the chosen acts.
pub const FIELD: &str = "ma_hanh_vi";

/// One act chosen: its key and, on a decision of several acts, the fine for it as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    pub key: Key,
    /// The fine typed for this act (digits, dots allowed); empty when none.
    pub fine: String,
}

impl Chosen {
    pub fn fine_vnd(&self) -> Option<u64> {
        parse_money(&self.fine)
    }
}

/// The acts stored in the field, one a line: "ND98-15-1" or "ND98-15-1 = 1.500.000".
/// Lines that name no act are skipped (an empty field chooses nothing).
pub fn parse(text: &str) -> Vec<Chosen> {
    text.lines()
        .filter_map(|line| {
            let (key, fine) = line.split_once('=').unwrap_or((line, ""));
            Some(Chosen { key: Key::parse(key)?, fine: fine.trim().to_string() })
        })
        .collect()
}

/// The field's text for `acts`.
pub fn write(acts: &[Chosen]) -> String {
    acts.iter()
        .map(|a| if a.fine.is_empty() { a.key.to_string() } else { format!("{} = {}", a.key, a.fine) })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The day an act is judged by (the law in force when it was committed, khoản 1 Điều 3 NĐ
/// 24/2025 and the Law's rule): the document's own "thời gian vi phạm", else that of the
/// case's violation record, else `default`.
pub fn day_of_act(case: &Case, fields: &BTreeMap<String, String>, default: NaiveDate) -> NaiveDate {
    let day_in = |text: &str| text.split(['T', ' ']).find_map(|part| parse_date(part.trim()));
    fields
        .get("thoi_gian_vi_pham")
        .and_then(|t| day_in(t))
        .or_else(|| crate::domain::summary::violations_of(case).first().map(|v| v.on))
        .unwrap_or(default)
}

/// The acts chosen on a document, each judged on `day` at the tier of goods worth `value`.
pub fn select<'a>(
    catalogue: &'a Catalogue,
    acts: &[Chosen],
    day: NaiveDate,
    value: u64,
) -> Vec<Result<Selection<'a>, SelectError>> {
    acts.iter().map(|a| catalogue.select(&a.key, day, value)).collect()
}

/// The fields the acts fill, from `fields` as they stand and the acts chosen before
/// (`before`): the provision and the decree always (they follow from the choice); the act's
/// wording and, on a decision of several acts, the fine of each and the total — each only
/// where it is empty or still what the acts before filled it with (nothing typed is lost).
pub fn fills(
    chosen: &[(Selection<'_>, &Chosen)],
    before: &[(Selection<'_>, &Chosen)],
    fields: &BTreeMap<String, String>,
) -> Vec<(&'static str, String)> {
    let untouched = |field: &str, old: Option<String>| {
        fields.get(field).is_none_or(|v| v.trim().is_empty() || old.as_deref() == Some(v.as_str()))
    };
    let Some((first, _)) = chosen.first() else {
        // Every act taken off: what they filled goes with them, what was typed stays.
        let Some((old, _)) = before.first() else { return Vec::new() };
        let filled = [
            ("hanh_vi", acts_text(before)),
            ("dieu_khoan", Some(provision(before))),
            ("nghi_dinh", Some(old.act.decree_citation())),
            ("chi_tiet_phat", details(before)),
        ];
        return filled
            .into_iter()
            .filter(|(f, v)| v.is_some() && fields.get(*f).is_some_and(|x| !x.is_empty()) && untouched(f, v.clone()))
            .map(|(f, _)| (f, String::new()))
            .collect();
    };
    let mut out = vec![("dieu_khoan", provision(chosen)), ("nghi_dinh", first.act.decree_citation())];
    if untouched("hanh_vi", acts_text(before)) {
        out.extend(acts_text(chosen).map(|t| ("hanh_vi", t)));
    }
    if chosen.len() > 1 || before.len() > 1 {
        if untouched("chi_tiet_phat", details(before)) {
            out.push(("chi_tiet_phat", details(chosen).unwrap_or_default()));
        }
        let fines: Option<Vec<u64>> = chosen.iter().map(|(_, c)| c.fine_vnd()).collect();
        if let Some(fines) = fines.filter(|_| chosen.len() > 1) {
            out.push(("muc_phat", fines.iter().sum::<u64>().to_string()));
        }
    }
    out
}

/// "Quy định tại" for the acts: each act's points and article, then the decree (once, when
/// they share it).
pub fn provision(chosen: &[(Selection<'_>, &Chosen)]) -> String {
    let Some((first, _)) = chosen.first() else { return String::new() };
    let same = chosen.iter().all(|(s, _)| s.act.decree.code == first.act.decree.code);
    if same {
        let points: Vec<String> = chosen.iter().map(|(s, _)| s.points_vi()).collect();
        format!("{} {}", points.join("; "), first.act.decree_citation())
    } else {
        chosen.iter().map(|(s, _)| s.provision()).collect::<Vec<_>>().join("; ")
    }
}

/// The acts' wording: the act alone, or "1. …; 2. …".
fn acts_text(chosen: &[(Selection<'_>, &Chosen)]) -> Option<String> {
    match chosen {
        [] => None,
        [(s, _)] => Some(s.act.act.text.clone()),
        many => Some(
            many.iter()
                .enumerate()
                .map(|(i, (s, _))| format!("{}. {}", i + 1, s.act.act.text))
                .collect::<Vec<_>>()
                .join("; "),
        ),
    }
}

/// The fine of each act, one a line, as item 6 a) of MQĐ02 asks for several acts.
fn details(chosen: &[(Selection<'_>, &Chosen)]) -> Option<String> {
    (chosen.len() > 1).then(|| {
        chosen
            .iter()
            .enumerate()
            .map(|(i, (s, c))| {
                let fine = c.fine_vnd().map_or("…".to_string(), format_vnd);
                format!("- Hành vi thứ {} ({}): phạt tiền {fine} đồng", i + 1, s.points_vi())
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

impl Selection<'_> {
    /// What the wizard shows under the choice, one line each.
    pub fn explain(&self, organisation: bool, value: u64) -> Vec<String> {
        let b = self.bracket(organisation);
        let whom = if organisation { "tổ chức (gấp hai lần cá nhân)" } else { "cá nhân" };
        let mut lines =
            vec![format!("{} — {}; khung: {} đối với {whom}", self.points_vi(), self.act.decree.short, b.vi())];
        if let (Some(lo), Some(hi)) = (self.tier.min_times, self.tier.max_times) {
            lines.push(format!(
                "Khung tính theo giá trị hàng hóa vi phạm {} đồng (bảng kê): từ {lo:02} lần đến {hi:02} lần",
                format_vnd(value)
            ));
        }
        if self.act.tiered_by_value() {
            lines.push(format!(
                "Theo giá trị hàng hóa {} đồng (bảng kê): {} ({})",
                format_vnd(value),
                point_vi(&self.tier.point),
                self.tier.band_vi()
            ));
            if let Some(basis) = &self.act.article.value_basis {
                lines.push(format!("Lưu ý: khung tiền phạt của điều này tính theo {basis}; đối chiếu với bảng kê"));
            }
        }
        if let Some(d) = self.double {
            lines.push(format!("Tăng {} lần: {} ({})", d.factor, d.text, point_vi(&d.point)));
        }
        lines.push(format!(
            "Mức trung bình của khung: {} đồng; có tình tiết giảm nhẹ có thể giảm nhưng không dưới {} đồng, \
             tăng nặng có thể tăng nhưng không quá {} đồng (khoản 4 Điều 23 Luật Xử lý vi phạm hành chính)",
            format_vnd(b.middle_vnd()),
            format_vnd(b.min_vnd),
            format_vnd(b.max_vnd)
        ));
        for m in self.act.additional() {
            lines.push(format!("Hình thức xử phạt bổ sung ({}): {}", point_vi(&m.point), m.text));
        }
        for m in self.act.remedies() {
            lines.push(format!("Biện pháp khắc phục hậu quả ({}): {}", point_vi(&m.point), m.text));
        }
        lines
    }
}
