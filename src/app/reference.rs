//! Reference data shipped with the program: administrative units and fields (lĩnh vực).

use serde::Deserialize;

use crate::domain::AdminUnits;
use crate::domain::deadlines::{Calendar, CalendarFile, RuleFile};

/// The working-day calendar from its TOML table, checked.
pub fn parse_calendar(text: &str) -> Result<Calendar, String> {
    let file: CalendarFile = toml::from_str(text).map_err(|e| e.to_string())?;
    Calendar::new(&file)
}

/// The deadline rules from their TOML file, checked.
pub fn parse_rules(text: &str) -> Result<RuleFile, String> {
    let rules: RuleFile = toml::from_str(text).map_err(|e| e.to_string())?;
    rules.check()?;
    Ok(rules)
}

const ADMIN_UNITS_JSON: &str = include_str!("../../assets/admin-units-2025.json");
const FIELDS_JSON: &str = include_str!("../../assets/reference/fields.json");
const GOODS_GROUPS_JSON: &str = include_str!("../../assets/reference/goods-groups.json");
const CALENDAR_TOML: &str = include_str!("../../assets/law/calendar.toml");
const DEADLINES_TOML: &str = include_str!("../../assets/law/deadlines.toml");
const CEILINGS_TOML: &str = include_str!("../../assets/law/ceilings.toml");

/// A goods group (nhóm hàng) and the words that put a goods line in it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct GoodsGroup {
    pub code: String,
    pub name: String,
    pub words: Vec<String>,
}

#[derive(Deserialize)]
struct GoodsGroupsFile {
    groups: Vec<GoodsGroup>,
}

/// A field (lĩnh vực) of cases and statistics.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Field {
    pub code: String,
    pub name: String,
}

#[derive(Deserialize)]
struct FieldsFile {
    fields: Vec<Field>,
}

/// The reference data of this build.
#[derive(Debug, Clone)]
pub struct Reference {
    pub admin_units: AdminUnits,
    pub fields: Vec<Field>,
    pub goods_groups: Vec<GoodsGroup>,
    /// The working-day calendar (`assets/law/calendar.toml`).
    pub calendar: Calendar,
    /// The deadline rules (`assets/law/deadlines.toml`).
    pub deadline_rules: RuleFile,
    /// The sanctioning ceilings by title (`assets/law/ceilings.toml`).
    pub ceilings: crate::domain::ceilings::Ceilings,
}

impl Reference {
    /// Parses the embedded reference files; they are checked by the tests, so a failure
    /// here is a build defect.
    pub fn embedded() -> Reference {
        let admin_units = AdminUnits::from_json(ADMIN_UNITS_JSON).expect("embedded admin units parse");
        let fields = serde_json::from_str::<FieldsFile>(FIELDS_JSON).expect("embedded fields parse").fields;
        let goods_groups =
            serde_json::from_str::<GoodsGroupsFile>(GOODS_GROUPS_JSON).expect("embedded goods groups parse").groups;
        let calendar = parse_calendar(CALENDAR_TOML).expect("embedded calendar parses");
        let deadline_rules = parse_rules(DEADLINES_TOML).expect("embedded deadline rules parse");
        let ceilings = crate::domain::ceilings::Ceilings::parse(CEILINGS_TOML).expect("embedded ceilings parse");
        Reference { admin_units, fields, goods_groups, calendar, deadline_rules, ceilings }
    }

    /// The goods group of a goods line's name: the first group one of whose phrases occurs
    /// in it as whole words (accents and case ignored); the last group otherwise.
    pub fn goods_group(&self, name: &str) -> &GoodsGroup {
        let folded = crate::domain::text::fold(name);
        let words: Vec<&str> = folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        let has = |phrase: &str| {
            let parts: Vec<&str> = phrase.split_whitespace().collect();
            !parts.is_empty() && words.windows(parts.len()).any(|w| w == parts.as_slice())
        };
        self.goods_groups
            .iter()
            .find(|g| g.words.iter().any(|w| has(w)))
            .unwrap_or_else(|| self.goods_groups.last().expect("at least one goods group"))
    }

    pub fn field_name(&self, code: &str) -> Option<&str> {
        self.fields.iter().find(|f| f.code == code).map(|f| f.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_reference_data_is_complete() {
        let r = Reference::embedded();
        assert_eq!(r.admin_units.provinces().len(), 34);
        let communes: usize = r.admin_units.provinces().iter().map(|p| r.admin_units.communes_of(p.code).count()).sum();
        assert_eq!(communes, 3321);
        assert_eq!(r.field_name("hang-gia"), Some("Hàng giả"));
    }
}
