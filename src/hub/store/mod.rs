//! The hub's redb file (`<data dir>/hub.redb`): its own keys, enrolled teams and their
//! device keys, staff users, uploads in progress, stored packages and the case index.
//! Package files live beside it under `packages/<sha256>.anchi`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition, TableHandle};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use uuid::Uuid;

use crate::domain::Stage;
use crate::protocol::OffenderEntry;

pub const DB_FILE: &str = "hub.redb";
pub const PACKAGES_DIR: &str = "packages";
pub const UPLOADS_DIR: &str = "uploads";

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const TEAMS: TableDefinition<&str, &[u8]> = TableDefinition::new("teams");
const USERS: TableDefinition<&str, &[u8]> = TableDefinition::new("users");
const UPLOADS: TableDefinition<&str, &[u8]> = TableDefinition::new("uploads");
const PACKAGES: TableDefinition<&str, &[u8]> = TableDefinition::new("packages");
const CASES: TableDefinition<u128, &[u8]> = TableDefinition::new("cases");
/// Transfers of cases between teams, by case id and sequence (`<case id>/<nnnn>`).
const TRANSFERS: TableDefinition<&str, &[u8]> = TableDefinition::new("transfers");
/// What the province's pages read of each case (`views.rs`): its list row and facts.
const ROWS: TableDefinition<u128, &[u8]> = TableDefinition::new("rows");
/// Staff roles by user name (`views.rs`).
const ROLES: TableDefinition<&str, &[u8]> = TableDefinition::new("roles");
/// Who viewed which case's personal data, by time (`views.rs`).
const ACCESS: TableDefinition<u128, &[u8]> = TableDefinition::new("access");

const HUB_KEY: &str = "hub_key";
/// The law pack served (`law.rs`).
const LAW: &str = "law";

/// The hub's own keys: minisign for receipts and the index, age for sealed packages.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HubKeys {
    pub key_id: String,
    pub public_key: String,
    /// The unencrypted minisign secret key box: the server signs without a person present.
    pub secret_key: String,
    /// The age identity (`AGE-SECRET-KEY-1…`) that opens packages sealed to this hub.
    pub age_identity: String,
    pub age_recipient: String,
}

/// An enrolled team and the device keys of its laptops.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Team {
    pub team_id: String,
    pub name: String,
    pub keys: Vec<TeamKey>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TeamKey {
    pub key_id: String,
    pub public_key: String,
    pub added_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
}

/// An upload in progress.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Upload {
    pub upload_id: String,
    pub team_id: String,
    pub package_id: String,
    pub size: u64,
    pub sha256: String,
    /// Bytes received and on disk.
    pub offset: u64,
    pub started_at: DateTime<Utc>,
}

/// A package the hub verified and stored: what its receipt says, and the receipt as signed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StoredPackage {
    pub info: crate::protocol::Receipt,
    pub receipt: crate::protocol::SignedReceipt,
}

/// What the province view and the offender index know of a case: its newest version.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IndexedCase {
    pub case_id: Uuid,
    pub team_id: String,
    pub version: u32,
    pub package_sha256: String,
    pub received_at: DateTime<Utc>,
    pub opened_at: chrono::NaiveDateTime,
    pub subject_name: String,
    pub subject_identifier: Option<String>,
    pub field: String,
    pub stage: Stage,
    pub fine_vnd: Option<u64>,
    pub documents: Vec<IndexedDocument>,
    /// Every version received: (version, package SHA-256, received).
    pub versions: Vec<(u32, String, DateTime<Utc>)>,
    /// The case's offender index entries: one per sanction decision, and its inspection.
    pub entries: Vec<OffenderEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct IndexedDocument {
    pub title: String,
    pub number: Option<String>,
    pub state: String,
    pub at: chrono::NaiveDateTime,
    /// The PDF's path inside the package, when it was finalised.
    pub pdf: Option<String>,
}

/// A hub store failure (disk, corruption). Refusals of input are not errors here.
#[derive(Debug, thiserror::Error)]
#[error("hub store: {0}")]
pub struct HubStoreError(pub String);

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for HubStoreError {
            fn from(e: $t) -> Self { HubStoreError(e.to_string()) }
        }
    )*};
}
from_redb!(
    redb::Error,
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    std::io::Error
);

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    postcard::to_stdvec(value).expect("postcard serialises owned values")
}

