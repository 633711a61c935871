//! The documented JSON format of a case (`docs/case-format.md`): export, import, and the
//! list and show views that use the same field names.

use std::collections::HashSet;

use chrono::NaiveDateTime;
use serde::Serialize;
use uuid::Uuid;

use super::{AppError, Workspace};
use crate::domain::workflow::check_step;
use crate::domain::{Bilingual, Case, CaseSummary, DocumentKind, DocumentState, Stage, ValidationReport, stage};
use crate::store::Writer;

pub use crate::case_file::{CaseFile, FORMAT, FORMAT_VERSION, parse_json_strict};

/// One row of `case list --json`: the import format's names, plus derived values.
#[derive(Debug, Serialize)]
pub struct CaseListItem<'a> {
    pub id: Uuid,
    pub opened_at: NaiveDateTime,
    pub field: &'a str,
    pub stage: Stage,
    pub subject: ListSubject<'a>,
    pub members: Vec<&'a str>,
    pub documents_finalised: u32,
    pub documents_draft: u32,
    pub latest_number: Option<&'a str>,
    pub fine_vnd: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct ListSubject<'a> {
    pub kind: crate::domain::SubjectKind,
    pub name: &'a str,
    pub identifier: Option<&'a str>,
}

impl<'a> From<&'a CaseSummary> for CaseListItem<'a> {
    fn from(s: &'a CaseSummary) -> Self {
        CaseListItem {
            id: s.id,
            opened_at: s.opened_at,
            field: &s.field,
            stage: s.stage,
            subject: ListSubject {
                kind: s.subject_kind,
                name: &s.subject_name,
                identifier: s.subject_identifier.as_deref(),
            },
            members: s.lead_member.as_deref().into_iter().collect(),
            documents_finalised: s.documents_finalised,
            documents_draft: s.documents_draft,
            latest_number: s.latest_number.as_deref(),
            fine_vnd: s.fine_vnd,
        }
    }
}

/// `case show --json` and the case screen: the case, its derived stage, the steps the
/// workflow allows now (and why not the others), and its history.
#[derive(Debug, Serialize)]
pub struct CaseView {
    pub case: Case,
    pub stage: Stage,
    pub next_steps: Vec<NextStep>,
    pub history: Vec<HistoryItem>,
    /// The signed package versions made or received, oldest first.
    pub packages: Vec<PackageItem>,
    /// The case's legal deadlines today (met, open and informational ones).
    pub deadlines: Vec<crate::domain::deadlines::Deadline>,
    /// Warnings about the subject (earlier cases, repeat offences), when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warnings: Option<super::warnings::SubjectReport>,
}

/// One package version in `case show --json`.
#[derive(Debug, Serialize)]
pub struct PackageItem {
    pub version: u32,
    pub sha256: String,
    pub created: chrono::DateTime<chrono::Utc>,
    pub imported: bool,
    pub key_id: String,
    /// Whether the provincial server has acknowledged it with a signed receipt.
    pub received_by_hub: bool,
}

/// A document the case could get next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextStep {
    pub kind: DocumentKind,
    /// Why the workflow forbids it now (Vietnamese), or `None` when it is allowed.
    pub refused_vi: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct HistoryItem {
    pub seq: u64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub action: String,
}

/// A problem in an import file, with the JSON path it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportProblem {
    #[error("{0}")]
    Structure(String),
    #[error("format must be \"anchi-case\" version 1, found {format:?} version {version}")]
    Format { format: String, version: u32 },
    #[error("unknown field (lĩnh vực) code {0:?}")]
    UnknownField(String),
    #[error("date is in the future")]
    FutureDate,
    #[error("id {0} appears twice")]
    DuplicateId(Uuid),
    #[error("a finalised numbered document needs a number and a finalisation time")]
    FinalisedWithoutNumber,
    #[error("a draft has no number and no finalisation time")]
    DraftWithNumber,
    #[error("a cancelled document needs its cancellation (time and reason)")]
    CancelledWithoutReason,
    #[error("amends {0}, which is not a finalised document of this case")]
    BadAmends(Uuid),
    #[error("{kind} is finalised but the {missing} it rests on is not")]
    OutOfOrder { kind: String, missing: String },
    #[error("number {0} is already used by another document")]
    NumberTaken(String),
    #[error("name is empty")]
    EmptyName,
    #[error("quantity must be greater than zero")]
    BadQuantity,
    #[error("a case with this id already exists with different content")]
    CaseExists,
    #[error("text longer than {0} characters")]
    TooLong(usize),
    #[error("control character U+{0:04X} in the text")]
    ControlCharacter(u32),
    #[error("the attached file {0} is not on this laptop")]
    AttachmentAbsent(String),
}

