//! The tamper-evident journal: every change appends an entry that names who, when, what,
//! the hash of the stored value, and the hash of the previous entry (a hash chain).
//!
//! A case's entries are found through an index by case ([`super::CASE_JOURNAL`]) that is
//! brought up to date only when the journal passes a multiple of [`INDEX_EVERY`] entries.
//! A redb commit costs by the pages it changes: 63 autosaves in 64 change the case and
//! the journal, not the index as well (the 64th files the 64 entries at once), and a
//! history reads the few entries past the index from the journal itself. Until then those
//! cases and entries are in small tables of their own, which the 64th moves into the main
//! ones ([`super::recent`]): the journal is read from both.

use chrono::{DateTime, Utc};
use redb::ReadableTable;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::recent::{self, CASES_RECENT, JOURNAL_RECENT};
use super::{CASE_JOURNAL, CASES, JOURNAL, Store, StoreError, open_if_exists, record};

/// How many journal entries the case index is brought up to date at a time (schema 10), and
/// the recent tables emptied into the main ones (schema 11).
pub(super) const INDEX_EVERY: u64 = 64;

/// The entry up to which the case index holds every entry of a case, in a journal whose
/// last entry is `last`: the last multiple of [`INDEX_EVERY`].
pub(super) fn indexed_to(last: u64) -> u64 {
    last - last % INDEX_EVERY
}

/// One journal entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub seq: u64,
    pub at: DateTime<Utc>,
    /// Who made the change (a member's card number, or `system`).
    pub actor: String,
    /// What was done, e.g. `case.import`, `document.finalise`.
    pub action: String,
    #[serde(default)]
    pub case_id: Option<Uuid>,
    /// SHA-256 of the stored record after the change (zero when nothing was stored).
    pub content_sha256: [u8; 32],
    pub prev_hash: [u8; 32],
    pub hash: [u8; 32],
}

/// The hashed part of an entry: everything but the hash itself.
#[derive(Serialize)]
struct Hashed<'a> {
    seq: u64,
    at: &'a DateTime<Utc>,
    actor: &'a str,
    action: &'a str,
    case_id: &'a Option<Uuid>,
    content_sha256: &'a [u8; 32],
    prev_hash: &'a [u8; 32],
}

impl JournalEntry {
    /// The hash this entry must carry.
    pub fn compute_hash(&self) -> [u8; 32] {
        let body = Hashed {
            seq: self.seq,
            at: &self.at,
            actor: &self.actor,
            action: &self.action,
            case_id: &self.case_id,
            content_sha256: &self.content_sha256,
            prev_hash: &self.prev_hash,
        };
        let bytes = postcard::to_stdvec(&body).expect("postcard serialises owned values");
        Sha256::digest(bytes).into()
    }
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Where the chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    pub seq: u64,
    pub reason: String,
}

/// The outcome of walking the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    pub entries: u64,
    pub cases_checked: u64,
    pub first_broken: Option<BrokenLink>,
}

impl Store {
    /// Every journal entry about one case, oldest first: the case's history. The index
    /// gives those up to its last boundary; the journal past it is read whole (fewer than
    /// [`INDEX_EVERY`] entries, but for the rest of a change that passed the boundary).
    pub fn history(&self, case_id: Uuid) -> Result<Vec<JournalEntry>, StoreError> {
        let tx = self.db.begin_read()?;
        let index = tx.open_table(CASE_JOURNAL)?;
        let journal = tx.open_table(JOURNAL)?;
        let recent = open_if_exists(&tx, JOURNAL_RECENT)?;
        let id = case_id.as_u128();
        let boundary = indexed_to(recent::last_seq(&journal, recent.as_ref())?);
        let mut out = Vec::new();
        // A transaction that passes a boundary indexes its entries past it too: those are
        // taken from the journal below, once.
        for row in index.range((id, 0)..=(id, boundary))? {
            let (key, _) = row?;
            let seq = key.value().1;
            let value = recent::entry(&journal, recent.as_ref(), seq)?.ok_or(StoreError::Decode {
                table: "case_journal",
                detail: format!("index names journal entry {seq}, which does not exist"),
            })?;
            out.push(record::decode("journal", value.value())?);
        }
        for row in recent::entries(&journal, recent.as_ref(), boundary + 1..)? {
            let entry: JournalEntry = record::decode("journal", row?.1.value())?;
            if entry.case_id == Some(case_id) {
                out.push(entry);
            }
        }
        Ok(out)
    }

