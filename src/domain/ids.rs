//! Identifiers of subjects, parsed once into newtypes (parse, don't validate).
//! Rules from the domain brief §5.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::validation::Bilingual;

/// Why a typed identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdError {
    /// Tax code not of the form `NNNNNNNNNN` or `NNNNNNNNNN-NNN`.
    #[error("tax code must be 10 digits, or 13 written NNNNNNNNNN-NNN")]
    TaxCodeShape,
    /// Personal ID is not 12 digits.
    #[error("personal ID must be 12 digits")]
    PersonalIdShape,
    /// The first three digits are not a province code 001–096.
    #[error("personal ID starts with {code:03}, not a province code 001-096")]
    PersonalIdProvince { code: u16 },
    /// Old ID card is not 9 digits.
    #[error("old ID card number must be 9 digits")]
    OldIdCardShape,
    /// Not a Vietnamese mobile number.
    #[error("phone must be 10 digits starting 03, 05, 07, 08 or 09 (or +84…)")]
    PhoneShape,
}

impl Bilingual for IdError {
    fn vi(&self) -> String {
        match self {
            IdError::TaxCodeShape => "Mã số thuế phải gồm 10 chữ số, hoặc 13 chữ số dạng NNNNNNNNNN-NNN".into(),
            IdError::PersonalIdShape => "Số định danh cá nhân phải gồm 12 chữ số".into(),
            IdError::PersonalIdProvince { code } => {
                format!("Số định danh bắt đầu bằng {code:03}, không phải mã tỉnh (001–096)")
            }
            IdError::OldIdCardShape => "Số CMND phải gồm 9 chữ số".into(),
            IdError::PhoneShape => {
                "Số điện thoại di động phải gồm 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09 (hoặc +84)".into()
            }
        }
    }
}

/// A disagreement that deserves a warning but does not block.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdWarning {
    #[error("tax code check digit does not match (expected {expected})")]
    TaxCodeCheckDigit { expected: String },
    #[error("personal ID encodes birth year {encoded}, date of birth says {given}")]
    BirthYearMismatch { encoded: i32, given: i32 },
    #[error("personal ID encodes {encoded:?}, gender given is {given:?}")]
    GenderMismatch { encoded: Gender, given: Gender },
}

impl Bilingual for IdWarning {
    fn vi(&self) -> String {
        match self {
            IdWarning::TaxCodeCheckDigit { expected } => {
                format!("Chữ số kiểm tra của mã số thuế không khớp (theo công thức là {expected}); hãy kiểm tra lại")
            }
            IdWarning::BirthYearMismatch { encoded, given } => {
                format!("Số định danh mã hóa năm sinh {encoded}, nhưng ngày sinh ghi năm {given}")
            }
            IdWarning::GenderMismatch { encoded, given } => {
                format!("Số định danh mã hóa giới tính {}, nhưng giới tính ghi là {}", encoded.vi(), given.vi())
            }
        }
    }
}

fn only_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Removes spaces and dots that people type inside numbers.
fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace() && *c != '.').collect()
}

/// The message serde gives when a stored or imported identifier is refused: both
/// languages, so an import error shown to a user is in Vietnamese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidIdentifier(pub IdError);

impl std::fmt::Display for InvalidIdentifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.0.vi(), self.0)
    }
}

/// The serde plumbing shared by the identifier newtypes: they are read from and
/// written as strings, through their `TryFrom<&str>` parser.
macro_rules! string_newtype {
    ($($t:ident),*) => {$(
        impl TryFrom<String> for $t {
            type Error = InvalidIdentifier;
            fn try_from(value: String) -> Result<Self, InvalidIdentifier> {
                $t::try_from(value.as_str()).map_err(InvalidIdentifier)
            }
        }

        impl From<$t> for String {
            fn from(value: $t) -> String {
                value.0
            }
        }
    )*};
}

string_newtype!(TaxCode, PersonalId, OldIdCard, PhoneNumber);

/// Mã số thuế: 10 digits, or 13 written `NNNNNNNNNN-NNN` for a dependent unit.
///
/// ```
/// use anchi::domain::TaxCode;
/// let code = TaxCode::try_from("0100109106").unwrap();
/// assert_eq!(code.warning(), None); // the check digit agrees
/// assert!(TaxCode::try_from("01001091").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TaxCode(String);

const TAX_WEIGHTS: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];

