//! What the province's pages read: one row per case (the laptop's list row and facts, with
//! the team that owns the case), the staff's roles, and the log of who viewed which case's
//! personal data. A counter in `meta` changes with every write of the rows, so the pages
//! keep the rows in memory and read them again only when it moved.

use chrono::{DateTime, Utc};
use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, WriteTransaction};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ACCESS, HubStore, HubStoreError, META, ROLES, ROWS, decode, encode};
use crate::domain::CaseSummary;
use crate::domain::summary::CaseFacts;

/// The counter of writes to the rows.
const GENERATION: &str = "rows_generation";
/// The layout of the rows; they are rebuilt from the packages when it differs (2: the
/// list rows' dates as numbers, `domain::compact_dates`).
const FORMAT: &str = "rows_format";
pub const ROWS_FORMAT: u32 = 2;

/// A case as the province's pages count and list it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HubRow {
    pub team_id: String,
    pub summary: CaseSummary,
    pub facts: CaseFacts,
}

/// What a staff member may do on the province's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// Chi cục trưởng or a deputy: every page, and the access log.
    Leader,
    /// A provincial officer: the cases and the statistics.
    Officer,
    /// The IT administrator: accounts and enrolled teams, no case data.
    Admin,
}

impl Role {
    pub fn vi(self) -> &'static str {
        match self {
            Role::Leader => "Lãnh đạo Chi cục",
            Role::Officer => "Công chức",
            Role::Admin => "Quản trị hệ thống",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "leader" => Some(Role::Leader),
            "officer" => Some(Role::Officer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Whether the role reads case data (subjects, documents, statistics).
    pub fn sees_cases(self) -> bool {
        self != Role::Admin
    }
}

/// One view of a case's personal data (Nghị định 13/2023/NĐ-CP: who processed it, when).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEntry {
    pub at: DateTime<Utc>,
    pub user: String,
    pub case_id: Uuid,
    /// What was opened: "vụ việc", "PDF: <title>".
    pub what: String,
}

/// Marks the rows as changed, inside the transaction that changed them; the new count.
pub(super) fn changed(tx: &WriteTransaction) -> Result<u64, HubStoreError> {
    let mut meta = tx.open_table(META)?;
    let now: u64 = meta.get(GENERATION)?.map(|v| decode("meta", v.value())).transpose()?.unwrap_or(0);
    meta.insert(GENERATION, encode(&(now + 1)).as_slice())?;
    Ok(now + 1)
}

impl HubStore {
    /// The counter of writes to the rows (0 before the first).
    pub fn rows_generation(&self) -> Result<u64, HubStoreError> {
        Ok(self.get(META, GENERATION)?.unwrap_or(0))
    }

    /// Every case's row, with the counter they were read at.
    pub fn rows(&self) -> Result<(u64, Vec<HubRow>), HubStoreError> {
        let tx = self.db.begin_read()?;
        let meta = tx.open_table(META)?;
        let generation = meta.get(GENERATION)?.map(|v| decode("meta", v.value())).transpose()?.unwrap_or(0);
        let t = tx.open_table(ROWS)?;
        let mut out = Vec::with_capacity(t.len()? as usize);
        for row in t.iter()? {
            out.push(decode("rows", row?.1.value())?);
        }
        Ok((generation, out))
    }

    /// Whether the rows were made with this program's layout.
    pub fn rows_current(&self) -> Result<bool, HubStoreError> {
        Ok(self.get::<&str, u32>(META, FORMAT)? == Some(ROWS_FORMAT))
    }

    /// Replaces every row (after a change of layout), in one transaction; `complete` marks
    /// the layout current (no case was left out).
    pub fn replace_rows(&self, rows: &[(Uuid, HubRow)], complete: bool) -> Result<(), HubStoreError> {
        let tx = self.db.begin_write()?;
        {
            tx.delete_table(ROWS)?;
            let mut t = tx.open_table(ROWS)?;
            for (id, row) in rows {
                t.insert(id.as_u128(), encode(row).as_slice())?;
            }
            if complete {
                tx.open_table(META)?.insert(FORMAT, encode(&ROWS_FORMAT).as_slice())?;
            }
        }
        changed(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// A staff member's role; accounts made before roles existed saw every page, and keep
    /// doing so as leaders until given another role.
    pub fn role(&self, user: &str) -> Result<Role, HubStoreError> {
        Ok(self.get(ROLES, user)?.unwrap_or(Role::Leader))
    }

    pub fn set_role(&self, user: &str, role: Role) -> Result<(), HubStoreError> {
        self.put(ROLES, user, &role)
    }

    pub fn users_with_roles(&self) -> Result<Vec<(String, Role)>, HubStoreError> {
        let users: Vec<super::User> = self.all(super::USERS)?;
        users.into_iter().map(|u| Ok((u.name.clone(), self.role(&u.name)?))).collect()
    }

    /// Records one view of a case's personal data.
    pub fn log_access(&self, entry: &AccessEntry) -> Result<(), HubStoreError> {
        let tx = self.db.begin_write()?;
        {
            let mut t = tx.open_table(ACCESS)?;
            // Keyed by time in nanoseconds, moved on past any entry of the same instant.
            let mut key = entry.at.timestamp_nanos_opt().unwrap_or(0).max(0) as u128;
            while t.get(key)?.is_some() {
                key += 1;
            }
            t.insert(key, encode(entry).as_slice())?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The newest `limit` views, newest first, and how many there are in all.
    pub fn access_log(&self, limit: usize) -> Result<(Vec<AccessEntry>, u64), HubStoreError> {
        let tx = self.db.begin_read()?;
        let t = tx.open_table(ACCESS)?;
        let mut out = Vec::new();
        for row in t.iter()?.rev().take(limit) {
            out.push(decode("access", row?.1.value())?);
        }
        Ok((out, t.len()?))
    }
}

/// Whether the rows are of this build's layout, inside a write.
pub(super) fn rows_current_in(tx: &WriteTransaction) -> Result<bool, HubStoreError> {
    let meta = tx.open_table(META)?;
    let format: Option<u32> = meta.get(FORMAT)?.map(|v| decode("meta", v.value())).transpose()?;
    Ok(format == Some(ROWS_FORMAT))
}