    /// Walks the journal: every entry's hash, every link to the previous entry, that each
    /// stored case (as read: its recent row, else its main row; a main row under a recent
    /// one is replaced at the next boundary and not checked) is the one its latest journal
    /// entry describes, and that the index by case
    /// files every entry up to its boundary under its case and nothing else (a history is
    /// read through it: an entry taken out of the index would vanish from the case's history
    /// with the chain still whole).
    pub fn verify_journal(&self) -> Result<AuditReport, StoreError> {
        let tx = self.db.begin_read()?;
        let journal = tx.open_table(JOURNAL)?;
        let recent = open_if_exists(&tx, JOURNAL_RECENT)?;
        let mut expected_prev = [0u8; 32];
        let mut latest_content = std::collections::HashMap::new();
        let mut report = AuditReport { entries: 0, cases_checked: 0, first_broken: None };
        // Every entry of a case, (case, seq): what the index must hold up to its boundary.
        let mut filed = Vec::new();
        for (expected_seq, row) in (1u64..).zip(recent::entries(&journal, recent.as_ref(), ..)?) {
            let (key, value) = row?;
            let broken = |reason: String| Some(BrokenLink { seq: key, reason });
            let entry: JournalEntry = match record::decode("journal", value.value()) {
                Ok(e) => e,
                Err(e) => {
                    report.first_broken = broken(format!("entry cannot be decoded: {e}"));
                    return Ok(report);
                }
            };
            report.entries += 1;
            let problem = if key != expected_seq || entry.seq != expected_seq {
                Some(format!("expected entry {expected_seq}, found key {key} seq {}", entry.seq))
            } else if entry.prev_hash != expected_prev {
                Some("previous-hash link does not match the entry before".to_string())
            } else if entry.compute_hash() != entry.hash {
                Some("entry content does not match its hash".to_string())
            } else {
                None
            };
            if let Some(reason) = problem {
                report.first_broken = broken(reason);
                return Ok(report);
            }
            if let Some(id) = entry.case_id {
                latest_content.insert(id.as_u128(), (entry.seq, entry.content_sha256));
                filed.push((id.as_u128(), entry.seq));
            }
            expected_prev = entry.hash;
        }
        let boundary = indexed_to(recent::last_seq(&journal, recent.as_ref())?);
        if let Some(broken) = check_index(&tx, boundary, filed)? {
            report.first_broken = Some(broken);
            return Ok(report);
        }
        // Each stored case as read: its recent row, else its main row.
        let mut newer = std::collections::BTreeMap::new();
        if let Some(recent) = open_if_exists(&tx, CASES_RECENT)? {
            for row in recent.iter()? {
                let (key, value) = row?;
                newer.insert(key.value(), value.value().to_vec());
            }
        }
        let cases = tx.open_table(CASES)?;
        let mut main = cases.iter()?.map(|row| row.map(|(key, value)| (key.value(), value.value().to_vec())));
        let cases_read = std::iter::from_fn(|| match main.next() {
            Some(Ok((key, value))) => Some(Ok((key, newer.remove(&key).unwrap_or(value)))),
            Some(Err(e)) => Some(Err(e)),
            None => newer.pop_first().map(Ok),
        });
        for row in cases_read {
            let (key, value) = row?;
            report.cases_checked += 1;
            let id = Uuid::from_u128(key);
            let reason = match latest_content.get(&key) {
                None => Some((0, format!("case {id} has no journal entry"))),
                Some((seq, hash)) if *hash != sha256(&value) => {
                    Some((*seq, format!("case {id} differs from what journal entry {seq} recorded")))
                }
                Some(_) => None,
            };
            if let Some((seq, reason)) = reason {
                report.first_broken = Some(BrokenLink { seq, reason });
                return Ok(report);
            }
        }
        Ok(report)
    }
}

