//! `anchi-hub`'s command line: init, serve, teams, users, cases.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use age::secrecy::ExposeSecret;
use clap::{Parser, Subcommand};

use super::store::{HubKeys, HubStore, Role, Team, TeamKey, User};
use super::{HubState, serve};
use crate::package::key_id_of;

/// The variable scripts use to give a staff user's password.
pub const PASSWORD_ENV: &str = "ANCHI_HUB_PASSWORD";

#[derive(Debug, Parser)]
#[command(name = "anchi-hub", version, about = "Máy chủ cấp tỉnh nhận gói hồ sơ của các Đội QLTT")]
pub struct HubCli {
    /// The hub's data directory (database, packages).
    #[arg(long, env = "ANCHI_HUB_DATA_DIR")]
    pub data_dir: PathBuf,
    #[command(subcommand)]
    pub command: HubCommand,
}

#[derive(Debug, Subcommand)]
pub enum HubCommand {
    /// Make the hub's signing key (receipts, offender index) and its age identity (sealed packages).
    Init,
    /// Serve HTTPS.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8443")]
        listen: SocketAddr,
        /// The certificate chain (PEM).
        #[arg(long)]
        cert: PathBuf,
        /// The private key (PEM).
        #[arg(long)]
        key: PathBuf,
        #[command(flatten)]
        bounds: ServeBounds,
    },
    /// Enrolled teams and their device keys.
    #[command(subcommand)]
    Team(TeamCommand),
    /// Province staff who log in to the web view.
    #[command(subcommand)]
    User(UserCommand),
    /// Cases received.
    #[command(subcommand)]
    Case(CaseCommand),
    /// The law pack served to the laptops (docs/law-pack.md).
    #[command(subcommand)]
    Law(LawCommand),
    /// The offender index served to the laptops by pages.
    #[command(subcommand)]
    Index(IndexCommand),
    /// The hub's public key (for enrolment at the national server).
    #[command(subcommand)]
    Key(KeyCommand),
    /// The national server this province forwards every package to.
    #[command(subcommand)]
    Upstream(UpstreamCommand),
    /// The national server (PostgreSQL): `anchi-hub --data-dir D national …`.
    National(super::national::cli::NationalArgs),
}

#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Gives the index a new name, so that every laptop takes its copy again from nothing
    /// at its next sync: run it after putting back `hub.redb` from a backup (the laptops'
    /// copies may be ahead of it). Prints the new name.
    Renew,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Prints `key_id:` and `public_key:` lines.
    Show,
}

#[derive(Debug, Subcommand)]
pub enum UpstreamCommand {
    /// Forward to this national server (https://…), whose certificate chains to --ca; its
    /// receipts are checked with --national-key (what `anchi-hub national init` printed).
    Set {
        #[arg(long)]
        url: String,
        #[arg(long)]
        ca: PathBuf,
        #[arg(long)]
        national_key: Option<String>,
    },
    /// Queued, sent, the last error.
    Status {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum LawCommand {
    /// Serve this law pack: signed by the law key (given the first time with --law-key,
    /// the minisign public key, and the same ever after) and newer than the one served.
    Publish {
        pack: PathBuf,
        #[arg(long)]
        law_key: Option<String>,
    },
    /// The law pack served.
    Show,
}

/// `serve`'s bounds on connections, time and uploads (see `docs/hub-api.md`).
#[derive(Debug, clap::Args)]
pub struct ServeBounds {
    /// The largest package accepted, in MB.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=65536))]
    max_package_mb: u64,
    /// Unfinished uploads one team may hold at once, in MB of their declared sizes.
    #[arg(long, default_value_t = 4096, value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    team_upload_mb: u64,
    /// Unfinished uploads one team may hold at once.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    team_open_uploads: u64,
    /// Seconds after which an unfinished upload is removed with its bytes (default 7 days).
    #[arg(long, default_value_t = 604_800, value_parser = clap::value_parser!(u64).range(1..=31_536_000))]
    upload_expiry_secs: u64,
    /// Connections at once, in all (lowered to what the system's descriptor limit allows).
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u64).range(8..=1_000_000))]
    max_connections: u64,
    /// Connections at once from one address.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    max_connections_per_ip: u64,
    /// Seconds a connection may stay silent (TLS handshake, headers, between requests).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    idle_timeout_secs: u64,
    /// Seconds a request body may take to arrive.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    body_timeout_secs: u64,
    /// Cases per page of the offender index sent to a laptop.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    index_page: u64,
}

