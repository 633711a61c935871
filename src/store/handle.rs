//! The open database file: for reading and writing, or for reading only.
//!
//! A command that only reads (printing a case's documents, the case list, the deadlines)
//! opens the file read-only. Opening for writing writes the header and waits for the disk,
//! and closing writes the allocator's state and waits for the disk twice more; reading
//! only does neither and leaves the file untouched. Several read-only commands may run at
//! once; none can while the window or a writing command has the file open, as before.

use std::path::Path;

use redb::{Database, ReadOnlyDatabase, ReadTransaction, ReadableDatabase, TransactionError, WriteTransaction};

use super::{OpenError, Store, StoreError, builder};

pub(super) enum Handle {
    Writable(Database),
    ReadOnly(ReadOnlyDatabase),
}

impl Handle {
    pub(super) fn begin_read(&self) -> Result<ReadTransaction, TransactionError> {
        match self {
            Handle::Writable(db) => db.begin_read(),
            Handle::ReadOnly(db) => db.begin_read(),
        }
    }

    /// The database for writing; a store opened for reading refuses.
    pub(super) fn writable(&mut self) -> Result<&mut Database, StoreError> {
        match self {
            Handle::Writable(db) => Ok(db),
            Handle::ReadOnly(_) => Err(StoreError::ReadOnly),
        }
    }

    pub(super) fn begin_write(&self) -> Result<WriteTransaction, StoreError> {
        match self {
            Handle::Writable(db) => Ok(db.begin_write()?),
            Handle::ReadOnly(_) => Err(StoreError::ReadOnly),
        }
    }
}

impl Store {
    /// Opens the database at `path` for reading only, when that is possible: the file exists,
    /// was closed cleanly and has the current schema. Otherwise it is opened as
    /// [`Store::open`] opens it (made, repaired or migrated, or refused with its reason), and
    /// can be written.
    pub fn open_for_reading(path: &Path) -> Result<Store, OpenError> {
        if path.exists() && !never_written(path) {
            // redb checks its invariants with debug assertions, so a damaged file may make it
            // panic (as `Store::open` also allows for): the ordinary open below reports it.
            let opened = std::panic::catch_unwind(|| builder().open_read_only(path));
            if let Ok(Ok(db)) = opened {
                let store = Store::with_handle(Handle::ReadOnly(db), path);
                if store.schema_version().is_ok_and(|v| v == super::CURRENT_SCHEMA) {
                    return Ok(store);
                }
            }
        }
        Store::open(path)
    }

    /// Whether this store was opened for reading only ([`Store::open_for_reading`]).
    pub fn is_read_only(&self) -> bool {
        matches!(self.db, Handle::ReadOnly(_))
    }
}

/// Whether the file at `path` holds nothing but zeros (at most 16 MiB of them): a database
/// whose creation was cut before its header was written. A real database never is: its
/// header, at the start, shows in the first block (reading the whole file took a
/// millisecond at every start).
pub(super) fn never_written(path: &Path) -> bool {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else { return false };
    if !file.metadata().is_ok_and(|meta| meta.len() <= 16 * 1024 * 1024) {
        return false;
    }
    let (mut start, mut rest) = (Vec::new(), Vec::new());
    if (&mut file).take(64 * 1024).read_to_end(&mut start).is_err() || start.iter().any(|b| *b != 0) {
        return false;
    }
    file.read_to_end(&mut rest).is_ok() && rest.iter().all(|b| *b == 0)
}