impl Bilingual for ImportProblem {
    fn vi(&self) -> String {
        match self {
            ImportProblem::Structure(detail) => format!("Sai cấu trúc tệp: {detail}"),
            ImportProblem::Format { .. } => "Tệp không phải định dạng vụ việc anchi phiên bản 1".into(),
            ImportProblem::UnknownField(code) => format!("Mã lĩnh vực “{code}” không có trong danh mục"),
            ImportProblem::FutureDate => "Ngày giờ không được ở tương lai".into(),
            ImportProblem::DuplicateId(_) => "Mã định danh bị trùng".into(),
            ImportProblem::FinalisedWithoutNumber => "Văn bản đã hoàn tất phải có số và thời điểm hoàn tất".into(),
            ImportProblem::DraftWithNumber => "Bản nháp không được có số hoặc thời điểm hoàn tất".into(),
            ImportProblem::CancelledWithoutReason => "Văn bản đã hủy phải ghi thời điểm và lý do hủy".into(),
            ImportProblem::BadAmends(_) => "Văn bản được sửa đổi không phải văn bản đã hoàn tất của vụ việc".into(),
            ImportProblem::OutOfOrder { missing, .. } => format!("Văn bản được hoàn tất trước khi có {missing}"),
            ImportProblem::NumberTaken(n) => format!("Số {n} đã được dùng cho văn bản khác"),
            ImportProblem::EmptyName => "Tên không được để trống".into(),
            ImportProblem::BadQuantity => "Số lượng phải lớn hơn 0".into(),
            ImportProblem::CaseExists => "Vụ việc này đã có với nội dung khác".into(),
            ImportProblem::TooLong(max) => format!("Nội dung dài quá {max} ký tự"),
            ImportProblem::ControlCharacter(c) => format!("Nội dung có ký tự điều khiển không in được (U+{c:04X})"),
            ImportProblem::AttachmentAbsent(sha) => format!(
                "Tệp đính kèm {} không có trên máy này: nhập gói hồ sơ (có kèm tệp) thay cho tệp vụ việc",
                &sha[..sha.len().min(12)]
            ),
        }
    }
}

/// Stores a case that came from elsewhere, with the numbers its documents use.
pub(crate) fn store_imported_case(w: &mut Writer, case: &Case, action: &str) -> Result<(), AppError> {
    for doc in case.documents.iter() {
        if let Some(number) = &doc.number {
            let use_ =
                crate::store::NumberUse { document_id: doc.id, cancelled: doc.state == DocumentState::Cancelled };
            w.record_number(number, &use_)?;
        }
    }
    w.put_case(case, action)?;
    Ok(())
}

impl Workspace {
    /// The case as a JSON file (pretty, stable field order).
    pub fn export_case(&self, id: Uuid) -> Result<String, AppError> {
        let file = CaseFile { format: FORMAT.into(), version: FORMAT_VERSION, case: self.case(id)? };
        Ok(serde_json::to_string_pretty(&file).expect("cases serialise to JSON"))
    }

    /// The case with its stage and history, for `case show --json`.
    pub fn case_view(&self, id: Uuid) -> Result<CaseView, AppError> {
        let case = self.case(id)?;
        let history = self
            .history(id)?
            .into_iter()
            .map(|e| HistoryItem { seq: e.seq, at: e.at, actor: e.actor, action: e.action })
            .collect();
        let packages = self
            .package_versions(id)?
            .into_iter()
            .map(|r| PackageItem {
                version: r.version,
                sha256: r.sha256,
                created: r.created,
                imported: r.imported,
                key_id: r.key_id,
                received_by_hub: r.receipt.is_some(),
            })
            .collect();
        let deadlines = self.deadlines_of_row(&crate::domain::CaseSummary::of(&case), super::now().date());
        Ok(CaseView {
            stage: stage(&case),
            next_steps: self.next_steps(&case),
            case,
            history,
            packages,
            deadlines,
            warnings: None,
        })
    }

