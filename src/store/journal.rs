//! The tamper-evident journal: every change appends an entry that names who, when, what,
//! the hash of the stored value, and the hash of the previous entry (a hash chain).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

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
