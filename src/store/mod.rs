//! The redb store: cases, their list summaries, document numbers, reference data, and the
//! tamper-evident journal. Every change is one write transaction that appends a journal
//! entry; a failed change leaves the file as it was.

mod error;
mod handle;
mod index_copy;
mod journal;
mod live;
mod migrate;
mod recent;
mod record;

use std::path::{Path, PathBuf};

use chrono::Utc;
use redb::{Database, ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::{Serialize, de::DeserializeOwned};
use uuid::Uuid;

use crate::domain::summary::CaseFacts;
use crate::domain::{Case, CaseSummary, DocumentNumber};
pub use error::{OpenError, StoreError};
pub use index_copy::IndexCopy;
pub use journal::{AuditReport, BrokenLink, JournalEntry};
pub use migrate::{CURRENT_SCHEMA, LEGACY_FORMS_BEFORE_KEY, Migration};
pub use record::case_sha256;

/// The database file name inside a data directory.
pub const DB_FILE: &str = "anchi.redb";

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const CASES: TableDefinition<u128, &[u8]> = TableDefinition::new("cases");
const SUMMARIES: TableDefinition<u128, &[u8]> = TableDefinition::new("case_summaries");
/// A row of [`SUMMARIES`] as read.
type SummaryRow<'a> = Result<(redb::AccessGuard<'a, u128>, redb::AccessGuard<'a, &'static [u8]>), redb::StorageError>;
/// From this many rows on, the list is decoded on two threads ([`Store::summaries`]).
const PARALLEL_ROWS: usize = 4096;
/// What statistics and warnings read beyond the list row (schema 4), by case.
const FACTS: TableDefinition<u128, &[u8]> = TableDefinition::new("case_facts");
const JOURNAL: TableDefinition<u64, &[u8]> = TableDefinition::new("journal");
/// Index of the journal by case: (case id, entry seq). Schema 2 and later; from schema 10
/// it holds every case's entries up to the journal's last multiple of 64 ([`journal`]'s
/// `INDEX_EVERY`), and may hold some past it.
const CASE_JOURNAL: TableDefinition<(u128, u64), ()> = TableDefinition::new("case_journal");
/// Last number used per series `ký hiệu|year`.
const NUMBER_COUNTERS: TableDefinition<&str, u32> = TableDefinition::new("number_counters");
/// Every number ever used: `12/QĐ-KT-X|2026` → (document id, cancelled).
const NUMBERS: TableDefinition<&str, &[u8]> = TableDefinition::new("numbers");

/// The signed packages made or imported of each case: case id → `Vec<PackageRecord>`,
/// oldest version first. Schema 3 and later.
const PACKAGES: TableDefinition<u128, &[u8]> = TableDefinition::new("packages");

const SCHEMA_KEY: &str = "schema_version";

/// An open anchi database.
pub struct Store {
    db: handle::Handle,
    path: PathBuf,
    generation: std::sync::atomic::AtomicU64,
}