    /// The document kinds the case could get, in process order: those allowed now, and
    /// those waiting for an earlier document (with the reason). Kinds of another stage of
    /// the case — past, or never for a closed case — are left out, and so is the amending
    /// decision, made with "Sửa đổi, bổ sung" on the decision itself.
    pub fn next_steps(&self, case: &Case) -> Vec<NextStep> {
        use crate::domain::WorkflowError as E;
        let prerequisites = self.catalog.prerequisites(super::now().date());
        let drafting = |kind| {
            case.documents.iter().any(|d| d.kind == kind && d.state == DocumentState::Draft && d.amends.is_none())
        };
        DocumentKind::ALL
            .into_iter()
            .filter(|k| *k != DocumentKind::QdSuaDoiKiemTra)
            .filter_map(|kind| match check_step(prerequisites, case, kind) {
                Ok(()) if drafting(kind) => Some(NextStep { kind, refused_vi: Some(E::DraftOpen { kind }.vi()) }),
                Ok(()) => Some(NextStep { kind, refused_vi: None }),
                Err(e @ (E::Missing { .. } | E::ExcludedBy { .. })) => {
                    Some(NextStep { kind, refused_vi: Some(e.vi()) })
                }
                Err(_) => None,
            })
            .collect()
    }

    /// Imports a case file. Every problem is reported with its JSON path; nothing is stored
    /// unless the whole file is good. Importing the same content again changes nothing.
    pub fn import_case(&self, json: &str) -> Result<Uuid, AppError> {
        self.require_member()?;
        let case = self.read_case_file(json)?;
        // A case file carries no attachment files (a package does): each must be here
        // already, or the case could never be packaged.
        let mut report = ValidationReport::default();
        for (i, a) in case.attachments.iter().enumerate() {
            let hash = a.sha256.len() == 64 && a.sha256.bytes().all(|b| b.is_ascii_hexdigit());
            if !hash || !self.attachment_path(&a.sha256).exists() {
                let problem = ImportProblem::AttachmentAbsent(a.sha256.clone());
                report.error(format!("$.case.attachments[{i}].sha256"), &problem);
            }
        }
        if !report.is_ok() {
            return Err(AppError::Invalid(report));
        }
        self.store.write(&self.actor(), |w| {
            match w.case(case.id)? {
                Some(existing) if existing == case => return Ok(case.id),
                Some(_) => {
                    let mut report = ValidationReport::default();
                    report.error("$.case.id", &ImportProblem::CaseExists);
                    return Err(AppError::Invalid(report));
                }
                None => {}
            }
            store_imported_case(w, &case, "case.import")?;
            Ok(case.id)
        })
    }

    /// Reads and checks a case file (the JSON of `docs/case-format.md`) without storing
    /// it: every problem is reported with its JSON path.
    pub(crate) fn read_case_file(&self, json: &str) -> Result<Case, AppError> {
        let mut report = ValidationReport::default();
        let file = match crate::case_file::read(json) {
            Ok(file) => file,
            Err(crate::case_file::CaseFileError::Format { format, version }) => {
                report.error("$.format", &ImportProblem::Format { format, version });
                return Err(AppError::Invalid(report));
            }
            Err(e) => {
                report.error(e.path(), &ImportProblem::Structure(e.to_string()));
                return Err(AppError::Invalid(report));
            }
        };
        let case = file.case;
        self.check_import(&case, &mut report)?;
        if !report.is_ok() {
            return Err(AppError::Invalid(report));
        }
        Ok(case)
    }