impl TaxCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 10-digit parent code (the code itself for a 10-digit code).
    pub fn parent(&self) -> &str {
        &self.0[..10]
    }

    /// The check digit the formula gives, or `None` in the remainder cases where the
    /// formula yields no single digit (implementations disagree there).
    pub fn expected_check_digit(&self) -> Option<u32> {
        let digits: Vec<u32> = self.0.bytes().take(9).map(|b| u32::from(b - b'0')).collect();
        let sum: u32 = digits.iter().zip(TAX_WEIGHTS).map(|(d, w)| d * w).sum();
        let check = 10 - (sum % 11);
        (check <= 9).then_some(check)
    }

    /// A warning when the check digit disagrees with the formula.
    pub fn warning(&self) -> Option<IdWarning> {
        let actual = u32::from(self.0.as_bytes()[9] - b'0');
        match self.expected_check_digit() {
            Some(expected) if expected == actual => None,
            Some(expected) => Some(IdWarning::TaxCodeCheckDigit { expected: expected.to_string() }),
            None => Some(IdWarning::TaxCodeCheckDigit { expected: "không xác định".into() }),
        }
    }
}

impl TryFrom<&str> for TaxCode {
    type Error = IdError;
    fn try_from(value: &str) -> Result<Self, IdError> {
        let s = compact(value);
        let ok = match s.len() {
            10 => only_digits(&s),
            14 => only_digits(&s[..10]) && &s[10..11] == "-" && only_digits(&s[11..]),
            13 => only_digits(&s),
            _ => false,
        };
        if !ok {
            return Err(IdError::TaxCodeShape);
        }
        // Thirteen digits typed without the dash are stored in the written form.
        let s = if s.len() == 13 { format!("{}-{}", &s[..10], &s[10..]) } else { s };
        Ok(TaxCode(s))
    }
}

/// Gender as recorded on identity documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn vi(self) -> &'static str {
        match self {
            Gender::Male => "Nam",
            Gender::Female => "Nữ",
        }
    }
}

/// Số định danh cá nhân (CCCD): 12 digits — province of birth registration, century and
/// sex, two digits of the birth year, six random digits; no check digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonalId(String);

impl PersonalId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth-registration province code (001–096).
    pub fn province_code(&self) -> u16 {
        self.0[..3].parse().expect("checked at parse")
    }

    /// The gender the fourth digit encodes.
    pub fn gender(&self) -> Gender {
        if self.century_digit().is_multiple_of(2) { Gender::Male } else { Gender::Female }
    }

    /// The birth year: the fourth digit gives the century (0/1 → 1900s, 2/3 → 2000s, …).
    pub fn birth_year(&self) -> i32 {
        let century = 1900 + 100 * (self.century_digit() / 2) as i32;
        century + self.0[4..6].parse::<i32>().expect("checked at parse")
    }

    fn century_digit(&self) -> u8 {
        self.0.as_bytes()[3] - b'0'
    }

    /// Cross-checks the decoded year and gender with what was typed elsewhere.
    pub fn cross_check(&self, date_of_birth: Option<NaiveDate>, gender: Option<Gender>) -> Vec<IdWarning> {
        let mut warnings = Vec::new();
        if let Some(dob) = date_of_birth
            && dob.year() != self.birth_year()
        {
            warnings.push(IdWarning::BirthYearMismatch { encoded: self.birth_year(), given: dob.year() });
        }
        if let Some(given) = gender
            && given != self.gender()
        {
            warnings.push(IdWarning::GenderMismatch { encoded: self.gender(), given });
        }
        warnings
    }
}

impl TryFrom<&str> for PersonalId {
    type Error = IdError;
    fn try_from(value: &str) -> Result<Self, IdError> {
        let s = compact(value);
        if s.len() != 12 || !only_digits(&s) {
            return Err(IdError::PersonalIdShape);
        }
        let code: u16 = s[..3].parse().expect("digits");
        if !(1..=96).contains(&code) {
            return Err(IdError::PersonalIdProvince { code });
        }
        Ok(PersonalId(s))
    }
}

/// Số CMND: the old 9-digit ID card, invalid since 2025-01-01; kept for old records.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OldIdCard(String);

impl OldIdCard {
    /// The last day an old ID card was valid.
    pub fn valid_until() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 12, 31).expect("valid date")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for OldIdCard {
    type Error = IdError;
    fn try_from(value: &str) -> Result<Self, IdError> {
        let s = compact(value);
        if s.len() != 9 || !only_digits(&s) {
            return Err(IdError::OldIdCardShape);
        }
        Ok(OldIdCard(s))
    }
}

