//! The recent tables (schema 11): the cases written and the journal entries appended since
//! the journal last passed a boundary of [`super::journal::INDEX_EVERY`] entries.
//!
//! A redb commit writes again every page on the path from each changed row to its table's
//! root, and waits for the disk until they are all down: its time grows with those pages.
//! An autosave rewrites one case and appends one entry; in the main tables of 100,000
//! cases and millions of entries each is a path of four pages. In these small tables each
//! is a page or two (up to 63 entries, and the cases they changed), and the transaction that passes the next boundary moves them into the main
//! tables at once, when it brings the case index up to date ([`super::journal`]).
//!
//! - A row of [`CASES_RECENT`] is the case; its row of [`CASES`], if any, is the case as it
//!   was before and is replaced when the rows move.
//! - The journal is [`super::JOURNAL`] and [`JOURNAL_RECENT`] read together in seq order. Every
//!   entry up to the boundary is in `JOURNAL` (the case index names those); the entries past
//!   it are in either (a transaction that passes a boundary writes the rest of its own
//!   straight to the main tables).

use std::ops::RangeBounds;

use redb::{AccessGuard, ReadableTable, StorageError, TableDefinition};

use super::journal::indexed_to;
use super::{CASES, StoreError, Writer};

pub(super) const CASES_RECENT: TableDefinition<u128, &[u8]> = TableDefinition::new("cases_recent");
pub(super) const JOURNAL_RECENT: TableDefinition<u64, &[u8]> = TableDefinition::new("journal_recent");

type Bytes = &'static [u8];
/// A journal row as read: its seq and its stored bytes.
pub(super) type EntryRow<'t> = Result<(u64, AccessGuard<'t, Bytes>), StorageError>;

/// A case's stored bytes: its recent row if it has one, else its main row.
pub(super) fn case_bytes<'t, T: ReadableTable<u128, Bytes>>(
    main: &'t T,
    recent: Option<&'t T>,
    id: u128,
) -> Result<Option<AccessGuard<'t, Bytes>>, StorageError> {
    if let Some(row) = recent.map(|recent| recent.get(id)).transpose()?.flatten() {
        return Ok(Some(row));
    }
    main.get(id)
}

/// The journal's entries whose seqs are in `range`, from both tables, in seq order. A seq
/// found in both is given twice (the audit then finds the chain broken).
pub(super) fn entries<'t, T: ReadableTable<u64, Bytes>>(
    main: &'t T,
    recent: Option<&'t T>,
    range: impl RangeBounds<u64> + Clone + 't,
) -> Result<impl Iterator<Item = EntryRow<'t>> + 't, StorageError> {
    let mut main = main.range(range.clone())?.peekable();
    let mut recent = recent.map(|recent| recent.range(range)).transpose()?.map(Iterator::peekable);
    Ok(std::iter::from_fn(move || {
        // An error is given as soon as it is at the front of either table.
        let from_recent = match (main.peek(), recent.as_mut().and_then(|r| r.peek())) {
            (_, None) => false,
            (None, Some(_)) | (Some(Ok(_)), Some(Err(_))) => true,
            (Some(Err(_)), Some(_)) => false,
            (Some(Ok((m, _))), Some(Ok((r, _)))) => r.value() < m.value(),
        };
        let row = if from_recent { recent.as_mut()?.next()? } else { main.next()? };
        Some(row.map(|(seq, value)| (seq.value(), value)))
    }))
}

/// The journal's last entry, from either table.
pub(super) fn last_entry<'t, T: ReadableTable<u64, Bytes>>(
    main: &'t T,
    recent: Option<&'t T>,
) -> Result<Option<(u64, AccessGuard<'t, Bytes>)>, StorageError> {
    let main = main.last()?.map(|(seq, value)| (seq.value(), value));
    let recent = recent.map(|recent| recent.last()).transpose()?.flatten().map(|(seq, value)| (seq.value(), value));
    Ok(match (main, recent) {
        (Some(m), Some(r)) => Some(if r.0 > m.0 { r } else { m }),
        (m, r) => m.or(r),
    })
}

/// The journal's last seq (0 when it is empty).
pub(super) fn last_seq<T: ReadableTable<u64, Bytes>>(main: &T, recent: Option<&T>) -> Result<u64, StorageError> {
    Ok(last_entry(main, recent)?.map_or(0, |(seq, _)| seq))
}

