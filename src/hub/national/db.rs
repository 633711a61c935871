//! The national store on PostgreSQL: the connection pool (TLS by rustls when a CA is
//! given), the versioned migrations of `migrations/national/` applied at start under an
//! advisory lock, and every query the national server makes.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;
use tokio_postgres::config::SslMode;

use super::views::{CASE_COLUMNS, case_row};
use crate::protocol::{KeyStatement, SignedStatement};

/// The migrations, in order: (version, name, SQL). A database holding a version this list
/// does not know comes from a newer program and is refused.
const MIGRATIONS: &[(i32, &str, &str)] = &[
    (1, "init", include_str!("../../../migrations/national/0001_init.sql")),
    (2, "index_by_transaction", include_str!("../../../migrations/national/0002_index_by_transaction.sql")),
];
/// The advisory lock two servers starting at once take in turn for the migrations.
const MIGRATION_LOCK: i64 = 0x616e_6368_695f_6e61;

/// A database failure, in English for the log.
#[derive(Debug, thiserror::Error)]
#[error("national database: {0}")]
pub struct DbError(pub String);

impl From<tokio_postgres::Error> for DbError {
    fn from(e: tokio_postgres::Error) -> Self {
        // The server's own words (constraint, column) are in the source.
        match e.as_db_error() {
            Some(db) => DbError(format!("{}: {}", db.code().code(), db.message())),
            None => DbError(e.to_string()),
        }
    }
}

impl From<deadpool_postgres::PoolError> for DbError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        DbError(e.to_string())
    }
}

/// The national store.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
}

/// An enrolled province.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Province {
    pub code: String,
    pub name: String,
    pub key_id: String,
    pub public_key: String,
    pub enrolled_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// An upload in progress from a province.
#[derive(Debug, Clone)]
pub struct Upload {
    pub upload_id: String,
    pub province_code: String,
    pub package_id: String,
    pub size: u64,
    pub sha256: String,
    pub received: u64,
    pub started_at: DateTime<Utc>,
}

