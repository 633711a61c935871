//! Reference data shipped with the program and carried by law packs: administrative units,
//! fields (lĩnh vực), goods groups, the calendar, deadline rules, ceilings and the catalogue.
//! Shared by the laptop (`app`) and the hub.

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

const ADMIN_UNITS: &str = "reference/admin-units.json";
const FIELDS: &str = "reference/fields.json";
const GOODS_GROUPS: &str = "reference/goods-groups.json";
const CALENDAR: &str = "law/calendar.toml";
const DEADLINES: &str = "law/deadlines.toml";
const CEILINGS: &str = "law/ceilings.toml";
const CATALOGUE: &str = "law/catalogue.toml";

/// The reference files a law pack carries (path inside its `data/`), with the embedded
/// copy this build was made with. A static, not a constant: each text has one address, by
/// which the built-in catalogue is told from a law pack's copy.
pub static REFERENCE_FILES: [(&str, &str); 7] = [
    (ADMIN_UNITS, include_str!("../assets/admin-units-2025.json")),
    (FIELDS, include_str!("../assets/reference/fields.json")),
    (GOODS_GROUPS, include_str!("../assets/reference/goods-groups.json")),
    (CALENDAR, include_str!("../assets/law/calendar.toml")),
    (DEADLINES, include_str!("../assets/law/deadlines.toml")),
    (CEILINGS, include_str!("../assets/law/ceilings.toml")),
    (CATALOGUE, include_str!("../assets/law/catalogue.toml")),
];

fn embedded_text(path: &str) -> &'static str {
    REFERENCE_FILES.iter().find(|(p, _)| *p == path).map(|(_, t)| *t).unwrap_or_default()
}

/// A catalogue checked against the fields of the same law (its own checks are
/// `Catalogue::parse`'s): each article's field is one of them.
fn check_catalogue(catalogue: &crate::domain::catalogue::Catalogue, fields: &[Field]) -> Result<(), String> {
    match catalogue.articles.iter().find(|a| !fields.iter().any(|f| f.code == a.field)) {
        Some(a) => Err(format!("Điều {}: unknown field {:?}", a.article, a.field)),
        None => Ok(()),
    }
}

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
    /// The catalogue of violations (`assets/law/catalogue.toml`): a law pack's is parsed
    /// and checked with the rest; the built-in one when first asked for
    /// ([`Reference::catalogue`]), as most commands never look at it.
    catalogue: std::sync::OnceLock<crate::domain::catalogue::Catalogue>,
}

impl Reference {
    /// Parses the embedded reference files; they are checked by the tests, so a failure
    /// here is a build defect.
    pub fn embedded() -> Reference {
        let texts = REFERENCE_FILES.map(|(path, _)| (path, embedded_text(path)));
        Reference::from_texts(|path| texts.iter().find(|(p, _)| *p == path).map(|(_, t)| *t))
            .expect("the embedded reference files parse")
    }

