//! Administrative units in force from 2025-07-01 (34 provinces, communes, no district
//! level), and addresses that use them. Old three-level addresses stay free text.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::validation::Bilingual;

#[derive(Debug, Clone, Deserialize)]
struct RawUnits {
    provinces: Vec<RawProvince>,
}

#[derive(Debug, Clone, Deserialize)]
struct RawProvince {
    code: u16,
    name: String,
    communes: Vec<RawCommune>,
}

#[derive(Debug, Clone, Deserialize)]
struct RawCommune {
    code: u32,
    name: String,
}

/// A province (tỉnh / thành phố trung ương).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Province {
    pub code: u16,
    pub name: String,
}

/// A commune-level unit (xã / phường / đặc khu).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commune {
    pub code: u32,
    pub province_code: u16,
    pub name: String,
}

/// The reference list of 2025 administrative units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdminUnits {
    provinces: Vec<Province>,
    communes: Vec<Commune>,
    /// (commune code, its place in `communes`), sorted by code: searched by halves. A
    /// hash map of them was a sixth of reading the list, at each start.
    commune_index: Vec<(u32, usize)>,
}

/// The list shipped in `assets/admin-units-2025.json`, read by `build.rs` into `NAMES`,
/// `PROVINCES` and `COMMUNES` (each name by its start and end in `NAMES`).
mod shipped {
    include!(concat!(env!("OUT_DIR"), "/admin-units.rs"));

    /// The name between `start` and `end` of `NAMES`.
    fn name(start: u32, end: u32) -> String {
        NAMES[start as usize..end as usize].to_string()
    }

    pub(super) fn provinces() -> impl Iterator<Item = (u16, String)> {
        PROVINCES.iter().map(|&(code, start, end)| (code, name(start, end)))
    }

    /// (province code, code, name), in the file's order.
    pub(super) fn communes() -> impl Iterator<Item = (u16, u32, String)> {
        COMMUNES.iter().map(|&(province, code, start, end)| (province, code, name(start, end)))
    }
}

impl AdminUnits {
    /// Parses a JSON list like the one shipped in `assets/admin-units-2025.json`; a list
    /// giving one code to two communes is refused (it would send an address to either).
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        let raw: RawUnits = serde_json::from_str(json)?;
        let mut provinces = Vec::new();
        let mut communes = Vec::new();
        for p in raw.provinces {
            communes.extend(p.communes.into_iter().map(|c| Commune {
                code: c.code,
                province_code: p.code,
                name: c.name,
            }));
            provinces.push(Province { code: p.code, name: p.name });
        }
        AdminUnits::of(provinces, communes)
            .map_err(|code| serde::de::Error::custom(format!("commune code {code} appears twice")))
    }

    /// The list shipped with this program (`assets/admin-units-2025.json`), from the tables
    /// the build made of it: parsing its 213 KB of JSON was a fifth of a command's start.
    pub fn shipped() -> AdminUnits {
        let provinces = shipped::provinces().map(|(code, name)| Province { code, name }).collect();
        let communes =
            shipped::communes().map(|(province_code, code, name)| Commune { code, province_code, name }).collect();
        AdminUnits::of(provinces, communes).expect("the shipped list is checked by the tests")
    }

    /// The units with their index; the error is a commune code given twice.
    fn of(provinces: Vec<Province>, communes: Vec<Commune>) -> Result<AdminUnits, u32> {
        let mut commune_index: Vec<(u32, usize)> = communes.iter().enumerate().map(|(i, c)| (c.code, i)).collect();
        commune_index.sort_unstable();
        match commune_index.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            Some(pair) => Err(pair[0].0),
            None => Ok(AdminUnits { provinces, communes, commune_index }),
        }
    }

    pub fn provinces(&self) -> &[Province] {
        &self.provinces
    }

    pub fn province(&self, code: u16) -> Option<&Province> {
        self.provinces.iter().find(|p| p.code == code)
    }

    pub fn commune(&self, code: u32) -> Option<&Commune> {
        let at = self.commune_index.binary_search_by_key(&code, |&(c, _)| c).ok()?;
        Some(&self.communes[self.commune_index[at].1])
    }

    /// The communes of one province, in the order of the reference list.
    pub fn communes_of(&self, province_code: u16) -> impl Iterator<Item = &Commune> {
        self.communes.iter().filter(move |c| c.province_code == province_code)
    }
}

/// An address: either coded with the 2025 units, or free text from an old record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Address {
    /// Street and house number, commune, province (2025 two-level units).
    Coded { street: String, commune_code: u32, province_code: u16 },
    /// A free-text address as written on an old record (three-level units).
    Legacy { text: String },
}

/// Why an address was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AddressError {
    #[error("unknown province code {0}")]
    UnknownProvince(u16),
    #[error("unknown commune code {0}")]
    UnknownCommune(u32),
    #[error("commune {commune} does not belong to province {province}")]
    CommuneNotInProvince { commune: u32, province: u16 },
    #[error("address is empty")]
    Empty,
}