impl ServeBounds {
    pub fn limits(&self) -> super::Limits {
        use std::time::Duration;
        const MB: u64 = 1024 * 1024;
        super::Limits {
            max_package_bytes: self.max_package_mb * MB,
            team_upload_bytes: self.team_upload_mb * MB,
            team_open_uploads: self.team_open_uploads as usize,
            upload_expiry: Duration::from_secs(self.upload_expiry_secs),
            max_connections: self.max_connections as usize,
            max_connections_per_ip: self.max_connections_per_ip as usize,
            idle: Duration::from_secs(self.idle_timeout_secs),
            body: Duration::from_secs(self.body_timeout_secs),
            index_page: self.index_page as usize,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Enrol a laptop's key (what `anchi key show` prints); a team may have several laptops.
    Add {
        #[arg(long)]
        team_id: String,
        #[arg(long)]
        name: String,
        /// The public key (minisign base64).
        #[arg(long)]
        pubkey: String,
    },
    List,
    /// Revoke one key of a team (--key-id), or all its keys.
    Revoke {
        #[arg(long)]
        team_id: String,
        #[arg(long)]
        key_id: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add (or reset the password of) a staff user; the password from ANCHI_HUB_PASSWORD or the terminal.
    Add {
        #[arg(long)]
        name: String,
        /// leader (every page and the access log), officer (cases and statistics), admin
        /// (accounts and teams, no case data). A new user is an officer unless told; an
        /// existing one keeps its role.
        #[arg(long, value_parser = ["leader", "officer", "admin"])]
        role: Option<String>,
    },
    /// Give a staff user another role (the password stays; open sessions take it at once).
    Role {
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["leader", "officer", "admin"])]
        role: String,
    },
    /// The staff users and their roles.
    List,
}

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    List {
        #[arg(long)]
        json: bool,
    },
    /// Move a case to another enrolled team of the province (signed by the hub, kept for
    /// good): from then on only that team sends its versions. Prints the signed record.
    Transfer {
        #[arg(long = "case")]
        case_id: uuid::Uuid,
        /// The receiving team's id.
        #[arg(long)]
        to: String,
        /// The staff user who orders it (`user add`).
        #[arg(long)]
        by: String,
        /// Why (the decision or letter that orders it).
        #[arg(long)]
        reason: String,
    },
}

/// Runs the hub command line.
pub fn run(cli: HubCli) -> ExitCode {
    match execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("anchi-hub: {message}");
            ExitCode::from(2)
        }
    }
}

