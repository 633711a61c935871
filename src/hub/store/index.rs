//! The offender index as the hub serves it to its laptops (issue 23): one record per case —
//! its entries as its newest package or the national index gives them — numbered by the
//! generation of its last change, kept in the transaction that changes the case. A laptop
//! asks for the records after the generation it holds, a page at a time, so a request
//! reads a page of records, never every case.
//!
//! Each change takes the next generation and drops the case's record at its old one, so
//! the table holds one record per case: reading it from 0 gives the whole index. A case
//! gone from the index keeps an empty record, which tells a laptop to drop its copy.

use redb::{ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{CASES, HubStore, HubStoreError, IndexedCase, META, decode, encode, outbox};
use crate::protocol::OffenderEntry;

/// Each case's record by the generation of its last change.
const INDEX: TableDefinition<u64, &[u8]> = TableDefinition::new("offender_index");
/// The generation of each case's record.
const INDEX_AT: TableDefinition<u128, u64> = TableDefinition::new("offender_index_at");
/// The cases each identifier is recorded under, as recorded: the answer to a live status
/// event reads these cases, not every case.
const BY_IDENTIFIER: TableDefinition<(&str, u128), ()> = TableDefinition::new("offender_index_ids");
/// The last generation given.
const GENERATION: &str = "offender_index_generation";
/// Set once the records of the cases stored before this table existed were made.
const FILLED: &str = "offender_index_filled";
/// This index's own name, made once: a laptop's copy taken from another hub's index (or
/// from this one before its file was replaced) is taken again from nothing.
const EPOCH: &str = "offender_index_epoch";

/// A case's entries in the index, as the hub last had them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IndexRecord {
    pub case_id: Uuid,
    /// Empty when the case is gone from the index.
    pub entries: Vec<OffenderEntry>,
}

/// Records a case's entries inside the transaction that changed them: a new generation,
/// unless the case's record already says the same.
pub(super) fn changed(tx: &WriteTransaction, case_id: Uuid, entries: &[OffenderEntry]) -> Result<(), HubStoreError> {
    let mut at = tx.open_table(INDEX_AT)?;
    let mut index = tx.open_table(INDEX)?;
    let old = at.get(case_id.as_u128())?.map(|v| v.value());
    let record: Option<IndexRecord> = match old {
        Some(old) => index.get(old)?.map(|v| decode("offender_index", v.value())).transpose()?,
        None => None,
    };
    if record.as_ref().is_some_and(|r| r.entries == entries) || (old.is_none() && entries.is_empty()) {
        // The same, or never listed and still not: nothing to tell.
        return Ok(());
    }
    if let Some(old) = old {
        index.remove(old)?;
    }
    let mut ids = tx.open_table(BY_IDENTIFIER)?;
    for id in identifiers(record.as_ref().map_or(&[][..], |r| &r.entries)) {
        ids.remove((id, case_id.as_u128()))?;
    }
    for id in identifiers(entries) {
        ids.insert((id, case_id.as_u128()), ())?;
    }
    let mut meta = tx.open_table(META)?;
    let next = meta.get(GENERATION)?.map(|v| decode::<u64>("meta", v.value())).transpose()?.unwrap_or(0) + 1;
    meta.insert(GENERATION, encode(&next).as_slice())?;
    let record = IndexRecord { case_id, entries: entries.to_vec() };
    index.insert(next, encode(&record).as_slice())?;
    at.insert(case_id.as_u128(), next)?;
    Ok(())
}

/// The identifiers entries are recorded under, each once.
fn identifiers(entries: &[OffenderEntry]) -> std::collections::BTreeSet<&str> {
    entries.iter().filter_map(|e| e.identifier.as_deref()).filter(|id| !id.is_empty()).collect()
}

/// Makes the records of the cases a hub of before this table stored (once, at open): the
/// province's cases first, then the national index's copy; [`changed`] files their
/// identifiers as it makes each.
pub(super) fn fill(tx: &WriteTransaction) -> Result<(), HubStoreError> {
    tx.open_table(INDEX)?;
    tx.open_table(INDEX_AT)?;
    tx.open_table(BY_IDENTIFIER)?;
    let mut meta = tx.open_table(META)?;
    if meta.get(EPOCH)?.is_none() {
        meta.insert(EPOCH, encode(&new_epoch()).as_slice())?;
    }
    let filled = meta.get(FILLED)?.is_some();
    drop(meta);
    if filled {
        return Ok(());
    }
    let mut held: Vec<(Uuid, Vec<OffenderEntry>)> = Vec::new();
    let mut own = std::collections::HashSet::new();
    for row in tx.open_table(CASES)?.iter()? {
        let case: IndexedCase = decode("cases", row?.1.value())?;
        own.insert(case.case_id);
        held.push((case.case_id, case.entries));
    }
    // The province's own cases are in the index from their packages, never the nation's.
    for row in tx.open_table(outbox::NATIONAL)?.iter()? {
        let (key, value) = row?;
        let case_id = Uuid::from_u128(key.value());
        if !own.contains(&case_id) {
            held.push((case_id, decode("national_index", value.value())?));
        }
    }
    for (case_id, entries) in held {
        changed(tx, case_id, &entries)?;
    }
    tx.open_table(META)?.insert(FILLED, encode(&true).as_slice())?;
    Ok(())
}

