//! Sanctioning ceilings (thẩm quyền phạt tiền) by title, as dated data
//! (`assets/law/ceilings.toml`): what the signer of a sanction decision may fine at most.

use chrono::NaiveDate;
use serde::Deserialize;

use super::text::fold;

/// The ceilings table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ceilings {
    #[serde(rename = "period")]
    pub periods: Vec<Period>,
}

/// The figures in force from a date.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub valid_from: NaiveDate,
    pub source: String,
    #[serde(default)]
    pub provisional: bool,
    #[serde(default)]
    pub note: String,
    #[serde(rename = "title")]
    pub titles: Vec<Title>,
}

/// One title's ceiling for an individual.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Title {
    pub name: String,
    /// Folded words a signer's title must contain.
    pub words: Vec<String>,
    pub individual_vnd: u64,
}

/// The ceiling that applies to one signer, one subject, one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ceiling {
    pub title: String,
    pub amount_vnd: u64,
    pub organisation: bool,
    pub valid_from: NaiveDate,
    pub source: String,
    /// Why the figures may be out of date (empty when confirmed).
    pub caveat: String,
}

impl Ceilings {
    /// Parses and checks the table: periods in date order, each with at least one title.
    pub fn parse(text: &str) -> Result<Ceilings, String> {
        let table: Ceilings = toml::from_str(text).map_err(|e| e.to_string())?;
        if table.periods.is_empty() {
            return Err("no [[period]]".into());
        }
        if table.periods.windows(2).any(|w| w[0].valid_from >= w[1].valid_from) {
            return Err("periods must be in date order".into());
        }
        if let Some(p) =
            table.periods.iter().find(|p| p.titles.is_empty() || p.titles.iter().any(|t| t.words.is_empty()))
        {
            return Err(format!("period from {}: a title without words, or no title", p.valid_from));
        }
        Ok(table)
    }

    /// The ceiling of a signer with `title` on `date` for an individual, or an organisation
    /// (double); None when the title is not in the table (no sanctioning competence known).
    pub fn of(&self, title: &str, date: NaiveDate, organisation: bool) -> Option<Ceiling> {
        let period = self.periods.iter().rev().find(|p| p.valid_from <= date).or(self.periods.first())?;
        let folded = fold(title);
        let t = period.titles.iter().find(|t| t.words.iter().any(|w| folded.contains(w.as_str())))?;
        Some(Ceiling {
            title: t.name.clone(),
            amount_vnd: if organisation { t.individual_vnd * 2 } else { t.individual_vnd },
            organisation,
            valid_from: period.valid_from,
            source: period.source.clone(),
            caveat: if period.provisional { period.note.clone() } else { String::new() },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Ceilings {
        Ceilings::parse(include_str!("../../assets/law/ceilings.toml")).unwrap()
    }

    #[test]
    fn a_title_finds_its_ceiling_and_organisations_double() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let t = table();
        assert_eq!(t.of("Đội trưởng", day, false).unwrap().amount_vnd, 25_000_000);
        assert_eq!(t.of("ĐỘI TRƯỞNG", day, true).unwrap().amount_vnd, 50_000_000);
        assert_eq!(t.of("Phó Đội trưởng", day, false).unwrap().amount_vnd, 25_000_000);
        assert_eq!(t.of("Chi cục trưởng", day, false).unwrap().amount_vnd, 50_000_000);
        assert_eq!(t.of("Kiểm soát viên thị trường", day, false).unwrap().amount_vnd, 500_000);
        assert!(t.of("Văn thư", day, false).is_none());
        assert!(!t.of("Đội trưởng", day, false).unwrap().caveat.is_empty(), "the figures are marked unconfirmed");
    }

    #[test]
    fn a_bad_table_is_refused() {
        let two = "[[period]]\nvalid_from = \"2025-01-01\"\nsource = \"x\"\n[[period.title]]\nname = \"a\"\nwords = [\"a\"]\nindividual_vnd = 1\n";
        let reversed = format!("{two}{}", two.replace("2025", "2024"));
        assert!(Ceilings::parse(&reversed).unwrap_err().contains("date order"));
        assert!(Ceilings::parse(&two.replace("words = [\"a\"]", "words = []")).is_err());
        assert!(Ceilings::parse(&two.replace("individual_vnd = 1", "individual_vnd = -1")).is_err());
    }
}