impl Bilingual for AddressError {
    fn vi(&self) -> String {
        match self {
            AddressError::UnknownProvince(c) => format!("Mã tỉnh {c} không có trong danh mục"),
            AddressError::UnknownCommune(c) => format!("Mã xã/phường {c:05} không có trong danh mục"),
            AddressError::CommuneNotInProvince { commune, province } => {
                format!("Xã/phường {commune:05} không thuộc tỉnh có mã {province}")
            }
            AddressError::Empty => "Địa chỉ không được để trống".into(),
        }
    }
}

impl Address {
    /// Checks the codes against the reference list.
    pub fn check(&self, units: &AdminUnits) -> Result<(), AddressError> {
        match self {
            Address::Legacy { text } if text.trim().is_empty() => Err(AddressError::Empty),
            Address::Legacy { .. } => Ok(()),
            Address::Coded { commune_code, province_code, .. } => {
                units.province(*province_code).ok_or(AddressError::UnknownProvince(*province_code))?;
                let commune = units.commune(*commune_code).ok_or(AddressError::UnknownCommune(*commune_code))?;
                if commune.province_code != *province_code {
                    return Err(AddressError::CommuneNotInProvince {
                        commune: *commune_code,
                        province: *province_code,
                    });
                }
                Ok(())
            }
        }
    }

    /// The address as printed: "12 Lê Lợi, Phường Hoàn Kiếm, Thành phố Hà Nội".
    pub fn display(&self, units: &AdminUnits) -> String {
        match self {
            Address::Legacy { text } => text.clone(),
            Address::Coded { street, commune_code, province_code } => {
                let mut parts = Vec::new();
                if !street.is_empty() {
                    parts.push(street.clone());
                }
                parts.push(
                    units.commune(*commune_code).map_or_else(|| format!("xã {commune_code:05}"), |c| c.name.clone()),
                );
                parts.push(
                    units.province(*province_code).map_or_else(|| format!("tỉnh {province_code}"), |p| p.name.clone()),
                );
                parts.join(", ")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{"source":"t","provinces":[
        {"code":1,"name":"Thành phố Hà Nội","type":"x","communes":[{"code":70,"name":"Phường Hoàn Kiếm","type":"phường"}]},
        {"code":20,"name":"Lạng Sơn","type":"x","communes":[{"code":5000,"name":"Phường Đông Kinh","type":"phường"}]}]}"#;

    /// Every commune of the shipped list is found by its code, and a code no commune has is
    /// not; a list giving one code to two communes is refused.
    #[test]
    fn communes_are_found_by_code_and_a_code_given_twice_is_refused() {
        let units = AdminUnits::from_json(include_str!("../../assets/admin-units-2025.json")).unwrap();
        for p in units.provinces() {
            for c in units.communes_of(p.code) {
                assert_eq!(units.commune(c.code), Some(c));
            }
        }
        // Below the first code, in a gap between two, past the last.
        let first = units.communes.iter().map(|c| c.code).min().unwrap();
        let last = units.communes.iter().map(|c| c.code).max().unwrap();
        let gap = (first..last).find(|code| !units.communes.iter().any(|c| c.code == *code)).unwrap();
        for missing in [first - 1, gap, last + 1] {
            assert_eq!(units.commune(missing), None, "{missing}");
        }
        let twice = SAMPLE.replace("\"code\":5000", "\"code\":70");
        let err = AdminUnits::from_json(&twice).unwrap_err();
        assert!(err.to_string().contains("commune code 70 appears twice"), "{err}");
    }

    /// The tables the build made of the shipped list are that list as parsed from its JSON.
    #[test]
    fn the_shipped_tables_are_the_shipped_json() {
        let parsed = AdminUnits::from_json(include_str!("../../assets/admin-units-2025.json")).unwrap();
        assert_eq!(AdminUnits::shipped(), parsed);
        assert_eq!(parsed.provinces().len(), 34);
    }

    #[test]
    fn coded_addresses_are_checked_and_displayed() {
        let units = AdminUnits::from_json(SAMPLE).unwrap();
        let ok = Address::Coded { street: "12 Lê Lợi".into(), commune_code: 70, province_code: 1 };
        assert_eq!(ok.check(&units), Ok(()));
        assert_eq!(ok.display(&units), "12 Lê Lợi, Phường Hoàn Kiếm, Thành phố Hà Nội");
        let wrong = Address::Coded { street: String::new(), commune_code: 70, province_code: 20 };
        assert_eq!(wrong.check(&units), Err(AddressError::CommuneNotInProvince { commune: 70, province: 20 }));
        let unknown = Address::Coded { street: String::new(), commune_code: 99999, province_code: 1 };
        assert_eq!(unknown.check(&units), Err(AddressError::UnknownCommune(99999)));
        assert_eq!(Address::Legacy { text: "  ".into() }.check(&units), Err(AddressError::Empty));
    }
}