fn execute(cli: HubCli) -> Result<(), String> {
    // The national server keeps its data in PostgreSQL, not in the hub's store.
    let command = match cli.command {
        HubCommand::National(args) => return super::national::cli::execute(&cli.data_dir, args),
        other => other,
    };
    let store = HubStore::open(&cli.data_dir).map_err(|e| e.to_string())?;
    let err = |e: super::store::HubStoreError| e.to_string();
    match command {
        HubCommand::Init => init(&store)?,
        HubCommand::Serve { listen, cert, key, bounds } => {
            let mut limits = bounds.limits();
            let connections = limits.fit_descriptors();
            if connections < bounds.max_connections as usize {
                eprintln!("anchi-hub: at most {connections} connections at once (the descriptor limit allows no more)");
            }
            let state = HubState::new(store, limits)?;
            let rebuilt = super::ingest::rebuild_rows(&state).map_err(|e| e.refusal.message)?;
            if rebuilt > 0 {
                eprintln!("anchi-hub: the pages' rows of {rebuilt} cases made again from their packages");
            }
            super::web::warm(&state).map_err(|e| e.refusal.message)?;
            let runtime =
                tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
            runtime.block_on(serve(state, listen, cert, key))?;
        }
        HubCommand::Team(TeamCommand::Add { team_id, name, pubkey }) => team_add(&store, team_id, name, &pubkey)?,
        HubCommand::Team(TeamCommand::List) => {
            for t in store.teams().map_err(err)? {
                for k in &t.keys {
                    let state = k.revoked_at.map_or("active".to_string(), |at| format!("revoked {}", at.to_rfc3339()));
                    println!("{}\t{}\t{}\t{state}", t.team_id, t.name, k.key_id);
                }
            }
        }
        HubCommand::Team(TeamCommand::Revoke { team_id, key_id }) => team_revoke(&store, &team_id, key_id)?,
        HubCommand::User(UserCommand::Add { name, role }) => user_add(&store, name, role.as_deref())?,
        HubCommand::User(UserCommand::Role { name, role }) => {
            let err = |e: super::store::HubStoreError| e.to_string();
            if store.user(&name).map_err(err)?.is_none() {
                return Err(format!("--name: no staff user {name} (anchi-hub user add)"));
            }
            let role = Role::parse(&role).ok_or("--role: leader, officer or admin")?;
            store.set_role(&name, role).map_err(err)?;
            println!("user {name} is now {}", role.vi());
        }
        HubCommand::User(UserCommand::List) => {
            for (name, role) in store.users_with_roles().map_err(|e| e.to_string())? {
                println!("{name}\t{}", role.vi());
            }
        }
        HubCommand::Case(CaseCommand::Transfer { case_id, to, by, reason }) => {
            transfer(&store, case_id, to, by, &reason)?
        }
        HubCommand::Case(CaseCommand::List { json }) => case_list(&store, json)?,
        HubCommand::Law(LawCommand::Publish { pack, law_key }) => {
            let law = super::law::publish(&store, &pack, law_key.as_deref())?;
            println!(
                "serving law pack version {} issued {} ({}, {} bytes)",
                law.version, law.issued, law.sha256, law.size
            );
        }
        HubCommand::Index(IndexCommand::Renew) => {
            println!("offender index epoch: {}", store.renew_index_epoch().map_err(err)?);
        }
        HubCommand::Key(KeyCommand::Show) => {
            let keys = store.keys().map_err(err)?.ok_or("the hub has no keys: run `anchi-hub init` first")?;
            println!("key_id: {}\npublic_key: {}", keys.key_id, keys.public_key);
        }
        HubCommand::Upstream(UpstreamCommand::Set { url, ca, national_key }) => {
            upstream_set(&store, url, &ca, national_key)?
        }
        HubCommand::Upstream(UpstreamCommand::Status { json }) => upstream_status(&store, json)?,
        HubCommand::National(_) => unreachable!("handled before the hub's store is opened"),
        HubCommand::Law(LawCommand::Show) => match store.law().map_err(err)? {
            Some(law) => println!("{}", serde_json::to_string_pretty(&law).map_err(|e| e.to_string())?),
            None => println!("no law pack published"),
        },
    }
    Ok(())
}

/// `anchi-hub init`: the hub's signing and sealing keys, made once.
fn init(store: &HubStore) -> Result<(), String> {
    let err = |e: super::store::HubStoreError| e.to_string();
    if let Some(keys) = store.keys().map_err(err)? {
        return Err(format!("the hub already has key {}", keys.key_id));
    }
    let pair = minisign::KeyPair::generate_unencrypted_keypair().map_err(|e| e.to_string())?;
    let identity = age::x25519::Identity::generate();
    let keys = HubKeys {
        key_id: key_id_of(pair.pk.keynum()),
        public_key: pair.pk.to_base64(),
        secret_key: pair.sk.to_box(Some("anchi-hub key")).map_err(|e| e.to_string())?.into_string(),
        age_identity: identity.to_string().expose_secret().to_string(),
        age_recipient: identity.to_public().to_string(),
    };
    store.set_keys(&keys).map_err(err)?;
    println!("key_id: {}\npublic_key: {}\nage_recipient: {}", keys.key_id, keys.public_key, keys.age_recipient);
    Ok(())
}

/// `anchi-hub team add`: a team's laptop key enrolled (a key belongs to one team).
fn team_add(store: &HubStore, team_id: String, name: String, pubkey: &str) -> Result<(), String> {
    let err = |e: super::store::HubStoreError| e.to_string();
    let key = minisign::PublicKey::from_base64(pubkey.trim())
        .map_err(|e| format!("--pubkey: not a minisign public key ({e})"))?;
    let key_id = key_id_of(key.keynum());
    if let Some((owner, _)) = store.key_owner(&key_id).map_err(err)? {
        return Err(format!("key {key_id} is already enrolled for team {}", owner.team_id));
    }
    if team_id.trim().is_empty() || name.trim().is_empty() {
        return Err("--team-id and --name must not be empty".into());
    }
    let mut team = store.team(&team_id).map_err(err)?.unwrap_or(Team { team_id, name: name.clone(), keys: vec![] });
    team.name = name;
    team.keys.push(TeamKey {
        key_id: key_id.clone(),
        public_key: key.to_base64(),
        added_at: chrono::Utc::now(),
        revoked_at: None,
    });
    store.put_team(&team).map_err(err)?;
    println!("enrolled key {key_id} for team {}", team.team_id);
    Ok(())
}

