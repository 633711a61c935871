//! Live case status on the hub: each case's newest stage as its laptop reported it (for the
//! pages' "đang kiểm tra"), and the queue of status events to relay to the national server.

use chrono::{DateTime, Utc};
use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::{Deserialize, Serialize};

use super::{HubStore, HubStoreError, META, decode, encode};
use crate::protocol::StatusEvent;

/// Each case's newest reported status, by case id.
pub(super) const LIVE: TableDefinition<u128, &[u8]> = TableDefinition::new("live_status");
/// Status events waiting to be relayed upstream, by queue number.
pub(super) const STATUS_OUT: TableDefinition<u64, &[u8]> = TableDefinition::new("status_out");
const NEXT: &str = "status_out_next";

/// A case's status as the hub heard it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Live {
    pub event: StatusEvent,
    pub received_at: DateTime<Utc>,
}

impl HubStore {
    /// Keeps the events (the team already the sender's) and queues them for the national
    /// server, in one transaction; an event older than the one held for its case is kept
    /// out of the pages but still relayed.
    pub fn record_status(&self, events: &[StatusEvent]) -> Result<(), HubStoreError> {
        let now = Utc::now();
        let tx = self.db.begin_write()?;
        {
            let mut live = tx.open_table(LIVE)?;
            let mut out = tx.open_table(STATUS_OUT)?;
            let mut meta = tx.open_table(META)?;
            let mut next: u64 = meta.get(NEXT)?.map(|v| decode("meta", v.value())).transpose()?.unwrap_or(0);
            for event in events {
                let key = event.case_id.as_u128();
                let held: Option<Live> = live.get(key)?.map(|v| decode("live_status", v.value())).transpose()?;
                if held.is_none_or(|h| h.event.at <= event.at) {
                    live.insert(key, encode(&Live { event: event.clone(), received_at: now }).as_slice())?;
                }
                out.insert(next, encode(event).as_slice())?;
                next += 1;
            }
            meta.insert(NEXT, encode(&next).as_slice())?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every case's newest reported status.
    pub fn live(&self) -> Result<Vec<Live>, HubStoreError> {
        self.all(LIVE)
    }

    /// Up to `n` status events waiting to be relayed, oldest first, with their numbers.
    pub fn status_queued(&self, n: usize) -> Result<Vec<(u64, StatusEvent)>, HubStoreError> {
        let tx = self.db.begin_read()?;
        let t = tx.open_table(STATUS_OUT)?;
        let mut out = Vec::new();
        for row in t.iter()?.take(n) {
            let (k, v) = row?;
            out.push((k.value(), decode("status_out", v.value())?));
        }
        Ok(out)
    }

    pub fn status_queued_count(&self) -> Result<u64, HubStoreError> {
        Ok(self.db.begin_read()?.open_table(STATUS_OUT)?.len()?)
    }

    /// Status events the national server took, out of the queue.
    pub fn status_relayed(&self, numbers: &[u64]) -> Result<(), HubStoreError> {
        let tx = self.db.begin_write()?;
        {
            let mut t = tx.open_table(STATUS_OUT)?;
            for n in numbers {
                t.remove(*n)?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}
