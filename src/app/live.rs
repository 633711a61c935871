//! Live case status (issue 18): the hub hears within seconds, while the laptop is online,
//! that a case was opened and each change of its stage — the case, the team, the stage, the
//! subject's identifier and commune, no document content. What the hub has not heard yet is
//! worked out from the list rows against the stages it acknowledged (kept in `meta`), so an
//! offline laptop loses nothing: it sends the newest stage of each case on reconnect. The
//! hub answers with the offender entries it knows of those subjects (other teams, other
//! provinces), signed; they join the province's index in memory, so the case shows them at once.

use std::collections::HashMap;

use chrono::Utc;
use uuid::Uuid;

use super::{AppError, Workspace};
use crate::domain::Stage;
use crate::protocol::{MAX_STATUS_EVENTS, OffenderEntry, StatusEvent};
use crate::sync::{Client, SyncError};

/// How far back a change is still told (what the hub takes).
pub const LIVE_DAYS: i64 = 29;
/// Entries the hub told in its answers (by case, kind and day: newest kept).
pub(crate) const TOLD_KEY: &str = "live.told";

/// What a pass of live status did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveReport {
    /// Events sent and acknowledged.
    pub sent: usize,
    /// Entries the hub told that the laptop did not have.
    pub told: usize,
}

impl Workspace {
    /// The events the hub has not heard: each case changed in the last [`LIVE_DAYS`] whose
    /// stage differs from the one it acknowledged (a case it never heard of: its stage now),
    /// dated by its last change (now, when that was today).
    pub fn pending_status(&self) -> Result<Vec<StatusEvent>, AppError> {
        let heard: HashMap<Uuid, Stage> = self.store.heard()?;
        let team = self.own_team();
        let now = Utc::now();
        let today = chrono::Local::now().date_naive();
        Ok(self
            .list_cases()?
            .into_iter()
            .filter(|row| heard.get(&row.id) != Some(&row.stage))
            .filter_map(|row| {
                let changed = row.milestones.iter().map(|m| m.on).chain([row.opened_at.date()]).max()?;
                if (today - changed).num_days() > LIVE_DAYS {
                    return None;
                }
                // A change of today: now; of another day: the end of that day, so that a later
                // change is never dated before one the hub already holds.
                let at = if changed == today {
                    now
                } else {
                    let end = changed.and_hms_opt(23, 59, 59).expect("the end of a day exists");
                    end.and_local_timezone(chrono::Local).earliest().map_or(now, |t| t.with_timezone(&Utc)).min(now)
                };
                Some(StatusEvent {
                    case_id: row.id,
                    team_id: team.clone(),
                    stage: row.stage,
                    // An identifier longer than the hub takes is left out (the stage still goes).
                    subject_identifier: row.subject_identifier.clone().filter(|id| id.len() <= 64),
                    province: row.subject_province,
                    commune: row.subject_commune,
                    at,
                })
            })
            .collect())
    }

    /// Sends what the hub has not heard (oldest cases first, a request per hundred), keeps
    /// what it acknowledged and the entries it told. Nothing pending: no request.
    pub fn send_status(&self, client: &Client) -> Result<LiveReport, AppError> {
        let hub_key = self.server_settings()?.hub_key.and_then(|k| minisign::PublicKey::from_base64(&k).ok());
        let mut report = LiveReport::default();
        for batch in self.pending_status()?.chunks(MAX_STATUS_EVENTS) {
            let signed = client.status(batch)?;
            let answer = signed.open(hub_key.as_ref()).map_err(SyncError::Protocol)?;
            let action = format!("live.told: the hub told of {} subject(s)", batch.len());
            let mut kept: Vec<OffenderEntry> = self.store.meta(TOLD_KEY)?.unwrap_or_default();
            let before = kept.len();
            for entry in answer.entries {
                let key = (entry.case_id, entry.kind, entry.decided_on);
                kept.retain(|e| (e.case_id, e.kind, e.decided_on) != key);
                kept.push(entry);
            }
            let told = kept.len().saturating_sub(before);
            self.store.write(&self.actor(), |w| {
                for e in batch {
                    w.put_heard(e.case_id, e.stage)?;
                }
                if told > 0 {
                    w.put_meta(TOLD_KEY, &kept, &action)?;
                }
                Ok::<(), AppError>(())
            })?;
            report.sent += batch.len();
            report.told += told;
        }
        if report.told > 0 {
            self.load_offender_index(|_| {})?;
        }
        Ok(report)
    }
}
