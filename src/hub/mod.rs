//! The provincial server `anchi-hub` (feature `hub`): HTTPS only (rustls), axum on tokio,
//! its own redb store. Teams upload signed case packages through a resumable, idempotent
//! API (`docs/hub-api.md`); province staff log in to a small server-rendered view.

pub mod cli;
pub mod ingest;
pub mod law;
pub mod limits;
pub mod live;
pub mod national;
pub mod store;
pub mod transport;
mod upstream;
pub(crate) mod web;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};

use crate::protocol::{API, Auth, OFFSET_HEADER, Refusal, StartUpload, Started};
pub use limits::Limits;
use store::{HubStore, HubStoreError, Team, Upload};
use transport::{Caller, Gate, read_body};

/// The largest chunk of an upload one request may carry.
pub const MAX_CHUNK_BYTES: u64 = 16 * 1024 * 1024;
/// The largest small JSON body (the start of an upload).
const MAX_JSON_BYTES: u64 = 4096;

/// What every request handler shares.
pub struct HubState {
    pub store: HubStore,
    pub keys: store::HubKeys,
    pub secret: minisign::SecretKey,
    /// Bounds on connections, time and uploads.
    pub limits: Limits,
    /// The signed requests' checks (nonces, start time).
    gate: Gate,
    /// Logged-in staff by session token.
    sessions: Mutex<HashMap<String, web::Session>>,
    /// The reference data the pages name fields and goods groups with, count deadlines by
    /// and label the catalogue's acts from (this build's).
    pub reference: crate::reference::Reference,
    /// The rows the pages read, kept while the store's rows do not change.
    snapshot: Mutex<Option<Arc<web::Snapshot>>>,
    /// Held while the rows are read again, so that one request does it at a time.
    snapshot_reading: Mutex<()>,
    /// One upload's chunks at a time (per upload id).
    upload_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Bounds on the staff login's password checks.
    login: web::LoginGuard,
    /// Rung when a package is queued for the national server.
    upstream_bell: upstream::Bell,
}

impl HubState {
    pub fn new(store: HubStore, limits: Limits) -> Result<HubState, String> {
        let keys = store.keys().map_err(|e| e.to_string())?.ok_or("the hub has no keys: run `anchi-hub init` first")?;
        let secret = minisign::SecretKeyBox::from_string(&keys.secret_key)
            .and_then(|b| b.into_unencrypted_secret_key())
            .map_err(|e| format!("hub key: {e}"))?;
        Ok(HubState {
            store,
            keys,
            secret,
            limits,
            gate: Gate::default(),
            sessions: Mutex::default(),
            reference: crate::reference::Reference::embedded(),
            snapshot: Mutex::default(),
            snapshot_reading: Mutex::default(),
            login: web::LoginGuard::default(),
            upload_locks: Mutex::default(),
            upstream_bell: upstream::Bell::default(),
        })
    }
}

/// A refusal or failure, as the JSON body `{"error": code, "message": …}` with a status.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub refusal: Refusal,
    /// The current offset, for an offset mismatch.
    pub offset: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: &str) -> ApiError {
        ApiError { status, refusal: Refusal { error: code.into(), message: message.into() }, offset: None }
    }
    pub fn unprocessable(code: &str, message: &str) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }
    pub fn unauthorised(code: &str, message: &str) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, code, message)
    }
    pub fn bad_request(message: &str) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
}

impl From<HubStoreError> for ApiError {
    fn from(e: HubStoreError) -> Self {
        eprintln!("anchi-hub: {e}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "storage", "the server could not store or read its data")
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        HubStoreError(e.to_string()).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.refusal)).into_response();
        if let Some(offset) = self.offset {
            response.headers_mut().insert(OFFSET_HEADER, offset.into());
        }
        response
    }
}

type Shared = Arc<HubState>;