fn decode<T: DeserializeOwned>(table: &str, bytes: &[u8]) -> Result<T, HubStoreError> {
    postcard::from_bytes(bytes).map_err(|e| HubStoreError(format!("{table}: {e}")))
}

/// The hub's data directory, opened.
/// Readable by its owner only on Unix (see `store::owner_only`, which the hub does not
/// depend on).
fn owner_only(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

#[derive(Debug)]
pub struct HubStore {
    db: Database,
    dir: PathBuf,
}

impl HubStore {
    pub fn open(dir: &Path) -> Result<HubStore, HubStoreError> {
        let new_dir = !dir.exists();
        std::fs::create_dir_all(dir.join(PACKAGES_DIR))?;
        std::fs::create_dir_all(dir.join(UPLOADS_DIR))?;
        // Several processes at once: the server, and the administrator's `team add` or
        // `case list` while it runs.
        let db =
            Database::builder().set_concurrency_mode(redb::ConcurrencyMode::MultiWriter).create(dir.join(DB_FILE))?;
        // hub.redb holds the hub's signing key and age identity: the server's user alone
        // reads it, in a folder only it enters (when the hub made it).
        owner_only(&dir.join(DB_FILE), 0o600)?;
        if new_dir {
            owner_only(dir, 0o700)?;
        }
        let tx = db.begin_write()?;
        for table in [META, TEAMS, USERS, UPLOADS, PACKAGES, TRANSFERS, ROLES] {
            tx.open_table(table)?;
        }
        for table in [CASES, ROWS, ACCESS] {
            tx.open_table(table)?;
        }
        for table in [outbox::FORWARDED, outbox::VOUCHED] {
            tx.open_table(table)?;
        }
        tx.open_table(outbox::NATIONAL)?;
        tx.open_table(live::LIVE)?;
        tx.open_table(live::STATUS_OUT)?;
        migrate::cases(&tx)?;
        index::fill(&tx)?;
        tx.open_table(outbox::OUTBOX)?;
        outbox::queue_old_packages(&tx)?;
        tx.commit()?;
        Ok(HubStore { db, dir: dir.to_path_buf() })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn package_file(&self, sha256: &str) -> PathBuf {
        self.dir.join(PACKAGES_DIR).join(format!("{sha256}.{}", crate::package::EXTENSION))
    }

    /// Where unfinished uploads are written, one `.part` file each.
    pub fn uploads_dir(&self) -> PathBuf {
        self.dir.join(UPLOADS_DIR)
    }

    pub fn upload_file(&self, upload_id: &str) -> PathBuf {
        self.uploads_dir().join(format!("{upload_id}.part"))
    }

    fn get<K: redb::Key + 'static, T: DeserializeOwned>(
        &self,
        table: TableDefinition<K, &[u8]>,
        key: K::SelfType<'_>,
    ) -> Result<Option<T>, HubStoreError> {
        let tx = self.db.begin_read()?;
        let t = tx.open_table(table)?;
        let value = t.get(key)?;
        value.map(|v| decode(table.name(), v.value())).transpose()
    }

    fn all<K: redb::Key + 'static, T: DeserializeOwned>(
        &self,
        table: TableDefinition<K, &[u8]>,
    ) -> Result<Vec<T>, HubStoreError> {
        let tx = self.db.begin_read()?;
        let t = tx.open_table(table)?;
        let mut out = Vec::new();
        for row in t.iter()? {
            out.push(decode(table.name(), row?.1.value())?);
        }
        Ok(out)
    }

    fn put<K: redb::Key + 'static, T: Serialize>(
        &self,
        table: TableDefinition<K, &[u8]>,
        key: K::SelfType<'_>,
        value: &T,
    ) -> Result<(), HubStoreError> {
        let tx = self.db.begin_write()?;
        tx.open_table(table)?.insert(key, encode(value).as_slice())?;
        tx.commit()?;
        Ok(())
    }

    pub fn keys(&self) -> Result<Option<HubKeys>, HubStoreError> {
        self.get(META, HUB_KEY)
    }

    pub fn set_keys(&self, keys: &HubKeys) -> Result<(), HubStoreError> {
        self.put(META, HUB_KEY, keys)
    }

    /// The law pack served, if one was published.
    pub fn law(&self) -> Result<Option<super::law::ServedLaw>, HubStoreError> {
        self.get(META, LAW)
    }

    pub fn set_law(&self, law: &super::law::ServedLaw) -> Result<(), HubStoreError> {
        self.put(META, LAW, law)
    }

    pub fn team(&self, team_id: &str) -> Result<Option<Team>, HubStoreError> {
        self.get(TEAMS, team_id)
    }

    pub fn teams(&self) -> Result<Vec<Team>, HubStoreError> {
        self.all(TEAMS)
    }

    pub fn put_team(&self, team: &Team) -> Result<(), HubStoreError> {
        self.put(TEAMS, team.team_id.as_str(), team)
    }

    /// The team and key of a device key id.
    pub fn key_owner(&self, key_id: &str) -> Result<Option<(Team, TeamKey)>, HubStoreError> {
        Ok(self.teams()?.into_iter().find_map(|t| {
            let key = t.keys.iter().find(|k| k.key_id == key_id).cloned();
            key.map(|k| (t, k))
        }))
    }

    pub fn user(&self, name: &str) -> Result<Option<User>, HubStoreError> {
        self.get(USERS, name)
    }

    pub fn put_user(&self, user: &User) -> Result<(), HubStoreError> {
        self.put(USERS, user.name.as_str(), user)
    }

    pub fn upload(&self, id: &str) -> Result<Option<Upload>, HubStoreError> {
        self.get(UPLOADS, id)
    }

    pub fn uploads(&self) -> Result<Vec<Upload>, HubStoreError> {
        self.all(UPLOADS)
    }

    pub fn put_upload(&self, upload: &Upload) -> Result<(), HubStoreError> {
        self.put(UPLOADS, upload.upload_id.as_str(), upload)
    }

    pub fn remove_upload(&self, id: &str) -> Result<(), HubStoreError> {
        let tx = self.db.begin_write()?;
        tx.open_table(UPLOADS)?.remove(id)?;
        tx.commit()?;
        Ok(())
    }

    pub fn package(&self, package_id: &str) -> Result<Option<StoredPackage>, HubStoreError> {
        self.get(PACKAGES, package_id)
    }

    pub fn packages(&self) -> Result<Vec<StoredPackage>, HubStoreError> {
        self.all(PACKAGES)
    }

    pub fn case(&self, id: Uuid) -> Result<Option<IndexedCase>, HubStoreError> {
        self.get(CASES, id.as_u128())
    }

    pub fn cases(&self) -> Result<Vec<IndexedCase>, HubStoreError> {
        self.all(CASES)
    }

    /// Records a verified package in one transaction: the package, the case index (when
    /// this is its newest version; older versions are only added to the list), and the
    /// end of its upload; the rows' new count when the case's row changed. The succession rules ([`check_succession`]) are checked inside
    /// the same transaction, so two uploads cannot both pass them; a refusal stores nothing.
    pub fn store_package(
        &self,
        package: &StoredPackage,
        previous: Option<&str>,
        case: IndexedCase,
        row: HubRow,
        upload_id: &str,
    ) -> Result<Result<Option<u64>, Succession>, HubStoreError> {
        let tx = self.db.begin_write()?;
        let mut generation = None;
        {
            let mut cases = tx.open_table(CASES)?;
            let key = case.case_id.as_u128();
            let existing: Option<IndexedCase> = cases.get(key)?.map(|v| decode("cases", v.value())).transpose()?;
            if let Some(old) = &existing
                && let Err(refused) = check_succession(old, &case.team_id, case.version, &case.package_sha256, previous)
            {
                return Ok(Err(refused));
            }
            tx.open_table(PACKAGES)?.insert(package.info.package_id.as_str(), encode(package).as_slice())?;
            // Forwarded to the national server from the outbox, never lost in between.
            outbox::queue(&tx, package)?;
            let entry = (package.info.version, package.info.sha256.clone(), package.info.received_at);
            let newest = existing.as_ref().is_none_or(|old| old.version <= case.version);
            let merged = match existing {
                Some(mut old) if old.version > case.version => {
                    old.versions.push(entry);
                    old.versions.sort();
                    old
                }
                Some(old) => {
                    let mut new = case;
                    new.versions = old.versions;
                    new.versions.push(entry);
                    new.versions.sort();
                    new
                }
                None => {
                    let mut new = case;
                    new.versions = vec![entry];
                    new
                }
            };
            cases.insert(key, encode(&merged).as_slice())?;
            if newest {
                // The team is the case's owner as stored (a transfer moved it, not the package).
                let row = HubRow { team_id: merged.team_id.clone(), ..row };
                tx.open_table(ROWS)?.insert(key, encode(&row).as_slice())?;
                generation = Some(views::changed(&tx)?);
                index::changed(&tx, merged.case_id, &merged.entries)?;
            }
            tx.open_table(UPLOADS)?.remove(upload_id)?;
        }
        tx.commit()?;
        Ok(Ok(generation))
    }
}

