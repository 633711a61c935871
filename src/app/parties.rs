//! The parties of a case (witness, commune representative, injured party, interpreter),
//! entered once on the case and offered to each document that names them.

use uuid::Uuid;

use super::{AppError, Workspace};
use crate::domain::parties::SLOTS;
use crate::domain::{Parties, ValidationReport};

/// Why a `path=value` assignment from the command line was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssignProblem {
    #[error("write path=value, e.g. witness.name=\"Trần Văn Bình\"")]
    NoEquals,
    #[error("unknown entry; known: {}", SLOTS.map(|s| s.0).join(", "))]
    Unknown,
}

impl crate::domain::Bilingual for AssignProblem {
    fn vi(&self) -> String {
        match self {
            AssignProblem::NoEquals => "Ghi dạng mục=giá trị, ví dụ witness.name=\"Trần Văn Bình\"".into(),
            AssignProblem::Unknown => format!("Không có mục này; các mục: {}", SLOTS.map(|s| s.0).join(", ")),
        }
    }
}

/// `parties` with each `path=value` of `assignments` applied (an empty value clears the
/// entry), or every bad assignment named.
pub fn assign(parties: &Parties, assignments: &[String]) -> Result<Parties, AppError> {
    let mut out = parties.clone();
    let mut report = ValidationReport::default();
    for (i, text) in assignments.iter().enumerate() {
        let at = format!("--set[{i}]");
        let Some((path, value)) = text.split_once('=') else {
            report.error(at, &AssignProblem::NoEquals);
            continue;
        };
        match SLOTS.iter().find(|(p, ..)| *p == path.trim()) {
            Some((_, _, _, set)) => *set(&mut out) = value.to_string(),
            None => report.error(format!("{at} {}", path.trim()), &AssignProblem::Unknown),
        }
    }
    if report.is_ok() { Ok(out) } else { Err(AppError::Invalid(report)) }
}

impl Workspace {
    /// Replaces the case's parties, or refuses with each bad entry named
    /// (`parties.witness.address` …) and nothing stored. Finalised documents keep what
    /// they printed: each holds its own copy.
    pub fn save_parties(&self, case_id: Uuid, parties: &Parties) -> Result<(), AppError> {
        self.require_member()?;
        let parties = parties.cleaned().map_err(AppError::Invalid)?;
        let mut report = ValidationReport::default();
        super::printable::check_parties(&mut report, &parties);
        if !report.is_ok() {
            return Err(AppError::Invalid(report));
        }
        self.store.write(&self.actor(), |w| {
            let mut case = w.case(case_id)?.ok_or(AppError::CaseNotFound(case_id))?;
            if case.parties == parties {
                return Ok(());
            }
            case.parties = parties;
            w.put_case(&case, "case.save_parties")?;
            Ok(())
        })
    }
}