    /// Parses and checks every reference file, each found by its path in a law pack
    /// ([`REFERENCE_FILES`]); the error names the file and the problem. The built-in
    /// catalogue and administrative units (the very texts compiled in) are checked by the
    /// tests instead.
    pub fn from_texts<'a>(text: impl Fn(&str) -> Option<&'a str>) -> Result<Reference, (String, String)> {
        let get = |path: &str| text(path).ok_or_else(|| (path.to_string(), "missing".to_string()));
        // Whether a file's text is the very one compiled in (not an equal copy): checked by
        // the tests, and read from tables or when first used.
        let built_in = |path: &str| get(path).is_ok_and(|t| std::ptr::eq(t, embedded_text(path)));
        fn at(path: &'static str) -> impl Fn(String) -> (String, String) {
            move |e| (path.to_string(), e)
        }
        // The shipped list (the very text compiled in) from the tables the build made of it.
        let admin_units = if built_in(ADMIN_UNITS) {
            AdminUnits::shipped()
        } else {
            AdminUnits::from_json(get(ADMIN_UNITS)?).map_err(|e| (ADMIN_UNITS.to_string(), e.to_string()))?
        };
        let fields =
            serde_json::from_str::<FieldsFile>(get(FIELDS)?).map_err(|e| (FIELDS.to_string(), e.to_string()))?.fields;
        let goods_groups = serde_json::from_str::<GoodsGroupsFile>(get(GOODS_GROUPS)?)
            .map_err(|e| (GOODS_GROUPS.to_string(), e.to_string()))?
            .groups;
        if goods_groups.is_empty() {
            return Err((GOODS_GROUPS.to_string(), "no goods group".into()));
        }
        let calendar = parse_calendar(get(CALENDAR)?).map_err(at(CALENDAR))?;
        let deadline_rules = parse_rules(get(DEADLINES)?).map_err(at(DEADLINES))?;
        let ceilings = crate::domain::ceilings::Ceilings::parse(get(CEILINGS)?).map_err(at(CEILINGS))?;
        let catalogue = std::sync::OnceLock::new();
        // The built-in catalogue, with the built-in fields it is checked against, waits
        // until it is used: parsing it was a fifth of a command's start.
        if !(built_in(CATALOGUE) && built_in(FIELDS)) {
            let parsed = crate::domain::catalogue::Catalogue::parse(get(CATALOGUE)?).map_err(at(CATALOGUE))?;
            check_catalogue(&parsed, &fields).map_err(at(CATALOGUE))?;
            catalogue.get_or_init(|| parsed);
        }
        Ok(Reference { admin_units, fields, goods_groups, calendar, deadline_rules, ceilings, catalogue })
    }

    /// Whether the catalogue of violations has been read (a law pack's: at once).
    #[cfg(test)]
    pub(crate) fn catalogue_read(&self) -> bool {
        self.catalogue.get().is_some()
    }

    /// The catalogue of violations.
    pub fn catalogue(&self) -> &crate::domain::catalogue::Catalogue {
        self.catalogue.get_or_init(|| {
            crate::domain::catalogue::Catalogue::parse(embedded_text(CATALOGUE))
                .expect("the built-in catalogue is checked by the tests")
        })
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

    /// The built-in catalogue is parsed when first used, not checked at each start: this
    /// is the check it skips, on copies of the built-in texts (which are parsed at once).
    #[test]
    fn the_built_in_catalogue_passes_the_checks_a_law_packs_gets() {
        let copies: Vec<(&str, String)> = REFERENCE_FILES.iter().map(|(p, t)| (*p, t.to_string())).collect();
        let copied = Reference::from_texts(|path| copies.iter().find(|(p, _)| *p == path).map(|(_, t)| t.as_str()))
            .expect("the built-in reference files pass a law pack's checks");
        assert!(copied.catalogue.get().is_some(), "a law pack's catalogue is parsed with the rest");
        let built_in = Reference::embedded();
        assert!(built_in.catalogue.get().is_none(), "the built-in catalogue waits until it is used");
        assert_eq!(format!("{:?}", built_in.catalogue()), format!("{:?}", copied.catalogue()));
        assert!(!built_in.catalogue().articles.is_empty());
        check_catalogue(built_in.catalogue(), &built_in.fields).unwrap();
    }

    /// A law pack whose catalogue names a field its fields list lacks is refused, also when
    /// the catalogue's text is the built-in one's and only the fields list changed.
    #[test]
    fn a_catalogue_naming_an_unknown_field_is_refused() {
        let fields = r#"{"fields": [{"code": "khac", "name": "Khác"}]}"#;
        let texts: Vec<(&str, &str)> =
            REFERENCE_FILES.iter().map(|(p, t)| (*p, if *p == FIELDS { fields } else { *t })).collect();
        let refused =
            Reference::from_texts(|path| texts.iter().find(|(p, _)| *p == path).map(|(_, t)| *t)).unwrap_err();
        assert_eq!(refused.0, CATALOGUE);
        assert!(refused.1.contains("unknown field"), "{}", refused.1);
    }
}
