//! Opening a new case from what the inspector typed: identifiers parsed into their types,
//! the subject checked, every problem reported at once against the field it belongs to.

use uuid::Uuid;

use super::{AppError, Workspace};
use crate::domain::{
    Address, Bilingual, Case, OldIdCard, PersonalId, PhoneNumber, Subject, SubjectKind, TaxCode, ValidationReport,
    text::nfc,
};

/// A new case as typed in the "Vụ việc mới" dialog: every field a plain string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub kind: SubjectKind,
    pub name: String,
    pub tax_code: String,
    /// The number of the business's registration certificate (an organisation's GCN or
    /// licence, a household business's "số đăng ký hộ kinh doanh").
    pub registration_number: String,
    pub personal_id: String,
    pub old_id_card: String,
    pub phone: String,
    pub representative: String,
    pub street: String,
    pub commune_code: Option<u32>,
    /// Lĩnh vực code from the reference list.
    pub field: String,
    /// The inspection-card number of the member heading the inspection.
    pub lead_member: String,
    /// The other members of the đoàn (inspection-card numbers), printed with the head in
    /// the decision and the records ("Chúng tôi gồm").
    pub team: Vec<String>,
}

impl Default for NewCase {
    fn default() -> Self {
        NewCase {
            kind: SubjectKind::HouseholdBusiness,
            name: String::new(),
            tax_code: String::new(),
            registration_number: String::new(),
            personal_id: String::new(),
            old_id_card: String::new(),
            phone: String::new(),
            representative: String::new(),
            street: String::new(),
            commune_code: None,
            field: String::new(),
            lead_member: String::new(),
            team: Vec::new(),
        }
    }
}

/// The longest registration number taken: a certificate's or licence's number with its
/// ký hiệu ("123/GP-UBND") fits many times over.
const REGISTRATION_MAX: usize = 40;

/// A problem with the dialog's own fields (the subject's are reported by `Subject::check`):
/// something left unchosen, or too long.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum NewCaseProblem {
    #[error("choose the commune of the address")]
    Commune,
    #[error("choose the field (lĩnh vực)")]
    Field,
    #[error("choose the member heading the inspection")]
    Lead,
    #[error("{0} is not a member of the unit")]
    NotMember(String),
    #[error("no unit is set up")]
    Unit,
    #[error("the registration number is longer than {REGISTRATION_MAX} characters")]
    RegistrationTooLong,
}

impl Bilingual for NewCaseProblem {
    fn vi(&self) -> String {
        match self {
            NewCaseProblem::Commune => "Chọn xã/phường của địa chỉ".into(),
            NewCaseProblem::Field => "Chọn lĩnh vực".into(),
            NewCaseProblem::Lead => "Chọn trưởng đoàn kiểm tra".into(),
            NewCaseProblem::NotMember(card) => format!("Số hiệu “{card}” không phải thành viên của đơn vị"),
            NewCaseProblem::Unit => "Chưa thiết lập đơn vị".into(),
            NewCaseProblem::RegistrationTooLong => format!("Số đăng ký kinh doanh dài quá {REGISTRATION_MAX} ký tự"),
        }
    }
}

/// Parses an optional identifier: empty is `None`, a bad value is reported at `path`.
fn optional<T, E: Bilingual>(
    raw: &str,
    path: &str,
    parse: impl Fn(&str) -> Result<T, E>,
    report: &mut ValidationReport,
) -> Option<T> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match parse(raw) {
        Ok(value) => Some(value),
        Err(e) => {
            report.error(path, &e);
            None
        }
    }
}