/// A team key as a province vouched for it.
#[derive(Debug, Clone)]
pub struct VouchedKey {
    pub team_id: String,
    pub public_key: String,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A verified package ready to be stored, with what the national view reads of its case.
pub struct Received {
    pub receipt: crate::protocol::Receipt,
    pub signed: crate::protocol::SignedReceipt,
    pub bytes: Vec<u8>,
    pub case: crate::domain::Case,
    pub upload_id: String,
    /// The goods groups the lines fall in (this build's reference data).
    pub reference: std::sync::Arc<crate::reference::Reference>,
}

/// What storing a package came to.
pub enum Stored {
    New,
    /// The case is held by another province.
    OwnedElsewhere(String),
}

pub(super) fn u64_of(n: i64) -> u64 {
    u64::try_from(n).unwrap_or_default()
}

pub(super) fn i64_of(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Db {
    /// A connection from the pool.
    pub(super) async fn pool(&self) -> Result<deadpool_postgres::Object, DbError> {
        Ok(self.pool.get().await?)
    }

    /// A pool for `url` (a PostgreSQL URL or key=value string); with `ca`, the server's
    /// certificate must chain to it (rustls), as `sslmode` in the URL asks.
    pub fn connect(url: &str, ca: Option<&Path>) -> Result<Db, String> {
        let config: tokio_postgres::Config = url.parse().map_err(|e| format!("--database: {e}"))?;
        let manager_config = ManagerConfig { recycling_method: RecyclingMethod::Fast };
        let manager = match ca {
            Some(path) => {
                let tls = tls_config(path)?;
                Manager::from_config(config, tokio_postgres_rustls::MakeRustlsConnect::new(tls), manager_config)
            }
            None if config.get_ssl_mode() == SslMode::Require => {
                return Err(
                    "--database asks for sslmode=require: give the database server's CA with --database-ca".into()
                );
            }
            None => Manager::from_config(config, NoTls, manager_config),
        };
        let pool = Pool::builder(manager)
            .max_size(16)
            .wait_timeout(Some(std::time::Duration::from_secs(30)))
            .create_timeout(Some(std::time::Duration::from_secs(10)))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| format!("--database: {e}"))?;
        Ok(Db { pool })
    }

    /// Applies the migrations this database lacks, in one transaction; the versions applied.
    pub async fn migrate(&self) -> Result<Vec<i32>, DbError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute("select pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await?;
        tx.batch_execute(
            "create table if not exists schema_migrations (version integer primary key, name text not null, \
             applied_at timestamptz not null default now())",
        )
        .await?;
        let applied: Vec<i32> =
            tx.query("select version from schema_migrations", &[]).await?.iter().map(|r| r.get(0)).collect();
        let known = MIGRATIONS.len() as i32;
        if let Some(newer) = applied.iter().find(|v| **v > known) {
            return Err(DbError(format!(
                "the database has migration {newer}, newer than this program knows ({known}): run a newer anchi-hub"
            )));
        }
        let mut done = Vec::new();
        for (version, name, sql) in MIGRATIONS.iter().filter(|(v, ..)| !applied.contains(v)) {
            tx.batch_execute(sql)
                .await
                .map_err(|e| DbError(format!("migration {version} ({name}): {}", DbError::from(e).0)))?;
            tx.execute("insert into schema_migrations (version, name) values ($1, $2)", &[version, name]).await?;
            done.push(*version);
        }
        // The offender index's order is the cluster's transaction ids (migration 0002): a
        // database restored from a dump into another cluster holds ids its new counter has
        // not reached, and provinces would miss what is written next. Refused, saying so.
        let ahead = "select exists (select 1 from cases where index_xid >= pg_snapshot_xmax(pg_current_snapshot()))";
        if tx.query_one(ahead, &[]).await?.get::<_, bool>(0) {
            return Err(DbError(
                "cases.index_xid is ahead of this cluster's transaction ids (a dump restored into another cluster?): \
                 the national offender index would skip cases; see docs/national-scale.md, \"restoring\""
                    .into(),
            ));
        }
        tx.commit().await?;
        Ok(done)
    }

    pub async fn add_province(&self, p: &Province) -> Result<Result<(), String>, DbError> {
        let client = self.pool.get().await?;
        let clash = client
            .query_opt("select code from provinces where code = $1 or key_id = $2", &[&p.code, &p.key_id])
            .await?;
        if let Some(row) = clash {
            let code: String = row.get(0);
            return Ok(Err(format!("province {code} is enrolled already with this code or key")));
        }
        client
            .execute(
                "insert into provinces (code, name, key_id, public_key, enrolled_at) values ($1, $2, $3, $4, $5)",
                &[&p.code, &p.name, &p.key_id, &p.public_key, &p.enrolled_at],
            )
            .await?;
        Ok(Ok(()))
    }

    pub async fn provinces(&self) -> Result<Vec<Province>, DbError> {
        let client = self.pool.get().await?;
        let rows = client
            .query("select code, name, key_id, public_key, enrolled_at, revoked_at from provinces order by code", &[])
            .await?;
        Ok(rows.iter().map(province_of).collect())
    }

    pub async fn province_by_key(&self, key_id: &str) -> Result<Option<Province>, DbError> {
        let client = self.pool.get().await?;
        let sql = "select code, name, key_id, public_key, enrolled_at, revoked_at from provinces where key_id = $1";
        let row = client.query_opt(&client.prepare_cached(sql).await?, &[&key_id]).await?;
        Ok(row.as_ref().map(province_of))
    }

    /// Revokes a province's key; false when no such province.
    pub async fn revoke_province(&self, code: &str) -> Result<bool, DbError> {
        let client = self.pool.get().await?;
        let n = client
            .execute("update provinces set revoked_at = coalesce(revoked_at, now()) where code = $1", &[&code])
            .await?;
        Ok(n == 1)
    }

    /// Keeps a province's statements of its team keys; a key keeps its first team and public
    /// key (a statement saying otherwise is refused, naming the key), and a revocation stays.
    pub async fn vouch(
        &self,
        province: &str,
        statements: &[(KeyStatement, SignedStatement)],
    ) -> Result<Result<u64, String>, DbError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        for (s, signed) in statements {
            let known = tx
                .query_opt(
                    "select team_id, public_key from team_keys where province_code = $1 and key_id = $2",
                    &[&province, &s.key_id],
                )
                .await?;
            if let Some(row) = known {
                let (team, key): (String, String) = (row.get(0), row.get(1));
                if team != s.team_id || key != s.public_key {
                    return Ok(Err(format!(
                        "key {} was vouched for team {team} with another public key or team",
                        s.key_id
                    )));
                }
            }
            tx.execute(
                "insert into team_keys (province_code, key_id, team_id, team_name, public_key, enrolled_at, revoked_at, statement, signature) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 on conflict (province_code, key_id) do update set team_name = excluded.team_name, \
                 revoked_at = coalesce(team_keys.revoked_at, excluded.revoked_at), \
                 statement = excluded.statement, signature = excluded.signature",
                &[&province, &s.key_id, &s.team_id, &s.team_name, &s.public_key, &s.enrolled_at, &s.revoked_at, &signed.statement, &signed.signature],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Ok(statements.len() as u64))
    }

    /// The keys a province vouched for, of all its teams.
    pub async fn province_keys(&self, province: &str) -> Result<Vec<VouchedKey>, DbError> {
        let client = self.pool.get().await?;
        let sql = "select team_id, public_key, revoked_at from team_keys where province_code = $1";
        let rows = client.query(&client.prepare_cached(sql).await?, &[&province]).await?;
        Ok(rows.iter().map(|r| VouchedKey { team_id: r.get(0), public_key: r.get(1), revoked_at: r.get(2) }).collect())
    }

    /// A stored package's province, SHA-256 and receipt.
    pub async fn package(
        &self,
        package_id: &str,
    ) -> Result<Option<(String, String, crate::protocol::SignedReceipt)>, DbError> {
        let client = self.pool.get().await?;
        let sql = "select province_code, sha256, receipt, signature from packages where package_id = $1";
        let row = client.query_opt(&client.prepare_cached(sql).await?, &[&package_id]).await?;
        Ok(row.map(|r| (r.get(0), r.get(1), crate::protocol::SignedReceipt { receipt: r.get(2), signature: r.get(3) })))
    }

    pub async fn upload(&self, upload_id: &str) -> Result<Option<Upload>, DbError> {
        let client = self.pool.get().await?;
        let sql = client.prepare_cached(&format!("{UPLOAD_COLUMNS} where upload_id = $1")).await?;
        let row = client.query_opt(&sql, &[&upload_id]).await?;
        Ok(row.as_ref().map(upload_of))
    }

    /// A province's unfinished uploads.
    pub async fn uploads_of(&self, province: &str) -> Result<Vec<Upload>, DbError> {
        let client = self.pool.get().await?;
        let sql = client.prepare_cached(&format!("{UPLOAD_COLUMNS} where province_code = $1")).await?;
        let rows = client.query(&sql, &[&province]).await?;
        Ok(rows.iter().map(upload_of).collect())
    }

    pub async fn put_upload(&self, u: &Upload) -> Result<(), DbError> {
        let client = self.pool.get().await?;
        let sql = client
            .prepare_cached(
                "insert into uploads (upload_id, province_code, package_id, size, sha256, received, started_at) \
                 values ($1, $2, $3, $4, $5, $6, $7) on conflict (upload_id) do update set received = excluded.received",
            )
            .await?;
        client
            .execute(
                &sql,
                &[
                    &u.upload_id,
                    &u.province_code,
                    &u.package_id,
                    &i64_of(u.size),
                    &u.sha256,
                    &i64_of(u.received),
                    &u.started_at,
                ],
            )
            .await?;
        Ok(())
    }

    pub async fn remove_upload(&self, upload_id: &str) -> Result<(), DbError> {
        let client = self.pool.get().await?;
        client.execute("delete from uploads where upload_id = $1", &[&upload_id]).await?;
        Ok(())
    }

    /// Every unfinished upload.
    pub async fn uploads(&self) -> Result<Vec<Upload>, DbError> {
        let client = self.pool.get().await?;
        Ok(client.query(UPLOAD_COLUMNS, &[]).await?.iter().map(upload_of).collect())
    }

    /// Uploads started before `before`, to be removed with their bytes.
    pub async fn expired_uploads(&self, before: DateTime<Utc>) -> Result<Vec<Upload>, DbError> {
        let client = self.pool.get().await?;
        let rows = client.query(&format!("{UPLOAD_COLUMNS} where started_at < $1"), &[&before]).await?;
        Ok(rows.iter().map(upload_of).collect())
    }

    /// Stores a verified package in one transaction: the package with its bytes, the case's
    /// row and offender entries when this is its newest version, the end of the upload. The
    /// statements are prepared once per connection; nothing here waits on another write but
    /// for the same case's row.
    pub async fn store(&self, province: &str, r: &Received) -> Result<Stored, DbError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let receipt = &r.receipt;
        let insert = tx
            .prepare_cached(
                "insert into packages (package_id, sha256, province_code, team_id, case_id, version, size, received_at, receipt, signature, bytes) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .await?;
        tx.execute(
            &insert,
            &[
                &receipt.package_id,
                &receipt.sha256,
                &province,
                &receipt.team_id,
                &receipt.case_id,
                &(receipt.version as i32),
                &i64_of(receipt.size),
                &receipt.received_at,
                &r.signed.receipt,
                &r.signed.signature,
                &r.bytes,
            ],
        )
        .await?;
        let held = tx.prepare_cached("select province_code, version from cases where case_id = $1 for update").await?;
        let held = tx.query_opt(&held, &[&r.case.id]).await?;
        if let Some(row) = &held {
            let owner: String = row.get(0);
            if owner != province {
                return Ok(Stored::OwnedElsewhere(owner));
            }
        }
        let newest = held.as_ref().is_none_or(|row| row.get::<_, i32>(1) <= receipt.version as i32);
        // Another province's first version of the same case, written meanwhile, wins: the
        // row is not taken over (the upsert's condition), and this one rolls back.
        if newest && !super::write::write_case(&tx, province, r).await? {
            let owner = tx.query_one("select province_code from cases where case_id = $1", &[&r.case.id]).await?;
            return Ok(Stored::OwnedElsewhere(owner.get(0)));
        }
        let done = tx.prepare_cached("delete from uploads where upload_id = $1").await?;
        tx.execute(&done, &[&r.upload_id]).await?;
        tx.commit().await?;
        Ok(Stored::New)
    }

    /// Every case, by province and opening.
    pub async fn cases(&self) -> Result<Vec<CaseRow>, DbError> {
        let client = self.pool.get().await?;
        let rows = client.query(&format!("{CASE_COLUMNS} order by province_code, opened_at, case_id"), &[]).await?;
        Ok(rows.iter().map(case_row).collect())
    }

    pub async fn add_user(&self, name: &str, password_hash: &str) -> Result<(), DbError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "insert into users (name, password_hash, created_at) values ($1, $2, now()) \
                 on conflict (name) do update set password_hash = excluded.password_hash",
                &[&name, &password_hash],
            )
            .await?;
        Ok(())
    }
}