fn new_epoch() -> String {
    Uuid::new_v4().simple().to_string()
}

/// A page of the index's changes ([`HubStore::index_since`]).
#[derive(Debug, Clone, PartialEq)]
pub struct IndexPage {
    /// The generation the page follows: the one asked for, or 0 when the hub never reached
    /// it (a copy from another hub, or from before a restore) and the copy must start again.
    pub since: u64,
    /// The generation of the page's last record (`since` when there is none).
    pub generation: u64,
    /// Whether records follow this page.
    pub more: bool,
    pub records: Vec<IndexRecord>,
    /// The index's own name ([`EPOCH`]).
    pub epoch: String,
}

impl HubStore {
    /// Gives the index a new name ([`EPOCH`]): every laptop's copy is taken again.
    pub fn renew_index_epoch(&self) -> Result<String, HubStoreError> {
        let epoch = new_epoch();
        self.put(META, EPOCH, &epoch)?;
        Ok(epoch)
    }

    /// The last generation of the index (0: nothing yet).
    pub fn index_generation(&self) -> Result<u64, HubStoreError> {
        Ok(self.get(META, GENERATION)?.unwrap_or(0))
    }

    /// The records changed after generation `since`, oldest change first, at most `limit`
    /// (from 0, the cases gone from the index are left out: a copy from nothing needs no
    /// word of them).
    pub fn index_since(&self, since: u64, limit: usize) -> Result<IndexPage, HubStoreError> {
        let tx = self.db.begin_read()?;
        let meta = tx.open_table(META)?;
        let reached: u64 = meta.get(GENERATION)?.map(|v| decode("meta", v.value())).transpose()?.unwrap_or(0);
        let epoch: String = meta.get(EPOCH)?.map(|v| decode("meta", v.value())).transpose()?.unwrap_or_default();
        let since = if since > reached { 0 } else { since };
        let index = tx.open_table(INDEX)?;
        let mut records = Vec::new();
        let mut generation = since;
        let mut more = false;
        // From 0, the records of cases gone are stepped over; a request reads at most
        // `limit` of them besides, and says more follows.
        let mut stepped = 0;
        for row in index.range(since + 1..)? {
            let (key, value) = row?;
            if records.len() == limit || stepped == limit {
                more = true;
                break;
            }
            generation = key.value();
            let record: IndexRecord = decode("offender_index", value.value())?;
            if since > 0 || !record.entries.is_empty() {
                records.push(record);
            } else {
                stepped += 1;
            }
        }
        Ok(IndexPage { since, generation, more, records, epoch })
    }

    /// The records of the cases with an entry recorded under one of `identifiers` (as
    /// recorded), in case order.
    pub fn index_records_about(
        &self,
        identifiers: &std::collections::HashSet<&str>,
    ) -> Result<Vec<IndexRecord>, HubStoreError> {
        let tx = self.db.begin_read()?;
        let ids = tx.open_table(BY_IDENTIFIER)?;
        let mut cases = std::collections::BTreeSet::new();
        for id in identifiers.iter().filter(|id| !id.is_empty()) {
            for row in ids.range((*id, 0u128)..=(*id, u128::MAX))? {
                cases.insert(row?.0.value().1);
            }
        }
        let (at, index) = (tx.open_table(INDEX_AT)?, tx.open_table(INDEX)?);
        let mut records = Vec::new();
        for case in cases {
            let Some(generation) = at.get(case)?.map(|v| v.value()) else { continue };
            if let Some(value) = index.get(generation)? {
                records.push(decode("offender_index", value.value())?);
            }
        }
        Ok(records)
    }

