//! Live case status on the hub: each case's newest stage as its laptop reported it (for the
//! pages' "đang kiểm tra"), and the queue of status events to relay to the national server.

use chrono::{DateTime, Utc};
use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::{Deserialize, Serialize};

use super::{HubStore, HubStoreError, decode, encode};
use crate::protocol::StatusEvent;

/// Each case's newest reported status, by case id.
pub(super) const LIVE: TableDefinition<u128, &[u8]> = TableDefinition::new("live_status");
/// Status events waiting to be relayed upstream: each case's newest, by case id.
pub(super) const STATUS_OUT: TableDefinition<u128, &[u8]> = TableDefinition::new("status_out");

/// A case's status as the hub heard it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Live {
    pub event: StatusEvent,
    pub received_at: DateTime<Utc>,
}

impl HubStore {
    /// Keeps the events (the team already the sender's), each case's newest, and — with
    /// `relay`, when a national server is set — queues them for it (each case's newest only,
    /// so the queue is bounded by the cases), in one transaction.
    pub fn record_status(&self, events: &[StatusEvent], relay: bool) -> Result<(), HubStoreError> {
        let now = Utc::now();
        let tx = self.db.begin_write()?;
        {
            let mut live = tx.open_table(LIVE)?;
            let mut out = tx.open_table(STATUS_OUT)?;
            for event in events {
                let key = event.case_id.as_u128();
                let held: Option<Live> = live.get(key)?.map(|v| decode("live_status", v.value())).transpose()?;
                if held.is_some_and(|h| h.event.at > event.at) {
                    continue;
                }
                live.insert(key, encode(&Live { event: event.clone(), received_at: now }).as_slice())?;
                if relay {
                    out.insert(key, encode(event).as_slice())?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Every case's newest reported status.
    pub fn live(&self) -> Result<Vec<Live>, HubStoreError> {
        self.all(LIVE)
    }

    /// Up to `n` status events waiting to be relayed.
    pub fn status_queued(&self, n: usize) -> Result<Vec<StatusEvent>, HubStoreError> {
        let tx = self.db.begin_read()?;
        let t = tx.open_table(STATUS_OUT)?;
        let mut out = Vec::new();
        for row in t.iter()?.take(n) {
            out.push(decode("status_out", row?.1.value())?);
        }
        Ok(out)
    }

    pub fn status_queued_count(&self) -> Result<u64, HubStoreError> {
        Ok(self.db.begin_read()?.open_table(STATUS_OUT)?.len()?)
    }

    /// Status events the national server took, out of the queue (unless a newer one of the
    /// case came in meanwhile).
    pub fn status_relayed(&self, events: &[StatusEvent]) -> Result<(), HubStoreError> {
        let tx = self.db.begin_write()?;
        {
            let mut t = tx.open_table(STATUS_OUT)?;
            for e in events {
                let key = e.case_id.as_u128();
                let held: Option<StatusEvent> = t.get(key)?.map(|v| decode("status_out", v.value())).transpose()?;
                if held.as_ref() == Some(e) {
                    t.remove(key)?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }
}
