//! The province's outbox to the national server: every package the hub stores is queued in
//! the transaction that stores it, and leaves the queue only with the national server's
//! receipt (kept). Also the upstream's address and CA, what was last sent or refused, and
//! which team-key statements the national server already has.

use chrono::{DateTime, Utc};
use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::{HubStore, HubStoreError, META, PACKAGES, StoredPackage, decode, encode};
use crate::protocol::{IndexDelta, SignedReceipt};

/// Packages waiting to be forwarded, by queue number (first in, first out).
pub(super) const OUTBOX: TableDefinition<u64, &[u8]> = TableDefinition::new("outbox");
/// The national server's receipts of what was forwarded, by package id.
pub(super) const FORWARDED: TableDefinition<&str, &[u8]> = TableDefinition::new("forwarded");
/// The team-key statements the national server took, by device key id: the statement text.
pub(super) const VOUCHED: TableDefinition<&str, &[u8]> = TableDefinition::new("vouched");
/// The national offender index's entries of other provinces' cases, by case id.
pub(super) const NATIONAL: TableDefinition<u128, &[u8]> = TableDefinition::new("national_index");
const NATIONAL_GENERATION: &str = "national_generation";

const UPSTREAM: &str = "upstream";
const STATUS: &str = "upstream_status";
const NEXT: &str = "outbox_next";
/// Set once the packages stored before the outbox existed were queued.
const QUEUED_OLD: &str = "outbox_filled";

/// The national server this province forwards to (`anchi-hub upstream set`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Upstream {
    pub url: String,
    /// The CA certificate(s) the national server's certificate must chain to (PEM).
    pub ca_pem: String,
    /// The national server's public key (minisign base64): its receipts are checked with it.
    pub national_key: Option<String>,
}

/// A package waiting to be forwarded.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Queued {
    pub package_id: String,
    pub sha256: String,
    pub team_id: String,
    pub queued_at: DateTime<Utc>,
    pub attempts: u32,
    /// The national server's refusal, when it refused it (tried again later, never dropped).
    pub refused: Option<String>,
    pub tried_at: Option<DateTime<Utc>>,
}

/// How forwarding went, for `upstream status`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct UpstreamStatus {
    pub sent: u64,
    pub last_sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
}

/// Queues a stored package, inside the transaction that stores it.
pub(super) fn queue(tx: &WriteTransaction, package: &StoredPackage) -> Result<(), HubStoreError> {
    let mut meta = tx.open_table(META)?;
    let next: u64 = meta.get(NEXT)?.map(|v| decode("meta", v.value())).transpose()?.unwrap_or(0);
    meta.insert(NEXT, encode(&(next + 1)).as_slice())?;
    let item = Queued {
        package_id: package.info.package_id.clone(),
        sha256: package.info.sha256.clone(),
        team_id: package.info.team_id.clone(),
        queued_at: Utc::now(),
        attempts: 0,
        refused: None,
        tried_at: None,
    };
    tx.open_table(OUTBOX)?.insert(next, encode(&item).as_slice())?;
    Ok(())
}

/// Queues, once, every package stored before the outbox existed (oldest first).
pub(super) fn queue_old_packages(tx: &WriteTransaction) -> Result<(), HubStoreError> {
    if tx.open_table(META)?.get(QUEUED_OLD)?.is_some() {
        return Ok(());
    }
    let mut old: Vec<StoredPackage> = Vec::new();
    for row in tx.open_table(PACKAGES)?.iter()? {
        old.push(decode("packages", row?.1.value())?);
    }
    old.sort_by_key(|p| p.info.received_at);
    for package in &old {
        queue(tx, package)?;
    }
    tx.open_table(META)?.insert(QUEUED_OLD, encode(&true).as_slice())?;
    Ok(())
}

impl HubStore {
    pub fn upstream(&self) -> Result<Option<Upstream>, HubStoreError> {
        self.get(META, UPSTREAM)
    }