/// `anchi-hub team revoke`: one key of a team, or all of them, no longer accepted.
fn team_revoke(store: &HubStore, team_id: &str, key_id: Option<String>) -> Result<(), String> {
    let err = |e: super::store::HubStoreError| e.to_string();
    let mut team = store.team(team_id).map_err(err)?.ok_or(format!("no team {team_id}"))?;
    let mut revoked = 0;
    for k in team.keys.iter_mut().filter(|k| key_id.as_ref().is_none_or(|id| *id == k.key_id)) {
        if k.revoked_at.is_none() {
            k.revoked_at = Some(chrono::Utc::now());
            revoked += 1;
        }
    }
    if revoked == 0 {
        return Err("no active key matched".into());
    }
    store.put_team(&team).map_err(err)?;
    println!("revoked {revoked} key(s) of team {team_id}");
    Ok(())
}

/// A staff password from ANCHI_HUB_PASSWORD or the terminal, of at least 10 characters.
pub fn read_password() -> Result<String, String> {
    let password = match std::env::var(PASSWORD_ENV) {
        Ok(p) => p,
        Err(_) if std::io::stdin().is_terminal() => {
            rpassword::prompt_password("Mật khẩu / password: ").map_err(|e| e.to_string())?
        }
        Err(_) => return Err(format!("no password: set {PASSWORD_ENV} or run on a terminal")),
    };
    if password.chars().count() < 10 {
        return Err("the password must have at least 10 characters".into());
    }
    Ok(password)
}

/// `anchi-hub upstream set`: the national server to forward to, checked before it is kept.
fn upstream_set(
    store: &HubStore,
    url: String,
    ca: &std::path::Path,
    national_key: Option<String>,
) -> Result<(), String> {
    if !url.starts_with("https://") {
        return Err(format!("--url: {url:?} must start with https://"));
    }
    let ca_pem = std::fs::read_to_string(ca).map_err(|e| format!("--ca {}: {e}", ca.display()))?;
    if crate::sync::ca_certificates(ca_pem.as_bytes()).is_empty() {
        return Err(format!("--ca {}: no PEM certificate in it", ca.display()));
    }
    let national_key = national_key
        .map(|k| {
            minisign::PublicKey::from_base64(k.trim())
                .map(|k| k.to_base64())
                .map_err(|e| format!("--national-key: not a minisign public key ({e})"))
        })
        .transpose()?;
    let upstream = super::store::Upstream { url: url.trim_end_matches('/').to_string(), ca_pem, national_key };
    store.set_upstream(&upstream).map_err(|e| e.to_string())?;
    let queued = store.queued_count().map_err(|e| e.to_string())?;
    println!("forwarding to {} ({queued} package(s) queued); a running hub starts within 30 s", upstream.url);
    Ok(())
}

/// `anchi-hub upstream status`: where forwarding stands.
fn upstream_status(store: &HubStore, json: bool) -> Result<(), String> {
    let err = |e: super::store::HubStoreError| e.to_string();
    let upstream = store.upstream().map_err(err)?;
    let status = store.upstream_status().map_err(err)?;
    let queued = store.queued_count().map_err(err)?;
    let refused: Vec<_> = store
        .queued_after(None, usize::MAX)
        .map_err(err)?
        .into_iter()
        .filter_map(|(_, q)| q.refused.map(|why| serde_json::json!({ "package_id": q.package_id, "refusal": why })))
        .collect();
    if json {
        let body = serde_json::json!({
            "url": upstream.as_ref().map(|u| u.url.clone()),
            "queued": queued,
            "sent": status.sent,
            "last_sent_at": status.last_sent_at,
            "last_error": status.last_error,
            "last_error_at": status.last_error_at,
            "refused": refused,
            "national_index_generation": store.national_generation().map_err(err)?,
        });
        println!("{}", serde_json::to_string_pretty(&body).expect("status serialises"));
    } else {
        println!("upstream: {}", upstream.map_or("(not set)".to_string(), |u| u.url));
        println!("queued: {queued}\nsent: {}", status.sent);
        if let Some(e) = status.last_error {
            println!("last error: {e} ({})", status.last_error_at.map(|t| t.to_rfc3339()).unwrap_or_default());
        }
        for r in &refused {
            println!("refused: {} — {}", r["package_id"], r["refusal"]);
        }
    }
    Ok(())
}

