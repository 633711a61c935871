//! Forwarding to the national server (`anchi-hub upstream set`): a thread takes the outbox
//! first in, first out, and sends each package with the laptops' own upload client
//! (`sync::Client`: signed requests — here with the hub's key —, resumable chunks, an
//! idempotent start), after the statements of the teams' keys the national server does not
//! have yet. A package leaves the outbox only with the national server's receipt; while the
//! national server cannot be reached the thread waits, doubling up to 5 minutes; a package
//! it refuses stays queued, is tried again an hour later, and is named in `upstream status`.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use super::HubState;
use super::store::{HubStoreError, Queued, Upstream};
use crate::protocol::{IndexDelta, KeyStatement, SignedStatement};
use crate::sync::{Client, PassEnd, Retry, Schedule, SyncError};

/// How long a refused package waits before it is tried again.
const REFUSED_RETRY: chrono::TimeDelta = chrono::TimeDelta::hours(1);
/// Packages read from the outbox at a time.
const BATCH: usize = 64;

/// Wakes the forwarding thread when a package is queued.
#[derive(Default)]
pub struct Bell {
    rung: Mutex<bool>,
    cond: Condvar,
}

impl Bell {
    pub fn ring(&self) {
        *self.rung.lock().expect("bell lock") = true;
        self.cond.notify_one();
    }

    /// Waits until rung or `wait` passed.
    fn wait(&self, wait: Duration) {
        let rung = self.rung.lock().expect("bell lock");
        let (mut rung, _) = self.cond.wait_timeout_while(rung, wait, |r| !*r).expect("bell lock");
        *rung = false;
    }
}

/// Starts the forwarding thread (it idles while no upstream is set).
pub fn start(state: Arc<HubState>) {
    std::thread::Builder::new().name("upstream".into()).spawn(move || run(&state)).expect("the system starts a thread");
}

fn run(state: &HubState) {
    let mut schedule = Schedule::default();
    schedule.every = Duration::from_secs(30);
    schedule.retry =
        Retry { attempts: u32::MAX, first_delay: Duration::from_secs(1), max_delay: Duration::from_secs(300) };
    let mut last_error = None;
    loop {
        // No national server set yet: looked for again every few seconds.
        if state.store.upstream().ok().flatten().is_none() {
            std::thread::sleep(Duration::from_secs(3));
            continue;
        }
        let sent_before = sent(state);
        let result = pass(state);
        // A pass that forwarded something before it was cut starts the waits afresh.
        if result.is_err() && sent(state) > sent_before {
            schedule.after(PassEnd::Done);
        }
        let end = match result {
            Ok(end) => {
                last_error = None;
                end
            }
            Err(e) => {
                // Said once per kind of trouble, not at every attempt.
                if last_error.as_ref() != Some(&e) {
                    eprintln!("anchi-hub: forwarding to the national server: {e}");
                    let _ = state.store.forward_failed(None, &e);
                    last_error = Some(e);
                }
                PassEnd::Unreachable
            }
        };
        // A refusal of the connection itself (key not enrolled, wrong CA) waits for a change
        // of settings: tried again every 10 minutes.
        let wait = schedule.after(end).unwrap_or(Duration::from_secs(600));
        if end == PassEnd::Done {
            state.upstream_bell.wait(wait);
        } else {
            std::thread::sleep(wait);
        }
    }
}

fn sent(state: &HubState) -> u64 {
    state.store.upstream_status().map(|s| s.sent).unwrap_or_default()
}

/// One pass over the outbox; `Err` says why the national server could not be reached.
fn pass(state: &HubState) -> Result<PassEnd, String> {
    let store_error = |e: HubStoreError| e.to_string();
    let Some(upstream) = state.store.upstream().map_err(store_error)? else { return Ok(PassEnd::Done) };
    let client = client(state, &upstream).map_err(|e| e.to_string())?;
    let national_key = upstream.national_key.as_deref().and_then(|k| minisign::PublicKey::from_base64(k).ok());
    vouch(state, &client).map_err(|e| e.to_string())?;
    let end = forward_queued(state, &client, national_key.as_ref())?;
    if end == PassEnd::Done {
        relay_status(state, &client)?;
        pull_index(state, &client, national_key.as_ref())?;
    }
    Ok(end)
}

