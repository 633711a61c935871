//! The law pack the province serves to its laptops (`docs/law-pack.md`): `anchi-hub law
//! publish PACK` checks the pack's bag and signature against the law key the hub pinned at
//! its first publish, refuses one not newer than the pack served, and keeps it under
//! `law/<sha256>.anchi-law`; `GET /api/v1/law` says which version is served and
//! `GET /api/v1/law/pack` gives its bytes, both to enrolled laptops only. The laptop checks
//! everything again — the hub is a courier, not the authority.

use std::path::{Path, PathBuf};

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::store::{HubStore, HubStoreError};
use super::{API, ApiError, Shared, authenticate};
use crate::package::{self, LAW_LIMITS, LawInfo};

/// What the hub serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServedLaw {
    pub version: u32,
    pub issued: chrono::NaiveDate,
    pub expires: chrono::NaiveDate,
    pub publisher: String,
    pub sha256: String,
    pub size: u64,
    /// The law key (minisign base64) every later pack must be signed with.
    pub law_key: String,
}

/// The folder of served law packs.
pub fn law_dir(store: &HubStore) -> PathBuf {
    store.dir().join("law")
}

/// `anchi-hub law publish PACK [--law-key KEY]`: the key is needed the first time and
/// must match afterwards.
pub fn publish(store: &HubStore, pack: &Path, law_key: Option<&str>) -> Result<ServedLaw, String> {
    let size = std::fs::metadata(pack).map_err(|e| format!("{}: {e}", pack.display()))?.len();
    if size > LAW_LIMITS.max_total_bytes + (1 << 20) {
        return Err(format!("{}: {size} bytes, more than a law pack may hold", pack.display()));
    }
    let bytes = std::fs::read(pack).map_err(|e| format!("{}: {e}", pack.display()))?;
    let served = store.law().map_err(|e| e.to_string())?;
    let key_text = match (law_key, &served) {
        (Some(given), Some(s)) if given.trim() != s.law_key => {
            return Err(format!("--law-key differs from the law key pinned at the first publish ({})", s.law_key));
        }
        (Some(given), _) => given.trim().to_string(),
        (None, Some(s)) => s.law_key.clone(),
        (None, None) => return Err("the first publish needs --law-key (the law key's minisign public key)".into()),
    };
    let key = minisign::PublicKey::from_base64(&key_text).map_err(|e| format!("--law-key: {e}"))?;
    let verified = package::open_bag::<LawInfo>(&bytes, &LAW_LIMITS)
        .and_then(|o| o.verify(&[key]))
        .map_err(|e| format!("{}: {e}", pack.display()))?;
    let info = verified.opened.info;
    if let Some(s) = &served
        && info.version <= s.version
    {
        return Err(format!("version {} is not newer than the version served ({})", info.version, s.version));
    }
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let dir = law_dir(store);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let part = dir.join(format!("{sha256}.part"));
    std::fs::write(&part, &bytes)
        .and_then(|()| std::fs::rename(&part, dir.join(format!("{sha256}.anchi-law"))))
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let law = ServedLaw {
        version: info.version,
        issued: info.issued,
        expires: info.expires,
        publisher: info.publisher,
        sha256,
        size: bytes.len() as u64,
        law_key: key_text,
    };
    store.set_law(&law).map_err(|e: HubStoreError| e.to_string())?;
    Ok(law)
}

/// `GET /api/v1/law`: the version served, or 404 `no_law`.
pub async fn version(State(state): State<Shared>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    authenticate(&state, &headers, &method, &format!("{API}/law"), 0)?;
    let served = state.store.law()?.ok_or_else(none)?;
    Ok(axum::Json(served).into_response())
}

/// `GET /api/v1/law/pack`: the pack served, byte for byte.
pub async fn pack(State(state): State<Shared>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    authenticate(&state, &headers, &method, &format!("{API}/law/pack"), 0)?;
    let served = state.store.law()?.ok_or_else(none)?;
    let file = law_dir(&state.store).join(format!("{}.anchi-law", served.sha256));
    let bytes = tokio::fs::read(&file).await?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}

fn none() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no_law", "this server serves no law pack")
}
