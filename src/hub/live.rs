//! `POST /api/v1/status` on the hub: a laptop's live case status (`protocol::StatusEvent`),
//! kept for the pages and queued for the national server, answered with what the province
//! knows of those subjects that the team does not (other teams, other provinces), signed.

use std::collections::HashSet;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use super::transport::read_body;
use super::{ApiError, Shared, authenticate, refuse_blocking};
use crate::protocol::{API, MAX_STATUS_EVENTS, StatusEvent};

/// The longest subject identifier an event may carry, in bytes (a laptop leaves a longer one out).
pub const MAX_IDENTIFIER: usize = 64;

/// The largest status request (a hundred events).
pub const MAX_STATUS_BYTES: u64 = 64 * 1024;

/// Reads and checks a request's events: at most [`MAX_STATUS_EVENTS`], each dated within
/// the last 30 days and not ahead of the clock, with short ids; the refusal names the event.
pub fn read_events(bytes: &[u8]) -> Result<Vec<StatusEvent>, ApiError> {
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let events: Vec<StatusEvent> = serde_path_to_error::deserialize(&mut reader)
        .map_err(|e| ApiError::bad_request(&format!("status: {}: {}", e.path(), e.inner())))?;
    if events.is_empty() || events.len() > MAX_STATUS_EVENTS {
        return Err(ApiError::bad_request(&format!("status: 1 to {MAX_STATUS_EVENTS} events")));
    }
    let now = chrono::Utc::now();
    for (i, e) in events.iter().enumerate() {
        let dated = e.at <= now + chrono::Duration::minutes(5) && e.at >= now - chrono::Duration::days(30);
        let short = e.team_id.len() <= 64 && e.subject_identifier.as_ref().is_none_or(|s| s.len() <= MAX_IDENTIFIER);
        if !dated || !short {
            return Err(ApiError::bad_request(&format!(
                "status[{i}]: the time must be within the last 30 days, the team id at most 64 and the identifier at most {MAX_IDENTIFIER} bytes"
            )));
        }
    }
    Ok(events)
}

pub(super) async fn status(
    State(state): State<Shared>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (auth, team) = authenticate(&state, &headers, &method, &format!("{API}/status"), MAX_STATUS_BYTES)?;
    let bytes = read_body(state.limits.body, body, &auth).await?;
    let mut events = read_events(&bytes)?;
    // The team is the sender's, whatever the body says.
    for e in &mut events {
        e.team_id.clone_from(&team.team_id);
    }
    let state2 = state.clone();
    let answer = tokio::task::spawn_blocking(move || {
        for e in &events {
            if state2.store.case(e.case_id)?.is_some_and(|c| c.team_id != team.team_id) {
                return Err(ApiError::new(StatusCode::CONFLICT, "case_owned", "this case belongs to another team"));
            }
        }
        let relay = state2.store.upstream()?.is_some();
        state2.store.record_status(&events, relay)?;
        state2.upstream_bell.ring();
        let ids: HashSet<&str> = events.iter().filter_map(|e| e.subject_identifier.as_deref()).collect();
        super::ingest::entries_about(&state2, &team.team_id, &ids)
    })
    .await;
    Ok(axum::Json(refuse_blocking(answer)?).into_response())
}
