//! The laptop's copy of the province's offender index (`app::index_copy`): each case's
//! entries as the hub last sent them, by the hub's name for the case, and where the copy
//! stands. Tables of their own, written without a journal entry (they hold what the hub
//! said, not a change of a case), so that taking a page of changes costs its bytes only.
//! The values are serialised by `app`: what the hub says is not the store's business.
//!
//! Two copies: the one held (in use), and the next one, filled page by page when the copy
//! must be taken again from nothing; it replaces the held one whole at its last page, so
//! that a sync cut half-way never leaves a half copy in use.

use redb::{ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::{Serialize, de::DeserializeOwned};
use uuid::Uuid;

use super::{Store, StoreError, Writer, open_if_exists, record};

/// Each case's entries in the copy held, by the hub's name for the case.
pub(super) const INDEX_CASES: TableDefinition<u128, &[u8]> = TableDefinition::new("index_cases");
/// The same for the next copy, while it is being filled.
pub(super) const NEXT_CASES: TableDefinition<u128, &[u8]> = TableDefinition::new("index_cases_next");
/// Where each copy stands (a row each: [`IndexCopy::key`]).
pub(super) const INDEX_STATE: TableDefinition<&str, &[u8]> = TableDefinition::new("index_state");

/// Which copy of the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexCopy {
    /// The copy in use.
    Held,
    /// The copy being taken again from nothing.
    Next,
}

impl IndexCopy {
    fn table(self) -> TableDefinition<'static, u128, &'static [u8]> {
        match self {
            IndexCopy::Held => INDEX_CASES,
            IndexCopy::Next => NEXT_CASES,
        }
    }

    fn key(self) -> &'static str {
        match self {
            IndexCopy::Held => "state",
            IndexCopy::Next => "next",
        }
    }
}

impl Store {
    /// Where a copy stands, if there is one.
    pub fn index_state<T: DeserializeOwned>(&self, copy: IndexCopy) -> Result<Option<T>, StoreError> {
        let tx = self.db.begin_read()?;
        let Some(table) = open_if_exists(&tx, INDEX_STATE)? else { return Ok(None) };
        let value = table.get(copy.key())?;
        value.map(|v| record::decode("index_state", v.value())).transpose()
    }

    /// Hands each case's entries in the copy held to `each`, with how many cases there are
    /// (for progress), in the order of the hub's names.
    pub fn each_index_case<T: DeserializeOwned>(
        &self,
        mut each: impl FnMut(u64, T) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let tx = self.db.begin_read()?;
        let Some(table) = open_if_exists(&tx, INDEX_CASES)? else { return Ok(()) };
        let count = table.len()?;
        for row in table.iter()? {
            each(count, record::decode("index_cases", row?.1.value())?)?;
        }
        Ok(())
    }
}

impl Writer {
    /// A case's entries in a copy.
    pub fn index_case<T: DeserializeOwned>(&self, copy: IndexCopy, name: Uuid) -> Result<Option<T>, StoreError> {
        let table = self.tx.open_table(copy.table())?;
        let value = table.get(name.as_u128())?;
        value.map(|v| record::decode("index_cases", v.value())).transpose()
    }

    /// Replaces a case's entries in a copy (none: removes them).
    pub fn put_index_case<T: Serialize>(
        &mut self,
        copy: IndexCopy,
        name: Uuid,
        entries: Option<&T>,
    ) -> Result<(), StoreError> {
        let mut table = self.tx.open_table(copy.table())?;
        match entries {
            Some(entries) => table.insert(name.as_u128(), record::encode(entries).as_slice())?,
            None => table.remove(name.as_u128())?,
        };
        Ok(())
    }

    /// Empties a copy (it starts again from nothing).
    pub fn clear_index(&mut self, copy: IndexCopy) -> Result<(), StoreError> {
        self.tx.delete_table(copy.table())?;
        self.tx.open_table(INDEX_STATE)?.remove(copy.key())?;
        Ok(())
    }

    /// Records where a copy stands.
    pub fn set_index_state<T: Serialize>(&mut self, copy: IndexCopy, state: &T) -> Result<(), StoreError> {
        self.tx.open_table(INDEX_STATE)?.insert(copy.key(), record::encode(state).as_slice())?;
        Ok(())
    }

    /// The next copy, complete, becomes the one held (the held one is let go), standing
    /// where `state` says.
    pub fn hold_next_index<T: Serialize>(&mut self, state: &T) -> Result<(), StoreError> {
        self.tx.delete_table(INDEX_CASES)?;
        self.tx.open_table(NEXT_CASES)?;
        self.tx.rename_table(NEXT_CASES, INDEX_CASES)?;
        let mut states = self.tx.open_table(INDEX_STATE)?;
        states.remove(IndexCopy::Next.key())?;
        states.insert(IndexCopy::Held.key(), record::encode(state).as_slice())?;
        Ok(())
    }
}
