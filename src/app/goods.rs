//! Editing a case's goods lines (Bảng kê): typed rows, rows pasted from a spreadsheet, and
//! the rule that goods already printed on a finalised document are no longer edited.

use uuid::Uuid;

use super::{AppError, Workspace};
use crate::domain::{Bilingual, DocumentState, GoodsLine, ValidationReport, text::nfc};
use crate::forms::BlockDef;
use crate::forms::value::{FieldValue, parse};

/// One goods line as typed: every cell a string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoodsInput {
    /// The line's id when it is already stored.
    pub id: Option<Uuid>,
    pub name: String,
    pub unit: String,
    pub quantity: String,
    pub origin: String,
    pub condition: String,
    pub unit_price: String,
    pub note: String,
}

impl GoodsInput {
    pub fn of(line: &GoodsLine) -> GoodsInput {
        let quantity = if line.quantity.fract() == 0.0 {
            format!("{}", line.quantity as u64)
        } else {
            line.quantity.to_string().replace('.', ",")
        };
        GoodsInput {
            id: Some(line.id),
            name: line.name.clone(),
            unit: line.unit.clone(),
            quantity,
            origin: line.origin.clone(),
            condition: line.condition.clone(),
            unit_price: line.unit_price_vnd.map(|p| p.to_string()).unwrap_or_default(),
            note: line.note.clone(),
        }
    }
}

/// Rows copied from Excel or LibreOffice: tab-separated cells in the Bảng kê's column order
/// (name, unit, quantity, origin, condition, unit price, note). A first cell that is a
/// row number ("1", "2.") is skipped, and so is a header row.
pub fn parse_pasted(text: &str) -> Vec<GoodsInput> {
    let header = |line: &str| {
        let folded = crate::domain::text::fold(line);
        folded.starts_with("stt") || folded.contains("ten hang")
    };
    text.lines()
        .filter(|l| !l.trim().is_empty() && !header(l))
        .map(|line| {
            let mut cells: Vec<String> = line.split('\t').map(|c| nfc(c.trim())).collect();
            if cells.len() > 1 && cells[0].trim_end_matches('.').parse::<u32>().is_ok() {
                cells.remove(0);
            }
            cells.resize(7, String::new());
            GoodsInput {
                id: None,
                name: cells[0].clone(),
                unit: cells[1].clone(),
                quantity: cells[2].clone(),
                origin: cells[3].clone(),
                condition: cells[4].clone(),
                unit_price: cells[5].clone(),
                note: cells[6].clone(),
            }
        })
        .collect()
}

/// A quantity as written in Vietnam: "1.000" is a thousand, "2,5" two and a half.
fn parse_quantity(text: &str) -> Option<f64> {
    let t = text.trim().replace('.', "").replace(',', ".");
    t.parse::<f64>().ok().filter(|q| q.is_finite() && *q > 0.0)
}

/// Why a goods line or the whole edit was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GoodsProblem {
    #[error("the name is empty")]
    NoName,
    #[error("the quantity must be a number above zero")]
    BadQuantity,
    #[error("the unit price is not an amount in đồng")]
    BadPrice,
    #[error("the goods are printed on the finalised {0}; amend that document instead")]
    Printed(String),
}

impl Bilingual for GoodsProblem {
    fn vi(&self) -> String {
        match self {
            GoodsProblem::NoName => "Chưa ghi tên hàng hóa".into(),
            GoodsProblem::BadQuantity => "Số lượng phải là số lớn hơn 0 (ví dụ 12 hoặc 2,5)".into(),
            GoodsProblem::BadPrice => "Đơn giá không phải số tiền hợp lệ (ví dụ 150.000)".into(),
            GoodsProblem::Printed(title) => {
                format!("Hàng hóa đã in trong {title} đã hoàn tất; muốn thay đổi phải lập văn bản sửa đổi, bổ sung")
            }
        }
    }
}