/// The API and the province view.
pub fn router(state: Shared) -> Router {
    Router::new()
        .route(&format!("{API}/uploads"), post(start_upload))
        .route(&format!("{API}/uploads/{{id}}"), patch(send_chunk).get(upload_state))
        .route(&format!("{API}/uploads/{{id}}/finish"), post(finish_upload))
        .route(&format!("{API}/offender-index"), get(offender_index))
        .route(&format!("{API}/offender-index/{{since}}"), get(offender_changes))
        .route(&format!("{API}/status"), post(live::status))
        .route(&format!("{API}/hub-key"), get(hub_key))
        .route(&format!("{API}/law"), get(law::version))
        .route(&format!("{API}/law/pack"), get(law::pack))
        .merge(web::routes().layer(axum::middleware::from_fn_with_state(state.clone(), web::bounded_body)))
        .layer(axum::middleware::map_response(web::security_headers))
        .with_state(state)
}

/// Checks the signed header of an API request before any body is read: a known, unrevoked
/// key, a fresh time, a nonce not seen before, a good signature, a body not too large.
fn authenticate(
    state: &HubState,
    headers: &HeaderMap,
    method: &Method,
    path: &str,
    max: u64,
) -> Result<(Auth, Team), ApiError> {
    let auth = Gate::header(headers)?;
    let (team, key) = state
        .store
        .key_owner(&auth.key_id)?
        .ok_or_else(|| ApiError::unauthorised("unknown_key", &format!("device key {} is not enrolled", auth.key_id)))?;
    let caller = Caller { public_key: &key.public_key, revoked: key.revoked_at.is_some(), what: "device key" };
    state.gate.admit(&auth, headers, method, path, max, &caller)?;
    Ok((auth, team))
}

fn refuse_blocking<T>(result: Result<Result<T, ApiError>, tokio::task::JoinError>) -> Result<T, ApiError> {
    result.unwrap_or_else(|e| Err(HubStoreError(e.to_string()).into()))
}

/// The start of an upload read and checked: an id, a size within the bounds, a SHA-256
/// (lower-cased: hex digits in either case name the same hash).
fn check_start(bytes: &[u8], limits: &Limits) -> Result<StartUpload, ApiError> {
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let mut start: StartUpload = serde_path_to_error::deserialize(&mut reader)
        .map_err(|e| ApiError::bad_request(&format!("start of upload: {}: {}", e.path(), e.inner())))?;
    let hex_ok = start.sha256.len() == 64 && start.sha256.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex_ok || start.package_id.is_empty() || start.package_id.len() > 100 || start.size == 0 {
        return Err(ApiError::bad_request("package_id, size and sha256 (64 hex digits) are required"));
    }
    if start.size > limits.max_package_bytes {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            &format!("a package may have at most {} bytes", limits.max_package_bytes),
        ));
    }
    start.sha256 = start.sha256.to_lowercase();
    Ok(start)
}

/// A chunk's `Upload-Offset`, checked against where the upload is and its declared size.
fn check_offset(headers: &HeaderMap, at: u64, size: u64, chunk: u64) -> Result<u64, ApiError> {
    let offset = headers
        .get(OFFSET_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .ok_or_else(|| ApiError::bad_request("the Upload-Offset header is required"))?;
    if offset != at {
        let mut e = ApiError::new(StatusCode::CONFLICT, "offset_mismatch", &format!("the upload is at {at}"));
        e.offset = Some(at);
        return Err(e);
    }
    if offset + chunk > size {
        return Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "the chunk goes past the declared size"));
    }
    Ok(offset)
}

async fn start_upload(
    State(state): State<Shared>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let path = format!("{API}/uploads");
    let (auth, team) = authenticate(&state, &headers, &method, &path, MAX_JSON_BYTES)?;
    let bytes = read_body(state.limits.body, body, &auth).await?;
    let start = check_start(&bytes, &state.limits)?;
    if let Some(stored) = state.store.package(&start.package_id)? {
        // A receipt is only ever given to the team that sent the package.
        if stored.info.sha256 == start.sha256 && stored.info.team_id == team.team_id {
            return Ok(axum::Json(Started::Stored { receipt: stored.receipt }).into_response());
        }
        return Err(ApiError::new(StatusCode::CONFLICT, "conflict", "this package id is stored with other content"));
    }
    expire_uploads(&state, chrono::Utc::now())?;
    let open: Vec<Upload> = state.store.uploads()?.into_iter().filter(|u| u.team_id == team.team_id).collect();
    let open: Vec<transport::Open> = open
        .iter()
        .map(|u| transport::Open {
            upload_id: &u.upload_id,
            package_id: &u.package_id,
            sha256: &u.sha256,
            size: u.size,
            offset: u.offset,
        })
        .collect();
    if let Some(resumed) = transport::resume_or_refuse(&open, &start, &state.limits, "team")? {
        return Ok(resumed);
    }
    let upload = Upload {
        upload_id: uuid::Uuid::now_v7().simple().to_string(),
        team_id: team.team_id,
        package_id: start.package_id,
        size: start.size,
        sha256: start.sha256,
        offset: 0,
        started_at: chrono::Utc::now(),
    };
    std::fs::File::create(state.store.upload_file(&upload.upload_id))?;
    state.store.put_upload(&upload)?;
    let s = Started::Upload { upload_id: upload.upload_id, offset: 0, size: upload.size };
    Ok((StatusCode::CREATED, axum::Json(s)).into_response())
}

