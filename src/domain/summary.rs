//! The read model of the case list: one small record per case, kept beside the case so
//! the list of 100,000 cases loads without decoding every document.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::admin::Address;
use super::case::{Case, Closure};
use super::deadlines::Milestone;
use super::document::{DocumentKind, DocumentState};
use super::matching::provision_key;
use super::subject::SubjectKind;
use super::text::{fold, parse_date, parse_money};
use super::workflow::{Stage, stage};

/// One row of the case list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub id: Uuid,
    #[serde(with = "super::compact_dates::time")]
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
    /// The subject address's admin units, when coded (matching by name needs them).
    pub subject_province: Option<u16>,
    pub subject_commune: Option<u32>,
    /// Every finalised document's kind and date (deadlines count from them).
    pub milestones: Vec<Milestone>,
    /// The day the case ended (no violation found, or sanctioned), if it did.
    #[serde(default, with = "super::compact_dates::optional_day")]
    pub closed_on: Option<NaiveDate>,
    /// Fines paid, as confirmed by "Xác nhận nộp tiền phạt" documents.
    pub paid_vnd: u64,
    /// The finalised sanction decisions and the recorded acts, reduced to what the list's
    /// repeat-offender mark and the deadlines need (no text: the row stays small).
    pub sanction_marks: Vec<Mark>,
    pub violation_marks: Vec<Mark>,
    /// The kinds of the documents still in draft (a decision drafted by an inspector waits
    /// for the leader to finalise it).
    pub draft_kinds: Vec<DocumentKind>,
}

/// A sanction or an act, reduced: its provision (a stable hash of [`provision_key`]), the
/// catalogue's acts it names (hashes of their ids), its date, and for a sanction whether it
/// was only a warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub provision: u64,
    pub acts: Vec<u64>,
    #[serde(with = "super::compact_dates::day")]
    pub on: NaiveDate,
    pub warning_only: bool,
}

/// Whether an act recorded on `row` repeats a sanction of one of the `earlier` cases of the
/// same subject: the same act, within the look-back of that sanction (tái phạm,
/// `matching::is_repeat`). The laptop's list and the province's pages both judge so.
pub fn repeats(row: &CaseSummary, earlier: &[&CaseSummary]) -> bool {
    row.violation_marks.iter().any(|act| {
        earlier
            .iter()
            .flat_map(|e| &e.sanction_marks)
            .any(|s| s.same_act(act) && super::matching::is_repeat(s.on, s.warning_only, act.on))
    })
}

impl Mark {
    pub fn of(provision: &str, acts: &[String], on: NaiveDate, warning_only: bool) -> Mark {
        Mark {
            provision: provision_hash(provision),
            acts: acts.iter().map(|a| act_hash(a)).collect(),
            on,
            warning_only,
        }
    }

    /// Whether the two name the same act (`matching::same_act`, on the hashes).
    pub fn same_act(&self, other: &Mark) -> bool {
        if !self.acts.is_empty() && !other.acts.is_empty() {
            self.acts.iter().any(|a| other.acts.contains(a))
        } else {
            self.provision == other.provision
        }
    }
}

/// A catalogue act id's stable hash, kept in list rows.
pub fn act_hash(id: &str) -> u64 {
    fnv(&format!("act:{}", id.trim().to_ascii_uppercase()))
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

/// A provision's stable 64-bit hash (FNV-1a over its comparison key), kept in list rows.
pub fn provision_hash(provision: &str) -> u64 {
    fnv(&provision_key(provision))
}

/// What the statistics and the warnings' texts read of a case, kept beside its list row
/// and read only when needed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFacts {
    pub id: Uuid,
    /// The case's finalised sanction decisions.
    pub sanctions: Vec<SanctionFact>,
    /// The acts recorded in the case's violation records (drafts too, not cancelled ones).
    pub violations: Vec<ViolationFact>,
    /// The goods lines (name, value), for the statistics by goods group.
    pub goods: Vec<GoodsFact>,
}

impl CaseFacts {
    pub fn of(case: &Case) -> CaseFacts {
        CaseFacts {
            id: case.id,
            sanctions: sanctions_of(case),
            violations: violations_of(case),
            goods: case
                .goods
                .iter()
                .map(|g| GoodsFact { name: g.name.clone(), value_vnd: g.value_vnd().unwrap_or(0) })
                .collect(),
        }
    }
}

/// A goods line as the statistics read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoodsFact {
    pub name: String,
    pub value_vnd: u64,
}

/// A finalised sanction decision, as repeat-offence checks read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SanctionFact {
    /// The decision's date. The law counts the repeat window from the day the sanction was
    /// carried out; the case does not record that day, so the decision date stands for it.
    pub decided_on: NaiveDate,
    pub number: Option<String>,
    pub act: String,
    pub provision: String,
    /// The ids of the acts chosen from the catalogue of violations (none: typed by hand,
    /// "nhập tay").
    pub catalogue: Vec<String>,
    /// A warning (cảnh cáo) rather than a fine: the repeat window is 6 months, not 1 year.
    pub warning_only: bool,
}