/// Where the case index and the journal (whose entries of a case are `filed`) disagree: an
/// entry up to the index's boundary that it does not file under its case, or a row that
/// names an entry of another case or none. A transaction that passes a boundary files its
/// entries past it too, so rows past the boundary are allowed when they are right.
fn check_index(
    tx: &redb::ReadTransaction,
    boundary: u64,
    mut filed: Vec<(u128, u64)>,
) -> Result<Option<BrokenLink>, StoreError> {
    filed.sort_unstable();
    let index = tx.open_table(CASE_JOURNAL)?;
    let mut expected = filed.iter().filter(|(_, seq)| *seq <= boundary).peekable();
    for row in index.iter()? {
        let (case, seq) = row?.0.value();
        // Entries the index should hold before this row, and does not.
        if let Some(&&(missing_case, missing)) = expected.peek().filter(|k| ***k < (case, seq)) {
            let case = Uuid::from_u128(missing_case);
            return Ok(Some(BrokenLink {
                seq: missing,
                reason: format!("the case index does not file entry {missing} under case {case}"),
            }));
        }
        if expected.peek() == Some(&&(case, seq)) {
            expected.next();
        } else if filed.binary_search(&(case, seq)).is_err() {
            let case = Uuid::from_u128(case);
            return Ok(Some(BrokenLink {
                seq,
                reason: format!("the case index files entry {seq} under case {case}, which it is not about"),
            }));
        }
    }
    Ok(expected.next().map(|&(case, seq)| BrokenLink {
        seq,
        reason: format!("the case index does not file entry {seq} under case {}", Uuid::from_u128(case)),
    }))
}

impl super::Writer {
    /// Appends a journal entry for a change whose stored bytes are `content`.
    pub(super) fn journal(&mut self, action: &str, case_id: Option<Uuid>, content: &[u8]) -> Result<(), StoreError> {
        self.journal_hashes(case_id, [(action, sha256(content))])
    }

    /// Appends a journal entry for each change of `case_id` (or of no case), in order: its
    /// action and the SHA-256 of the stored bytes after it.
    pub(super) fn journal_hashes<'a>(
        &mut self,
        case_id: Option<Uuid>,
        changes: impl IntoIterator<Item = (&'a str, [u8; 32])>,
    ) -> Result<(), StoreError> {
        let mut journal = self.tx.open_table(JOURNAL)?;
        let mut journal_recent = self.tx.open_table(JOURNAL_RECENT)?;
        for (action, content_sha256) in changes {
            let mut entry = JournalEntry {
                seq: self.next_seq,
                at: Utc::now(),
                actor: self.actor.clone(),
                action: action.to_string(),
                case_id,
                content_sha256,
                prev_hash: self.prev_hash,
                hash: [0; 32],
            };
            entry.hash = entry.compute_hash();
            let table = if self.passed_boundary() { &mut journal } else { &mut journal_recent };
            table.insert(entry.seq, record::encode(&entry).as_slice())?;
            // A change of no case (a setting, a user) is filed under none.
            if let Some(id) = case_id {
                self.by_case.push((id.as_u128(), entry.seq));
            }
            self.next_seq += 1;
            self.prev_hash = entry.hash;
            // The boundary is passed: what the recent tables hold moves now, and the rest of
            // this transaction writes to the main tables.
            if entry.seq.is_multiple_of(INDEX_EVERY) {
                self.move_recent(&mut journal, &mut journal_recent)?;
            }
        }
        Ok(())
    }

    /// Files this transaction's entries in the case index if the journal passes a
    /// boundary ([`INDEX_EVERY`]), with the entries since the last boundary that earlier
    /// transactions left to it. Called once, just before the commit.
    pub(super) fn index_by_case(&mut self) -> Result<(), StoreError> {
        if !self.passed_boundary() {
            return Ok(());
        }
        self.index_entries(indexed_to(self.first_seq - 1) + 1..self.first_seq)?;
        let mut index = self.tx.open_table(CASE_JOURNAL)?;
        for key in self.by_case.drain(..) {
            index.insert(key, ())?;
        }
        Ok(())
    }

