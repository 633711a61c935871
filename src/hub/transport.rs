//! What every HTTPS server of `anchi-hub` shares (the province's and the national one):
//! the signed-request gate passed before any body is read, the bounded body read, and TLS
//! serving within the connection and time bounds.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Mutex;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, StatusCode, header};
use sha2::{Digest, Sha256};

use super::{ApiError, Limits, limits};
use crate::protocol::{Auth, MAX_SKEW_SECS};

/// The key a request claims to be signed with, as the server has it enrolled.
pub struct Caller<'a> {
    pub public_key: &'a str,
    pub revoked: bool,
    /// What the key is, for the refusal ("device key", "province key").
    pub what: &'static str,
}

/// What every signed API request passes before its body is read (the hub's and the
/// national server's): the nonces seen lately and the moment the process started.
pub struct Gate {
    /// Nonces seen in the last few minutes, against replayed requests.
    nonces: Mutex<HashMap<String, i64>>,
    /// When this process started: the nonces before it are not known, so a request signed
    /// earlier is taken for a replay (a client signs every attempt anew).
    started_at: i64,
}

impl Default for Gate {
    fn default() -> Self {
        Gate { nonces: Mutex::default(), started_at: chrono::Utc::now().timestamp() }
    }
}

impl Gate {
    /// The request's `Authorization: Anchi-Sig …` header, read.
    pub fn header(headers: &HeaderMap) -> Result<Auth, ApiError> {
        let value = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or_else(|| {
            ApiError::unauthorised("unauthenticated", "an Anchi-Sig authorization header is required")
        })?;
        Auth::parse(value).map_err(|e| ApiError::unauthorised("bad_authorization", &e))
    }

    /// Admits a request signed by `caller`'s key: unrevoked, a fresh time, a good
    /// signature, a nonce not seen before, a body of at most `max` bytes as declared.
    pub fn admit(
        &self,
        auth: &Auth,
        headers: &HeaderMap,
        method: &Method,
        path: &str,
        max: u64,
        caller: &Caller,
    ) -> Result<(), ApiError> {
        if caller.revoked {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "revoked_key",
                &format!("{} {} is revoked", caller.what, auth.key_id),
            ));
        }
        let now = chrono::Utc::now().timestamp();
        // abs_diff: a forged time at the edge of i64 must not overflow before the check.
        if now.abs_diff(auth.time) > MAX_SKEW_SECS.unsigned_abs() {
            return Err(ApiError::unauthorised(
                "stale_request",
                "the request's time is more than 5 minutes from the server's",
            ));
        }
        let public = minisign::PublicKey::from_base64(caller.public_key)
            .map_err(|_| ApiError::unauthorised("unknown_key", "the enrolled key cannot be read"))?;
        auth.verify(&public, method.as_str(), path).map_err(|e| ApiError::unauthorised("bad_signature", &e))?;
        if auth.time < self.started_at {
            return Err(ApiError::unauthorised(
                "replayed_request",
                "the request was signed before the server started; sign it again",
            ));
        }
        {
            let mut nonces = self.nonces.lock().expect("nonce lock");
            nonces.retain(|_, t| now - *t <= 2 * MAX_SKEW_SECS);
            if nonces.insert(format!("{}:{}", auth.key_id, auth.nonce), now).is_some() {
                return Err(ApiError::unauthorised("replayed_request", "this request was already received"));
            }
        }
        if auth.size > max {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                &format!("at most {max} bytes per request"),
            ));
        }
        let declared =
            headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n != auth.size) {
            return Err(ApiError::bad_request("Content-Length differs from the signed size"));
        }
        Ok(())
    }
}

/// Reads a body of exactly the signed size and hash, in at most the body time.
pub async fn read_body(limit: std::time::Duration, body: Body, auth: &Auth) -> Result<Vec<u8>, ApiError> {
    let read = tokio::time::timeout(limit, axum::body::to_bytes(body, auth.size as usize)).await;
    let bytes = read
        .map_err(|_| {
            ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "slow_body",
                &format!("the body did not arrive within {} s", limit.as_secs()),
            )
        })?
        .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "the body is larger than signed"))?;
    if bytes.len() as u64 != auth.size || hex::encode(Sha256::digest(&bytes)) != auth.sha256 {
        return Err(ApiError::bad_request("the body differs from its signed size or SHA-256"));
    }
    Ok(bytes.to_vec())
}