/// `anchi-hub user add`: a staff login for the province's pages.
fn user_add(store: &HubStore, name: String, role: Option<&str>) -> Result<(), String> {
    let err = |e: super::store::HubStoreError| e.to_string();
    let password = read_password()?;
    let password_hash = crate::password::hash(&password);
    let existing = store.user(&name).map_err(err)?.is_some();
    let role = match role.and_then(Role::parse) {
        Some(role) => role,
        None if existing => store.role(&name).map_err(err)?,
        None => Role::Officer,
    };
    // The role first: an account without one is taken for a leader's (made before roles).
    store.set_role(&name, role).map_err(err)?;
    store.put_user(&User { name: name.clone(), password_hash }).map_err(err)?;
    println!("user {name} can log in as {}", role.vi());
    Ok(())
}

/// `anchi-hub case transfer`: a case handed to another team, as a signed act of the province.
fn transfer(store: &HubStore, case_id: uuid::Uuid, to: String, by: String, reason: &str) -> Result<(), String> {
    let err = |e: super::store::HubStoreError| e.to_string();
    let case = store.case(case_id).map_err(err)?.ok_or(format!("--case: no case {case_id} on this hub"))?;
    if store.team(&to).map_err(err)?.is_none() {
        return Err(format!("--to: team {to} is not enrolled"));
    }
    if case.team_id == to {
        return Err(format!("--to: case {case_id} already belongs to team {to}"));
    }
    if store.user(&by).map_err(err)?.is_none() {
        return Err(format!("--by: no staff user {by} (anchi-hub user add)"));
    }
    let reason = reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 500 || reason.chars().any(char::is_control) {
        return Err("--reason: one line of at most 500 characters is required".into());
    }
    let keys = store.keys().map_err(err)?.ok_or("the hub has no keys: run `anchi-hub init` first")?;
    let secret = minisign::SecretKeyBox::from_string(&keys.secret_key)
        .and_then(|b| b.into_unencrypted_secret_key())
        .map_err(|e| format!("hub key: {e}"))?;
    let transfer = super::store::Transfer {
        case_id,
        from_team: case.team_id.clone(),
        to_team: to,
        by,
        reason,
        at: chrono::Utc::now(),
        version: case.version,
        package_sha256: case.package_sha256.clone(),
        hub_key_id: keys.key_id,
    };
    let text = serde_json::to_string(&transfer).expect("a transfer serialises");
    let comment = format!("anchi-hub transfer {case_id} {} -> {}", transfer.from_team, transfer.to_team);
    let signed =
        super::store::SignedTransfer { signature: crate::protocol::hub_sign(&secret, &text, &comment), transfer: text };
    store.transfer_case(&transfer, &signed).map_err(err)??;
    println!("{}", serde_json::to_string_pretty(&signed).expect("serialises"));
    Ok(())
}

/// `anchi-hub case list`: every case held, oldest first.
fn case_list(store: &HubStore, json: bool) -> Result<(), String> {
    let err = |e: super::store::HubStoreError| e.to_string();
    let mut cases = store.cases().map_err(err)?;
    cases.sort_by_key(|c| c.opened_at);
    if json {
        let rows: Vec<_> = cases
            .iter()
            .map(|c| {
                serde_json::json!({
                    "case_id": c.case_id, "team_id": c.team_id, "version": c.version,
                    "package_sha256": c.package_sha256, "subject": c.subject_name,
                    "stage": c.stage, "fine_vnd": c.fine_vnd,
                    "versions": c.versions.iter().map(|v| v.0).collect::<Vec<_>>(),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows).expect("rows serialise"));
    } else {
        for c in &cases {
            println!("{}\t{}\tv{}\t{}\t{}", c.case_id, c.team_id, c.version, c.stage.vi(), c.subject_name);
        }
        println!("{} case(s)", cases.len());
    }
    Ok(())
}
