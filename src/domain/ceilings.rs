//! Sanctioning ceilings (thẩm quyền phạt tiền) as dated data in the law's own shape
//! (`assets/law/ceilings.toml`): what the signer of a sanction decision may fine at most, for
//! the case's field, on the decision's day.
//!
//! Two shapes follow each other in time. Until 30/6/2025 the sanction decree fixed an amount
//! per title (NĐ 98/2020 Điều 82, as amended by NĐ 17/2022). Since 1/7/2025 a title may fine a
//! share of the field's maximum (NĐ 189/2025 Điều 12 × Điều 24 of the Law as amended by Luật
//! 88/2025). Either way an organisation's ceiling is double (khoản 1 Điều 52 of the Law).

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
    /// What the ceiling is judged against (the law's own words, cited).
    pub judged_against: String,
    #[serde(default)]
    pub provisional: bool,
    #[serde(default)]
    pub note: String,
    /// The case fields (`assets/reference/fields.json` codes) fixed amounts cover; titles
    /// given as a share find their field in `maximum` instead.
    #[serde(default)]
    pub fields: Vec<String>,
    #[serde(rename = "title")]
    pub titles: Vec<Title>,
    /// The maximum fine of each field of the law (Điều 24), for titles given as a share.
    #[serde(default, rename = "maximum")]
    pub maxima: Vec<Maximum>,
}

/// One title's competence: a fixed amount or a share of the field's maximum, for an
/// individual.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Title {
    pub name: String,
    /// Folded words a signer's title must contain.
    pub words: Vec<String>,
    #[serde(default)]
    pub individual_vnd: Option<u64>,
    #[serde(default)]
    pub share_percent: Option<u64>,
    /// What the title may confiscate (absent: goods of any value).
    #[serde(default)]
    pub confiscation: Option<ConfiscationRule>,
}

/// A title's power to confiscate goods, as the clause words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ConfiscationRule {
    /// The title may not confiscate.
    None,
    /// Goods worth at most this many times the title's fine ceiling.
    Times(u64),
    /// Goods worth at most this amount.
    UpToVnd(u64),
}

/// A field of the law with its maximum fine for an individual.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Maximum {
    /// The field as the Law names it ("thương mại").
    pub law_field: String,
    /// The case fields it covers.
    pub fields: Vec<String>,
    pub individual_vnd: u64,
    pub source: String,
    #[serde(default)]
    pub provisional: bool,
    #[serde(default)]
    pub note: String,
}

/// The ceiling that applies to one signer, one field, one subject, one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ceiling {
    pub title: String,
    pub amount_vnd: u64,
    pub organisation: bool,
    /// How the amount is reached ("30 % × 100.000.000 đồng (thương mại)"), empty for a
    /// fixed amount.
    pub formula: String,
    /// What goods the title may confiscate: `Some(0)` none, `Some(n)` worth at most n,
    /// `None` of any value.
    pub confiscation_limit_vnd: Option<u64>,
    pub valid_from: NaiveDate,
    pub source: String,
    pub judged_against: String,
    /// Why the figures may be out of date or unconfirmed (empty when confirmed).
    pub caveat: String,
}

/// Why no ceiling could be given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoCeiling {
    /// The signer's title has no sanctioning competence in the table.
    Title,
    /// The table knows no maximum for the case's field on that day.
    Field { valid_from: NaiveDate },
}

impl Ceilings {
    /// Parses and checks the table: periods in date order, each title with words and exactly
    /// one of an amount or a share, a share only where the period gives field maxima, no case
    /// field under two maxima.
    pub fn parse(text: &str) -> Result<Ceilings, String> {
        let table: Ceilings = toml::from_str(text).map_err(|e| e.to_string())?;
        if table.periods.is_empty() {
            return Err("no [[period]]".into());
        }
        if table.periods.windows(2).any(|w| w[0].valid_from >= w[1].valid_from) {
            return Err("periods must be in date order".into());
        }
        for p in &table.periods {
            let at = p.valid_from;
            if p.titles.is_empty() {
                return Err(format!("period from {at}: no title"));
            }
            for t in &p.titles {
                if t.words.is_empty() {
                    return Err(format!("period from {at}, title {:?}: no words", t.name));
                }
                match (t.individual_vnd, t.share_percent) {
                    (Some(_), None) => {}
                    (None, Some(share)) if (1..=100).contains(&share) && !p.maxima.is_empty() => {}
                    (None, Some(_)) => {
                        return Err(format!(
                            "period from {at}, title {:?}: a share needs field maxima and lies in 1..=100",
                            t.name
                        ));
                    }
                    _ => {
                        return Err(format!(
                            "period from {at}, title {:?}: give individual_vnd or share_percent",
                            t.name
                        ));
                    }
                }
            }
            let mut seen = std::collections::BTreeSet::new();
            if let Some(twice) = p.maxima.iter().flat_map(|m| &m.fields).find(|f| !seen.insert(f.as_str())) {
                return Err(format!("period from {at}: field {twice:?} under two maxima"));
            }
        }
        Ok(table)
    }