    /// Every case's record in the index (the whole index, for an answer that searches it all).
    pub fn index_records(&self) -> Result<Vec<IndexRecord>, HubStoreError> {
        let mut records: Vec<IndexRecord> = self.all(INDEX)?;
        records.retain(|r| !r.entries.is_empty());
        Ok(records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(case_id: Uuid, name: &str) -> OffenderEntry {
        OffenderEntry {
            identifier: Some("0101234567".into()),
            folded_name: name.to_lowercase(),
            name: name.into(),
            province: Some(1),
            commune: None,
            team_id: "T01".into(),
            case_id,
            act: String::new(),
            provision: String::new(),
            decided_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(),
            fine_vnd: None,
            kind: crate::protocol::EntryKind::Sanction,
            unit: None,
            decision: None,
        }
    }

    #[test]
    fn the_cases_of_an_identifier_are_found_without_reading_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let store = HubStore::open(dir.path()).unwrap();
        let change = |id: u128, identifier: Option<&str>| {
            let mut e = entry(Uuid::from_u128(id), "X");
            e.identifier = identifier.map(str::to_string);
            let tx = store.db.begin_write().unwrap();
            changed(&tx, e.case_id, &[e][..identifier.map_or(0, |_| 1)]).unwrap();
            tx.commit().unwrap();
        };
        change(1, Some("0101234567"));
        change(2, Some("0101234567"));
        change(3, Some("079123456789"));
        let about = |ids: &[&str]| -> Vec<u128> {
            let set = ids.iter().copied().collect();
            store.index_records_about(&set).unwrap().iter().map(|r| r.case_id.as_u128()).collect()
        };
        assert_eq!(about(&["0101234567"]), [1, 2]);
        assert_eq!(about(&["0101234567", "079123456789", "khác"]), [1, 2, 3]);
        // Case 2 now under another identifier, case 3 gone from the index.
        change(2, Some("0300000000"));
        change(3, None);
        assert_eq!(about(&["0101234567", "079123456789"]), [1]);
        assert_eq!(about(&["0300000000"]), [2]);
        assert_eq!(about(&[""]), Vec::<u128>::new());
    }

    #[test]
    fn a_change_moves_a_case_to_the_end_and_a_page_follows_from_where_the_copy_is() {
        let dir = tempfile::tempdir().unwrap();
        let store = HubStore::open(dir.path()).unwrap();
        let [a, b, c] = [1u128, 2, 3].map(Uuid::from_u128);
        let change = |id, entries: &[OffenderEntry]| {
            let tx = store.db.begin_write().unwrap();
            changed(&tx, id, entries).unwrap();
            tx.commit().unwrap();
        };
        change(a, &[entry(a, "A")]);
        change(b, &[entry(b, "B")]);
        change(c, &[entry(c, "C")]);
        // The same entries again: no new generation.
        change(b, &[entry(b, "B")]);
        assert_eq!(store.index_generation().unwrap(), 3);
        // A changed: it moves after C, and its old record is gone.
        change(a, &[entry(a, "A2")]);
        let whole = store.index_since(0, 10).unwrap();
        let names: Vec<&str> = whole.records.iter().map(|r| r.entries[0].name.as_str()).collect();
        assert_eq!((names, whole.generation, whole.more), (vec!["B", "C", "A2"], 4, false));
        // Two at a time: a page says there is more, the next follows from its generation.
        let first = store.index_since(0, 2).unwrap();
        assert_eq!((first.records.len(), first.generation, first.more), (2, 3, true));
        let next = store.index_since(first.generation, 2).unwrap();
        assert_eq!((next.since, next.records.len(), next.generation, next.more), (3, 1, 4, false));
        // Gone from the index: an empty record tells the copy; nothing after it: an empty page.
        change(c, &[]);
        let gone = store.index_since(4, 10).unwrap();
        assert_eq!((gone.records[0].case_id, gone.records[0].entries.len(), gone.generation), (c, 0, 5));
        let epoch = gone.epoch.clone();
        assert_eq!(epoch.len(), 32);
        let nothing = IndexPage { since: 5, generation: 5, more: false, records: vec![], epoch: epoch.clone() };
        assert_eq!(store.index_since(5, 10).unwrap(), nothing);
        // A generation the hub never reached: the copy starts again from 0, where a case gone
        // from the index is not named.
        let restart = store.index_since(99, 10).unwrap();
        assert_eq!((restart.since, restart.records.len(), restart.generation), (0, 2, 5));
        assert_eq!(store.index_records().unwrap().len(), 2);
        // The index keeps its name when the hub opens its file again; another hub's differs.
        drop(store);
        assert_eq!(HubStore::open(dir.path()).unwrap().index_since(0, 1).unwrap().epoch, epoch);
        let other = tempfile::tempdir().unwrap();
        assert_ne!(HubStore::open(other.path()).unwrap().index_since(0, 1).unwrap().epoch, epoch);
        // From 0, a run of cases gone is stepped over a page's worth at a time: an empty
        // page that moves forward and says more follows.
        let store = HubStore::open(dir.path()).unwrap();
        let change = |id, entries: &[OffenderEntry]| {
            let tx = store.db.begin_write().unwrap();
            changed(&tx, id, entries).unwrap();
            tx.commit().unwrap();
        };
        change(b, &[]);
        change(a, &[entry(a, "A3")]);
        let stepped = store.index_since(0, 1).unwrap();
        assert_eq!((stepped.records.len(), stepped.generation, stepped.more), (0, 5, true));
        let next = store.index_since(stepped.generation, 5).unwrap();
        let names: Vec<usize> = next.records.iter().map(|r| r.entries.len()).collect();
        assert_eq!((names, next.generation, next.more), (vec![0, 1], 7, false), "from 5: B gone, then A");
        drop(store);
        // Renewed (after a restore): another name.
        let store = HubStore::open(dir.path()).unwrap();
        let renewed = store.renew_index_epoch().unwrap();
        assert_eq!((store.index_since(0, 1).unwrap().epoch != epoch, renewed.len()), (true, 32));
    }
}
