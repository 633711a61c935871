//! What the laptop and the provincial server say to each other (`docs/hub-api.md`): the
//! signed request header, the upload bodies, receipts and the offender index. Both sides
//! use these types, so they cannot drift apart.

use std::io::Cursor;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The prefix of every API path.
pub const API: &str = "/api/v1";
/// The authorisation scheme name.
pub const SCHEME: &str = "Anchi-Sig";
/// How far a request's time may be from the server's clock.
pub const MAX_SKEW_SECS: i64 = 300;
/// The header that carries an upload's offset (request and answer).
pub const OFFSET_HEADER: &str = "upload-offset";

/// The signed `Authorization` header of an API request: who (device key id), when, a
/// nonce against replay, and the size and SHA-256 of the body, all signed with the device
/// key (minisign, Ed25519) together with the method and path. The server checks it before
/// reading any body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auth {
    pub key_id: String,
    pub time: i64,
    pub nonce: String,
    pub size: u64,
    pub sha256: String,
    /// The minisign signature file's text, base64 in the header.
    pub signature: String,
}

/// The bytes a request signature covers.
fn signed_text(key_id: &str, method: &str, path: &str, time: i64, nonce: &str, size: u64, sha256: &str) -> String {
    format!("anchi-hub-request-v1\n{key_id}\n{method}\n{path}\n{time}\n{nonce}\n{size}\n{sha256}\n")
}

impl Auth {
    /// Signs a request of `body` (the whole body, or the chunk sent).
    pub fn sign(
        key_id: &str,
        secret: &minisign::SecretKey,
        method: &str,
        path: &str,
        time: i64,
        body: &[u8],
    ) -> Result<Auth, String> {
        let nonce = hex::encode(uuid::Uuid::new_v4().as_bytes());
        let sha256 = hex::encode(Sha256::digest(body));
        let size = body.len() as u64;
        let text = signed_text(key_id, method, path, time, &nonce, size, &sha256);
        let signature = minisign::sign(None, secret, Cursor::new(text.as_bytes()), Some("anchi-hub-request"), None)
            .map_err(|e| e.to_string())?
            .into_string();
        Ok(Auth { key_id: key_id.to_string(), time, nonce, size, sha256, signature })
    }

    /// The header value: `Anchi-Sig key=…,time=…,nonce=…,size=…,sha256=…,sig=…`.
    pub fn header(&self) -> String {
        format!(
            "{SCHEME} key={},time={},nonce={},size={},sha256={},sig={}",
            self.key_id,
            self.time,
            self.nonce,
            self.size,
            self.sha256,
            B64.encode(self.signature.as_bytes())
        )
    }

    /// Reads a header value; the error names what is wrong.
    pub fn parse(value: &str) -> Result<Auth, String> {
        let rest = value.strip_prefix(SCHEME).and_then(|r| r.strip_prefix(' ')).ok_or("not an Anchi-Sig header")?;
        let mut fields = std::collections::HashMap::new();
        for part in rest.split(',') {
            let (k, v) = part.split_once('=').ok_or_else(|| format!("{part:?} is not key=value"))?;
            fields.insert(k.trim(), v.trim());
        }
        let get = |k: &str| fields.get(k).copied().ok_or_else(|| format!("{k} is missing"));
        let sig = B64.decode(get("sig")?).map_err(|_| "sig is not base64".to_string())?;
        let auth = Auth {
            key_id: get("key")?.to_string(),
            time: get("time")?.parse().map_err(|_| "time is not a number")?,
            nonce: get("nonce")?.to_string(),
            size: get("size")?.parse().map_err(|_| "size is not a number")?,
            sha256: get("sha256")?.to_string(),
            signature: String::from_utf8(sig).map_err(|_| "sig is not text")?,
        };
        if auth.nonce.len() < 16 || auth.nonce.len() > 64 || !auth.nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("nonce must be 16 to 64 hex digits".into());
        }
        if auth.sha256.len() != 64 || !auth.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("sha256 must be 64 hex digits".into());
        }
        Ok(auth)
    }

    /// Checks the signature with the sender's public key for this method and path.
    pub fn verify(&self, key: &minisign::PublicKey, method: &str, path: &str) -> Result<(), String> {
        let text = signed_text(&self.key_id, method, path, self.time, &self.nonce, self.size, &self.sha256);
        let signature = minisign::SignatureBox::from_string(&self.signature).map_err(|e| e.to_string())?;
        minisign::verify(key, &signature, Cursor::new(text.as_bytes()), true, false, false).map_err(|e| e.to_string())
    }
}

/// `POST /api/v1/uploads`: start (or find) the upload of a package.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StartUpload {
    pub package_id: String,
    pub size: u64,
    pub sha256: String,
}

/// The answer to a start: either the upload to send to, or the receipt of a package the
/// server already holds (the same id and hash).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Started {
    Upload { upload_id: String, offset: u64, size: u64 },
    Stored { receipt: SignedReceipt },
}

