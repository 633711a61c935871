//! The read model of the case list: one small record per case, kept beside the case so
//! the list of 100,000 cases loads without decoding every document.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::case::Case;
use super::document::DocumentState;
use super::subject::SubjectKind;
use super::text::fold;
use super::workflow::{Stage, stage};

/// One row of the case list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub id: Uuid,
    pub opened_at: NaiveDateTime,
    pub subject_kind: SubjectKind,
    pub subject_name: String,
    /// Tax code, personal ID or registration number, when known.
    pub subject_identifier: Option<String>,
    pub field: String,
    pub stage: Stage,
    pub documents_finalised: u32,
    pub documents_draft: u32,
    /// The number of the latest finalised document, e.g. "12/QĐ-KT-QLTTLS".
    pub latest_number: Option<String>,
    /// Card number of the head of the inspection team.
    pub lead_member: Option<String>,
    pub fine_vnd: Option<u64>,
    /// Folded subject name and identifier, for accent-insensitive search.
    pub search_key: String,
}

impl CaseSummary {
    /// Builds the summary of a case.
    pub fn of(case: &Case) -> CaseSummary {
        let count = |state| case.documents.iter().filter(|d| d.state == state).count() as u32;
        let latest_number = case
            .documents
            .iter()
            .filter(|d| d.state == DocumentState::Finalised)
            .filter_map(|d| d.finalised_at.zip(d.number.as_ref()))
            .max_by_key(|(at, _)| *at)
            .map(|(_, n)| n.to_string());
        let identifier = case.subject.identifier().map(str::to_string);
        let search_key = match &identifier {
            Some(id) => format!("{} {}", fold(&case.subject.name), id.replace('-', "")),
            None => fold(&case.subject.name),
        };
        CaseSummary {
            id: case.id,
            opened_at: case.opened_at,
            subject_kind: case.subject.kind,
            subject_name: case.subject.name.clone(),
            subject_identifier: identifier,
            field: case.field.clone(),
            stage: stage(case),
            documents_finalised: count(DocumentState::Finalised),
            documents_draft: count(DocumentState::Draft),
            latest_number,
            lead_member: case.members.first().cloned(),
            fine_vnd: case.fine_vnd,
            search_key,
        }
    }

    /// True when every word of the folded query occurs in the search key.
    pub fn matches(&self, folded_query: &str) -> bool {
        folded_query.split(' ').filter(|w| !w.is_empty()).all(|w| self.search_key.contains(w))
    }
}