/// Relays the laptops' live status events, a hundred at a time; a batch the national server
/// refuses is said in the log and dropped (a stage is told again at its next change).
fn relay_status(state: &HubState, client: &Client) -> Result<(), String> {
    loop {
        let batch = state.store.status_queued(crate::protocol::MAX_STATUS_EVENTS).map_err(|e| e.to_string())?;
        if batch.is_empty() {
            return Ok(());
        }
        let events = batch;
        match client.status(&events) {
            Ok(_) => {}
            Err(SyncError::Refused { refusal, .. }) => {
                eprintln!("anchi-hub: the national server refused {} status events: {}", events.len(), refusal.message);
            }
            Err(e) => return Err(e.to_string()),
        }
        state.store.status_relayed(&events).map_err(|e| e.to_string())?;
    }
}

/// Takes what changed in the national offender index since the copy held, page by page;
/// only with the national key set (an index that cannot be checked is not taken).
fn pull_index(state: &HubState, client: &Client, national_key: Option<&minisign::PublicKey>) -> Result<(), String> {
    let Some(key) = national_key else { return Ok(()) };
    loop {
        let since = state.store.national_generation().map_err(|e| e.to_string())?;
        let signed = client.national_index(since).map_err(|e| e.to_string())?;
        let delta: IndexDelta = signed.open_as(Some(key)).map_err(|e| format!("national index: {e}"))?;
        if delta.since != since {
            return Err(format!("national index: asked from {since}, answered from {}", delta.since));
        }
        state.store.apply_national(&delta).map_err(|e| e.to_string())?;
        if !delta.more {
            return Ok(());
        }
    }
}

/// Forwards the queued packages, first in, first out.
fn forward_queued(
    state: &HubState,
    client: &Client,
    national_key: Option<&minisign::PublicKey>,
) -> Result<PassEnd, String> {
    let store_error = |e: HubStoreError| e.to_string();
    let mut after = None;
    loop {
        let batch = state.store.queued_after(after, BATCH).map_err(store_error)?;
        let Some(&(last, _)) = batch.last() else { return Ok(PassEnd::Done) };
        after = Some(last);
        for (number, item) in batch {
            let waiting =
                item.refused.is_some() && item.tried_at.is_some_and(|t| chrono::Utc::now() - t < REFUSED_RETRY);
            if waiting {
                continue;
            }
            match forward(state, client, national_key, &item) {
                Ok(receipt) => state.store.forwarded(number, &item.package_id, &receipt).map_err(store_error)?,
                Err(SyncError::Unreachable(why)) => return Err(why),
                Err(e @ (SyncError::Tls(_) | SyncError::Settings(_))) => {
                    let _ = state.store.forward_failed(None, &e.to_string());
                    return Ok(PassEnd::Refused);
                }
                // A request signed too early or seen twice: the next pass signs it anew.
                Err(SyncError::Refused { refusal, .. }) if retried(&refusal.error) => {
                    return Err(format!("{}: {}", refusal.error, refusal.message));
                }
                // The province itself refused (its key unknown or revoked): not one package's fault.
                Err(SyncError::Refused { status: 401 | 403, refusal }) => {
                    let _ = state.store.forward_failed(None, &format!("{}: {}", refusal.error, refusal.message));
                    return Ok(PassEnd::Refused);
                }
                Err(e) => {
                    eprintln!("anchi-hub: the national server refused package {}: {e}", item.package_id);
                    state.store.forward_failed(Some((number, true)), &e.to_string()).map_err(store_error)?;
                }
            }
        }
    }
}

/// Refusals of a request that the same request signed anew passes (clock, replay).
fn retried(code: &str) -> bool {
    matches!(code, "stale_request" | "replayed_request")
}