/// A Vietnamese mobile number, stored as 10 digits starting with 0.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for PhoneNumber {
    type Error = IdError;
    fn try_from(value: &str) -> Result<Self, IdError> {
        let s: String = value.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')')).collect();
        let local = if let Some(rest) = s.strip_prefix("+84") {
            format!("0{rest}")
        } else if s.len() == 11 && s.starts_with("84") {
            format!("0{}", &s[2..])
        } else {
            s
        };
        let prefix_ok = ["03", "05", "07", "08", "09"].iter().any(|p| local.starts_with(p));
        if local.len() != 10 || !only_digits(&local) || !prefix_ok {
            return Err(IdError::PhoneShape);
        }
        Ok(PhoneNumber(local))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tax_code_shapes() {
        assert_eq!(TaxCode::try_from("0100109106").unwrap().as_str(), "0100109106");
        assert_eq!(TaxCode::try_from(" 0100 109 106 ").unwrap().as_str(), "0100109106");
        assert_eq!(TaxCode::try_from("0100109106-001").unwrap().as_str(), "0100109106-001");
        assert_eq!(TaxCode::try_from("0100109106001").unwrap().as_str(), "0100109106-001");
        assert_eq!(TaxCode::try_from("0100109106-001").unwrap().parent(), "0100109106");
        for bad in ["", "123", "01001091", "010010910a", "0100109106-01", "0100109106_001", "01001091060011"] {
            assert_eq!(TaxCode::try_from(bad), Err(IdError::TaxCodeShape), "{bad}");
        }
    }

    #[test]
    fn tax_code_check_digit_warns_only() {
        assert_eq!(TaxCode::try_from("0100109106").unwrap().warning(), None);
        let wrong = TaxCode::try_from("0100109107").unwrap();
        assert_eq!(wrong.warning(), Some(IdWarning::TaxCodeCheckDigit { expected: "6".into() }));
    }

    #[test]
    fn personal_id_decodes_year_and_gender() {
        let id = PersonalId::try_from("001085012345").unwrap();
        assert_eq!(id.province_code(), 1);
        assert_eq!(id.birth_year(), 1985);
        assert_eq!(id.gender(), Gender::Male);
        let id = PersonalId::try_from("079301012345").unwrap();
        assert_eq!((id.birth_year(), id.gender()), (2001, Gender::Female));
        let id = PersonalId::try_from("036195012345").unwrap();
        assert_eq!((id.birth_year(), id.gender()), (1995, Gender::Female));
        assert_eq!(PersonalId::try_from("000085012345"), Err(IdError::PersonalIdProvince { code: 0 }));
        assert_eq!(PersonalId::try_from("097085012345"), Err(IdError::PersonalIdProvince { code: 97 }));
        assert_eq!(PersonalId::try_from("00108501234"), Err(IdError::PersonalIdShape));
        assert_eq!(PersonalId::try_from("00108501234x"), Err(IdError::PersonalIdShape));
    }

    #[test]
    fn personal_id_cross_check() {
        let id = PersonalId::try_from("001085012345").unwrap();
        let dob = NaiveDate::from_ymd_opt(1985, 4, 1);
        assert!(id.cross_check(dob, Some(Gender::Male)).is_empty());
        let warnings = id.cross_check(NaiveDate::from_ymd_opt(1986, 4, 1), Some(Gender::Female));
        assert_eq!(
            warnings,
            vec![
                IdWarning::BirthYearMismatch { encoded: 1985, given: 1986 },
                IdWarning::GenderMismatch { encoded: Gender::Male, given: Gender::Female }
            ]
        );
    }

    #[test]
    fn old_id_card_and_phone() {
        assert!(OldIdCard::try_from("012345678").is_ok());
        assert_eq!(OldIdCard::try_from("01234567"), Err(IdError::OldIdCardShape));
        assert_eq!(PhoneNumber::try_from("0912 345 678").unwrap().as_str(), "0912345678");
        assert_eq!(PhoneNumber::try_from("+84 912 345 678").unwrap().as_str(), "0912345678");
        assert_eq!(PhoneNumber::try_from("84912345678").unwrap().as_str(), "0912345678");
        assert_eq!(PhoneNumber::try_from("0312.345.678").unwrap().as_str(), "0312345678");
        for bad in ["0212345678", "091234567", "09123456789", "abc", "+1 912 345 678"] {
            assert_eq!(PhoneNumber::try_from(bad), Err(IdError::PhoneShape), "{bad}");
        }
    }

    #[test]
    fn serde_refuses_bad_identifiers() {
        assert!(serde_json::from_str::<TaxCode>("\"0100109106\"").is_ok());
        assert!(serde_json::from_str::<TaxCode>("\"12\"").is_err());
    }
}
