//! Stored values: one version byte, then postcard. A record of an unknown version is
//! refused with an error rather than misread.
//!
//! postcard is not self-describing, so stored types must not use
//! `skip_serializing_if`, internally tagged enums (`#[serde(tag = …)]`) or
//! `serde_json::Value`; `tests/store.rs` round-trips a full case to keep it so.

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::error::StoreError;
use crate::domain::{Attachment, Case, Closure, Document, GoodsLine, Parties, Subject};

/// The version of every record written by this build.
pub const RECORD_VERSION: u8 = 1;

pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising our own in-memory types to a Vec cannot fail.
    postcard::to_extend(value, vec![RECORD_VERSION]).expect("postcard serialises owned values")
}

pub fn decode<T: DeserializeOwned>(table: &'static str, bytes: &[u8]) -> Result<T, StoreError> {
    match bytes.split_first() {
        Some((&RECORD_VERSION, body)) => {
            postcard::from_bytes(body).map_err(|e| StoreError::Decode { table, detail: e.to_string() })
        }
        Some((&found, _)) => Err(StoreError::RecordVersion { table, found }),
        None => Err(StoreError::Decode { table, detail: "empty record".into() }),
    }
}

/// The version of a case record written by this build: version 2 added the case's parties.
/// A case stays as it was stored until it is next changed, so the journal's hashes of the
/// stored bytes hold without a migration rewriting every case.
pub const CASE_RECORD_VERSION: u8 = 2;

pub fn encode_case(case: &Case) -> Vec<u8> {
    // Room for a case with a few documents, so the bytes are seldom moved as they grow.
    encode_case_into(case, Vec::with_capacity(8192))
}

/// [`encode_case`] into `out`, cleared first (its room kept).
fn encode_case_into(case: &Case, mut out: Vec<u8>) -> Vec<u8> {
    out.clear();
    out.push(CASE_RECORD_VERSION);
    postcard::to_extend(case, out).expect("postcard serialises owned values")
}

/// The SHA-256 of a case's stored bytes ([`encode_case`]): what a journal entry records of
/// it (see `Writer::put_case_made`). Encoded into a buffer kept by the thread (the demo
/// hashes every step of every case it makes).
pub fn case_sha256(case: &Case) -> [u8; 32] {
    thread_local! {
        static BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
    }
    let out = encode_case_into(case, BUFFER.take());
    let hash = super::journal::sha256(&out);
    BUFFER.set(out);
    hash
}

pub fn decode_case(bytes: &[u8]) -> Result<Case, StoreError> {
    let table = "cases";
    let bad = |e: postcard::Error| StoreError::Decode { table, detail: e.to_string() };
    match bytes.split_first() {
        Some((&CASE_RECORD_VERSION, body)) => postcard::from_bytes(body).map_err(bad),
        Some((1, body)) => postcard::from_bytes::<CaseV1>(body).map(CaseV1::upgrade).map_err(bad),
        Some((&found, _)) => Err(StoreError::RecordVersion { table, found }),
        None => Err(StoreError::Decode { table, detail: "empty record".into() }),
    }
}

/// A case as record version 1 stored it: [`Case`] without its parties, field for field
/// in the same order (postcard reads by position).
#[derive(Deserialize)]
struct CaseV1 {
    id: uuid::Uuid,
    unit_code: String,
    opened_at: chrono::NaiveDateTime,
    field: String,
    subject: Subject,
    members: Vec<String>,
    goods: Vec<GoodsLine>,
    attachments: Vec<Attachment>,
    documents: Vec<Document>,
    closure: Option<Closure>,
    fine_vnd: Option<u64>,
}

impl CaseV1 {
    fn upgrade(self) -> Case {
        Case {
            id: self.id,
            unit_code: self.unit_code,
            opened_at: self.opened_at,
            field: self.field,
            subject: self.subject,
            members: self.members,
            goods: self.goods,
            attachments: self.attachments,
            documents: self.documents,
            closure: self.closure,
            fine_vnd: self.fine_vnd,
            parties: Parties::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash of a step the demo journals is the hash of the bytes the case would be stored
    /// as, whatever the thread's buffer held before (a longer case, then a shorter one).
    #[test]
    fn a_case_hashed_through_the_threads_buffer_hashes_as_its_stored_bytes() {
        let subject = Subject::new(
            crate::domain::SubjectKind::Individual,
            "Nguyễn Văn An",
            crate::domain::Address::Legacy { text: "1 Hàng Bạc, Hà Nội".into() },
        );
        let at = chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
        let short = Case::open(uuid::Uuid::from_u128(7), "D1", at, "hang-gia", subject);
        let mut long = short.clone();
        long.subject.name = "Hộ kinh doanh ".repeat(2_000);
        for case in [&long, &short, &long] {
            assert_eq!(case_sha256(case), super::super::journal::sha256(&encode_case(case)));
        }
        assert_ne!(case_sha256(&short), case_sha256(&long));
    }

    #[test]
    fn a_version_1_case_reads_with_no_parties_and_is_written_as_version_2() {
        let subject: Subject = serde_json::from_value(serde_json::json!({
            "kind": "individual", "name": "Nguyễn Văn An",
            "address": {"legacy": {"text": "1 Hàng Bạc, Hà Nội"}}
        }))
        .unwrap();
        let at = chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
        let mut case = Case::open(uuid::Uuid::from_u128(7), "D1", at, "hang-gia", subject);
        case.fine_vnd = Some(5_000_000);
        // What the build before parties wrote: version 1, the fields up to fine_vnd.
        let mut old = vec![1u8];
        old.extend(postcard::to_stdvec(&case).unwrap());
        let parties_bytes = postcard::to_stdvec(&Parties::default()).unwrap().len();
        old.truncate(old.len() - parties_bytes);
        assert_eq!(decode_case(&old).unwrap(), case);
        case.parties.witness.name = "Trần Thị Lan".into();
        let new = encode_case(&case);
        assert_eq!(new[0], 2);
        assert_eq!(decode_case(&new).unwrap(), case);
        assert!(matches!(decode_case(&[9, 0]), Err(StoreError::RecordVersion { found: 9, .. })));
    }
}
