//! Reference data shipped with the program: administrative units and fields (lĩnh vực).

use serde::Deserialize;

use crate::domain::AdminUnits;

const ADMIN_UNITS_JSON: &str = include_str!("../../assets/admin-units-2025.json");
const FIELDS_JSON: &str = include_str!("../../assets/reference/fields.json");

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
}

impl Reference {
    /// Parses the embedded reference files; they are checked by the tests, so a failure
    /// here is a build defect.
    pub fn embedded() -> Reference {
        let admin_units = AdminUnits::from_json(ADMIN_UNITS_JSON).expect("embedded admin units parse");
        let fields = serde_json::from_str::<FieldsFile>(FIELDS_JSON).expect("embedded fields parse").fields;
        Reference { admin_units, fields }
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