/// An unfinished upload, as the start of another one sees it.
pub struct Open<'a> {
    pub upload_id: &'a str,
    pub package_id: &'a str,
    pub sha256: &'a str,
    pub size: u64,
    pub offset: u64,
}

/// Before a new upload starts: the answer resuming the sender's open upload of the same
/// package, a refusal when one is open with other content or the sender (`who`: team,
/// province) holds too many, or None: a new upload may start.
pub fn resume_or_refuse(
    open: &[Open],
    start: &crate::protocol::StartUpload,
    limits: &Limits,
    who: &str,
) -> Result<Option<axum::response::Response>, ApiError> {
    if let Some(existing) = open.iter().find(|u| u.package_id == start.package_id) {
        if existing.sha256 != start.sha256 || existing.size != start.size {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                "an upload of this package id with other content is open",
            ));
        }
        return Ok(Some(offset_answer(existing.upload_id, existing.offset, existing.size)));
    }
    let held: u64 = open.iter().map(|u| u.size).sum();
    if open.len() >= limits.team_open_uploads || held + start.size > limits.team_upload_bytes {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "upload_quota",
            &format!(
                "the {who} has {} unfinished uploads of {held} bytes (at most {} uploads, {} bytes): \
                 finish them, or wait for them to expire",
                open.len(),
                limits.team_open_uploads,
                limits.team_upload_bytes
            ),
        ));
    }
    Ok(None)
}

/// Where an upload stands, as the answer to a chunk or a question: the body and the
/// `Upload-Offset` header.
pub fn offset_answer(upload_id: &str, offset: u64, size: u64) -> axum::response::Response {
    use axum::response::IntoResponse;
    let body = crate::protocol::Started::Upload { upload_id: upload_id.to_string(), offset, size };
    let mut response = axum::Json(body).into_response();
    response.headers_mut().insert(crate::protocol::OFFSET_HEADER, offset.into());
    response
}

/// Writes an upload's chunk at its offset in the `.part` file, on disk before the caller
/// moves the upload's offset: a crash between the two only has the chunk sent again.
pub fn write_chunk(file: &Path, offset: u64, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new().write(true).open(file)?;
    f.seek(SeekFrom::Start(offset))?;
    f.write_all(bytes)?;
    f.sync_data()
}

/// Serves `app` over HTTPS on `listen` within `limits` until the process ends. Prints
/// `listening on https://ADDR` on standard output once bound (the port is chosen by the
/// system when `listen` has port 0).
pub async fn serve_app(
    app: Router,
    limits: &Limits,
    listen: SocketAddr,
    cert: &Path,
    key: &Path,
) -> Result<(), String> {
    let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
        .await
        .map_err(|e| format!("certificate {} or key {}: {e}", cert.display(), key.display()))?;
    let handle = axum_server::Handle::new();
    // Under TLS, the connection count: a refused connection is closed before its handshake.
    let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(tls)
        .handshake_timeout(limits.idle)
        .acceptor(limits::ConnectionLimit::new(limits));
    let mut server = axum_server::bind(listen)
        .acceptor(acceptor)
        .handle(handle.clone())
        .first_request_timeout(limits.idle)
        .accept_error_handler(log_refused_connection);
    // A connection silent for the idle time between requests or inside a request's
    // headers is closed (hyper's header-read timer runs from the wait for each request).
    server.http_builder().http1().header_read_timeout(limits.idle);
    let server = server.serve(app.into_make_service_with_connect_info::<SocketAddr>());
    let announce = async {
        if let Some(addr) = handle.listening().await {
            println!("listening on https://{addr}");
            use std::io::Write as _;
            let _ = std::io::stdout().flush();
        }
    };
    let (served, ()) = tokio::join!(server, announce);
    served.map_err(|e| format!("serving on {listen}: {e}"))
}

/// Says on standard error why connections are refused (at most once a second: a flood of
/// them must not become a flood of log lines).
fn log_refused_connection(from: Option<&SocketAddr>, e: &std::io::Error) {
    static LAST: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
    let now = chrono::Utc::now().timestamp();
    if LAST.swap(now, std::sync::atomic::Ordering::Relaxed) != now {
        let from = from.map(|a| a.ip().to_string()).unwrap_or_else(|| "?".into());
        eprintln!("anchi-hub: connection from {from} refused or dropped: {e}");
    }
}