/// Opens `table` for reading, or None when it was never created (a new or older file).
fn open_if_exists<K: redb::Key + 'static, V: redb::Value + 'static>(
    tx: &redb::ReadTransaction,
    table: TableDefinition<K, V>,
) -> Result<Option<redb::ReadOnlyTable<K, V>>, StoreError> {
    match tx.open_table(table) {
        Ok(t) => Ok(Some(t)),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Copies every row of one table from a read transaction into a write transaction.
fn copy_table<K: redb::Key + 'static, V: redb::Value + 'static>(
    read: &redb::ReadTransaction,
    write: &redb::WriteTransaction,
    table: TableDefinition<K, V>,
) -> Result<(), StoreError> {
    let Some(source) = open_if_exists(read, table)? else { return Ok(()) };
    let mut target = write.open_table(table)?;
    for row in source.iter()? {
        let (key, value) = row?;
        target.insert(key.value(), value.value())?;
    }
    Ok(())
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// One version of a case's signed package, as this laptop made or imported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PackageRecord {
    pub version: u32,
    /// Made here (`false`) or imported from another laptop (`true`).
    pub imported: bool,
    pub created: chrono::DateTime<Utc>,
    /// SHA-256 of the package file (unsealed), hex: what the next version names.
    pub sha256: String,
    /// The previous version's `sha256`, as its `bag-info.txt` names it.
    pub previous_sha256: Option<String>,
    /// SHA-256 of the signed tag manifest, hex.
    pub tag_manifest_sha256: String,
    /// SHA-256 of `data/case.json`, hex: tells whether the case changed since.
    pub case_json_sha256: String,
    pub key_id: String,
    /// The minisign signature file's text, so exporting unchanged content again gives
    /// the very same file.
    pub signature: String,
    /// The provincial server's signed receipt (JSON), once it has stored this version.
    pub receipt: Option<String>,
}

/// What the numbers table remembers of a used number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct NumberUse {
    pub document_id: Uuid,
    pub cancelled: bool,
}

/// Makes a file or folder readable by its owner only (`mode` 0600 or 0700) on Unix; on
/// Windows the data lives in the user's profile, whose default ACLs already do so.
pub fn owner_only(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// How much of the file redb keeps in memory (its default is 1 GiB, which a large case
/// store or a demo of 100,000 cases fills: a laptop shares 4–8 GB with a browser and an
/// office suite). The operating system's page cache still holds the rest of the file.
const CACHE_BYTES: usize = 64 * 1024 * 1024;

/// How every database file of the store is opened (the store, a new one, a backup's copy).
fn builder() -> redb::Builder {
    let mut builder = Database::builder();
    builder.set_cache_size(CACHE_BYTES);
    builder
}

/// Makes a new, current-schema database at `path` through a temporary name and a rename.
fn create_whole(path: &Path) -> Result<(), OpenError> {
    let io = |source| OpenError::Io { path: path.to_path_buf(), source };
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".dang-tao");
    let fresh = path.with_file_name(name);
    // What a process killed here before left behind.
    let _ = std::fs::remove_file(&fresh);
    {
        let db = builder().create(&fresh).map_err(|e| open_error(&fresh, e))?;
        owner_only(&fresh, 0o600).map_err(io)?;
        let store = Store::with_handle(handle::Handle::Writable(db), &fresh);
        migrate::bring_to_current(&store, migrate::MIGRATIONS)?;
    }
    std::fs::rename(&fresh, path).map_err(io)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(dir) = std::fs::File::open(dir)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}

impl Store {
    /// Opens (or creates) the database file at `path`, migrating it to the current schema.
    pub fn open(path: &Path) -> Result<Store, OpenError> {
        let mut made_dir = None;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            made_dir = (!dir.exists()).then(|| dir.to_path_buf());
            std::fs::create_dir_all(dir).map_err(|source| OpenError::Io { path: path.to_path_buf(), source })?;
        }
        // A new database is made whole under another name and then renamed into place: a
        // process killed while redb writes a new file's header leaves no half-made file
        // where the next start would take it for a damaged database.
        if !path.exists() {
            create_whole(path)?;
        } else if handle::never_written(path) {
            // A file of zeros is what an older anchi killed while creating its database left
            // (redb sizes the file before it writes the header): no data was ever in it. It
            // is kept aside, never deleted, and a whole database made in its place.
            let mut name = path.file_name().unwrap_or_default().to_owned();
            name.push(format!(".rong-{}", chrono::Local::now().format("%Y%m%d-%H%M%S")));
            std::fs::rename(path, path.with_file_name(name))
                .map_err(|source| OpenError::Io { path: path.to_path_buf(), source })?;
            create_whole(path)?;
        }
        // redb checks its own invariants with debug assertions; a damaged file must give an
        // error, never a crash, so a panic while opening is reported as corruption.
        let opened = std::panic::catch_unwind(|| builder().create(path));
        let db = match opened {
            Ok(result) => result.map_err(|e| open_error(path, e))?,
            Err(_) => {
                return Err(OpenError::Corrupt { path: path.to_path_buf(), detail: "storage engine panicked".into() });
            }
        };
        // The database holds the signing key and personal data: its owner alone reads it.
        let private =
            |p: &Path, mode| owner_only(p, mode).map_err(|source| OpenError::Io { path: p.to_path_buf(), source });
        private(path, 0o600)?;
        // A folder made here is the owner's alone; one chosen by the user keeps its mode.
        if let Some(dir) = made_dir {
            private(&dir, 0o700)?;
        }
        let store = Store::with_handle(handle::Handle::Writable(db), path);
        migrate::bring_to_current(&store, migrate::MIGRATIONS)?;
        Ok(store)
    }

    fn with_handle(db: handle::Handle, path: &Path) -> Store {
        Store { db, path: path.to_path_buf(), generation: std::sync::atomic::AtomicU64::new(0) }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A number that changes with every commit through this handle that changed a
    /// case-list row: read models built from the rows are current while it stays the same.
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Gives back the space that rewritten records left behind (copy-on-write pages), so
    /// the file is as small as its live data. Takes a while on a large file.
    pub fn compact(&mut self) -> Result<(), StoreError> {
        self.db.writable()?.compact().map_err(|e| StoreError::Storage(e.into()))?;
        Ok(())
    }

    /// The schema version recorded in the file (0 for a file never initialised).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self.meta::<u32>(SCHEMA_KEY)?.unwrap_or(0))
    }

    /// Runs `change` in one write transaction on behalf of `actor`. Every put appends a
    /// journal entry; if `change` fails, nothing is written.
    pub fn write<T, E>(&self, actor: &str, change: impl FnOnce(&mut Writer) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let tx = self.db.begin_write()?;
        let (next_seq, prev_hash) = {
            let journal = tx.open_table(JOURNAL).map_err(StoreError::from)?;
            let journal_recent = tx.open_table(recent::JOURNAL_RECENT).map_err(StoreError::from)?;
            match recent::last_entry(&journal, Some(&journal_recent)).map_err(StoreError::from)? {
                Some((_, value)) => {
                    let entry: JournalEntry = record::decode("journal", value.value())?;
                    (entry.seq + 1, entry.hash)
                }
                None => (1, [0; 32]),
            }
        };
        let mut writer = Writer {
            tx,
            actor: actor.to_string(),
            first_seq: next_seq,
            next_seq,
            prev_hash,
            by_case: Vec::new(),
            rows_changed: false,
        };
        let result = change(&mut writer)?;
        writer.index_by_case()?;
        let rows_changed = writer.rows_changed;
        writer.tx.commit().map_err(StoreError::from)?;
        if rows_changed {
            self.generation.fetch_add(1, std::sync::atomic::Ordering::Release);
        }
        Ok(result)
    }

    /// Whether the `meta` table holds `key` (without reading its value).
    pub fn has_meta(&self, key: &str) -> Result<bool, StoreError> {
        let tx = self.db.begin_read()?;
        match open_if_exists(&tx, META)? {
            Some(table) => Ok(table.get(key)?.is_some()),
            None => Ok(false),
        }
    }

    /// Writes a consistent copy of the whole database to the new file `target`: every table
    /// is read in one read transaction, so a write going on meanwhile is wholly in the copy
    /// or wholly out of it.
    pub fn snapshot_to(&self, target: &Path) -> Result<(), StoreError> {
        let read = self.db.begin_read()?;
        let copy = builder().create(target).map_err(|e| StoreError::Storage(e.into()))?;
        let write = copy.begin_write()?;
        copy_table(&read, &write, META)?;
        copy_table(&read, &write, CASES)?;
        copy_table(&read, &write, recent::CASES_RECENT)?;
        copy_table(&read, &write, SUMMARIES)?;
        copy_table(&read, &write, FACTS)?;
        copy_table(&read, &write, JOURNAL)?;
        copy_table(&read, &write, recent::JOURNAL_RECENT)?;
        copy_table(&read, &write, CASE_JOURNAL)?;
        copy_table(&read, &write, NUMBER_COUNTERS)?;
        copy_table(&read, &write, NUMBERS)?;
        copy_table(&read, &write, PACKAGES)?;
        copy_table(&read, &write, index_copy::INDEX_CASES)?;
        copy_table(&read, &write, index_copy::NEXT_CASES)?;
        copy_table(&read, &write, index_copy::INDEX_STATE)?;
        write.commit()?;
        Ok(())
    }

    /// Every case's facts (statistics, warnings), in case-id order.
    pub fn facts(&self) -> Result<Vec<CaseFacts>, StoreError> {
        let tx = self.db.begin_read()?;
        let Some(table) = open_if_exists(&tx, FACTS)? else { return Ok(Vec::new()) };
        table.iter()?.map(|row| record::decode("case_facts", row?.1.value())).collect()
    }

    /// One case's facts.
    pub fn facts_of(&self, id: Uuid) -> Result<Option<CaseFacts>, StoreError> {
        let tx = self.db.begin_read()?;
        let Some(table) = open_if_exists(&tx, FACTS)? else { return Ok(None) };
        let value = table.get(id.as_u128())?;
        value.map(|v| record::decode("case_facts", v.value())).transpose()
    }

    /// Reads a value from the `meta` table.
    pub fn meta<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StoreError> {
        let tx = self.db.begin_read()?;
        let Some(table) = open_if_exists(&tx, META)? else { return Ok(None) };
        let value = table.get(key)?;
        value.map(|v| record::decode("meta", v.value())).transpose()
    }

    /// One case, decoded.
    pub fn case(&self, id: Uuid) -> Result<Option<Case>, StoreError> {
        let tx = self.db.begin_read()?;
        let (main, recent) = (tx.open_table(CASES)?, open_if_exists(&tx, recent::CASES_RECENT)?);
        let value = recent::case_bytes(&main, recent.as_ref(), id.as_u128())?;
        value.map(|v| record::decode_case(v.value())).transpose()
    }

    pub fn case_count(&self) -> Result<u64, StoreError> {
        let tx = self.db.begin_read()?;
        let main = tx.open_table(CASES)?;
        let mut count = main.len()?;
        // Cases made since the journal's last boundary are in the recent table alone.
        if let Some(recent) = open_if_exists(&tx, recent::CASES_RECENT)? {
            for row in recent.iter()? {
                count += u64::from(main.get(row?.0.value())?.is_none());
            }
        }
        Ok(count)
    }

    /// The summaries of every case, in id order (ids are time-ordered, so oldest first).
    /// A large list is decoded on two threads, one from each end of the table (the window
    /// waits for it before its first frame).
    pub fn summaries(&self) -> Result<Vec<CaseSummary>, StoreError> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(SUMMARIES)?;
        let len = table.len()? as usize;
        if len < PARALLEL_ROWS {
            let mut out = Vec::with_capacity(len);
            for row in table.iter()? {
                out.push(record::decode("case_summaries", row?.1.value())?);
            }
            return Ok(out);
        }
        // Each row is claimed once: one thread takes rows from the front, the other from the
        // back, until `len` are claimed, so the front thread's rows then the back thread's
        // (reversed) are the table in order.
        let claimed = std::sync::atomic::AtomicUsize::new(0);
        let take = |rows: &mut dyn Iterator<Item = SummaryRow>| -> Result<Vec<CaseSummary>, StoreError> {
            let mut out = Vec::with_capacity(len / 2 + 1);
            while claimed.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < len {
                let Some(row) = rows.next() else { break };
                let decoded =
                    row.map_err(StoreError::from).and_then(|row| record::decode("case_summaries", row.1.value()));
                match decoded {
                    Ok(summary) => out.push(summary),
                    Err(e) => {
                        // The other thread stops at its next row.
                        claimed.store(len, std::sync::atomic::Ordering::Relaxed);
                        return Err(e);
                    }
                }
            }
            Ok(out)
        };
        let (mut forward, mut backward) = (table.iter()?, table.iter()?.rev());
        let (front, back) = std::thread::scope(|scope| {
            let back = scope.spawn(|| take(&mut backward));
            let front = take(&mut forward);
            (front, back.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        });
        let mut out = front?;
        out.extend(back?.into_iter().rev());
        // The table's count is what divides the work: every row once, in key order, or an error.
        if out.len() != len || !out.windows(2).all(|w| w[0].id < w[1].id) {
            return Err(StoreError::Decode {
                table: "case_summaries",
                detail: format!("{} rows read, out of key order or apart from the {len} the table counts", out.len()),
            });
        }
        Ok(out)
    }

    /// The last `count` journal entries of the whole laptop (cases, settings, accounts),
    /// oldest first.
    pub fn journal_tail(&self, count: usize) -> Result<Vec<JournalEntry>, StoreError> {
        let tx = self.db.begin_read()?;
        let journal = tx.open_table(JOURNAL)?;
        let recent = open_if_exists(&tx, recent::JOURNAL_RECENT)?;
        // The last `count` seqs are the last `count` of the two tables together.
        let last = recent::last_seq(&journal, recent.as_ref())?;
        let from = last.saturating_sub(count as u64) + 1;
        recent::entries(&journal, recent.as_ref(), from..)?
            .map(|row| record::decode("journal", row?.1.value()))
            .collect()
    }

    /// The package versions of a case, oldest first (empty when none was made).
    pub fn packages(&self, case_id: Uuid) -> Result<Vec<PackageRecord>, StoreError> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(PACKAGES)?;
        let value = table.get(case_id.as_u128())?;
        Ok(value.map(|v| record::decode("packages", v.value())).transpose()?.unwrap_or_default())
    }

    /// How a number was used, if it was.
    pub fn number_use(&self, number: &DocumentNumber) -> Result<Option<NumberUse>, StoreError> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(NUMBERS)?;
        let value = table.get(number_key(number).as_str())?;
        value.map(|v| record::decode("numbers", v.value())).transpose()
    }
}

