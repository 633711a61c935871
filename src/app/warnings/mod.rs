//! Warnings about a case's subject, with their reasons: earlier cases of the same or a
//! likely-same subject (on this laptop and in the province's offender index), repeat
//! offences (tái phạm) whose look-back window is still open, violations repeated
//! (vi phạm nhiều lần) not yet sanctioned, and recent inspections by other teams.
//!
//! Two read models answer the lookups, both [`OffenderLookup`]s: the laptop's own cases
//! (made from the list rows, rebuilt when the store changed) and the province's index
//! (made from the signed index `anchi sync` fetched, on demand or on a background thread
//! with progress in the window).
//!
//! The parts: `rules.rs` the look-back rules applied to what the lookups found, and the
//! sentences told; `local.rs` the laptop's own cases as a lookup, merged subjects, the list's
//! badges; `store.rs` the store-backed lookups and caches behind [`Workspace`]. The pure rules
//! (the repeat window, provision keys, subject matching) are `domain::matching`'s.

mod local;
mod rules;
mod store;

pub use local::{Badge, LocalSubjects, ProvinceIndex, SubjectCache, SubjectLink, link_groups, list_badges};
use rules::dmy;
pub use rules::{WarningQuery, acts_of, warnings_for};
pub use store::MergeProblem;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::offenders::{LookupBuilder, OffenderLookup};
use super::{AppError, Workspace};
use crate::domain::matching::{
    Match, MatchReason, NameKey, SubjectFacts, is_repeat, normalise_identifier, provision_key, repeat_window_end,
    same_act, subject_key,
};
use crate::domain::summary::{CaseFacts, Mark, ViolationFact, violations_of};
use crate::domain::{Case, CaseSummary, DocumentKind};
use crate::protocol::{EntryKind, OffenderEntry};

/// How far back an inspection by another team is worth telling: as far as the index lists.
pub use crate::protocol::RECENT_INSPECTION_DAYS;

/// The limitation period used to tell whether an earlier, unsanctioned violation still
/// counts for "vi phạm nhiều lần" (1 year, the general period of Luật XLVPHC art. 6).
const LIMITATION_MONTHS: u32 = 12;

/// At most this many earlier cases are listed (best matches first).
const MAX_EARLIER: usize = 20;

/// What a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// Tái phạm: an earlier sanction for the same provision, its window still open.
    RepeatOffence,
    /// Vi phạm nhiều lần: the same act recorded more than once, not yet sanctioned.
    RepeatedViolation,
    /// An earlier case of the same or a likely-same subject.
    EarlierCase,
    /// The subject was inspected by another team lately.
    OtherTeamInspection,
}

/// Where the earlier record was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    ThisLaptop,
    ProvinceIndex,
    ThisCase,
}

/// One warning, ready to show: a sentence in Vietnamese (and English for logs and
/// `--json`), why the subjects are thought the same, and the facts behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    pub kind: WarningKind,
    pub text_vi: String,
    pub text_en: String,
    /// Why the earlier record is thought to be this subject ("cùng mã số thuế").
    pub reason_vi: Option<String>,
    pub reason_en: Option<String>,
    /// How sure the match is, 0 to 1.
    pub score: Option<f32>,
    pub source: Source,
    pub other_case: Option<Uuid>,
    pub team_id: Option<String>,
    pub provision: Option<String>,
    /// The earlier decision's or inspection's date.
    pub on: Option<NaiveDate>,
    /// For a repeat offence: the last day of the look-back window.
    pub until: Option<NaiveDate>,
}

impl Warning {
    fn new(kind: WarningKind, source: Source, text_vi: String, text_en: String) -> Warning {
        Warning {
            kind,
            text_vi,
            text_en,
            reason_vi: None,
            reason_en: None,
            score: None,
            source,
            other_case: None,
            team_id: None,
            provision: None,
            on: None,
            until: None,
        }
    }

    fn matched(mut self, m: Match, entry: &OffenderEntry) -> Warning {
        self.reason_vi = Some(m.reason.vi().to_string());
        self.reason_en = Some(m.reason.en().to_string());
        self.score = Some(m.score);
        self.other_case = Some(entry.case_id);
        self.team_id = Some(entry.team_id.clone());
        self.on = Some(entry.decided_on);
        self
    }

    /// The aggravating circumstance (Luật XLVPHC art. 10) the sanction decision can cite:
    /// "Tái phạm" for a repeat offence, "Vi phạm hành chính nhiều lần" for a repeated one.
    pub fn aggravating_text(&self) -> Option<String> {
        match self.kind {
            WarningKind::RepeatOffence => Some(match self.on {
                Some(on) => format!("Tái phạm (đã bị xử phạt ngày {} về hành vi cùng điều khoản)", dmy(on)),
                None => "Tái phạm".to_string(),
            }),
            WarningKind::RepeatedViolation => Some("Vi phạm hành chính nhiều lần".to_string()),
            _ => None,
        }
    }
}

/// The province's offender index as loaded: when it was made, until when it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexStatus {
    pub generated_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub entries: usize,
    pub expired: bool,
}

impl IndexStatus {
    /// "Danh sách của Chi cục: 12.345 mục, cập nhật 3 ngày trước" or "… đã hết hạn".
    pub fn describe_vi(&self, now: DateTime<Utc>) -> String {
        let age = (now - self.generated_at).num_days();
        let age = match age {
            0 => "cập nhật hôm nay".to_string(),
            n => format!("cập nhật {n} ngày trước"),
        };
        let state = if self.expires_at < now {
            format!("ĐÃ HẾT HẠN từ {}, cần đồng bộ lại", dmy(self.expires_at.date_naive()))
        } else {
            format!("còn hạn đến {}", dmy(self.expires_at.date_naive()))
        };
        format!("Danh sách đối tượng của Chi cục: {} mục, {age}, {state}", self.entries)
    }
}

/// Everything known about a subject: the warnings, and the state of the province index
/// they were looked up in (None when no index was ever fetched).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectReport {
    pub warnings: Vec<Warning>,
    pub index: Option<IndexStatus>,
}

#[cfg(test)]
mod tests;
