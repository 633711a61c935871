//! An act of the catalogue chosen on a document: the day it is judged by, what the choice
//! fills in, and the bracket explained to the member.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{Selection, point_vi};
use crate::domain::Case;
use crate::domain::text::{format_vnd, parse_date};

/// The field holding the chosen act's key.
pub const FIELD: &str = "ma_hanh_vi";

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

impl Selection<'_> {
    /// The fields the choice fills: the provision and the decree always (they follow from
    /// the choice), the act's wording only where nothing was typed yet.
    pub fn fills(&self, fields: &BTreeMap<String, String>) -> Vec<(&'static str, String)> {
        let mut out = vec![("dieu_khoan", self.provision()), ("nghi_dinh", self.act.decree_citation())];
        if fields.get("hanh_vi").is_none_or(|h| h.trim().is_empty()) {
            out.push(("hanh_vi", self.act.act.text.clone()));
        }
        out
    }

    /// What the wizard shows under the choice, one line each.
    pub fn explain(&self, organisation: bool, value: u64) -> Vec<String> {
        let b = self.bracket(organisation);
        let whom = if organisation { "tổ chức (gấp hai lần cá nhân)" } else { "cá nhân" };
        let mut lines =
            vec![format!("{} — {}; khung: {} đối với {whom}", self.points_vi(), self.act.decree.short, b.vi())];
        if self.act.tiered_by_value() {
            lines.push(format!(
                "Theo giá trị hàng hóa {} đồng (bảng kê): {} ({})",
                format_vnd(value),
                point_vi(&self.tier.point),
                self.tier.band_vi()
            ));
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
