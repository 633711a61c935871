//! Stored values: one version byte, then postcard. A record of an unknown version is
//! refused with an error rather than misread.
//!
//! postcard is not self-describing, so stored types must not use
//! `skip_serializing_if`, internally tagged enums (`#[serde(tag = …)]`) or
//! `serde_json::Value`; `tests/store.rs` round-trips a full case to keep it so.

use serde::{Serialize, de::DeserializeOwned};

use super::error::StoreError;

/// The version of every record written by this build.
pub const RECORD_VERSION: u8 = 1;

pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = vec![RECORD_VERSION];
    // Serialising our own in-memory types to a Vec cannot fail.
    out.extend(postcard::to_stdvec(value).expect("postcard serialises owned values"));
    out
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
