//! The national server (`anchi-hub national serve`): the same program in its national role,
//! storing in PostgreSQL (`db.rs`, `migrations/national/`). Provincial hubs, enrolled with
//! their hub keys, forward packages with the laptops' resumable, idempotent, signed upload
//! protocol (`docs/hub-api.md`) and vouch for their teams' keys with signed statements; each
//! package is checked back to the team key that signed it and to the province that vouched
//! for that key, then stored exactly once with its case's row and offender entries.

pub mod cli;
pub mod db;
mod pages;
pub mod views;
mod web;
mod write;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::transport::{Caller, Gate, read_body};
use super::{ApiError, Limits, MAX_CHUNK_BYTES};
use crate::package;
use crate::protocol::{API, Auth, Receipt, SignedIndex, SignedReceipt, SignedStatement, Started};
use db::{Db, DbError, Province, Received, Stored, Upload};

/// The most statements one request may carry.
pub const MAX_STATEMENTS: usize = 500;
/// The national key's file in the data directory (readable by its owner only).
pub const KEY_FILE: &str = "national-key.json";

/// The national server's signing key (receipts; the national offender index to come).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NationalKeys {
    pub key_id: String,
    pub public_key: String,
    /// The unencrypted minisign secret key box: the server signs unattended.
    pub secret_key: String,
}