/// What the hub signs when it has verified and stored a package.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Receipt {
    pub package_id: String,
    pub sha256: String,
    pub team_id: String,
    pub case_id: uuid::Uuid,
    pub version: u32,
    pub size: u64,
    pub received_at: chrono::DateTime<chrono::Utc>,
    pub hub_key_id: String,
}

/// A receipt as sent and kept: its JSON text exactly as signed, and the hub's minisign
/// signature of that text.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SignedReceipt {
    pub receipt: String,
    pub signature: String,
}

/// Checks a hub signature of `text` (when the hub's key is known).
fn check_hub_signature(text: &str, signature: &str, hub_key: Option<&minisign::PublicKey>) -> Result<(), String> {
    let Some(key) = hub_key else { return Ok(()) };
    let signature = minisign::SignatureBox::from_string(signature).map_err(|e| e.to_string())?;
    minisign::verify(key, &signature, Cursor::new(text.as_bytes()), true, false, false).map_err(|e| e.to_string())
}

/// Signs `text` with the hub's key (receipts and the offender index).
pub fn hub_sign(secret: &minisign::SecretKey, text: &str, comment: &str) -> String {
    minisign::sign(None, secret, Cursor::new(text.as_bytes()), Some(comment), None)
        .expect("signing with an unencrypted key in memory cannot fail")
        .into_string()
}

impl SignedReceipt {
    /// Signs a receipt as its JSON text (a hub's, or the national server's).
    pub fn sign(secret: &minisign::SecretKey, receipt: &Receipt, comment: &str) -> SignedReceipt {
        let text = serde_json::to_string(receipt).expect("receipts serialise");
        SignedReceipt { signature: hub_sign(secret, &text, comment), receipt: text }
    }

    /// The receipt, after checking the hub's signature when its key is known.
    pub fn open(&self, hub_key: Option<&minisign::PublicKey>) -> Result<Receipt, String> {
        check_hub_signature(&self.receipt, &self.signature, hub_key).map_err(|e| format!("receipt signature: {e}"))?;
        serde_json::from_str(&self.receipt).map_err(|e| format!("receipt: {e}"))
    }
}

/// A provincial hub's word, forwarded to the national server, that a device key belongs
/// to one of its teams (`POST /api/v1/team-keys`): the national server trusts a package's
/// signature only through such a statement, signed by the province it enrolled.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct KeyStatement {
    /// The province hub's key id (the signer).
    pub hub_key_id: String,
    pub team_id: String,
    pub team_name: String,
    pub key_id: String,
    pub public_key: String,
    pub enrolled_at: chrono::DateTime<chrono::Utc>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A statement as sent and kept: its JSON text exactly as signed, and the hub's signature.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SignedStatement {
    pub statement: String,
    pub signature: String,
}

impl SignedStatement {
    /// Signs a statement with the hub's key.
    pub fn sign(secret: &minisign::SecretKey, statement: &KeyStatement) -> SignedStatement {
        let text = serde_json::to_string(statement).expect("statements serialise");
        let signature = hub_sign(secret, &text, &format!("anchi-hub team key {}", statement.key_id));
        SignedStatement { statement: text, signature }
    }

    /// The statement, after checking the province hub's signature.
    pub fn open(&self, hub_key: &minisign::PublicKey) -> Result<KeyStatement, String> {
        check_hub_signature(&self.statement, &self.signature, Some(hub_key))
            .map_err(|e| format!("statement signature: {e}"))?;
        serde_json::from_str(&self.statement).map_err(|e| format!("statement: {e}"))
    }
}

/// A case's stage as it changes, sent within seconds when the laptop is online
/// (`POST /api/v1/status`, a JSON array of at most [`MAX_STATUS_EVENTS`]): who and where, no
/// document content. The hub relays it to the national server (which takes the team from
/// the event and the province from the hub's key; the hub takes the team from the device key).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StatusEvent {
    pub case_id: uuid::Uuid,
    pub team_id: String,
    pub stage: crate::domain::Stage,
    /// Tax code, personal ID or registration number, when recorded.
    pub subject_identifier: Option<String>,
    /// The subject's address's admin units, when coded.
    pub province: Option<u16>,
    pub commune: Option<u32>,
    /// When the laptop saw this stage.
    pub at: chrono::DateTime<chrono::Utc>,
}

/// The most status events one request may carry.
pub const MAX_STATUS_EVENTS: usize = 100;

/// What `GET /api/v1/law` says of the law pack the province serves (the hub says more:
/// dates, publisher; the laptop reads what it needs and checks the pack itself).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ServedLawVersion {
    pub version: u32,
    pub sha256: String,
    pub size: u64,
}

/// A refusal: a stable code for programs and a sentence for people.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Refusal {
    pub error: String,
    pub message: String,
}

