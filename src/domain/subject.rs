//! Subjects of an inspection: organisations, individuals and household businesses.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::admin::{Address, AdminUnits};
use super::ids::{Gender, OldIdCard, PersonalId, PhoneNumber, TaxCode};
use super::text::fold;
use super::validation::{Bilingual, ValidationReport};

/// The legal kind of a subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// Tổ chức (company, cooperative, branch …).
    Organisation,
    /// Cá nhân.
    Individual,
    /// Hộ kinh doanh.
    HouseholdBusiness,
}

impl SubjectKind {
    pub fn vi(self) -> &'static str {
        match self {
            SubjectKind::Organisation => "Tổ chức",
            SubjectKind::Individual => "Cá nhân",
            SubjectKind::HouseholdBusiness => "Hộ kinh doanh",
        }
    }
}

/// A subject as recorded on a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub kind: SubjectKind,
    pub name: String,
    #[serde(default)]
    pub tax_code: Option<TaxCode>,
    /// Số đăng ký kinh doanh when it differs from the tax code.
    #[serde(default)]
    pub registration_number: Option<String>,
    #[serde(default)]
    pub personal_id: Option<PersonalId>,
    #[serde(default)]
    pub old_id_card: Option<OldIdCard>,
    #[serde(default)]
    pub date_of_birth: Option<NaiveDate>,
    #[serde(default)]
    pub gender: Option<Gender>,
    #[serde(default)]
    pub phone: Option<PhoneNumber>,
    /// The legal representative (organisations) or owner (household businesses).
    #[serde(default)]
    pub representative: Option<String>,
    #[serde(default)]
    pub representative_title: Option<String>,
    pub address: Address,
}

/// Problems found in a subject's data that are not about identifier shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubjectProblem {
    #[error("name is empty")]
    NameEmpty,
    #[error("an organisation needs a tax code or a registration number")]
    OrganisationWithoutId,
    #[error("an individual needs a personal ID number")]
    IndividualWithoutId,
    #[error("old ID card numbers are accepted only on records dated before 2025-01-01")]
    OldIdCardExpired,
    #[error("date of birth is after the record date")]
    BornAfterRecord,
}

impl Bilingual for SubjectProblem {
    fn vi(&self) -> String {
        match self {
            SubjectProblem::NameEmpty => "Tên không được để trống".into(),
            SubjectProblem::OrganisationWithoutId => "Tổ chức phải có mã số thuế hoặc số đăng ký kinh doanh".into(),
            SubjectProblem::IndividualWithoutId => "Cá nhân phải có số định danh cá nhân".into(),
            SubjectProblem::OldIdCardExpired => {
                "Số CMND chỉ được chấp nhận trên hồ sơ lập trước ngày 01/01/2025".into()
            }
            SubjectProblem::BornAfterRecord => "Ngày sinh không được sau ngày lập hồ sơ".into(),
        }
    }
}

impl Subject {
    /// A subject with a kind, a name and an address, every other detail unknown.
    pub fn new(kind: SubjectKind, name: &str, address: Address) -> Subject {
        Subject {
            kind,
            name: name.to_string(),
            tax_code: None,
            registration_number: None,
            personal_id: None,
            old_id_card: None,
            date_of_birth: None,
            gender: None,
            phone: None,
            representative: None,
            representative_title: None,
            address,
        }
    }

    /// The folded name used by search and matching.
    pub fn folded_name(&self) -> String {
        fold(&self.name)
    }

    /// The strongest identifier, for display and matching.
    pub fn identifier(&self) -> Option<&str> {
        self.tax_code
            .as_ref()
            .map(TaxCode::as_str)
            .or(self.personal_id.as_ref().map(PersonalId::as_str))
            .or(self.registration_number.as_deref())
            .or(self.old_id_card.as_ref().map(OldIdCard::as_str))
    }

    /// Checks the subject as of a record dated `record_date`; field names are prefixed with `path`.
    pub fn check(&self, path: &str, record_date: NaiveDate, units: &AdminUnits, report: &mut ValidationReport) {
        let at = |field: &str| format!("{path}.{field}");
        if self.name.trim().is_empty() {
            report.error(at("name"), &SubjectProblem::NameEmpty);
        }
        match self.kind {
            SubjectKind::Organisation if self.tax_code.is_none() && self.registration_number.is_none() => {
                report.error(at("tax_code"), &SubjectProblem::OrganisationWithoutId);
            }
            SubjectKind::Individual | SubjectKind::HouseholdBusiness
                if self.personal_id.is_none() && self.old_id_card.is_none() && self.tax_code.is_none() =>
            {
                report.error(at("personal_id"), &SubjectProblem::IndividualWithoutId);
            }
            _ => {}
        }
        if self.old_id_card.is_some() && record_date > OldIdCard::valid_until() {
            report.error(at("old_id_card"), &SubjectProblem::OldIdCardExpired);
        }
        if let Some(warning) = self.tax_code.as_ref().and_then(TaxCode::warning) {
            report.warning(at("tax_code"), &warning);
        }
        if let Some(id) = &self.personal_id {
            for warning in id.cross_check(self.date_of_birth, self.gender) {
                report.warning(at("personal_id"), &warning);
            }
        }
        if self.date_of_birth.is_some_and(|dob| dob > record_date) {
            report.error(at("date_of_birth"), &SubjectProblem::BornAfterRecord);
        }
        if let Err(e) = self.address.check(units) {
            report.error(at("address"), &e);
        }
    }
}