/// A case moved from one team of the province to another: an act of the province, signed
/// by the hub's key and kept for good. From it on, only the receiving team sends the case's
/// versions, each following the version held at the transfer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Transfer {
    pub case_id: Uuid,
    pub from_team: String,
    pub to_team: String,
    /// The staff user who ordered it.
    pub by: String,
    pub reason: String,
    pub at: DateTime<Utc>,
    /// The newest version the hub held when the case moved.
    pub version: u32,
    pub package_sha256: String,
    pub hub_key_id: String,
}

/// A transfer as signed: its JSON text and the hub's minisign signature of it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SignedTransfer {
    pub transfer: String,
    pub signature: String,
}

impl HubStore {
    /// Moves a case to another team, in one transaction with its signed record: refused
    /// (nothing stored) when the case is not where `transfer` says, or has moved on since.
    pub fn transfer_case(
        &self,
        transfer: &Transfer,
        signed: &SignedTransfer,
    ) -> Result<Result<(), String>, HubStoreError> {
        let tx = self.db.begin_write()?;
        {
            let mut cases = tx.open_table(CASES)?;
            let key = transfer.case_id.as_u128();
            let Some(mut case): Option<IndexedCase> =
                cases.get(key)?.map(|v| decode("cases", v.value())).transpose()?
            else {
                return Ok(Err(format!("no case {}", transfer.case_id)));
            };
            if case.team_id != transfer.from_team || case.version != transfer.version {
                return Ok(Err(format!(
                    "case {} is now version {} of team {}, not version {} of team {}",
                    case.case_id, case.version, case.team_id, transfer.version, transfer.from_team
                )));
            }
            case.team_id = transfer.to_team.clone();
            // The index names the team that now holds the case.
            for entry in &mut case.entries {
                entry.team_id = transfer.to_team.clone();
            }
            cases.insert(key, encode(&case).as_slice())?;
            index::changed(&tx, case.case_id, &case.entries)?;
            // Rows of an older layout are not read: the next start makes them again from the
            // packages, with the case's team as the index now says.
            if views::rows_current_in(&tx)? {
                let mut rows = tx.open_table(ROWS)?;
                let row: Option<HubRow> = rows.get(key)?.map(|v| decode("rows", v.value())).transpose()?;
                if let Some(mut row) = row {
                    row.team_id = transfer.to_team.clone();
                    rows.insert(key, encode(&row).as_slice())?;
                }
            }
            views::changed(&tx)?;
            let mut transfers = tx.open_table(TRANSFERS)?;
            let prefix = format!("{}/", transfer.case_id);
            let seq = transfers
                .range(prefix.as_str()..)?
                .take_while(|r| r.as_ref().is_ok_and(|(k, _)| k.value().starts_with(&prefix)))
                .count();
            transfers.insert(format!("{prefix}{seq:04}").as_str(), encode(&(transfer, signed)).as_slice())?;
        }
        tx.commit()?;
        Ok(Ok(()))
    }

    /// The transfers of a case, oldest first.
    pub fn transfers(&self, case_id: Uuid) -> Result<Vec<(Transfer, SignedTransfer)>, HubStoreError> {
        let tx = self.db.begin_read()?;
        let t = tx.open_table(TRANSFERS)?;
        let prefix = format!("{case_id}/");
        let mut out = Vec::new();
        for row in t.range(prefix.as_str()..)? {
            let (k, v) = row?;
            if !k.value().starts_with(&prefix) {
                break;
            }
            out.push(decode(TRANSFERS.name(), v.value())?);
        }
        Ok(out)
    }
}

mod index;
pub use index::{IndexPage, IndexRecord};
mod succession;
pub use succession::{Succession, check_succession};
mod views;
pub use views::{AccessEntry, HubRow, Role};
mod live;
mod migrate;
mod outbox;
pub use live::Live;
pub use outbox::{Queued, Upstream, UpstreamStatus};
