//! The acts chosen from the catalogue of violations on a record or a decision
//! (`domain::catalogue`): which acts they are on the day of the act, and the check that the
//! provision follows them, each act's fine lies inside its bracket and the decision's fine
//! is their total.

use super::Workspace;
use crate::domain::catalogue::chosen::{self, Chosen, FIELD, day_of_act};
use crate::domain::catalogue::{Bracket, SelectError, Selection};
use crate::domain::document::FINE_FIELD;
use crate::domain::matching::provision_key;
use crate::domain::text::format_vnd;
use crate::domain::{Case, Document, SubjectKind, ValidationReport};

impl Workspace {
    /// The acts chosen on `doc` (none when nothing was chosen), each judged on the day of the
    /// act at the tier of the case's goods, with what was stored for it.
    pub fn acts_of<'a>(&'a self, case: &Case, doc: &Document) -> Vec<(Result<Selection<'a>, SelectError>, Chosen)> {
        let acts = chosen::parse(doc.fields.get(FIELD).map(String::as_str).unwrap_or_default());
        let day = day_of_act(case, &doc.fields, doc.created_at.date());
        let selections = chosen::select(self.reference.catalogue(), &acts, day, case.goods_value_vnd());
        selections.into_iter().zip(acts).collect()
    }

    /// On a form with the catalogue's field: an act not in force is refused; each act's fine
    /// outside its bracket is refused, and on a decision of several acts a fine missing for
    /// one of them or a decision's fine other than their total; a provision that does not
    /// follow the acts is pointed out; an act typed by hand is marked "nhập tay".
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
        let acts = self.acts_of(case, doc);
        if acts.is_empty() {
            if doc.fields.get("hanh_vi").is_some_and(|h| !h.trim().is_empty()) {
                report.warning(format!("field.{FIELD}"), &Typed);
            }
            return;
        }
        let mut good: Vec<(Selection<'_>, &Chosen)> = Vec::new();
        for (selection, chosen) in &acts {
            match selection {
                Ok(s) => good.push((*s, chosen)),
                Err(e) => report.error(format!("field.{FIELD}"), e),
            }
        }
        if good.len() < acts.len() {
            return;
        }
        let expected = chosen::provision(&good);
        let typed = doc.fields.get("dieu_khoan").map(String::as_str).unwrap_or_default();
        if !typed.trim().is_empty() && provision_key(typed) != provision_key(&expected) {
            report.warning("field.dieu_khoan", &Mismatch { expected, value: case.goods_value_vnd() });
        }
        if form.field(FINE_FIELD).is_none() {
            return;
        }
        let organisation = case.subject.kind == SubjectKind::Organisation;
        let several = good.len() > 1;
        let mut total = 0;
        for (n, (s, c)) in good.iter().enumerate() {
            let fine = match (c.fine_vnd(), several) {
                (Some(f), _) => f,
                (None, false) => match doc.fine_vnd() {
                    Some(f) => f,
                    None => return,
                },
                (None, true) => {
                    report.error(format!("field.{FIELD}"), &NoFine { n: n + 1, act: s.act.act.text.clone() });
                    continue;
                }
            };
            total += fine;
            let bracket = s.bracket(organisation);
            if !bracket.holds(fine) {
                let field = if several { FIELD } else { FINE_FIELD };
                report.error(
                    format!("field.{field}"),
                    &OutOfBracket {
                        fine,
                        bracket,
                        organisation,
                        provision: format!("{} {}", s.points_vi(), s.act.decree.short),
                        act: s.act.act.text.clone(),
                    },
                );
            }
        }
        if several && let Some(fine) = doc.fine_vnd().filter(|f| *f != total) {
            report.error(format!("field.{FINE_FIELD}"), &NotTheTotal { fine, total });
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

/// A provision that does not follow the chosen acts.
#[derive(Debug, thiserror::Error)]
#[error("the provision differs from the catalogue's for the chosen acts: {expected}")]
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

/// One of several acts without its fine.
#[derive(Debug, thiserror::Error)]
#[error("act {n} has no fine of its own (a decision of several acts fines each)")]
struct NoFine {
    n: usize,
    act: String,
}

impl crate::domain::Bilingual for NoFine {
    fn vi(&self) -> String {
        format!(
            "Chưa nhập mức phạt cho hành vi thứ {} (“{}”): quyết định xử phạt nhiều hành vi ghi số tiền phạt đối với từng hành vi",
            self.n, self.act
        )
    }
}

/// A decision's fine that is not the total of its acts' fines.
#[derive(Debug, thiserror::Error)]
#[error("the decision's fine {fine} VND is not the total of its acts' fines, {total} VND")]
struct NotTheTotal {
    fine: u64,
    total: u64,
}

impl crate::domain::Bilingual for NotTheTotal {
    fn vi(&self) -> String {
        format!(
            "Mức phạt tiền {} đồng khác tổng số tiền phạt của các hành vi: {} đồng",
            format_vnd(self.fine),
            format_vnd(self.total)
        )
    }
}
