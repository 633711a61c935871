//! The tamper-evident journal: every change appends an entry that names who, when, what,
//! the hash of the stored value, and the hash of the previous entry (a hash chain).

use chrono::{DateTime, Utc};
use redb::{ReadableDatabase, ReadableTable};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{CASES, JOURNAL, Store, StoreError, record};

/// One journal entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub seq: u64,
    pub at: DateTime<Utc>,
    /// Who made the change (a member's card number, or `system`).
    pub actor: String,
    /// What was done, e.g. `case.import`, `document.finalise`.
    pub action: String,
    #[serde(default)]
    pub case_id: Option<Uuid>,
    /// SHA-256 of the stored record after the change (zero when nothing was stored).
    pub content_sha256: [u8; 32],
    pub prev_hash: [u8; 32],
    pub hash: [u8; 32],
}

/// The hashed part of an entry: everything but the hash itself.
#[derive(Serialize)]
struct Hashed<'a> {
    seq: u64,
    at: &'a DateTime<Utc>,
    actor: &'a str,
    action: &'a str,
    case_id: &'a Option<Uuid>,
    content_sha256: &'a [u8; 32],
    prev_hash: &'a [u8; 32],
}

impl JournalEntry {
    /// The hash this entry must carry.
    pub fn compute_hash(&self) -> [u8; 32] {
        let body = Hashed {
            seq: self.seq,
            at: &self.at,
            actor: &self.actor,
            action: &self.action,
            case_id: &self.case_id,
            content_sha256: &self.content_sha256,
            prev_hash: &self.prev_hash,
        };
        let bytes = postcard::to_stdvec(&body).expect("postcard serialises owned values");
        Sha256::digest(bytes).into()
    }
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Where the chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    pub seq: u64,
    pub reason: String,
}

/// The outcome of walking the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    pub entries: u64,
    pub cases_checked: u64,
    pub first_broken: Option<BrokenLink>,
}

impl Store {
    /// Walks the journal: every entry's hash, every link to the previous entry, and that
    /// each stored case is the one its latest journal entry describes.
    pub fn verify_journal(&self) -> Result<AuditReport, StoreError> {
        let tx = self.db.begin_read()?;
        let journal = tx.open_table(JOURNAL)?;
        let mut expected_prev = [0u8; 32];
        let mut latest_content = std::collections::HashMap::new();
        let mut report = AuditReport { entries: 0, cases_checked: 0, first_broken: None };
        for (expected_seq, row) in (1u64..).zip(journal.iter()?) {
            let (key, value) = row?;
            let broken = |reason: String| Some(BrokenLink { seq: key.value(), reason });
            let entry: JournalEntry = match record::decode("journal", value.value()) {
                Ok(e) => e,
                Err(e) => {
                    report.first_broken = broken(format!("entry cannot be decoded: {e}"));
                    return Ok(report);
                }
            };
            report.entries += 1;
            let problem = if key.value() != expected_seq || entry.seq != expected_seq {
                Some(format!("expected entry {expected_seq}, found key {} seq {}", key.value(), entry.seq))
            } else if entry.prev_hash != expected_prev {
                Some("previous-hash link does not match the entry before".to_string())
            } else if entry.compute_hash() != entry.hash {
                Some("entry content does not match its hash".to_string())
            } else {
                None
            };
            if let Some(reason) = problem {
                report.first_broken = broken(reason);
                return Ok(report);
            }
            if let Some(id) = entry.case_id {
                latest_content.insert(id.as_u128(), (entry.seq, entry.content_sha256));
            }
            expected_prev = entry.hash;
        }
        let cases = tx.open_table(CASES)?;
        for row in cases.iter()? {
            let (key, value) = row?;
            report.cases_checked += 1;
            let id = Uuid::from_u128(key.value());
            let reason = match latest_content.get(&key.value()) {
                None => Some((0, format!("case {id} has no journal entry"))),
                Some((seq, hash)) if *hash != sha256(value.value()) => {
                    Some((*seq, format!("case {id} differs from what journal entry {seq} recorded")))
                }
                Some(_) => None,
            };
            if let Some((seq, reason)) = reason {
                report.first_broken = Some(BrokenLink { seq, reason });
                return Ok(report);
            }
        }
        Ok(report)
    }
}

impl super::Writer {
    /// Appends a journal entry for a change whose stored bytes are `content`.
    pub(super) fn journal(&mut self, action: &str, case_id: Option<Uuid>, content: &[u8]) -> Result<(), StoreError> {
        self.journal_hashes(case_id, [(action, sha256(content))])
    }

    /// Appends a journal entry for each change of `case_id` (or of no case), in order: its
    /// action and the SHA-256 of the stored bytes after it.
    pub(super) fn journal_hashes<'a>(
        &mut self,
        case_id: Option<Uuid>,
        changes: impl IntoIterator<Item = (&'a str, [u8; 32])>,
    ) -> Result<(), StoreError> {
        let mut entries = self.tx.open_table(JOURNAL)?;
        // A change of no case (a setting, a user) is filed under none.
        let mut by_case = case_id.map(|_| self.tx.open_table(super::CASE_JOURNAL)).transpose()?;
        for (action, content_sha256) in changes {
            let mut entry = JournalEntry {
                seq: self.next_seq,
                at: Utc::now(),
                actor: self.actor.clone(),
                action: action.to_string(),
                case_id,
                content_sha256,
                prev_hash: self.prev_hash,
                hash: [0; 32],
            };
            entry.hash = entry.compute_hash();
            entries.insert(entry.seq, record::encode(&entry).as_slice())?;
            if let (Some(id), Some(by_case)) = (case_id, by_case.as_mut()) {
                by_case.insert((id.as_u128(), entry.seq), ())?;
            }
            self.next_seq += 1;
            self.prev_hash = entry.hash;
        }
        Ok(())
    }
}
