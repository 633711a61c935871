//! The team (Đội QLTT) that owns the cases: its names as dated reference data, and its members.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The names of the unit in force from a date. A document keeps the names in force on its
/// date, because the force was reorganised in 2025 (Tổng cục → Cục, Cục QLTT tỉnh → Chi cục).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitNames {
    pub valid_from: NaiveDate,
    /// The parent body printed above the unit, e.g. "SỞ CÔNG THƯƠNG TỈNH LẠNG SƠN".
    pub parent_body: String,
    /// The Chi cục, e.g. "CHI CỤC QUẢN LÝ THỊ TRƯỜNG TỈNH LẠNG SƠN".
    pub chi_cuc: String,
    /// The team, e.g. "ĐỘI QUẢN LÝ THỊ TRƯỜNG SỐ 1".
    pub doi: String,
    /// Appended to document numbers, e.g. "QLTTLS" in "12/QĐ-KT-QLTTLS".
    pub abbreviation: String,
}

/// What a member may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Kiểm soát viên: makes records.
    Inspector,
    /// Đội trưởng or deputy: issues decisions.
    Leader,
}

/// A member of the team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub full_name: String,
    /// Title as printed, e.g. "Kiểm soát viên thị trường", "Đội trưởng".
    pub title: String,
    /// Số hiệu công chức / thẻ kiểm tra thị trường.
    pub card_number: String,
    pub role: Role,
}

/// The unit: where it is, what it was called when, and who is in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    /// A short stable code, e.g. "LS-D1".
    pub code: String,
    pub province_code: u16,
    /// Name versions, oldest first.
    pub names: Vec<UnitNames>,
    pub members: Vec<Member>,
    /// True for the demo unit that ships with the program.
    #[serde(default)]
    pub demo: bool,
}

impl Unit {
    /// The names in force on `date`: the latest version that started on or before it
    /// (or the oldest one for a date before every version).
    pub fn names_on(&self, date: NaiveDate) -> Option<&UnitNames> {
        self.names.iter().rev().find(|n| n.valid_from <= date).or_else(|| self.names.first())
    }

    /// The first member with the leader's role (who signs decisions).
    pub fn leader(&self) -> Option<&Member> {
        self.members.iter().find(|m| m.role == Role::Leader)
    }

    pub fn member(&self, card_number: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.card_number == card_number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(from: (i32, u32, u32), chi_cuc: &str) -> UnitNames {
        UnitNames {
            valid_from: NaiveDate::from_ymd_opt(from.0, from.1, from.2).unwrap(),
            parent_body: String::new(),
            chi_cuc: chi_cuc.into(),
            doi: String::new(),
            abbreviation: String::new(),
        }
    }

    #[test]
    fn names_follow_the_document_date() {
        let unit = Unit {
            code: "X".into(),
            province_code: 20,
            names: vec![names((2022, 1, 1), "CỤC QLTT TỈNH"), names((2025, 3, 1), "CHI CỤC QLTT")],
            members: vec![],
            demo: false,
        };
        let on = |y, m, d| unit.names_on(NaiveDate::from_ymd_opt(y, m, d).unwrap()).unwrap().chi_cuc.clone();
        assert_eq!(on(2024, 6, 1), "CỤC QLTT TỈNH");
        assert_eq!(on(2025, 2, 28), "CỤC QLTT TỈNH");
        assert_eq!(on(2025, 3, 1), "CHI CỤC QLTT");
        assert_eq!(on(2021, 1, 1), "CỤC QLTT TỈNH");
    }
}
