//! The act chosen from the catalogue of violations on a record or a decision
//! (`domain::catalogue`): which act it is on the day of the act, and the check that the
//! provision follows it and the fine lies inside its bracket.

use super::Workspace;
use crate::domain::catalogue::chosen::{FIELD, day_of_act};
use crate::domain::catalogue::{Bracket, Key, SelectError, Selection};
use crate::domain::document::FINE_FIELD;
use crate::domain::matching::provision_key;
use crate::domain::text::format_vnd;
use crate::domain::{Case, Document, SubjectKind, ValidationReport};

impl Workspace {
    /// The act chosen on `doc` (none when nothing was chosen), judged on the day of the act at
    /// the tier of the case's goods.
    pub fn act_of<'a>(&'a self, case: &Case, doc: &Document) -> Option<Result<Selection<'a>, SelectError>> {
        let key = doc.fields.get(FIELD).and_then(|k| Key::parse(k))?;
        let day = day_of_act(case, &doc.fields, doc.created_at.date());
        Some(self.reference.catalogue.select(&key, day, case.goods_value_vnd()))
    }

    /// On a form with the catalogue's field: an act not in force is refused, a fine outside
    /// the act's bracket is refused, a provision that does not follow the act is pointed out,
    /// and an act typed by hand is marked "nhập tay".
    pub(super) fn check_act(
        &self,
        case: &Case,
        doc: &Document,
        form: &crate::forms::FormDef,
        report: &mut ValidationReport,
    ) {
        if form.field(FIELD).is_none() {
            return;
        }
        let selection = match self.act_of(case, doc) {
            None => {
                if doc.fields.get("hanh_vi").is_some_and(|h| !h.trim().is_empty()) {
                    report.warning(format!("field.{FIELD}"), &Typed);
                }
                return;
            }
            Some(Err(e)) => {
                report.error(format!("field.{FIELD}"), &e);
                return;
            }
            Some(Ok(s)) => s,
        };
        let expected = selection.provision();
        let typed = doc.fields.get("dieu_khoan").map(String::as_str).unwrap_or_default();
        if !typed.trim().is_empty() && provision_key(typed) != provision_key(&expected) {
            report.warning("field.dieu_khoan", &Mismatch { expected, value: case.goods_value_vnd() });
        }
        let Some(fine) = doc.fine_vnd().filter(|_| form.field(FINE_FIELD).is_some()) else { return };
        let organisation = case.subject.kind == SubjectKind::Organisation;
        let bracket = selection.bracket(organisation);
        if !bracket.holds(fine) {
            report.error(
                format!("field.{FINE_FIELD}"),
                &OutOfBracket {
                    fine,
                    bracket,
                    organisation,
                    provision: format!("{} {}", selection.points_vi(), selection.act.decree.short),
                    act: selection.act.act.text.clone(),
                },
            );
        }
    }
}

/// An act typed by hand.
#[derive(Debug, thiserror::Error)]
#[error("act typed by hand, not chosen from the catalogue (counted apart as \"nhập tay\")")]
struct Typed;

impl crate::domain::Bilingual for Typed {
    fn vi(&self) -> String {
        "Hành vi nhập tay, không chọn trong danh mục hành vi vi phạm: vụ việc được đánh dấu “nhập tay” và thống kê riêng"
            .into()
    }
}

/// A provision that does not follow the chosen act.
#[derive(Debug, thiserror::Error)]
#[error("the provision differs from the catalogue's for the chosen act: {expected}")]
struct Mismatch {
    expected: String,
    value: u64,
}

impl crate::domain::Bilingual for Mismatch {
    fn vi(&self) -> String {
        format!(
            "“Quy định tại” khác với danh mục cho hành vi đã chọn (hàng hóa trị giá {} đồng): “{}”",
            format_vnd(self.value),
            self.expected
        )
    }
}

/// A fine outside the act's bracket.
#[derive(Debug, thiserror::Error)]
#[error("fine {fine} VND outside the bracket {}–{} VND of {provision}", bracket.min_vnd, bracket.max_vnd)]
struct OutOfBracket {
    fine: u64,
    bracket: Bracket,
    organisation: bool,
    provision: String,
    act: String,
}

impl crate::domain::Bilingual for OutOfBracket {
    fn vi(&self) -> String {
        let whom = if self.organisation { "tổ chức (gấp hai lần cá nhân)" } else { "cá nhân" };
        format!(
            "Mức phạt {} đồng nằm ngoài khung tiền phạt của {} cho hành vi “{}”: {} đối với {whom}",
            format_vnd(self.fine),
            self.provision,
            self.act,
            self.bracket.vi()
        )
    }
}