/// One sanctioned subject in the province's offender index.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OffenderEntry {
    /// Tax code, personal ID or registration number, as recorded.
    pub identifier: Option<String>,
    /// The name folded (no accents, lower case) for matching.
    pub folded_name: String,
    pub name: String,
    /// The address's admin units, when coded (for "cùng phường/xã").
    #[serde(default)]
    pub province: Option<u16>,
    #[serde(default)]
    pub commune: Option<u32>,
    pub team_id: String,
    pub case_id: uuid::Uuid,
    /// The act and the provision breached, as in the sanction decision.
    pub act: String,
    pub provision: String,
    /// The sanction decision's date (for an inspection, the day the case was opened).
    pub decided_on: chrono::NaiveDate,
    pub fine_vnd: Option<u64>,
    /// A sanction, or only an inspection (so another team can see who was inspected lately).
    #[serde(default)]
    pub kind: EntryKind,
    /// The body that holds the case when it is another province's (from the national
    /// index): the province as enrolled nationally ("Chi cục QLTT tỉnh …"); none within
    /// the province. (Always written: the hub keeps entries in postcard, which has no
    /// skipped fields; a laptop of before reads past it.)
    #[serde(default)]
    pub unit: Option<String>,
    /// The sanction decision's number ("12/QĐ-XPHC-…"), when it has one.
    #[serde(default)]
    pub decision: Option<String>,
}

/// What an offender index entry records.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    #[default]
    Sanction,
    Inspection,
}

/// The offender index: every sanctioned subject the province knows, and the subjects
/// inspected in the last months, valid until `expires_at`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OffenderIndex {
    pub generated_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub entries: Vec<OffenderEntry>,
}

/// What changed in an offender index since a copy's generation, page by page: the national
/// server's index as a province takes it (`GET /api/v1/national-index/{since}`, other
/// provinces' cases only), and the province's index as a laptop takes it
/// (`GET /api/v1/offender-index/{since}`), each signed as a [`SignedIndex`].
///
/// Each case listed replaces that case's entries (none: the case is gone from the index).
/// `since` is the generation the page follows: 0 means the copy starts again from nothing
/// (also when the generation asked for is one the server never reached). `more` asks for
/// the next page from `generation`. A laptop's page names every case by the hub's
/// pseudonym for it, so that a case keeps its name whichever team sent it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct IndexDelta {
    pub generated_at: chrono::DateTime<chrono::Utc>,
    /// Until when the copy may be relied on without another sync (the province's index;
    /// the national server's pages have none).
    #[serde(default)]
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The index's own name (the province's index): a copy taken from an index of another
    /// name is taken again from nothing.
    #[serde(default)]
    pub epoch: Option<String>,
    pub since: i64,
    pub generation: i64,
    pub more: bool,
    pub cases: Vec<(uuid::Uuid, Vec<OffenderEntry>)>,
}

/// How far back an offender index lists inspections (sanctions are listed whatever their age).
pub const RECENT_INSPECTION_DAYS: i64 = 180;

/// Whether an offender index lists `entry` on `today`: every sanction, and the inspections
/// of the last [`RECENT_INSPECTION_DAYS`]. The hub serves by it and a laptop reads its copy
/// by it, so that an inspection leaves the copy as it ages without the hub sending anything.
pub fn listed(entry: &OffenderEntry, today: chrono::NaiveDate) -> bool {
    entry.kind == EntryKind::Sanction || entry.decided_on >= today - chrono::Duration::days(RECENT_INSPECTION_DAYS)
}

/// The index as sent: its JSON text as signed by the hub, and the signature.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SignedIndex {
    pub index: String,
    pub signature: String,
}

impl SignedIndex {
    /// Signs an index (or a page of changes, [`IndexDelta`]) as its JSON text.
    pub fn sign<T: Serialize>(secret: &minisign::SecretKey, index: &T, comment: &str) -> SignedIndex {
        let text = serde_json::to_string(index).expect("the index serialises");
        SignedIndex { signature: hub_sign(secret, &text, comment), index: text }
    }

    /// The index, after checking the hub's signature when its key is known.
    pub fn open(&self, hub_key: Option<&minisign::PublicKey>) -> Result<OffenderIndex, String> {
        self.open_as(hub_key)
    }

    /// The signed text read as `T` (a page of changes, [`IndexDelta`]), after checking
    /// the signature when the key is known.
    pub fn open_as<T: serde::de::DeserializeOwned>(&self, key: Option<&minisign::PublicKey>) -> Result<T, String> {
        check_hub_signature(&self.index, &self.signature, key).map_err(|e| format!("index signature: {e}"))?;
        serde_json::from_str(&self.index).map_err(|e| format!("index: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_header_reads_back_and_verifies_only_for_its_request() {
        let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let key_id = crate::package::key_id_of(pair.pk.keynum());
        let auth = Auth::sign(&key_id, &pair.sk, "PATCH", "/api/v1/uploads/x", 1_800_000_000, b"chunk").unwrap();
        let back = Auth::parse(&auth.header()).unwrap();
        assert_eq!(back, auth);
        assert!(back.verify(&pair.pk, "PATCH", "/api/v1/uploads/x").is_ok());
        assert!(back.verify(&pair.pk, "PATCH", "/api/v1/uploads/y").is_err(), "another path");
        let mut other = back.clone();
        other.size += 1;
        assert!(other.verify(&pair.pk, "PATCH", "/api/v1/uploads/x").is_err(), "another size");
        assert!(Auth::parse("Bearer abc").is_err());
    }
}