impl NationalKeys {
    /// Reads the key file; the error says to run `national init`.
    pub fn read(dir: &Path) -> Result<NationalKeys, String> {
        let path = dir.join(KEY_FILE);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("{}: {e} (run `anchi-hub national init` first)", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        eprintln!("anchi-hub national: {e}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "storage", "the server could not store or read its data")
    }
}

/// What the national server's handlers share.
pub struct NationalState {
    pub db: Db,
    pub keys: NationalKeys,
    secret: minisign::SecretKey,
    pub limits: Limits,
    gate: Gate,
    /// Reference data (fields, goods groups) the pages and the goods groups are named from.
    pub reference: Arc<crate::reference::Reference>,
    /// Unfinished uploads' bytes, one `.part` file each.
    uploads_dir: PathBuf,
    /// The national staff's sessions and login bounds.
    sessions: web::Sessions,
    /// One request at a time per upload (chunks, finish).
    upload_locks: std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl NationalState {
    pub fn new(db: Db, dir: &Path, limits: Limits) -> Result<NationalState, String> {
        let keys = NationalKeys::read(dir)?;
        let secret = minisign::SecretKeyBox::from_string(&keys.secret_key)
            .and_then(|b| b.into_unencrypted_secret_key())
            .map_err(|e| format!("national key: {e}"))?;
        let uploads_dir = dir.join(super::store::UPLOADS_DIR);
        std::fs::create_dir_all(&uploads_dir).map_err(|e| format!("{}: {e}", uploads_dir.display()))?;
        Ok(NationalState {
            db,
            keys,
            secret,
            limits,
            gate: Gate::default(),
            reference: Arc::new(crate::reference::Reference::embedded()),
            uploads_dir,
            sessions: web::Sessions::default(),
            upload_locks: Default::default(),
        })
    }

    fn part(&self, upload_id: &str) -> PathBuf {
        self.uploads_dir.join(format!("{upload_id}.part"))
    }

    fn lock(&self, upload_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.upload_locks.lock().expect("upload locks").entry(upload_id.to_string()).or_default().clone()
    }
}

type Shared = Arc<NationalState>;

/// The national API.
pub fn router(state: Shared) -> Router {
    let pages_time = state.limits.body.min(state.limits.idle);
    Router::new()
        .route(&format!("{API}/uploads"), post(start_upload))
        .route(&format!("{API}/uploads/{{id}}"), patch(send_chunk))
        .route(&format!("{API}/uploads/{{id}}/finish"), post(finish_upload))
        .route(&format!("{API}/team-keys"), post(team_keys))
        .route(&format!("{API}/hub-key"), get(national_key))
        .route(&format!("{API}/national-index/{{since}}"), get(national_index))
        .route(&format!("{API}/status"), post(status))
        .merge(
            web::routes()
                .layer(axum::middleware::from_fn(move |request, next| super::web::bounded(pages_time, request, next))),
        )
        .layer(axum::middleware::map_response(super::web::security_headers))
        .with_state(state)
}

/// Checks a province's signed request before any body is read.
async fn authenticate(
    state: &NationalState,
    headers: &HeaderMap,
    method: &Method,
    path: &str,
    max: u64,
) -> Result<(Auth, Province), ApiError> {
    let auth = Gate::header(headers)?;
    let province = state.db.province_by_key(&auth.key_id).await?.ok_or_else(|| {
        ApiError::unauthorised("unknown_key", &format!("province key {} is not enrolled", auth.key_id))
    })?;
    let caller =
        Caller { public_key: &province.public_key, revoked: province.revoked_at.is_some(), what: "province key" };
    state.gate.admit(&auth, headers, method, path, max, &caller)?;
    Ok((auth, province))
}

async fn start_upload(
    State(state): State<Shared>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (auth, province) = authenticate(&state, &headers, &method, &format!("{API}/uploads"), 4096).await?;
    let bytes = read_body(state.limits.body, body, &auth).await?;
    let start = super::check_start(&bytes, &state.limits)?;
    if let Some((owner, sha256, receipt)) = state.db.package(&start.package_id).await? {
        if sha256 == start.sha256 && owner == province.code {
            return Ok(axum::Json(Started::Stored { receipt }).into_response());
        }
        return Err(ApiError::new(StatusCode::CONFLICT, "conflict", "this package id is stored with other content"));
    }
    let open = state.db.uploads_of(&province.code).await?;
    let open: Vec<super::transport::Open> = open
        .iter()
        .map(|u| super::transport::Open {
            upload_id: &u.upload_id,
            package_id: &u.package_id,
            sha256: &u.sha256,
            size: u.size,
            offset: u.received,
        })
        .collect();
    if let Some(resumed) = super::transport::resume_or_refuse(&open, &start, &state.limits, "province")? {
        return Ok(resumed);
    }
    let upload = Upload {
        upload_id: uuid::Uuid::now_v7().simple().to_string(),
        province_code: province.code,
        package_id: start.package_id,
        size: start.size,
        sha256: start.sha256,
        received: 0,
        started_at: chrono::Utc::now(),
    };
    std::fs::File::create(state.part(&upload.upload_id))?;
    state.db.put_upload(&upload).await?;
    let s = Started::Upload { upload_id: upload.upload_id, offset: 0, size: upload.size };
    Ok((StatusCode::CREATED, axum::Json(s)).into_response())
}

/// This province's upload with this id.
async fn own_upload(state: &NationalState, id: &str, province: &Province) -> Result<Upload, ApiError> {
    match state.db.upload(id).await? {
        Some(u) if u.province_code == province.code => Ok(u),
        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_upload",
            "no such upload (finished, or another province's)",
        )),
    }
}

fn offset_answer(upload: &Upload) -> Response {
    super::transport::offset_answer(&upload.upload_id, upload.received, upload.size)
}

async fn send_chunk(
    State(state): State<Shared>,
    UrlPath(id): UrlPath<String>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let path = format!("{API}/uploads/{id}");
    let (auth, province) = authenticate(&state, &headers, &method, &path, MAX_CHUNK_BYTES).await?;
    let lock = state.lock(&id);
    let _one_at_a_time = lock.lock().await;
    let mut upload = own_upload(&state, &id, &province).await?;
    let offset = super::check_offset(&headers, upload.received, upload.size, auth.size)?;
    let bytes = read_body(state.limits.body, body, &auth).await?;
    let file = state.part(&id);
    let written = tokio::task::spawn_blocking(move || super::transport::write_chunk(&file, offset, &bytes)).await;
    written.map_err(|e| std::io::Error::other(e.to_string()))??;
    upload.received = offset + auth.size;
    state.db.put_upload(&upload).await?;
    Ok(offset_answer(&upload))
}

async fn finish_upload(
    State(state): State<Shared>,
    UrlPath(id): UrlPath<String>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let path = format!("{API}/uploads/{id}/finish");
    let (_, province) = authenticate(&state, &headers, &method, &path, 0).await?;
    let lock = state.lock(&id);
    let _one_at_a_time = lock.lock().await;
    let upload = own_upload(&state, &id, &province).await?;
    if upload.received != upload.size {
        let mut e = ApiError::new(
            StatusCode::CONFLICT,
            "incomplete",
            &format!("{} of {} bytes received", upload.received, upload.size),
        );
        e.offset = Some(upload.received);
        return Err(e);
    }
    let part = state.part(&id);
    let result = receive(&state, &province, &upload, &part).await;
    if let Err(e) = &result
        && e.status != StatusCode::INTERNAL_SERVER_ERROR
    {
        // A refused package is not kept, and its upload is closed.
        state.db.remove_upload(&id).await?;
        let _ = std::fs::remove_file(&part);
    }
    state.upload_locks.lock().expect("upload locks").remove(&id);
    let receipt = result?;
    let _ = std::fs::remove_file(&part);
    Ok(axum::Json(receipt).into_response())
}

/// Verifies a finished upload and stores it; the national receipt.
async fn receive(state: &Shared, province: &Province, upload: &Upload, part: &Path) -> Result<SignedReceipt, ApiError> {
    // Every key this province vouched for (a few per team): the package is then checked
    // off the async workers.
    let vouched = state.db.province_keys(&province.code).await?;
    let (bytes, upload2, code) = (std::fs::read(part)?, upload.clone(), province.code.clone());
    let max = state.limits.max_package_bytes;
    let checked = tokio::task::spawn_blocking(move || check_package(bytes, &upload2, &vouched, max, &code)).await;
    let (bytes, team_id, info, case) = super::refuse_blocking(checked)?;
    let receipt = Receipt {
        package_id: upload.package_id.clone(),
        sha256: upload.sha256.clone(),
        team_id,
        case_id: info.case_id,
        version: info.version,
        size: upload.size,
        received_at: chrono::Utc::now(),
        hub_key_id: state.keys.key_id.clone(),
    };
    let signed =
        SignedReceipt::sign(&state.secret, &receipt, &format!("anchi national receipt {}", receipt.package_id));
    let received = Received {
        receipt,
        signed: signed.clone(),
        bytes,
        case,
        upload_id: upload.upload_id.clone(),
        reference: state.reference.clone(),
    };
    match state.db.store(&province.code, &received).await? {
        Stored::New => Ok(signed),
        Stored::OwnedElsewhere(owner) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "case_owned",
            &format!("this case belongs to province {owner}; only that province sends its versions"),
        )),
    }
}