    /// The ceiling of a signer with `title` deciding a case of `field` on `date`, for an
    /// individual or an organisation (double).
    pub fn of(&self, title: &str, field: &str, date: NaiveDate, organisation: bool) -> Result<Ceiling, NoCeiling> {
        let Some(period) = self.periods.iter().rev().find(|p| p.valid_from <= date) else {
            return Err(NoCeiling::Field { valid_from: date });
        };
        let folded = fold(title);
        let t = period
            .titles
            .iter()
            .find(|t| t.words.iter().any(|w| folded.contains(w.as_str())))
            .ok_or(NoCeiling::Title)?;
        let times = if organisation { 2 } else { 1 };
        let mut caveats: Vec<&str> = Vec::new();
        if period.provisional {
            caveats.push(&period.note);
        }
        let (individual, formula) = match (t.individual_vnd, t.share_percent) {
            (Some(amount), _) => {
                if !period.fields.iter().any(|f| f == field) {
                    return Err(NoCeiling::Field { valid_from: period.valid_from });
                }
                (amount, String::new())
            }
            (None, Some(share)) => {
                let max = period
                    .maxima
                    .iter()
                    .find(|m| m.fields.iter().any(|f| f == field))
                    .ok_or(NoCeiling::Field { valid_from: period.valid_from })?;
                if max.provisional {
                    caveats.push(&max.note);
                }
                let formula = format!(
                    "{share} % × {} đồng, mức tối đa của lĩnh vực {} ({})",
                    super::text::format_vnd(max.individual_vnd),
                    max.law_field,
                    max.source
                );
                (max.individual_vnd * share / 100, formula)
            }
            (None, None) => return Err(NoCeiling::Title),
        };
        let amount_vnd = individual * times;
        Ok(Ceiling {
            title: t.name.clone(),
            amount_vnd,
            organisation,
            formula,
            confiscation_limit_vnd: match t.confiscation {
                None => None,
                Some(ConfiscationRule::None) => Some(0),
                Some(ConfiscationRule::Times(n)) => Some(n * amount_vnd),
                Some(ConfiscationRule::UpToVnd(v)) => Some(v),
            },
            valid_from: period.valid_from,
            source: period.source.clone(),
            judged_against: period.judged_against.clone(),
            caveat: caveats.into_iter().filter(|c| !c.is_empty()).collect::<Vec<_>>().join("; "),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    fn table() -> Ceilings {
        Ceilings::parse(include_str!("../../assets/law/ceilings.toml")).unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn amount(title: &str, field: &str, on: NaiveDate, organisation: bool) -> u64 {
        table().of(title, field, on, organisation).unwrap().amount_vnd
    }

    /// NĐ 189/2025 Điều 12 from 1/7/2025: 10 % / 30 % / 50 % / 100 % of the field's maximum
    /// (thương mại: 100 million, điểm đ khoản 1 Điều 24 as amended), organisations double.
    #[test]
    fn since_july_2025_a_title_fines_a_share_of_the_fields_maximum() {
        let on = day(2026, 3, 2);
        assert_eq!(amount("Kiểm soát viên thị trường", "hang-nhap-lau", on, false), 10_000_000);
        assert_eq!(amount("Đội trưởng Đội QLTT số 1", "hang-nhap-lau", on, false), 30_000_000);
        assert_eq!(amount("ĐỘI TRƯỞNG", "hang-nhap-lau", on, true), 60_000_000);
        assert_eq!(amount("Phó Đội trưởng", "thuong-mai-dien-tu", on, false), 30_000_000);
        assert_eq!(amount("Chi cục trưởng Chi cục QLTT", "hang-nhap-lau", on, false), 50_000_000);
        assert_eq!(amount("Chi cục trưởng", "hang-nhap-lau", on, true), 100_000_000);
        assert_eq!(
            amount("Cục trưởng Cục Quản lý và Phát triển thị trường trong nước", "hang-nhap-lau", on, false),
            100_000_000
        );
        // A second field: phân bón, also 100 million (same point đ).
        assert_eq!(amount("Đội trưởng", "phan-bon-thuoc-bvtv", on, false), 30_000_000);
        assert_eq!(amount("Kiểm soát viên thị trường", "phan-bon-thuoc-bvtv", on, true), 20_000_000);
        let c = table().of("Đội trưởng", "hang-nhap-lau", on, false).unwrap();
        assert_eq!(c.confiscation_limit_vnd, Some(60_000_000), "twice the fine ceiling (điểm c khoản 2)");
        assert!(c.formula.contains("30 % × 100.000.000 đồng") && c.formula.contains("thương mại"), "{}", c.formula);
        assert!(c.judged_against.contains("khung tiền phạt"), "{}", c.judged_against);
        assert!(c.caveat.is_empty(), "the trade figures are checked against the text");
        assert_eq!(table().of("Chi cục trưởng", "hang-nhap-lau", on, false).unwrap().confiscation_limit_vnd, None);
        assert!(!table().of("Đội trưởng", "hang-gia", on, false).unwrap().caveat.is_empty(), "inferred: said so");
        assert_eq!(table().of("Văn thư", "hang-nhap-lau", on, false), Err(NoCeiling::Title));
        assert!(
            matches!(table().of("Đội trưởng", "gia", on, false), Err(NoCeiling::Field { .. })),
            "no maximum checked"
        );
    }

    /// Until 30/6/2025, NĐ 98/2020 Điều 82 as amended by khoản 45 Điều 3 NĐ 17/2022: fixed
    /// amounts; the provincial head was the Cục trưởng Cục QLTT cấp tỉnh (no Chi cục then).
    #[test]
    fn until_june_2025_the_decree_fixed_an_amount_per_title() {
        let on = day(2025, 6, 30);
        assert_eq!(amount("Kiểm soát viên thị trường", "hang-nhap-lau", on, false), 500_000);
        assert_eq!(amount("Đội trưởng", "hang-nhap-lau", on, false), 25_000_000);
        assert_eq!(amount("Đội trưởng", "hang-gia", on, true), 50_000_000);
        assert_eq!(amount("Cục trưởng Cục Quản lý thị trường tỉnh Lạng Sơn", "hang-gia", on, false), 50_000_000);
        assert_eq!(
            table().of("Chi cục trưởng Chi cục Quản lý thị trường", "hang-gia", on, false),
            Err(NoCeiling::Title)
        );
        let c = table().of("Đội trưởng", "hang-gia", on, false).unwrap();
        assert_eq!(c.confiscation_limit_vnd, Some(50_000_000), "điểm c khoản 2: 50 million, not twice 25");
        assert_eq!(table().of("Kiểm soát viên", "hang-gia", on, false).unwrap().confiscation_limit_vnd, Some(0));
        assert!(matches!(table().of("Đội trưởng", "an-toan-thuc-pham", on, false), Err(NoCeiling::Field { .. })));
        // The original NĐ 98/2020 (from 15/10/2020): the leader's confiscation as his fine.
        let c = table().of("Đội trưởng", "hang-gia", day(2021, 5, 4), false).unwrap();
        assert_eq!((c.amount_vnd, c.confiscation_limit_vnd), (25_000_000, Some(25_000_000)));
    }

    #[test]
    fn a_bad_table_is_refused() {
        let two = "[[period]]\nvalid_from = \"2025-01-01\"\nsource = \"x\"\njudged_against = \"y\"\nfields = [\"a\"]\n[[period.title]]\nname = \"a\"\nwords = [\"a\"]\nindividual_vnd = 1\n";
        assert!(Ceilings::parse(two).is_ok());
        let reversed = format!("{two}{}", two.replace("2025", "2024"));
        assert!(Ceilings::parse(&reversed).unwrap_err().contains("date order"));
        assert!(Ceilings::parse(&two.replace("words = [\"a\"]", "words = []")).is_err());
        assert!(Ceilings::parse(&two.replace("individual_vnd = 1", "individual_vnd = -1")).is_err());
        assert!(
            Ceilings::parse(&two.replace("individual_vnd = 1", "share_percent = 30")).unwrap_err().contains("maxima")
        );
        let both = two.replace("individual_vnd = 1", "individual_vnd = 1\nshare_percent = 30");
        assert!(Ceilings::parse(&both).unwrap_err().contains("individual_vnd or share_percent"));
        let max = "[[period.maximum]]\nlaw_field = \"t\"\nfields = [\"a\"]\nindividual_vnd = 5\nsource = \"s\"\n";
        let doubled = format!("{two}{max}{max}");
        assert!(Ceilings::parse(&doubled).unwrap_err().contains("two maxima"));
    }
}