impl Workspace {
    /// Why the goods of this case can no longer be edited, if they cannot: a finalised
    /// document prints them, and what was signed must not change under it.
    pub fn goods_locked(&self, case: &crate::domain::Case) -> Option<GoodsProblem> {
        case.documents.iter().filter(|d| d.state == DocumentState::Finalised).find_map(|d| {
            let form = self.form_of(d);
            // A table printed only on a condition (the goods a violation record seized) locks
            // the goods only when the document met it.
            let filled = |template: &str| {
                crate::forms::layout::placeholders(template).iter().all(|name| {
                    name.strip_prefix("field.").is_some_and(|id| d.fields.get(id).is_some_and(|v| !v.trim().is_empty()))
                })
            };
            let prints = form.blocks.iter().any(|b| match b {
                BlockDef::GoodsTable { when, .. } => when.as_deref().is_none_or(filled),
                _ => false,
            });
            prints.then(|| GoodsProblem::Printed(d.kind.title_vi().to_lowercase()))
        })
    }

    /// Replaces the case's goods lines with `rows`, or refuses with every problem named
    /// (`goods[i].quantity` …); nothing is stored unless every row is good.
    pub fn save_goods(&self, case_id: Uuid, rows: &[GoodsInput]) -> Result<(), AppError> {
        self.require_member()?;
        self.store.write(&self.actor(), |w| {
            let mut case = w.case(case_id)?.ok_or(AppError::CaseNotFound(case_id))?;
            let mut report = ValidationReport::default();
            if let Some(problem) = self.goods_locked(&case) {
                report.error("goods", &problem);
                return Err(AppError::Invalid(report));
            }
            let mut lines = Vec::new();
            for (i, row) in rows.iter().enumerate() {
                let at = |field: &str| format!("goods[{i}].{field}");
                let name = nfc(row.name.trim());
                if name.is_empty() {
                    report.error(at("name"), &GoodsProblem::NoName);
                }
                let quantity = parse_quantity(&row.quantity);
                if quantity.is_none() {
                    report.error(at("quantity"), &GoodsProblem::BadQuantity);
                }
                let price = match parse(crate::forms::FieldKind::Money, &row.unit_price) {
                    Ok(Some(FieldValue::Money(p))) => Some(p),
                    Ok(_) => None,
                    Err(_) => {
                        report.error(at("unit_price"), &GoodsProblem::BadPrice);
                        None
                    }
                };
                lines.push(GoodsLine {
                    id: row.id.unwrap_or_else(Uuid::now_v7),
                    name,
                    unit: nfc(row.unit.trim()),
                    quantity: quantity.unwrap_or(0.0),
                    origin: nfc(row.origin.trim()),
                    condition: nfc(row.condition.trim()),
                    note: nfc(row.note.trim()),
                    unit_price_vnd: price,
                });
            }
            super::printable::check_goods(&mut report, &lines);
            if !report.is_ok() {
                return Err(AppError::Invalid(report));
            }
            case.goods = lines;
            w.put_case(&case, "case.save_goods")?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_pasted_from_a_spreadsheet_are_read_in_column_order() {
        let pasted = "STT\tTên hàng hóa, nhãn hiệu\tĐơn vị tính\tSố lượng\n\
                      1\tÁo khoác giả nhãn hiệu\tchiếc\t1.200\tTrung Quốc\tMới\t150.000\n\
                      2.\tNước mắm\tchai\t2,5\n";
        let rows = parse_pasted(pasted);
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!((rows[0].name.as_str(), rows[0].quantity.as_str()), ("Áo khoác giả nhãn hiệu", "1.200"));
        assert_eq!(rows[0].unit_price, "150.000");
        assert_eq!(parse_quantity(&rows[0].quantity), Some(1200.0));
        assert_eq!(parse_quantity(&rows[1].quantity), Some(2.5));
        assert_eq!(parse_quantity("0"), None);
    }
}
