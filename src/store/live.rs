//! The stage of each case the province's hub acknowledged (live case status, `app::live`):
//! a table of its own, written without a journal entry (it records what the hub heard,
//! not a change of the case), so an acknowledgement costs a few bytes per case.

use std::collections::HashMap;

use redb::{ReadableTable, TableDefinition};
use uuid::Uuid;

use super::{Store, StoreError, Writer, open_if_exists, record};
use crate::domain::Stage;

const HEARD: TableDefinition<u128, &[u8]> = TableDefinition::new("live_heard");

impl Store {
    /// Every case's stage as the hub acknowledged it.
    pub fn heard(&self) -> Result<HashMap<Uuid, Stage>, StoreError> {
        let tx = self.db.begin_read()?;
        let Some(table) = open_if_exists(&tx, HEARD)? else { return Ok(HashMap::new()) };
        let mut out = HashMap::new();
        for row in table.iter()? {
            let (k, v) = row?;
            out.insert(Uuid::from_u128(k.value()), record::decode("live_heard", v.value())?);
        }
        Ok(out)
    }
}

impl Writer {
    /// Records that the hub heard this stage of the case.
    pub fn put_heard(&mut self, case_id: Uuid, stage: Stage) -> Result<(), StoreError> {
        self.tx.open_table(HEARD)?.insert(case_id.as_u128(), record::encode(&stage).as_slice())?;
        Ok(())
    }
}