const UPLOAD_COLUMNS: &str =
    "select upload_id, province_code, package_id, size, sha256, received, started_at from uploads";

fn upload_of(r: &tokio_postgres::Row) -> Upload {
    Upload {
        upload_id: r.get(0),
        province_code: r.get(1),
        package_id: r.get(2),
        size: u64_of(r.get(3)),
        sha256: r.get(4),
        received: u64_of(r.get(5)),
        started_at: r.get(6),
    }
}

fn province_of(r: &tokio_postgres::Row) -> Province {
    Province {
        code: r.get(0),
        name: r.get(1),
        key_id: r.get(2),
        public_key: r.get(3),
        enrolled_at: r.get(4),
        revoked_at: r.get(5),
    }
}

/// The pairs of sanctions of one subject (by identifier) in two provinces, the later within
/// a year of the earlier (khoản 1 Điều 7 Luật XLVPHC's look-back), as `offender_pairs` rows.
pub const PAIRS: &str = "select a.case_id, b.case_id, a.identifier, a.name, a.province_code, a.decided_on, a.act, \
     b.province_code, b.decided_on, b.act \
     from offender_entries a join offender_entries b \
       on a.identifier = b.identifier and a.province_code <> b.province_code \
      and (b.decided_on > a.decided_on or (b.decided_on = a.decided_on and b.province_code > a.province_code)) \
      and b.decided_on <= a.decided_on + interval '1 year' \
     where a.kind = 'sanction' and b.kind = 'sanction' and a.identifier is not null";

/// A case as `national case list` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CaseRow {
    pub province_code: String,
    pub team_id: String,
    pub case_id: uuid::Uuid,
    pub version: u32,
    pub opened_at: chrono::NaiveDateTime,
    pub subject_name: String,
    pub subject_identifier: Option<String>,
    pub field: String,
    pub stage: String,
    pub fine_vnd: Option<u64>,
}

/// A rustls client configuration trusting only the certificates of the PEM file at `path`.
fn tls_config(path: &Path) -> Result<rustls::ClientConfig, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let pem = std::fs::read(path).map_err(|e| format!("--database-ca {}: {e}", path.display()))?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| format!("--database-ca {}: {e}", path.display()))?;
        roots.add(cert).map_err(|e| format!("--database-ca {}: {e}", path.display()))?;
    }
    if roots.is_empty() {
        return Err(format!("--database-ca {}: no PEM certificate in it", path.display()));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth())
}