    /// Sets the national server; another server (address or key) starts afresh: it is sent
    /// every team-key statement again and its offender index is taken from the start.
    pub fn set_upstream(&self, upstream: &Upstream) -> Result<(), HubStoreError> {
        let tx = self.db.begin_write()?;
        {
            let mut meta = tx.open_table(META)?;
            let old: Option<Upstream> = meta.get(UPSTREAM)?.map(|v| decode("meta", v.value())).transpose()?;
            let same = old.is_some_and(|o| o.url == upstream.url && o.national_key == upstream.national_key);
            if !same {
                meta.remove(NATIONAL_GENERATION)?;
                drop(meta);
                tx.delete_table(VOUCHED)?;
                tx.delete_table(NATIONAL)?;
                tx.open_table(VOUCHED)?;
                tx.open_table(NATIONAL)?;
                meta = tx.open_table(META)?;
            }
            meta.insert(UPSTREAM, encode(upstream).as_slice())?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn upstream_status(&self) -> Result<UpstreamStatus, HubStoreError> {
        Ok(self.get(META, STATUS)?.unwrap_or_default())
    }

    /// Up to `n` queued packages after queue number `after`, oldest first, with their numbers.
    pub fn queued_after(&self, after: Option<u64>, n: usize) -> Result<Vec<(u64, Queued)>, HubStoreError> {
        let tx = self.db.begin_read()?;
        let t = tx.open_table(OUTBOX)?;
        let mut out = Vec::new();
        let rows = match after {
            Some(a) => t.range(a + 1..)?,
            None => t.range(0..)?,
        };
        for row in rows.take(n) {
            let (k, v) = row?;
            out.push((k.value(), decode("outbox", v.value())?));
        }
        Ok(out)
    }

    /// How many packages wait.
    pub fn queued_count(&self) -> Result<u64, HubStoreError> {
        let tx = self.db.begin_read()?;
        Ok(tx.open_table(OUTBOX)?.len()?)
    }

    /// A package forwarded: its national receipt kept, out of the queue, counted.
    pub fn forwarded(&self, number: u64, package_id: &str, receipt: &SignedReceipt) -> Result<(), HubStoreError> {
        let tx = self.db.begin_write()?;
        {
            tx.open_table(FORWARDED)?.insert(package_id, encode(receipt).as_slice())?;
            tx.open_table(OUTBOX)?.remove(number)?;
            let mut meta = tx.open_table(META)?;
            let mut status: UpstreamStatus =
                meta.get(STATUS)?.map(|v| decode("meta", v.value())).transpose()?.unwrap_or_default();
            status.sent += 1;
            status.last_sent_at = Some(Utc::now());
            meta.insert(STATUS, encode(&status).as_slice())?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The national server's receipt of a forwarded package.
    pub fn forwarded_receipt(&self, package_id: &str) -> Result<Option<SignedReceipt>, HubStoreError> {
        self.get(FORWARDED, package_id)
    }

    /// Records why forwarding failed: on the package when it was refused, and as the last error.
    pub fn forward_failed(&self, item: Option<(u64, bool)>, error: &str) -> Result<(), HubStoreError> {
        let tx = self.db.begin_write()?;
        {
            if let Some((number, refused)) = item {
                let mut outbox = tx.open_table(OUTBOX)?;
                let current: Option<Queued> = outbox.get(number)?.map(|v| decode("outbox", v.value())).transpose()?;
                if let Some(mut queued) = current {
                    queued.attempts += 1;
                    queued.refused = refused.then(|| error.to_string());
                    queued.tried_at = Some(Utc::now());
                    outbox.insert(number, encode(&queued).as_slice())?;
                }
            }
            let mut meta = tx.open_table(META)?;
            let mut status: UpstreamStatus =
                meta.get(STATUS)?.map(|v| decode("meta", v.value())).transpose()?.unwrap_or_default();
            status.last_error = Some(error.to_string());
            status.last_error_at = Some(Utc::now());
            meta.insert(STATUS, encode(&status).as_slice())?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The generation of the national index copy (0: none yet).
    pub fn national_generation(&self) -> Result<i64, HubStoreError> {
        Ok(self.get(META, NATIONAL_GENERATION)?.unwrap_or(0))
    }

    /// Takes a change of the national index, in one transaction: each case's entries
    /// replaced (removed when none), and the new generation.
    pub fn apply_national(&self, delta: &IndexDelta) -> Result<(), HubStoreError> {
        let tx = self.db.begin_write()?;
        {
            let mut t = tx.open_table(NATIONAL)?;
            let own = tx.open_table(super::CASES)?;
            for (case_id, entries) in &delta.cases {
                // The province's own cases are in the index from their packages.
                if own.get(case_id.as_u128())?.is_some() {
                    continue;
                }
                if entries.is_empty() {
                    t.remove(case_id.as_u128())?;
                } else {
                    t.insert(case_id.as_u128(), encode(entries).as_slice())?;
                }
                super::index::changed(&tx, *case_id, entries)?;
            }
            drop(own);
            tx.open_table(META)?.insert(NATIONAL_GENERATION, encode(&delta.generation).as_slice())?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The statement of a device key the national server last took.
    pub fn vouched(&self, key_id: &str) -> Result<Option<String>, HubStoreError> {
        self.get(VOUCHED, key_id)
    }

    pub fn set_vouched(&self, key_id: &str, statement: &str) -> Result<(), HubStoreError> {
        self.put(VOUCHED, key_id, &statement.to_string())
    }
}