/// Removes the uploads not finished within the expiry time, with their bytes; an upload
/// whose chunk is being written now is left for the next sweep. Returns how many went.
fn expire_uploads(state: &HubState, now: chrono::DateTime<chrono::Utc>) -> Result<usize, ApiError> {
    let expiry = chrono::Duration::from_std(state.limits.upload_expiry).unwrap_or(chrono::Duration::MAX);
    let mut removed = 0;
    for upload in state.store.uploads()? {
        if upload.started_at + expiry > now {
            continue;
        }
        let lock =
            state.upload_locks.lock().expect("upload locks").entry(upload.upload_id.clone()).or_default().clone();
        let Ok(_held) = lock.try_lock() else { continue };
        state.store.remove_upload(&upload.upload_id)?;
        let _ = std::fs::remove_file(state.store.upload_file(&upload.upload_id));
        state.upload_locks.lock().expect("upload locks").remove(&upload.upload_id);
        removed += 1;
    }
    // A part file with no upload record (a hub stopped between the two) goes the same way.
    let known: std::collections::HashSet<String> =
        state.store.uploads()?.into_iter().map(|u| format!("{}.part", u.upload_id)).collect();
    let entries = std::fs::read_dir(state.store.uploads_dir()).into_iter().flatten().flatten();
    for entry in entries {
        let old = entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
        let name = entry.file_name().to_string_lossy().into_owned();
        if !known.contains(&name) && old.is_some_and(|age| age > state.limits.upload_expiry) {
            let _ = std::fs::remove_file(entry.path());
            removed += 1;
        }
    }
    Ok(removed)
}

/// The upload of this team with this id.
fn own_upload(state: &HubState, id: &str, team: &Team) -> Result<Upload, ApiError> {
    match state.store.upload(id)? {
        Some(u) if u.team_id == team.team_id => Ok(u),
        _ => {
            Err(ApiError::new(StatusCode::NOT_FOUND, "unknown_upload", "no such upload (finished, or another team's)"))
        }
    }
}

fn offset_answer(upload: &Upload) -> Response {
    transport::offset_answer(&upload.upload_id, upload.offset, upload.size)
}

async fn upload_state(
    State(state): State<Shared>,
    UrlPath(id): UrlPath<String>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (_, team) = authenticate(&state, &headers, &method, &format!("{API}/uploads/{id}"), 0)?;
    Ok(offset_answer(&own_upload(&state, &id, &team)?))
}

async fn send_chunk(
    State(state): State<Shared>,
    UrlPath(id): UrlPath<String>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (auth, team) = authenticate(&state, &headers, &method, &format!("{API}/uploads/{id}"), MAX_CHUNK_BYTES)?;
    let lock = state.upload_locks.lock().expect("upload locks").entry(id.clone()).or_default().clone();
    let _one_at_a_time = lock.lock().await;
    let mut upload = own_upload(&state, &id, &team)?;
    let offset = check_offset(&headers, upload.offset, upload.size, auth.size)?;
    let bytes = read_body(state.limits.body, body, &auth).await?;
    let file = state.store.upload_file(&id);
    let state2 = state.clone();
    let upload = tokio::task::spawn_blocking(move || -> Result<Upload, ApiError> {
        transport::write_chunk(&file, offset, &bytes)?;
        upload.offset = offset + bytes.len() as u64;
        state2.store.put_upload(&upload)?;
        Ok(upload)
    })
    .await;
    Ok(offset_answer(&refuse_blocking(upload)?))
}