/// An act recorded in a violation record (biên bản vi phạm hành chính).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViolationFact {
    /// When the act was committed (the record's "thời gian vi phạm", else its date).
    pub on: NaiveDate,
    pub act: String,
    pub provision: String,
    /// The ids of the acts chosen from the catalogue of violations.
    pub catalogue: Vec<String>,
}

/// The finalised sanction decisions of a case.
pub fn sanctions_of(case: &Case) -> Vec<SanctionFact> {
    case.documents
        .iter()
        .filter(|d| matches!(d.kind, DocumentKind::QdXuPhat | DocumentKind::QdXuPhatKhongLapBienBan))
        .filter(|d| d.state == DocumentState::Finalised)
        .map(|d| SanctionFact {
            decided_on: d.finalised_at.unwrap_or(d.created_at).date(),
            number: d.number.as_ref().map(ToString::to_string),
            act: d.fields.get("hanh_vi").cloned().unwrap_or_default(),
            provision: d.fields.get("dieu_khoan").cloned().unwrap_or_default(),
            catalogue: catalogue_key(d),
            warning_only: case.fine_vnd.unwrap_or(0) == 0,
        })
        .collect()
}

/// The acts of a case's violation records that are not cancelled and name a provision.
pub fn violations_of(case: &Case) -> Vec<ViolationFact> {
    case.documents
        .iter()
        .filter(|d| d.kind == DocumentKind::BbViPham && d.is_active())
        .filter_map(|d| {
            let provision = d.fields.get("dieu_khoan").filter(|p| !p.trim().is_empty())?.clone();
            let on = d.fields.get("thoi_gian_vi_pham").and_then(|t| date_in(t)).unwrap_or(d.created_at.date());
            Some(ViolationFact {
                on,
                act: d.fields.get("hanh_vi").cloned().unwrap_or_default(),
                provision,
                catalogue: catalogue_key(d),
            })
        })
        .collect()
}

/// The ids of the catalogue's acts chosen on a document.
pub fn catalogue_key(d: &super::Document) -> Vec<String> {
    let text = d.fields.get(super::catalogue::chosen::FIELD).map(String::as_str).unwrap_or_default();
    super::catalogue::chosen::parse(text).into_iter().map(|c| c.key.id).collect()
}

/// Every finalised document's kind and date; an extension keeps the option it grants, a
/// decision extending the seizure (MQĐ21) the day it extends it to.
pub fn milestones_of(case: &Case) -> Vec<Milestone> {
    case.documents
        .iter()
        .filter(|d| d.state == DocumentState::Finalised)
        .map(|d| Milestone {
            kind: d.kind,
            on: d.finalised_at.unwrap_or(d.created_at).date(),
            option: (d.kind == DocumentKind::GiaHan).then(|| d.fields.get("gia_han").cloned()).flatten(),
            until: (d.kind == DocumentKind::QdKeoDaiTamGiu)
                .then(|| d.fields.get(EXTENDED_UNTIL_FIELD).and_then(|v| date_in(v)))
                .flatten(),
        })
        .collect()
}

/// The field of MQĐ21 (`forms/2025-07-01/qd-keo-dai-tam-giu.toml`) holding the day the
/// seizure is extended to.
pub const EXTENDED_UNTIL_FIELD: &str = "den_ngay_keo_dai";

/// The date at the start of a typed date or date-time ("2026-03-02T09:30", "02/03/2026 09:30").
fn date_in(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    parse_date(text.split(['T', ' ']).next()?)
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
        let sanctions = sanctions_of(case);
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
            subject_province: match &case.subject.address {
                Address::Coded { province_code, .. } => Some(*province_code),
                Address::Legacy { .. } => None,
            },
            subject_commune: match &case.subject.address {
                Address::Coded { commune_code, .. } => Some(*commune_code),
                Address::Legacy { .. } => None,
            },
            milestones: milestones_of(case),
            closed_on: match &case.closure {
                Some(Closure::NoViolation { at }) => Some(at.date()),
                Some(Closure::Cancelled { at, .. }) => Some(at.date()),
                None => sanctions.iter().map(|s| s.decided_on).min(),
            },
            paid_vnd: case
                .documents
                .iter()
                .filter(|d| d.kind == DocumentKind::XacNhanNopPhat && d.state == DocumentState::Finalised)
                .filter_map(|d| d.fields.get("so_tien"))
                .filter_map(|t| parse_money(t))
                .sum(),
            sanction_marks: sanctions
                .iter()
                .map(|s| Mark::of(&s.provision, &s.catalogue, s.decided_on, s.warning_only))
                .collect(),
            violation_marks: violations_of(case)
                .iter()
                .map(|v| Mark::of(&v.provision, &v.catalogue, v.on, false))
                .collect(),
            draft_kinds: case.documents.iter().filter(|d| d.state == DocumentState::Draft).map(|d| d.kind).collect(),
        }
    }

    /// Whether a decision is drafted and waits for a leader to finalise it.
    pub fn awaits_leader(&self) -> bool {
        !self.stage.is_closed() && self.draft_kinds.iter().any(|k| k.is_decision())
    }

    /// True when every word of the folded query occurs in the search key.
    pub fn matches(&self, folded_query: &str) -> bool {
        folded_query.split(' ').filter(|w| !w.is_empty()).all(|w| self.search_key.contains(w))
    }
}