fn client(state: &HubState, upstream: &Upstream) -> Result<Client, SyncError> {
    let mut client = Client::new(&upstream.url, upstream.ca_pem.as_bytes(), &state.keys.key_id, state.secret.clone())?;
    // The pass itself waits between attempts (Schedule); within it, a cut is tried again
    // a few times, resuming from the national server's offset.
    client.retry = Retry { attempts: 3, first_delay: Duration::from_millis(200), max_delay: Duration::from_secs(2) };
    Ok(client)
}

/// Sends the statements of the teams' keys that changed since the national server took them.
fn vouch(state: &HubState, client: &Client) -> Result<(), SyncError> {
    let teams = state.store.teams().map_err(|e| SyncError::Settings(e.to_string()))?;
    let mut changed = Vec::new();
    for team in &teams {
        for key in &team.keys {
            let statement = KeyStatement {
                hub_key_id: state.keys.key_id.clone(),
                team_id: team.team_id.clone(),
                team_name: team.name.clone(),
                key_id: key.key_id.clone(),
                public_key: key.public_key.clone(),
                enrolled_at: key.added_at,
                revoked_at: key.revoked_at,
            };
            let signed = SignedStatement::sign(&state.secret, &statement);
            let known = state.store.vouched(&key.key_id).map_err(|e| SyncError::Settings(e.to_string()))?;
            if known.as_deref() != Some(signed.statement.as_str()) {
                changed.push((key.key_id.clone(), signed));
            }
        }
    }
    let taken = |key_id: &str, s: &SignedStatement| {
        state.store.set_vouched(key_id, &s.statement).map_err(|e| SyncError::Settings(e.to_string()))
    };
    for chunk in changed.chunks(super::national::MAX_STATEMENTS) {
        let signed: Vec<SignedStatement> = chunk.iter().map(|(_, s)| s.clone()).collect();
        match client.vouch(&signed) {
            Ok(_) => chunk.iter().try_for_each(|(key_id, s)| taken(key_id, s))?,
            // One statement refused (a key the national server holds otherwise): the others
            // go one by one; the refused one is said and not sent again until it changes.
            Err(SyncError::Refused { status: 409 | 422, .. }) => {
                for (key_id, s) in chunk {
                    match client.vouch(std::slice::from_ref(s)) {
                        Ok(_) => {}
                        Err(SyncError::Refused { refusal, .. }) => {
                            let why = format!("key {key_id}: {}: {}", refusal.error, refusal.message);
                            eprintln!("anchi-hub: the national server refused the statement of {why}");
                            let _ = state.store.forward_failed(None, &why);
                        }
                        Err(e) => return Err(e),
                    }
                    taken(key_id, s)?;
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Sends one package, unsealed (the national server checks the team's signature inside;
/// the transport is TLS), and checks the national receipt when its key is known.
fn forward(
    state: &HubState,
    client: &Client,
    national_key: Option<&minisign::PublicKey>,
    item: &Queued,
) -> Result<crate::protocol::SignedReceipt, SyncError> {
    // A package this hub cannot read is that package's trouble, not the connection's.
    let local = |e: String| SyncError::Protocol(format!("reading stored package {}: {e}", item.package_id));
    let bytes = std::fs::read(state.store.package_file(&item.sha256)).map_err(|e| local(e.to_string()))?;
    let plain = if crate::package::is_sealed(&bytes) {
        crate::package::unseal(&bytes, &state.keys.age_identity).map_err(|e| local(e.to_string()))?
    } else {
        bytes
    };
    let (receipt, _) = client.upload(&item.package_id, &plain, &|_, _| {})?;
    let opened = receipt.open(national_key).map_err(|e| SyncError::Protocol(format!("national receipt: {e}")))?;
    if opened.package_id != item.package_id {
        return Err(SyncError::Protocol(format!("a receipt for {} instead of {}", opened.package_id, item.package_id)));
    }
    Ok(receipt)
}