async fn finish_upload(
    State(state): State<Shared>,
    UrlPath(id): UrlPath<String>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (_, team) = authenticate(&state, &headers, &method, &format!("{API}/uploads/{id}/finish"), 0)?;
    let lock = state.upload_locks.lock().expect("upload locks").entry(id.clone()).or_default().clone();
    let _one_at_a_time = lock.lock().await;
    let upload = own_upload(&state, &id, &team)?;
    if upload.offset != upload.size {
        let mut e = ApiError::new(
            StatusCode::CONFLICT,
            "incomplete",
            &format!("{} of {} bytes received", upload.offset, upload.size),
        );
        e.offset = Some(upload.offset);
        return Err(e);
    }
    let state2 = state.clone();
    let receipt = tokio::task::spawn_blocking(move || {
        // A hub stopped after moving the file to its final name but before recording it
        // finds the bytes there.
        let part = state2.store.upload_file(&upload.upload_id);
        let bytes = std::fs::read(&part).or_else(|_| std::fs::read(state2.store.package_file(&upload.sha256)))?;
        let result = ingest::ingest(&state2, &upload, &bytes);
        if result.is_err() {
            // A refused package is not kept, and its upload is closed.
            let _ = std::fs::remove_file(state2.store.upload_file(&upload.upload_id));
            state2.store.remove_upload(&upload.upload_id)?;
        }
        result
    })
    .await;
    state.upload_locks.lock().expect("upload locks").remove(&id);
    Ok(axum::Json(refuse_blocking(receipt)?).into_response())
}

async fn offender_index(State(state): State<Shared>, method: Method, headers: HeaderMap) -> Result<Response, ApiError> {
    let (_, team) = authenticate(&state, &headers, &method, &format!("{API}/offender-index"), 0)?;
    let state2 = state.clone();
    let index = tokio::task::spawn_blocking(move || ingest::offender_index(&state2, &team.team_id)).await;
    Ok(axum::Json(refuse_blocking(index)?).into_response())
}

/// `GET /api/v1/offender-index/{since}`: the page of the province's offender index after
/// the generation a laptop holds (`ingest::offender_changes`).
async fn offender_changes(
    State(state): State<Shared>,
    UrlPath(since): UrlPath<String>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (_, team) = authenticate(&state, &headers, &method, &format!("{API}/offender-index/{since}"), 0)?;
    let since: u64 =
        since.parse().map_err(|_| ApiError::bad_request("since: a generation number (0 or more) is required"))?;
    let state2 = state.clone();
    let page = tokio::task::spawn_blocking(move || ingest::offender_changes(&state2, &team.team_id, since)).await;
    Ok(axum::Json(refuse_blocking(page)?).into_response())
}

async fn hub_key(State(state): State<Shared>) -> Response {
    let body = serde_json::json!({
        "key_id": state.keys.key_id,
        "public_key": state.keys.public_key,
        "age_recipient": state.keys.age_recipient,
    });
    axum::Json(body).into_response()
}

/// Serves HTTPS on `listen` until the process ends. Prints `listening on https://ADDR` on
/// standard output once bound (the port is chosen by the system when `listen` has port 0).
pub async fn serve(state: HubState, listen: SocketAddr, cert: PathBuf, key: PathBuf) -> Result<(), String> {
    let limits = state.limits.clone();
    let state = Arc::new(state);
    // Unfinished uploads past their time are removed at start and every hour.
    let sweeping = state.clone();
    tokio::spawn(async move {
        loop {
            let state = sweeping.clone();
            let swept = tokio::task::spawn_blocking(move || expire_uploads(&state, chrono::Utc::now())).await;
            if let Ok(Ok(n)) = swept
                && n > 0
            {
                eprintln!("anchi-hub: removed {n} expired unfinished uploads");
            }
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    });
    // Packages received are forwarded to the national server, when one is set.
    upstream::start(state.clone());
    transport::serve_app(router(state), &limits, listen, &cert, &key).await
}