/// One journal entry's stored bytes, from whichever table holds it.
pub(super) fn entry<'t, T: ReadableTable<u64, Bytes>>(
    main: &'t T,
    recent: Option<&'t T>,
    seq: u64,
) -> Result<Option<AccessGuard<'t, Bytes>>, StorageError> {
    if let Some(row) = main.get(seq)? {
        return Ok(Some(row));
    }
    recent.map(|recent| recent.get(seq)).transpose().map(Option::flatten)
}

impl Writer {
    /// Whether this transaction's entries passed a boundary: from then on it writes to the
    /// main tables, which the boundary's move emptied the recent ones into.
    pub(super) fn passed_boundary(&self) -> bool {
        indexed_to(self.next_seq - 1) > indexed_to(self.first_seq - 1)
    }

    /// The table a case is written to now.
    pub(super) fn cases_table(&self) -> TableDefinition<'static, u128, Bytes> {
        if self.passed_boundary() { CASES } else { CASES_RECENT }
    }

    /// Moves every recent row into its main table (the journal has just passed a boundary).
    /// The journal's two tables are the ones `journal_hashes` holds open.
    pub(super) fn move_recent(
        &self,
        journal: &mut redb::Table<u64, Bytes>,
        journal_recent: &mut redb::Table<u64, Bytes>,
    ) -> Result<(), StoreError> {
        while let Some((seq, value)) = journal_recent.pop_first()? {
            journal.insert(seq.value(), value.value())?;
        }
        let mut cases = self.tx.open_table(CASES)?;
        let mut recent = self.tx.open_table(CASES_RECENT)?;
        while let Some((id, value)) = recent.pop_first()? {
            cases.insert(id.value(), value.value())?;
        }
        Ok(())
    }

    /// A case's stored bytes inside this transaction.
    pub(super) fn case_bytes(&self, id: u128) -> Result<Option<Vec<u8>>, StoreError> {
        let (main, recent) = (self.tx.open_table(CASES)?, self.tx.open_table(CASES_RECENT)?);
        Ok(case_bytes(&main, Some(&recent), id)?.map(|v| v.value().to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use redb::ReadableTableMetadata;
    use uuid::Uuid;

    use super::*;
    use crate::domain::{Address, Case, Subject, SubjectKind};
    use crate::store::journal::{INDEX_EVERY, JournalEntry};
    use crate::store::{JOURNAL, META, SCHEMA_KEY, Store, record};

    fn a_case(id: u128) -> Case {
        let subject =
            Subject::new(SubjectKind::Individual, "Nguyễn Văn An", Address::Legacy { text: "1 Hàng Bạc".into() });
        let at = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
        Case::open(Uuid::from_u128(id), "D1", at, "hang-gia", subject)
    }

    /// The seqs in the recent journal table, the ids in the recent case table, and the case
    /// `id` as its main row holds it.
    fn tables(store: &Store, id: Uuid) -> (Vec<u64>, Vec<u128>, Option<Case>) {
        let tx = store.db.begin_read().unwrap();
        let journal = tx.open_table(JOURNAL_RECENT).unwrap();
        let seqs = journal.iter().unwrap().map(|row| row.unwrap().0.value()).collect();
        let cases = tx.open_table(CASES_RECENT).unwrap();
        let ids = cases.iter().unwrap().map(|row| row.unwrap().0.value()).collect();
        let main = tx.open_table(CASES).unwrap();
        let main = main.get(id.as_u128()).unwrap().map(|v| record::decode_case(v.value()).unwrap());
        (seqs, ids, main)
    }

    fn last_seq_of(store: &Store) -> u64 {
        let tx = store.db.begin_read().unwrap();
        let (main, recent) = (tx.open_table(JOURNAL).unwrap(), tx.open_table(JOURNAL_RECENT).unwrap());
        last_seq(&main, Some(&recent)).unwrap()
    }

    #[test]
    fn an_autosaved_case_stays_in_the_small_tables_until_the_boundary_and_reads_whole_throughout() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.redb")).unwrap();
        let mut case = a_case(7);
        store.write("t", |w| w.put_case(&case, "case.create")).unwrap();
        assert_eq!(tables(&store, case.id).2, None, "a new case is in the recent table alone");
        assert_eq!(store.case_count().unwrap(), 1);
        let mut moves = 0;
        for n in 1..=2 * INDEX_EVERY + 3 {
            case.subject.name = format!("Hộ kinh doanh số {n}");
            store.write("t", |w| w.put_case(&case, "document.save_field")).unwrap();
            assert_eq!(store.case(case.id).unwrap().as_ref(), Some(&case), "after save {n}");
            assert_eq!(store.case_count().unwrap(), 1);
            let last = last_seq_of(&store);
            let (seqs, ids, main) = tables(&store, case.id);
            if last.is_multiple_of(INDEX_EVERY) {
                moves += 1;
                assert_eq!((seqs, ids), (vec![], vec![]), "the boundary moves everything");
                assert_eq!(main.as_ref(), Some(&case));
            } else {
                let boundary = last - last % INDEX_EVERY;
                assert_eq!(seqs, (boundary + 1..=last).collect::<Vec<_>>(), "after save {n}");
                assert_eq!(ids, vec![case.id.as_u128()]);
                assert_ne!(main.as_ref(), Some(&case), "the main row is not written between boundaries");
            }
            let report = store.verify_journal().unwrap();
            assert_eq!((report.first_broken, report.cases_checked, report.entries), (None, 1, last));
            let history = store.history(case.id).unwrap();
            assert_eq!(history.len() as u64, n + 1);
            assert_eq!(history.last().unwrap().seq, last);
            let tail: Vec<u64> = store.journal_tail(5).unwrap().iter().map(|e| e.seq).collect();
            assert_eq!(tail, (last.saturating_sub(4).max(1)..=last).collect::<Vec<_>>());
        }
        assert_eq!(moves, 2);
    }

    /// A change of many entries passes the boundary: from then on it writes the main
    /// tables, and what the recent tables held before it is moved, not lost.
    #[test]
    fn a_change_across_a_boundary_moves_the_recent_rows_and_writes_the_rest_to_the_main_tables() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.redb")).unwrap();
        let (a, mut b) = (a_case(1), a_case(2));
        store.write("t", |w| w.put_case(&a, "case.create")).unwrap();
        let steps: Vec<(&str, [u8; 32])> = (0..INDEX_EVERY).map(|_| ("test.step", [1; 32])).collect();
        b.subject.name = "Công ty TNHH Minh Phát".into();
        store
            .write("t", |w| {
                w.journal_hashes(Some(b.id), steps)?;
                w.put_case(&b, "case.create")
            })
            .unwrap();
        let (seqs, ids, main_a) = tables(&store, a.id);
        assert_eq!((seqs, ids), (vec![], vec![]));
        assert_eq!(main_a, Some(a.clone()));
        assert_eq!(tables(&store, b.id).2, Some(b.clone()));
        assert_eq!(store.case_count().unwrap(), 2);
        assert_eq!(store.verify_journal().unwrap().first_broken, None);
        assert_eq!(store.history(b.id).unwrap().len() as u64, INDEX_EVERY + 1);
    }

    /// The recent tables are as much the store as the main ones: the audit reads a case as
    /// the program does, and the journal from both tables.
    #[test]
    fn the_audit_finds_the_recent_tables_tampered_with() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.redb")).unwrap();
        let mut case = a_case(9);
        // Saved up to a boundary, so that its main row is the case as it was then.
        while !last_seq_of(&store).is_multiple_of(INDEX_EVERY) {
            store.write("t", |w| w.put_case(&case, "document.save_field")).unwrap();
        }
        case.subject.name = "Nguyễn Văn Bình".into();
        store.write("t", |w| w.put_case(&case, "document.save_field")).unwrap();
        assert_eq!(store.verify_journal().unwrap().first_broken, None);
        let tamper = |change: &dyn Fn(&redb::WriteTransaction)| {
            let tx = store.db.begin_write().unwrap();
            change(&tx);
            tx.commit().unwrap();
            store.verify_journal().unwrap().first_broken.map(|b| b.reason)
        };
        let row = |tx: &redb::WriteTransaction| {
            tx.open_table(CASES_RECENT).unwrap().get(case.id.as_u128()).unwrap().unwrap().value().to_vec()
        };
        let stored = {
            let tx = store.db.begin_write().unwrap();
            row(&tx)
        };
        // The case edited in its recent row.
        let reason = tamper(&|tx| {
            let mut edited = row(tx);
            *edited.last_mut().unwrap() ^= 1;
            tx.open_table(CASES_RECENT).unwrap().insert(case.id.as_u128(), edited.as_slice()).unwrap();
        });
        assert!(reason.unwrap().contains("differs from what journal entry"));
        // The recent row taken away, which would show the case as it was.
        let reason = tamper(&|tx| drop(tx.open_table(CASES_RECENT).unwrap().remove(case.id.as_u128()).unwrap()));
        assert!(reason.unwrap().contains("differs from what journal entry"));
        assert_eq!(
            tamper(&|tx| drop(
                tx.open_table(CASES_RECENT).unwrap().insert(case.id.as_u128(), stored.as_slice()).unwrap()
            )),
            None
        );
        // An entry copied into the main table as well as the recent one.
        let last = last_seq_of(&store);
        let reason = tamper(&|tx| {
            let entry = tx.open_table(JOURNAL_RECENT).unwrap().get(last).unwrap().unwrap().value().to_vec();
            tx.open_table(JOURNAL).unwrap().insert(last, entry.as_slice()).unwrap();
        });
        assert!(reason.unwrap().contains(&format!("expected entry {}", last + 1)));
        // ... or moved there alone: the journal reads the same.
        let reason = tamper(&|tx| drop(tx.open_table(JOURNAL_RECENT).unwrap().remove(last).unwrap()));
        assert_eq!(reason, None);
        assert_eq!(store.history(case.id).unwrap().last().map(|e| e.seq), Some(last));
    }

    /// A migration that makes the list rows again reads each case as the program does: its
    /// recent row over its main one, and a case made since the last boundary too.
    #[test]
    fn the_list_rows_are_made_again_from_the_cases_as_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.redb")).unwrap();
        let (mut a, mut b) = (a_case(4), a_case(5));
        while !last_seq_of(&store).is_multiple_of(INDEX_EVERY) {
            store.write("t", |w| w.put_case(&a, "document.save_field")).unwrap();
        }
        a.subject.name = "Hộ kinh doanh Hoa Mai".into();
        b.subject.name = "Công ty TNHH An Phú".into();
        store.write("t", |w| w.put_case(&a, "document.save_field")).unwrap();
        store.write("t", |w| w.put_case(&b, "case.create")).unwrap();
        assert_ne!(tables(&store, a.id).2.as_ref(), Some(&a), "a's main row is the older one");
        let tx = store.db.begin_write().unwrap();
        tx.delete_table(crate::store::SUMMARIES).unwrap();
        tx.commit().unwrap();
        store.write("t", crate::store::migrate::rebuild_summaries).unwrap();
        let rows = store.summaries().unwrap();
        assert_eq!(rows, vec![crate::domain::CaseSummary::of(&a), crate::domain::CaseSummary::of(&b)]);
    }

    /// A schema 10 file keeps every entry in the main journal, past the boundary too: it
    /// opens, its journal and histories read whole, and its next autosave goes to the
    /// small tables.
    #[test]
    fn a_schema_10_file_opens_whole_and_autosaves_into_the_small_tables() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.redb");
        let mut case = a_case(3);
        {
            let store = Store::open(&path).unwrap();
            for n in 0..INDEX_EVERY + 5 {
                case.subject.name = format!("Hộ kinh doanh số {n}");
                store.write("t", |w| w.put_case(&case, "document.save_field")).unwrap();
            }
            // As schema 10 left it: the recent rows in the main tables, no recent tables.
            let tx = store.db.begin_write().unwrap();
            {
                let (mut journal, mut recent) =
                    (tx.open_table(JOURNAL).unwrap(), tx.open_table(JOURNAL_RECENT).unwrap());
                while let Some((seq, value)) = recent.pop_first().unwrap() {
                    journal.insert(seq.value(), value.value()).unwrap();
                }
                let (mut cases, mut recent) = (tx.open_table(CASES).unwrap(), tx.open_table(CASES_RECENT).unwrap());
                while let Some((id, value)) = recent.pop_first().unwrap() {
                    cases.insert(id.value(), value.value()).unwrap();
                }
                tx.open_table(META).unwrap().insert(SCHEMA_KEY, record::encode(&10u32).as_slice()).unwrap();
            }
            tx.delete_table(CASES_RECENT).unwrap();
            tx.delete_table(JOURNAL_RECENT).unwrap();
            tx.commit().unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), 11);
        assert_eq!(store.verify_journal().unwrap().first_broken, None);
        assert_eq!(store.case(case.id).unwrap(), Some(case.clone()));
        let before = store.history(case.id).unwrap();
        assert_eq!(before.len() as u64, INDEX_EVERY + 5);
        case.subject.name = "Hộ kinh doanh mới".into();
        store.write("t", |w| w.put_case(&case, "document.save_field")).unwrap();
        let (seqs, ids, _) = tables(&store, case.id);
        assert_eq!((seqs.last(), ids), (Some(&last_seq_of(&store)), vec![case.id.as_u128()]));
        let after: Vec<JournalEntry> = store.history(case.id).unwrap();
        assert_eq!(after[..before.len()], before[..]);
        assert_eq!(after.len(), before.len() + 1);
        assert_eq!(store.verify_journal().unwrap().first_broken, None);
        let tx = store.db.begin_read().unwrap();
        assert!(tx.open_table(JOURNAL).unwrap().len().unwrap() > INDEX_EVERY);
    }
}
