//! The laptop's copy of the province's offender index (`app::index_copy`): each case's
//! entries as the hub last sent them, by the hub's name for the case, and where the copy
//! stands. Tables of their own, written without a journal entry (they hold what the hub
//! said, not a change of a case), so that taking a page of changes costs its bytes only.
//! The values are serialised by `app`: what the hub says is not the store's business.

use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::{Serialize, de::DeserializeOwned};
use uuid::Uuid;

use super::{Store, StoreError, Writer, open_if_exists, record};

/// Each case's entries, by the hub's name for the case.
pub(super) const INDEX_CASES: TableDefinition<u128, &[u8]> = TableDefinition::new("index_cases");
/// Where the copy stands (one row).
pub(super) const INDEX_STATE: TableDefinition<&str, &[u8]> = TableDefinition::new("index_state");
const STATE: &str = "state";

impl Store {
    /// Where the copy stands, if there is one.
    pub fn index_state<T: DeserializeOwned>(&self) -> Result<Option<T>, StoreError> {
        let tx = self.db.begin_read()?;
        let Some(table) = open_if_exists(&tx, INDEX_STATE)? else { return Ok(None) };
        let value = table.get(STATE)?;
        value.map(|v| record::decode("index_state", v.value())).transpose()
    }

    /// Hands each case's entries to `each`, in the order of the hub's names; how many cases
    /// there are first (for progress).
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
    /// A case's entries in the copy.
    pub fn index_case<T: DeserializeOwned>(&self, name: Uuid) -> Result<Option<T>, StoreError> {
        let table = self.tx.open_table(INDEX_CASES)?;
        let value = table.get(name.as_u128())?;
        value.map(|v| record::decode("index_cases", v.value())).transpose()
    }

    /// Replaces a case's entries in the copy (none: removes them).
    pub fn put_index_case<T: Serialize>(&mut self, name: Uuid, entries: Option<&T>) -> Result<(), StoreError> {
        let mut table = self.tx.open_table(INDEX_CASES)?;
        match entries {
            Some(entries) => table.insert(name.as_u128(), record::encode(entries).as_slice())?,
            None => table.remove(name.as_u128())?,
        };
        Ok(())
    }

    /// Empties the copy (it starts again from nothing).
    pub fn clear_index(&mut self) -> Result<(), StoreError> {
        self.tx.delete_table(INDEX_CASES)?;
        Ok(())
    }

    /// Records where the copy stands.
    pub fn set_index_state<T: Serialize>(&mut self, state: &T) -> Result<(), StoreError> {
        self.tx.open_table(INDEX_STATE)?.insert(STATE, record::encode(state).as_slice())?;
        Ok(())
    }
}