fn number_key(number: &DocumentNumber) -> String {
    format!("{number}|{}", number.year)
}

fn open_error(path: &Path, e: redb::DatabaseError) -> OpenError {
    let path = path.to_path_buf();
    match e {
        redb::DatabaseError::DatabaseAlreadyOpen | redb::DatabaseError::LockProtocolMismatch => {
            OpenError::Locked { path }
        }
        redb::DatabaseError::Storage(redb::StorageError::Io(source))
            if source.kind() != std::io::ErrorKind::InvalidData =>
        {
            OpenError::Io { path, source }
        }
        other => OpenError::Corrupt { path, detail: other.to_string() },
    }
}

/// A write transaction in progress; see [`Store::write`].
pub struct Writer {
    tx: redb::WriteTransaction,
    actor: String,
    /// The seq of this transaction's first journal entry.
    first_seq: u64,
    next_seq: u64,
    prev_hash: [u8; 32],
    /// This transaction's entries of a case, (case id, seq), for the case index.
    by_case: Vec<(u128, u64)>,
    /// Whether a case-list row changed (read models built from the rows are then stale).
    rows_changed: bool,
}

impl Writer {
    /// Stores a case and its list summary, and journals the change as `action`.
    pub fn put_case(&mut self, case: &Case, action: &str) -> Result<(), StoreError> {
        let bytes = record::encode_case(case);
        let key = case.id.as_u128();
        self.tx.open_table(self.cases_table())?.insert(key, bytes.as_slice())?;
        // Most changes (an autosaved field, say) leave the list row as it was: writing it
        // again would only dirty another B-tree path in the commit.
        let summary = record::encode(&CaseSummary::of(case));
        let mut summaries = self.tx.open_table(SUMMARIES)?;
        let unchanged = summaries.get(key)?.is_some_and(|old| old.value() == summary.as_slice());
        if !unchanged {
            summaries.insert(key, summary.as_slice())?;
            self.rows_changed = true;
        }
        drop(summaries);
        let facts = record::encode(&CaseFacts::of(case));
        let mut table = self.tx.open_table(FACTS)?;
        if table.get(key)?.is_none_or(|old| old.value() != facts.as_slice()) {
            table.insert(key, facts.as_slice())?;
            self.rows_changed = true;
        }
        drop(table);
        self.journal(action, Some(case.id), &bytes)
    }