    fn check_import(&self, case: &Case, report: &mut ValidationReport) -> Result<(), AppError> {
        let now = super::now();
        let at = |rest: &str| format!("$.case.{rest}");
        if self.reference.field_name(&case.field).is_none() {
            report.error(at("field"), &ImportProblem::UnknownField(case.field.clone()));
        }
        if case.opened_at > now {
            report.error(at("opened_at"), &ImportProblem::FutureDate);
        }
        case.subject.check("$.case.subject", case.opened_at.date(), &self.reference.admin_units, report);
        for (i, line) in case.goods.iter().enumerate() {
            if line.name.trim().is_empty() {
                report.error(at(&format!("goods[{i}].name")), &ImportProblem::EmptyName);
            }
            if line.quantity.is_nan() || line.quantity <= 0.0 {
                report.error(at(&format!("goods[{i}].quantity")), &ImportProblem::BadQuantity);
            }
        }
        // Every text stored is bounded and printable: no NUL or control characters (a
        // line break and a tab are text), no megabytes in a name.
        check_text(&at("subject.name"), &case.subject.name, NAME_MAX, report);
        case.parties.check("$.case.parties", report);
        for (i, line) in case.goods.iter().enumerate() {
            for (what, text) in [("name", &line.name), ("unit", &line.unit), ("origin", &line.origin)] {
                check_text(&at(&format!("goods[{i}].{what}")), text, NAME_MAX, report);
            }
            for (what, text) in [("condition", &line.condition), ("note", &line.note)] {
                check_text(&at(&format!("goods[{i}].{what}")), text, FIELD_MAX, report);
            }
        }
        let prerequisites = self.catalog.prerequisites(case.opened_at.date());
        let mut ids = HashSet::new();
        let mut numbers = HashSet::new();
        for (i, doc) in case.documents.iter().enumerate() {
            let path = |rest: &str| at(&format!("documents[{i}].{rest}"));
            if !ids.insert(doc.id) {
                report.error(path("id"), &ImportProblem::DuplicateId(doc.id));
            }
            if let Some(number) = &doc.number
                && !numbers.insert(number.to_string())
            {
                report.error(path("number"), &ImportProblem::NumberTaken(number.to_string()));
            }
            for (field, text) in &doc.fields {
                check_text(&path(&format!("fields.{field}")), text, FIELD_MAX, report);
            }
            if doc.created_at > now || doc.finalised_at.is_some_and(|t| t > now) {
                report.error(path("created_at"), &ImportProblem::FutureDate);
            }
            let has_number = doc.number.is_some();
            match doc.state {
                DocumentState::Finalised if doc.finalised_at.is_none() || has_number != doc.kind.is_numbered() => {
                    report.error(path("number"), &ImportProblem::FinalisedWithoutNumber);
                }
                DocumentState::Draft if has_number || doc.finalised_at.is_some() => {
                    report.error(path("number"), &ImportProblem::DraftWithNumber);
                }
                DocumentState::Cancelled if doc.cancellation.as_ref().is_none_or(|c| c.reason.trim().is_empty()) => {
                    report.error(path("cancellation"), &ImportProblem::CancelledWithoutReason);
                }
                _ => {}
            }
            if let Some(original) = doc.amends {
                let ok = case.document(original).is_some_and(|d| d.state != DocumentState::Draft && d.id != doc.id);
                if !ok {
                    report.error(path("amends"), &ImportProblem::BadAmends(original));
                }
            }
            let missing = match doc.state {
                DocumentState::Finalised if doc.amends.is_none() => {
                    prerequisites.of(doc.kind).iter().find(|k| !case.has_finalised(**k))
                }
                _ => None,
            };
            if let Some(missing) = missing {
                let problem =
                    ImportProblem::OutOfOrder { kind: doc.kind.title_vi().into(), missing: missing.title_vi().into() };
                report.error(path("state"), &problem);
            }
            // A finalised record or decision holds to the catalogue's act as the wizard does:
            // an act in force, a fine inside its bracket.
            if doc.state == DocumentState::Finalised {
                let mut act = ValidationReport::default();
                self.check_act(case, doc, self.form_of(doc), &mut act);
                for mut p in act.problems.into_iter().filter(|p| p.severity == crate::domain::Severity::Error) {
                    p.field = path(&format!("fields.{}", p.field.trim_start_matches("field.")));
                    report.problems.push(p);
                }
            }
            if let Some(number) = &doc.number {
                let taken = self.store.number_use(number)?.is_some_and(|u| u.document_id != doc.id);
                if taken {
                    report.error(path("number"), &ImportProblem::NumberTaken(number.to_string()));
                }
            }
        }
        Ok(())
    }
}

/// The most characters a name imported may have (subject, goods line).
const NAME_MAX: usize = 500;
/// The most characters any other text imported may have (a document field, a note).
const FIELD_MAX: usize = 20_000;

/// Refuses, at `path`, a text longer than `max` characters or holding a control character
/// other than a line break or a tab.
fn check_text(path: &str, text: &str, max: usize, report: &mut ValidationReport) {
    if text.chars().count() > max {
        report.error(path.to_string(), &ImportProblem::TooLong(max));
    }
    if let Some(c) = text.chars().find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        report.error(path.to_string(), &ImportProblem::ControlCharacter(u32::from(c)));
    }
}