/// Checks a package as the hub does, against the keys this province vouched for the
/// package's team, valid when it was made: the bytes, its team, its info and its case.
fn check_package(
    bytes: Vec<u8>,
    upload: &Upload,
    vouched: &[db::VouchedKey],
    max_package_bytes: u64,
    province: &str,
) -> Result<(Vec<u8>, String, package::BagInfo, crate::domain::Case), ApiError> {
    if hex::encode(Sha256::digest(&bytes)) != upload.sha256 || bytes.len() as u64 != upload.size {
        return Err(ApiError::unprocessable("hash_mismatch", "the bytes received do not have the declared SHA-256"));
    }
    let limits = package::Limits { max_total_bytes: max_package_bytes, ..package::Limits::default() };
    let invalid = |e: package::PackageError| ApiError::unprocessable("package_invalid", &e.to_string());
    let opened = package::open(&bytes, &limits).map_err(invalid)?;
    let team_id = opened.info.unit.clone();
    let created = opened.info.created;
    let trusted: Vec<minisign::PublicKey> = vouched
        .iter()
        .filter(|k| k.team_id == team_id && k.revoked_at.is_none_or(|at| at > created))
        .filter_map(|k| minisign::PublicKey::from_base64(&k.public_key).ok())
        .collect();
    let verified = opened.verify(&trusted).map_err(|e| match e {
        package::PackageError::UnknownKey(_) | package::PackageError::BadSignature(_) => ApiError::unprocessable(
            "bad_signature",
            &format!("{e}: not a key province {province} vouched for team {team_id}"),
        ),
        other => invalid(other),
    })?;
    let opened = verified.opened;
    let case = super::ingest::case_of(&opened, &upload.package_id)?;
    Ok((bytes, team_id, opened.info, case))
}

/// `POST /api/v1/team-keys`: a province's signed statements of its teams' keys.
async fn team_keys(
    State(state): State<Shared>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let max = (MAX_STATEMENTS * 2048) as u64;
    let (auth, province) = authenticate(&state, &headers, &method, &format!("{API}/team-keys"), max).await?;
    let bytes = read_body(state.limits.body, body, &auth).await?;
    let signed: Vec<SignedStatement> =
        serde_json::from_slice(&bytes).map_err(|e| ApiError::bad_request(&format!("statements: {e}")))?;
    if signed.len() > MAX_STATEMENTS {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            &format!("at most {MAX_STATEMENTS} statements"),
        ));
    }
    let key = minisign::PublicKey::from_base64(&province.public_key)
        .map_err(|_| ApiError::unauthorised("unknown_key", "the enrolled key cannot be read"))?;
    let mut statements = Vec::new();
    for (i, s) in signed.into_iter().enumerate() {
        let statement =
            s.open(&key).map_err(|e| ApiError::unprocessable("bad_signature", &format!("statements[{i}]: {e}")))?;
        if statement.hub_key_id != province.key_id {
            return Err(ApiError::unprocessable("bad_signature", &format!("statements[{i}]: made by another hub key")));
        }
        let key_ok = minisign::PublicKey::from_base64(&statement.public_key)
            .is_ok_and(|k| package::key_id_of(k.keynum()) == statement.key_id);
        if !key_ok || statement.team_id.is_empty() || statement.team_id.len() > 64 {
            return Err(ApiError::unprocessable(
                "package_invalid",
                &format!("statements[{i}]: key id, public key or team id is not valid"),
            ));
        }
        statements.push((statement, s));
    }
    match state.db.vouch(&province.code, &statements).await? {
        Ok(n) => Ok(axum::Json(serde_json::json!({ "taken": n })).into_response()),
        Err(why) => Err(ApiError::new(StatusCode::CONFLICT, "conflict", &why)),
    }
}