    /// Stores a case worked out whole before it is stored (the demo's only), journalling first
    /// the steps it went through: each an action and the SHA-256 of the case's stored bytes
    /// after it ([`record::encode_case`]). The last entry, `action`, is the case as stored,
    /// so the journal's check of stored cases holds as if each step had been stored.
    pub(crate) fn put_case_made(
        &mut self,
        case: &Case,
        steps: &[(String, [u8; 32])],
        action: &str,
    ) -> Result<(), StoreError> {
        self.journal_hashes(Some(case.id), steps.iter().map(|(step, hash)| (step.as_str(), *hash)))?;
        self.put_case(case, action)
    }

    /// Records the package versions of a case. Not journalled by itself: the export or
    /// import that changes them journals the case in the same transaction
    /// ([`Writer::note_case`] or [`Writer::put_case`]).
    pub fn put_packages(&mut self, case_id: Uuid, records: &[PackageRecord]) -> Result<(), StoreError> {
        self.tx.open_table(PACKAGES)?.insert(case_id.as_u128(), record::encode(&records.to_vec()).as_slice())?;
        Ok(())
    }

    /// Journals something done with a case that leaves it as stored (a package made of
    /// it): the entry carries the case's hash, tying what was done to that content.
    pub fn note_case(&mut self, case_id: Uuid, action: &str) -> Result<(), StoreError> {
        let case = self
            .case_bytes(case_id.as_u128())?
            .ok_or(StoreError::Decode { table: "cases", detail: format!("case {case_id} is not stored") })?;
        self.journal(action, Some(case_id), &case)
    }