impl Workspace {
    /// The case the dialog describes, or every problem with it. Nothing is stored.
    pub fn check_new_case(&self, input: &NewCase) -> Result<Case, ValidationReport> {
        let mut report = ValidationReport::default();
        let Some(unit) = self.unit() else {
            report.error("unit", &NewCaseProblem::Unit);
            return Err(report);
        };
        let at = super::now();
        let tax_code = optional(&input.tax_code, "subject.tax_code", |s| TaxCode::try_from(s), &mut report);
        let personal_id = optional(&input.personal_id, "subject.personal_id", |s| PersonalId::try_from(s), &mut report);
        let old_id_card = optional(&input.old_id_card, "subject.old_id_card", |s| OldIdCard::try_from(s), &mut report);
        let phone = optional(&input.phone, "subject.phone", |s| PhoneNumber::try_from(s), &mut report);
        let address = match input.commune_code {
            Some(commune_code) => Address::Coded {
                street: nfc(input.street.trim()),
                commune_code,
                province_code: self
                    .reference
                    .admin_units
                    .commune(commune_code)
                    .map_or(unit.province_code, |c| c.province_code),
            },
            None => {
                report.error("subject.address", &NewCaseProblem::Commune);
                Address::Legacy { text: nfc(input.street.trim()) }
            }
        };
        let representative = Some(nfc(input.representative.trim())).filter(|r| !r.is_empty());
        // A person has none: the field is not shown for one, and is dropped if it was typed
        // before the kind was changed.
        let registration_number = Some(nfc(input.registration_number.trim()))
            .filter(|r| !r.is_empty() && input.kind != SubjectKind::Individual);
        if registration_number.as_ref().is_some_and(|r| r.chars().count() > REGISTRATION_MAX) {
            report.error("subject.registration_number", &NewCaseProblem::RegistrationTooLong);
        }
        let subject = Subject {
            registration_number,
            tax_code,
            personal_id,
            old_id_card,
            phone,
            representative,
            ..Subject::new(input.kind, &nfc(input.name.trim()), address)
        };
        // An identifier that failed to parse is already reported; do not also say it is missing.
        let mut subject_report = ValidationReport::default();
        subject.check("subject", at.date(), &self.reference.admin_units, &mut subject_report);
        let reported: Vec<String> = report.problems.iter().map(|p| p.field.clone()).collect();
        let typed_an_id =
            [&input.tax_code, &input.personal_id, &input.old_id_card].iter().any(|s| !s.trim().is_empty());
        subject_report.problems.retain(|p| {
            let missing_id = matches!(p.field.as_str(), "subject.tax_code" | "subject.personal_id");
            let already_said = reported.contains(&p.field) || (typed_an_id && missing_id);
            !already_said
        });
        report.problems.extend(subject_report.problems);
        super::printable::check_subject(&mut report, &subject);
        if self.reference.field_name(&input.field).is_none() {
            report.error("case.field", &NewCaseProblem::Field);
        }
        if unit.member(&input.lead_member).is_none() {
            report.error("case.members", &NewCaseProblem::Lead);
        }
        // A member who left (account disabled) is no longer in a đoàn.
        let accounts = self.accounts().unwrap_or_default();
        let left = |card: &str| accounts.iter().any(|a| a.card_number == card && a.disabled);
        if let Some(card) = input.team.iter().find(|c| unit.member(c).is_none() || left(c)) {
            report.error("case.members", &NewCaseProblem::NotMember(card.clone()));
        }
        if !report.is_ok() {
            return Err(report);
        }
        let mut case = Case::open(Uuid::now_v7(), &unit.code, at, &input.field, subject);
        case.members = vec![input.lead_member.clone()];
        for card in &input.team {
            if !case.members.contains(card) {
                case.members.push(card.clone());
            }
        }
        Ok(case)
    }

    /// Opens the case the dialog describes; refuses with every problem named.
    pub fn open_new_case(&self, input: &NewCase) -> Result<Uuid, AppError> {
        let case = self.check_new_case(input).map_err(AppError::Invalid)?;
        self.create_case(&case)?;
        Ok(case.id)
    }
}

