//! Giao quyền: the head of the unit lets a deputy (cấp phó) exercise a competence — to
//! sanction (khoản 1 Điều 54 Luật XLVPHC as amended by Luật 88/2025; NĐ 118/2021 Điều 10,
//! form MQĐ34) or to issue inspection decisions (khoản 2 Điều 21 Pháp lệnh QLTT
//! 11/2016/UBTVQH13). A decision a deputy signs is lawful only under a delegation in force
//! on its date, and its căn cứ cites that delegation's number and date (NĐ 118 Điều 10 k1).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::document::DocumentKind;
use super::text::fold;

/// Which competence a delegation gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DelegationScope {
    /// Giao quyền xử phạt vi phạm hành chính (and the measures that go with it).
    Sanction,
    /// Giao quyền ban hành quyết định kiểm tra.
    Inspection,
}

impl DelegationScope {
    /// The scope a decision of `kind` needs, if it is a decision.
    pub fn of(kind: DocumentKind) -> Option<DelegationScope> {
        match kind {
            DocumentKind::QdKiemTra | DocumentKind::QdSuaDoiKiemTra => Some(DelegationScope::Inspection),
            k if k.is_decision() => Some(DelegationScope::Sanction),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            DelegationScope::Sanction => "xu-phat",
            DelegationScope::Inspection => "kiem-tra",
        }
    }

    pub fn from_code(code: &str) -> Option<DelegationScope> {
        [DelegationScope::Sanction, DelegationScope::Inspection].into_iter().find(|s| s.code() == code)
    }

    /// "giao quyền xử phạt vi phạm hành chính" …, as the căn cứ and messages say it.
    pub fn vi(self) -> &'static str {
        match self {
            DelegationScope::Sanction => "giao quyền xử phạt vi phạm hành chính",
            DelegationScope::Inspection => "giao quyền ban hành quyết định kiểm tra",
        }
    }
}

/// One quyết định giao quyền of the unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delegation {
    /// Its number with ký hiệu, e.g. "02/QĐ-GQXP".
    pub number: String,
    pub signed_on: NaiveDate,
    /// The deputy's inspection-card number.
    pub deputy_card: String,
    pub scope: DelegationScope,
    /// The term the decision states (NĐ 118 Điều 10 k1: "thời hạn giao quyền").
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    /// Ended early by a decision of the head (Điều 10 k4 c), from this day.
    pub ended_on: Option<NaiveDate>,
}

impl Delegation {
    /// Whether it lets `card` exercise `scope` on `date`.
    pub fn covers(&self, card: &str, scope: DelegationScope, date: NaiveDate) -> bool {
        self.deputy_card == card
            && self.scope == scope
            && self.valid_from <= date
            && self.valid_to.is_none_or(|to| date <= to)
            && self.ended_on.is_none_or(|end| date < end)
    }

    /// The căn cứ line's value: "02/QĐ-GQXP ngày 05/01/2026".
    pub fn citation(&self) -> String {
        format!("{} ngày {}", self.number, self.signed_on.format("%d/%m/%Y"))
    }
}

/// Whether a member's title is a deputy's ("Phó Đội trưởng", "Phó Chi cục trưởng", "Đội phó").
pub fn is_deputy_title(title: &str) -> bool {
    let folded = fold(title.trim());
    folded.starts_with("pho ") || folded.ends_with(" pho")
}

/// The competent head's title a deputy signs for ("Phó Đội trưởng" → "Đội trưởng"), or
/// `None` for a title that is not a deputy's "Phó …".
pub fn head_title(title: &str) -> Option<&str> {
    let title = title.trim();
    let (first, rest) = title.split_once(char::is_whitespace)?;
    (fold(first) == "pho").then(|| rest.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_delegation_covers_its_deputy_scope_and_term_only() {
        let d = Delegation {
            number: "02/QĐ-GQXP".into(),
            signed_on: day(2026, 1, 5),
            deputy_card: "LS-0102".into(),
            scope: DelegationScope::Sanction,
            valid_from: day(2026, 1, 5),
            valid_to: Some(day(2026, 12, 31)),
            ended_on: Some(day(2026, 6, 1)),
        };
        assert!(d.covers("LS-0102", DelegationScope::Sanction, day(2026, 3, 2)));
        assert!(!d.covers("LS-0103", DelegationScope::Sanction, day(2026, 3, 2)), "another member");
        assert!(!d.covers("LS-0102", DelegationScope::Inspection, day(2026, 3, 2)), "another competence");
        assert!(!d.covers("LS-0102", DelegationScope::Sanction, day(2026, 1, 4)), "before its term");
        assert!(!d.covers("LS-0102", DelegationScope::Sanction, day(2026, 6, 1)), "ended by a decision");
        assert_eq!(d.citation(), "02/QĐ-GQXP ngày 05/01/2026");
        assert!(is_deputy_title("Phó Đội trưởng") && is_deputy_title("PHÓ CHI CỤC TRƯỞNG"));
        assert!(is_deputy_title("Đội phó") && is_deputy_title("Pho\u{302} đội trưởng"), "other spellings, NFD");
        assert_eq!(head_title("Phó Đội trưởng"), Some("Đội trưởng"));
        assert_eq!(head_title("Đội trưởng"), None);
        assert!(!is_deputy_title("Đội trưởng") && !is_deputy_title("Kiểm soát viên"));
        assert_eq!(DelegationScope::of(DocumentKind::QdKiemTra), Some(DelegationScope::Inspection));
        assert_eq!(DelegationScope::of(DocumentKind::QdXuPhat), Some(DelegationScope::Sanction));
        assert_eq!(DelegationScope::of(DocumentKind::BbViPham), None);
    }
}