    /// The package versions of a case inside this transaction.
    pub fn packages(&self, case_id: Uuid) -> Result<Vec<PackageRecord>, StoreError> {
        let table = self.tx.open_table(PACKAGES)?;
        let value = table.get(case_id.as_u128())?;
        Ok(value.map(|v| record::decode("packages", v.value())).transpose()?.unwrap_or_default())
    }

    /// Reads a case inside this transaction.
    pub fn case(&self, id: Uuid) -> Result<Option<Case>, StoreError> {
        self.case_bytes(id.as_u128())?.map(|v| record::decode_case(&v)).transpose()
    }

    /// Stores a value in the `meta` table and journals it as `action`.
    pub fn put_meta<T: Serialize>(&mut self, key: &str, value: &T, action: &str) -> Result<(), StoreError> {
        let bytes = record::encode(value);
        self.tx.open_table(META)?.insert(key, bytes.as_slice())?;
        self.journal(action, None, &bytes)
    }

    /// Removes a `meta` value and journals it as `action` (a value made obsolete).
    pub fn remove_meta(&mut self, key: &str, action: &str) -> Result<(), StoreError> {
        self.tx.open_table(META)?.remove(key)?;
        self.journal(action, None, &[])
    }

    /// Takes the next number of a series (ký hiệu and year). Numbers are never reused: the
    /// counter only moves forward, inside the same transaction that finalises the document.
    pub fn next_number(&mut self, ky_hieu: &str, year: i32) -> Result<u32, StoreError> {
        let key = format!("{ky_hieu}|{year}");
        let mut table = self.tx.open_table(NUMBER_COUNTERS)?;
        let next = table.get(key.as_str())?.map_or(0, |v| v.value()) + 1;
        table.insert(key.as_str(), next)?;
        Ok(next)
    }

    /// Records how each of `numbers` was used (or that it was cancelled).
    pub fn record_numbers(&mut self, numbers: &[(DocumentNumber, NumberUse)]) -> Result<(), StoreError> {
        numbers.iter().try_for_each(|(number, use_)| self.record_number(number, use_))
    }

    /// Records how a number was used (or that it was cancelled).
    pub fn record_number(&mut self, number: &DocumentNumber, use_: &NumberUse) -> Result<(), StoreError> {
        let key = number_key(number);
        self.tx.open_table(NUMBERS)?.insert(key.as_str(), record::encode(use_).as_slice())?;
        Ok(())
    }

    /// The raw transaction, for migrations.
    fn tx(&self) -> &redb::WriteTransaction {
        &self.tx
    }
}