/// A workspace in `dir` with the demo unit, and a company's new case in it that opens.
#[cfg(test)]
pub(crate) fn company_case(dir: &std::path::Path) -> (Workspace, NewCase) {
    let mut ws = Workspace::open(dir).unwrap();
    ws.set_unit(super::demo::demo_unit()).unwrap();
    let commune = ws.reference.admin_units.communes_of(20).next().unwrap().code;
    let input = NewCase {
        kind: SubjectKind::Organisation,
        name: "Công ty TNHH Ánh Dương".into(),
        tax_code: "0100109106".into(),
        street: "Số 3 Trần Hưng Đạo".into(),
        commune_code: Some(commune),
        field: "hang-gia".into(),
        lead_member: super::demo::demo_unit().members[0].card_number.clone(),
        ..NewCase::default()
    };
    (ws, input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_tax_code_is_named_and_nothing_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let (ws, mut input) = company_case(dir.path());
        input.tax_code = "01001091".into();
        let err = ws.open_new_case(&input).unwrap_err();
        let AppError::Invalid(report) = err else { panic!("{err}") };
        let fields: Vec<&str> = report.errors().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["subject.tax_code"], "{report}");
        assert!(report.errors().next().unwrap().message_vi.contains("10 chữ số"), "{report}");
        assert_eq!(ws.case_count().unwrap(), 0);
        input.tax_code = "0100109106".into();
        let id = ws.open_new_case(&input).unwrap();
        assert_eq!(ws.case(id).unwrap().subject.tax_code.unwrap().as_str(), "0100109106");
    }

    /// The number on the business's registration certificate is taken when typed, and the
    /// 2025 forms' "Số GCN đăng ký … doanh nghiệp hoặc GP …" line of an organisation is
    /// prefilled from it (it had to be typed in the first document that printed it).
    #[test]
    fn a_registration_number_is_kept_and_prefills_the_organisations_gcn_line() {
        use crate::domain::{Document, DocumentKind};
        let dir = tempfile::tempdir().unwrap();
        let (ws, company) = company_case(dir.path());
        let input = |kind, registration: &str| NewCase {
            kind,
            registration_number: registration.into(),
            personal_id: if kind == SubjectKind::Organisation { String::new() } else { "001085012345".into() },
            ..company.clone()
        };
        let gcn_line = |id: Uuid| {
            let case = ws.case(id).unwrap();
            let doc = Document::draft(Uuid::now_v7(), DocumentKind::BbViPham, super::super::now());
            (case.subject.registration_number.clone(), ws.prefill(&case, &doc).get("so_gcn").cloned())
        };
        let company = ws.open_new_case(&input(SubjectKind::Organisation, " 0103000123 ")).unwrap();
        assert_eq!(gcn_line(company), (Some("0103000123".into()), Some("0103000123".into())));
        // A household business's is kept (printed beside its owner's number), not on the
        // organisation's line; a person has none.
        let household = ws.open_new_case(&input(SubjectKind::HouseholdBusiness, "14A8000123")).unwrap();
        assert_eq!(gcn_line(household), (Some("14A8000123".into()), None));
        let person = ws.open_new_case(&input(SubjectKind::Individual, "14A8000123")).unwrap();
        assert_eq!(gcn_line(person), (None, None));
        let err = ws.open_new_case(&input(SubjectKind::Organisation, &"1".repeat(41))).unwrap_err();
        let AppError::Invalid(report) = err else { panic!("{err}") };
        let fields: Vec<&str> = report.errors().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["subject.registration_number"], "{report}");
        assert_eq!(ws.case_count().unwrap(), 3);
    }

    /// A subject typed into the dialog by its registration number alone is the subject of
    /// an earlier case with that number: the dialog warns before the case is made.
    #[test]
    fn the_dialog_finds_an_earlier_case_by_the_registration_number_typed() {
        let dir = tempfile::tempdir().unwrap();
        let (ws, company) = company_case(dir.path());
        // Recorded by its certificate's number alone (the offender index files a subject
        // under one number: the tax code when there is one; a number of ten digits is taken
        // for a tax code).
        let registered = NewCase { registration_number: "41A8000123".into(), tax_code: String::new(), ..company };
        ws.open_new_case(&registered).unwrap();
        let typed = NewCase { name: "Cty Ánh Dương".into(), ..registered };
        assert!(!ws.new_case_report(&typed).unwrap().warnings.is_empty(), "no warning for the same number");
        let other = NewCase { registration_number: "41A8000999".into(), ..typed.clone() };
        assert!(ws.new_case_report(&other).unwrap().warnings.is_empty(), "another number is another subject");
    }
}
