//! `anchi-hub national …`: the national server's command line (init, serve, provinces,
//! users, cases, offenders). The database comes from `--database` or `DATABASE_URL`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::db::{Db, Province};
use super::{KEY_FILE, NationalKeys, NationalState};
use crate::hub::cli::{ServeBounds, read_password};
use crate::package::key_id_of;

#[derive(Debug, clap::Args)]
pub struct NationalArgs {
    /// The PostgreSQL database (URL, e.g. postgresql://anchi@localhost/anchi_national;
    /// `sslmode=require` with --database-ca for TLS).
    #[arg(long = "database", env = "DATABASE_URL", global = true, hide_env_values = true)]
    database: Option<String>,
    /// The CA certificate (PEM) the database server's certificate must chain to: the
    /// connection is then TLS (rustls).
    #[arg(long = "database-ca", env = "DATABASE_CA", global = true)]
    database_ca: Option<PathBuf>,
    #[command(subcommand)]
    command: NationalCommand,
}

#[derive(Debug, Subcommand)]
pub enum NationalCommand {
    /// Make the national signing key (once) and apply the database's migrations.
    Init,
    /// Serve the national API over HTTPS.
    Serve {
        #[arg(long, default_value = "127.0.0.1:9443")]
        listen: SocketAddr,
        #[arg(long)]
        cert: PathBuf,
        #[arg(long)]
        key: PathBuf,
        #[command(flatten)]
        bounds: ServeBounds,
    },
    /// Provinces enrolled with their hub's key (`anchi-hub key show` on the province).
    #[command(subcommand)]
    Province(ProvinceCommand),
    /// National staff.
    #[command(subcommand)]
    User(UserCommand),
    /// Cases received from every province.
    #[command(subcommand)]
    Case(CaseCommand),
    /// Subjects sanctioned in two or more provinces within the look-back.
    Offenders {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProvinceCommand {
    Add {
        /// The province's two-digit code (01–96).
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// The province hub's public key (minisign base64, `anchi-hub key show`).
        #[arg(long)]
        pubkey: String,
    },
    List {
        #[arg(long)]
        json: bool,
    },
    /// The province's key no longer accepted.
    Revoke {
        #[arg(long)]
        code: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add (or reset the password of) a national staff user; the password from
    /// ANCHI_HUB_PASSWORD or the terminal.
    Add {
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    List {
        #[arg(long)]
        json: bool,
    },
}

/// Runs a national command in `dir` (the national key and unfinished uploads).
pub fn execute(dir: &Path, args: NationalArgs) -> Result<(), String> {
    let url =
        args.database.ok_or("--database (or DATABASE_URL) is required: the national store is a PostgreSQL database")?;
    let db = Db::connect(&url, args.database_ca.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(run(dir, db, args.command))
}

async fn run(dir: &Path, db: Db, command: NationalCommand) -> Result<(), String> {
    let err = |e: super::db::DbError| e.to_string();
    match command {
        NationalCommand::Init => {
            let keys = init_keys(dir)?;
            let applied = db.migrate().await.map_err(err)?;
            println!("key_id: {}\npublic_key: {}", keys.key_id, keys.public_key);
            println!("migrations applied: {applied:?}");
        }
        NationalCommand::Serve { listen, cert, key, bounds } => {
            let applied = db.migrate().await.map_err(err)?;
            if !applied.is_empty() {
                eprintln!("anchi-hub national: migrations applied: {applied:?}");
            }
            let mut limits = bounds.limits();
            limits.fit_descriptors();
            let state = NationalState::new(db, dir, limits)?;
            super::serve(state, listen, cert, key).await?;
        }
        NationalCommand::Province(ProvinceCommand::Add { code, name, pubkey }) => {
            let valid_code = code.len() == 2 && code.bytes().all(|b| b.is_ascii_digit()) && code != "00";
            if !valid_code {
                return Err(format!("--code: {code:?} is not a two-digit province code (01–96)"));
            }
            if name.trim().is_empty() {
                return Err("--name must not be empty".into());
            }
            let key = minisign::PublicKey::from_base64(pubkey.trim())
                .map_err(|e| format!("--pubkey: not a minisign public key ({e})"))?;
            let province = Province {
                code: code.clone(),
                name: name.trim().to_string(),
                key_id: key_id_of(key.keynum()),
                public_key: key.to_base64(),
                enrolled_at: chrono::Utc::now(),
                revoked_at: None,
            };
            db.add_province(&province).await.map_err(err)?.map_err(|e| format!("--code/--pubkey: {e}"))?;
            println!("enrolled province {code} ({}) with key {}", province.name, province.key_id);
        }
        NationalCommand::Province(ProvinceCommand::List { json }) => {
            let provinces = db.provinces().await.map_err(err)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&provinces).expect("provinces serialise"));
            } else {
                for p in &provinces {
                    let state = p.revoked_at.map_or("active".to_string(), |at| format!("revoked {}", at.to_rfc3339()));
                    println!("{}\t{}\t{}\t{state}", p.code, p.name, p.key_id);
                }
            }
        }
        NationalCommand::Province(ProvinceCommand::Revoke { code }) => {
            if !db.revoke_province(&code).await.map_err(err)? {
                return Err(format!("--code: no province {code}"));
            }
            println!("revoked the key of province {code}");
        }
        NationalCommand::User(UserCommand::Add { name }) => {
            if name.trim().is_empty() || name.len() > 64 {
                return Err("--name: 1 to 64 characters".into());
            }
            let password = read_password()?;
            db.add_user(&name, &crate::password::hash(&password)).await.map_err(err)?;
            println!("national user {name} can log in");
        }
        NationalCommand::Case(CaseCommand::List { json }) => {
            let cases = db.cases().await.map_err(err)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&cases).expect("cases serialise"));
            } else {
                for c in &cases {
                    println!(
                        "{}\t{}\t{}\tv{}\t{}\t{}",
                        c.province_code, c.team_id, c.case_id, c.version, c.stage, c.subject_name
                    );
                }
                println!("{} case(s)", cases.len());
            }
        }
        NationalCommand::Offenders { json } => {
            let (offenders, _) = db.cross_province_offenders(0, i64::MAX).await.map_err(err)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&offenders).expect("offenders serialise"));
            } else {
                for o in &offenders {
                    println!(
                        "{}\t{}\t{} {} ({})\t{} {} ({})",
                        o.identifier,
                        o.name,
                        o.earlier.province_code,
                        o.earlier.decided_on,
                        o.earlier.act,
                        o.later.province_code,
                        o.later.decided_on,
                        o.later.act
                    );
                }
                println!("{} repeat(s) across provinces", offenders.len());
            }
        }
    }
    Ok(())
}

/// The national key: read when it exists, made once otherwise (readable by its owner only).
fn init_keys(dir: &Path) -> Result<NationalKeys, String> {
    if dir.join(KEY_FILE).exists() {
        return NationalKeys::read(dir);
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let pair = minisign::KeyPair::generate_unencrypted_keypair().map_err(|e| e.to_string())?;
    let keys = NationalKeys {
        key_id: key_id_of(pair.pk.keynum()),
        public_key: pair.pk.to_base64(),
        secret_key: pair.sk.to_box(Some("anchi national key")).map_err(|e| e.to_string())?.into_string(),
    };
    let text = serde_json::to_string_pretty(&keys).expect("keys serialise");
    let path = dir.join(KEY_FILE);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?;
    file.sync_all().map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(keys)
}