    /// Files the stored journal entries `seqs` under their cases in the case index.
    pub(super) fn index_entries(
        &self,
        seqs: impl std::ops::RangeBounds<u64> + Clone + 'static,
    ) -> Result<(), StoreError> {
        let journal = self.tx.open_table(JOURNAL)?;
        let recent = self.tx.open_table(JOURNAL_RECENT)?;
        let mut index = self.tx.open_table(CASE_JOURNAL)?;
        for row in recent::entries(&journal, Some(&recent), seqs)? {
            let entry: JournalEntry = record::decode("journal", row?.1.value())?;
            if let Some(id) = entry.case_id {
                index.insert((id.as_u128(), entry.seq), ())?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seqs of `case`'s entries, found by walking the whole journal.
    fn walked(store: &Store, case: Uuid) -> Vec<u64> {
        let tx = store.db.begin_read().unwrap();
        let (journal, recent) = (tx.open_table(JOURNAL).unwrap(), tx.open_table(JOURNAL_RECENT).unwrap());
        let entries = recent::entries(&journal, Some(&recent), ..).unwrap();
        let entries = entries.map(|row| record::decode::<JournalEntry>("journal", row.unwrap().1.value()));
        entries.map(Result::unwrap).filter(|e| e.case_id == Some(case)).map(|e| e.seq).collect()
    }

    /// The journal's last seq and the keys of the case index.
    fn index(store: &Store) -> (u64, Vec<(u128, u64)>) {
        let tx = store.db.begin_read().unwrap();
        let (journal, recent) = (tx.open_table(JOURNAL).unwrap(), tx.open_table(JOURNAL_RECENT).unwrap());
        let last = recent::last_seq(&journal, Some(&recent)).unwrap();
        let index = tx.open_table(CASE_JOURNAL).unwrap();
        (last, index.iter().unwrap().map(|row| row.unwrap().0.value()).collect())
    }

    #[test]
    fn the_case_index_is_written_when_the_journal_passes_a_boundary_and_histories_stay_whole() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.redb")).unwrap();
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let seqs = |case: Uuid| store.history(case).unwrap().iter().map(|e| e.seq).collect::<Vec<_>>();
        // One entry per change, as autosaves make them: of one case, of the other, of none.
        for n in 0..3 * INDEX_EVERY {
            let case = [Some(a), Some(b), None][n as usize % 3];
            store.write("test", |w| w.journal_hashes(case, [("test.step", [0; 32])])).unwrap();
            let (last, keys) = index(&store);
            let mut expected: Vec<(u128, u64)> = [a, b]
                .iter()
                .flat_map(|c| walked(&store, *c).into_iter().map(|seq| (c.as_u128(), seq)))
                .filter(|(_, seq)| *seq <= indexed_to(last))
                .collect();
            expected.sort_unstable();
            assert_eq!(keys, expected, "after entry {last}");
            assert_eq!(seqs(a), walked(&store, a));
            assert_eq!(seqs(b), walked(&store, b));
        }
        // One change of many entries across a boundary indexes them all, past it too, and
        // the history names each once.
        let steps: Vec<(&str, [u8; 32])> = (0..INDEX_EVERY + 5).map(|_| ("test.step", [1; 32])).collect();
        store.write("test", |w| w.journal_hashes(Some(a), steps)).unwrap();
        let (last, keys) = index(&store);
        assert_ne!(last % INDEX_EVERY, 0);
        assert_eq!(keys.iter().filter(|(case, _)| *case == a.as_u128()).count(), walked(&store, a).len());
        assert_eq!(seqs(a), walked(&store, a));
        assert_eq!(seqs(b), walked(&store, b));
        // Single changes after it, up to and past the next boundary, keep both whole.
        for n in 0..INDEX_EVERY + 1 {
            let case = [Some(b), Some(a)][n as usize % 2];
            store.write("test", |w| w.journal_hashes(case, [("test.step", [2; 32])])).unwrap();
            assert_eq!(seqs(a), walked(&store, a));
            assert_eq!(seqs(b), walked(&store, b));
        }
        let (last, keys) = index(&store);
        for case in [a, b] {
            let below = walked(&store, case).into_iter().filter(|seq| *seq <= indexed_to(last));
            assert!(below.map(|seq| (case.as_u128(), seq)).all(|key| keys.contains(&key)));
        }
        assert!(store.verify_journal().unwrap().first_broken.is_none());
    }

    /// An entry taken out of the case index vanishes from the case's history with the chain
    /// still whole: the audit names it. So it does a row filing an entry under a case it is
    /// not about, while the rows a change across a boundary files past it pass.
    #[test]
    fn the_audit_finds_a_case_index_that_disagrees_with_the_journal() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.redb")).unwrap();
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        for n in 0..2 * INDEX_EVERY - 2 {
            let case = [Some(a), Some(b), None][n as usize % 3];
            store.write("test", |w| w.journal_hashes(case, [("test.step", [0; 32])])).unwrap();
        }
        // One change across the next boundary: its rows past the boundary are right.
        let steps: Vec<(&str, [u8; 32])> = (0..5).map(|_| ("test.step", [1; 32])).collect();
        store.write("test", |w| w.journal_hashes(Some(b), steps)).unwrap();
        let (last, keys) = index(&store);
        assert!(keys.iter().any(|(_, seq)| *seq > indexed_to(last)), "rows past the boundary: {last}");
        assert_eq!(store.verify_journal().unwrap().first_broken, None);
        type Index<'t> = redb::Table<'t, (u128, u64), ()>;
        let tamper = |change: &dyn Fn(&mut Index)| {
            let tx = store.db.begin_write().unwrap();
            change(&mut tx.open_table(CASE_JOURNAL).unwrap());
            tx.commit().unwrap();
            store.verify_journal().unwrap().first_broken
        };
        let a_entry = walked(&store, a)[3];
        let broken = tamper(&|index| {
            index.remove((a.as_u128(), a_entry)).unwrap();
        })
        .expect("a row taken out is found");
        assert_eq!(broken.seq, a_entry);
        assert!(broken.reason.contains(&format!("does not file entry {a_entry} under case {a}")), "{broken:?}");
        assert_eq!(store.history(a).unwrap().len(), walked(&store, a).len() - 1, "the history lost it");
        tamper(&|index| {
            index.insert((a.as_u128(), a_entry), ()).unwrap();
        });
        // The rows past the boundary may go (the history reads those entries from the
        // journal); the last row up to it may not, with no row after it to notice by.
        let (_, keys) = index(&store);
        let past: Vec<(u128, u64)> = keys.iter().copied().filter(|(_, seq)| *seq > indexed_to(last)).collect();
        let &(last_case, last_seq) = keys.iter().rfind(|(_, seq)| *seq <= indexed_to(last)).unwrap();
        assert_eq!(last_case, b.as_u128(), "the rows of the later case come last");
        let removed = tamper(&|index| past.iter().for_each(|key| drop(index.remove(*key).unwrap())));
        assert_eq!(removed, None, "rows past the boundary are not needed");
        let broken = tamper(&|index| drop(index.remove((last_case, last_seq)).unwrap()));
        assert_eq!(broken.map(|b| b.seq), Some(last_seq));
        tamper(&|index| drop(index.insert((last_case, last_seq), ()).unwrap()));
        assert_eq!(store.verify_journal().unwrap().first_broken, None, "put back");
        // An entry of b filed under a too.
        let b_entry = walked(&store, b)[2];
        let broken = tamper(&|index| {
            index.insert((a.as_u128(), b_entry), ()).unwrap();
        })
        .expect("a row under the wrong case is found");
        assert!(broken.reason.contains("which it is not about"), "{broken:?}");
        assert_eq!(broken.seq, b_entry);
    }
}