/// Cases per answer of the national index.
const INDEX_PAGE: i64 = 5000;

/// `GET /api/v1/national-index/{since}`: the other provinces' cases whose offender entries
/// changed after `since`, signed by the national key (`protocol::IndexDelta`).
async fn national_index(
    State(state): State<Shared>,
    UrlPath(since): UrlPath<String>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let path = format!("{API}/national-index/{since}");
    let (_, province) = authenticate(&state, &headers, &method, &path, 0).await?;
    let since: i64 = since
        .parse()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| ApiError::bad_request("since: a generation number (0 or more) is required"))?;
    let (cases, generation, more) = state.db.index_since(&province.code, since, INDEX_PAGE).await?;
    let delta = crate::protocol::IndexDelta {
        generated_at: chrono::Utc::now(),
        expires_at: None,
        epoch: None,
        since,
        generation,
        more,
        cases,
    };
    Ok(axum::Json(SignedIndex::sign(&state.secret, &delta, "anchi national offender index")).into_response())
}

/// `POST /api/v1/status`: a province relays its laptops' live status events; the answer is
/// what the other provinces' index says of those subjects, signed.
async fn status(
    State(state): State<Shared>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let max = super::live::MAX_STATUS_BYTES;
    let (auth, province) = authenticate(&state, &headers, &method, &format!("{API}/status"), max).await?;
    let bytes = read_body(state.limits.body, body, &auth).await?;
    let events = super::live::read_events(&bytes)?;
    state.db.record_status(&province.code, &events).await?;
    let ids: Vec<String> = events.iter().filter_map(|e| e.subject_identifier.clone()).collect();
    let entries = state.db.entries_about(&province.code, &ids).await?;
    let now = chrono::Utc::now();
    let valid = chrono::Duration::days(super::ingest::INDEX_VALID_DAYS);
    let index = crate::protocol::OffenderIndex { generated_at: now, expires_at: now + valid, entries };
    Ok(axum::Json(SignedIndex::sign(&state.secret, &index, "anchi national offender index")).into_response())
}

async fn national_key(State(state): State<Shared>) -> Response {
    axum::Json(serde_json::json!({ "key_id": state.keys.key_id, "public_key": state.keys.public_key })).into_response()
}

/// Removes the uploads left unfinished past their time (each under its own lock, so no
/// chunk is being written to it), the bytes of starts that never became an upload, and the
/// locks of uploads no request holds.
async fn sweep(state: &NationalState) {
    let expiry = chrono::Duration::from_std(state.limits.upload_expiry).unwrap_or(chrono::Duration::MAX);
    let Ok(old) = state.db.expired_uploads(chrono::Utc::now() - expiry).await else { return };
    for u in old {
        let lock = state.lock(&u.upload_id);
        let _one_at_a_time = lock.lock().await;
        if state.db.remove_upload(&u.upload_id).await.is_ok() {
            let _ = std::fs::remove_file(state.part(&u.upload_id));
        }
    }
    let Ok(open) = state.db.uploads().await else { return };
    let open: std::collections::HashSet<String> = open.into_iter().map(|u| u.upload_id).collect();
    let old_enough =
        |m: &std::fs::Metadata| m.modified().ok().and_then(|t| t.elapsed().ok()) > Some(state.limits.upload_expiry);
    for entry in std::fs::read_dir(&state.uploads_dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let stray = name.strip_suffix(".part").is_some_and(|id| !open.contains(id));
        if stray && entry.metadata().is_ok_and(|m| old_enough(&m)) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    state
        .upload_locks
        .lock()
        .expect("upload locks")
        .retain(|id, lock| open.contains(id) || Arc::strong_count(lock) > 1);
}

/// Serves the national API on `listen` until the process ends (unfinished uploads past
/// their time removed at start and every hour).
pub async fn serve(state: NationalState, listen: SocketAddr, cert: PathBuf, key: PathBuf) -> Result<(), String> {
    let limits = state.limits.clone();
    let state = Arc::new(state);
    let sweeping = state.clone();
    tokio::spawn(async move {
        loop {
            sweep(&sweeping).await;
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    });
    super::transport::serve_app(router(state), &limits, listen, &cert, &key).await
}
