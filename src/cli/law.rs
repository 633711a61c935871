//! `anchi law …`: which law is in force, checking and applying a law pack (from the
//! province's server through `anchi sync`, or from a USB stick), and — for whoever
//! maintains the law — making a law key and building a signed pack (`docs/law-pack.md`).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::Subcommand;

use crate::app::law::{LawError, PackMeta};
use crate::app::{AppError, Workspace};
use crate::domain::Bilingual;

/// The passphrase of the law key: ANCHI_LAW_KEY_PASSPHRASE, or the terminal.
const LAW_PASSPHRASE_ENV: &str = "ANCHI_LAW_KEY_PASSPHRASE";

#[derive(Debug, Subcommand)]
pub enum LawCommand {
    /// The law in force: version, issue and expiry dates, publisher, what changed.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Check a law pack against this laptop's law key and the law in force, applying nothing.
    Verify { file: PathBuf },
    /// Apply a law pack (a leader, with --user): from a USB stick on a laptop without network.
    Import { file: PathBuf },
    /// Write the law in force as a folder laid out for `law build` (law/, reference/,
    /// forms/, changes.txt): where whoever maintains the law starts a new version from.
    Unpack { dir: PathBuf },
    /// Pin the law key (a leader): minisign public key, base64 or a .pub file.
    PinKey { key: String },
    /// For whoever maintains the law: make a law key pair, PREFIX.key (secret, passphrase
    /// from ANCHI_LAW_KEY_PASSPHRASE or the terminal) and PREFIX.pub.
    Keygen { prefix: PathBuf },
    /// For whoever maintains the law: build and sign a pack from DIR (law/, reference/,
    /// forms/, changes.txt), refusing anything the checks refuse; prints what differs from
    /// the law in force here.
    Build {
        dir: PathBuf,
        /// The minisign secret key file.
        #[arg(long)]
        key: PathBuf,
        #[arg(long)]
        version: u32,
        #[arg(long)]
        issued: NaiveDate,
        #[arg(long)]
        expires: NaiveDate,
        #[arg(long)]
        publisher: String,
        #[arg(long)]
        out: PathBuf,
    },
}

/// The commands that need no database: making a key.
pub(super) fn without_workspace(command: &LawCommand) -> Option<Result<(), AppError>> {
    match command {
        LawCommand::Keygen { prefix } => Some(keygen(prefix)),
        _ => None,
    }
}

pub(super) fn law(ws: &Workspace, command: LawCommand) -> Result<(), AppError> {
    match command {
        LawCommand::Show { json } => show(ws, json),
        LawCommand::Verify { file } => {
            let law = ws.check_law_pack(&read(&file)?)?;
            emit!("Gói quy định hợp lệ, chưa áp dụng: {}", describe(&law.status));
            print_changes(&law.differences(ws.active_law()), &law.status.changes);
        }
        LawCommand::Import { file } => {
            let status = ws.import_law(&read(&file)?)?;
            emit!("Đã áp dụng {}", describe(&status));
            print_changes(&[], &status.changes);
        }
        LawCommand::Unpack { dir } => {
            for (path, bytes) in ws.active_law().files() {
                let target = path.split('/').fold(dir.clone(), |p, part| p.join(part));
                crate::app::write_file_atomically(&target, bytes)?;
            }
            emit!("Đã ghi {} vào {}", ws.law().label_vi(), dir.display());
        }
        LawCommand::PinKey { key } => {
            let key = crate::app::keys::parse_public_key(&key).map_err(LawError::Key)?;
            ws.pin_law_key(&key)?;
            emit!("Khóa ký quy định: {}", crate::package::key_id_of(key.keynum()));
        }
        LawCommand::Keygen { .. } => unreachable!("made before the workspace opens"),
        LawCommand::Build { dir, key, version, issued, expires, publisher, out } => {
            let pair = secret_key(&key)?;
            let meta = PackMeta { version, issued, expires, publisher };
            let (bytes, law) = crate::app::law::build_pack(&dir, &meta, &pair)?;
            crate::app::write_file_atomically(&out, &bytes)?;
            emit!("Đã lập {}: {}", out.display(), describe(&law.status));
            if let Err(e) = ws.active_law().keeps_editions_of(&law) {
                emit!("Cảnh báo: máy đang dùng quy định hiện tại sẽ không nhận gói này: {}", e.vi());
            }
            print_changes(&law.differences(ws.active_law()), &law.status.changes);
        }
    }
    Ok(())
}

fn show(ws: &Workspace, json: bool) {
    let status = ws.law();
    if json {
        emit!("{}", serde_json::to_string_pretty(status).expect("the law status serialises"));
        return;
    }
    emit!("{}", describe(status));
    if status.expired_on(crate::app::now().date()) {
        emit!(
            "Cảnh báo: quy định đã quá hạn dùng ngày {}: cần cập nhật gói quy định mới",
            status.expires.format("%d/%m/%Y")
        );
    }
    if let Some(problem) = &status.problem {
        emit!("Cảnh báo: {problem}");
    }
    print_changes(&[], &status.changes);
}

fn describe(status: &crate::app::law::LawStatus) -> String {
    let key = status.key_id.as_deref().map_or("tích hợp trong chương trình".to_string(), |k| format!("khóa {k}"));
    format!("{} — {}, hạn dùng đến {} ({key})", status.label_vi(), status.publisher, status.expires.format("%d/%m/%Y"))
}

fn print_changes(files: &[String], changes: &[String]) {
    if !changes.is_empty() {
        emit!("Thay đổi:");
        for c in changes {
            emit!("  - {c}");
        }
    }
    if !files.is_empty() {
        emit!("Tệp khác với quy định đang dùng:");
        for f in files {
            emit!("  {f}");
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, AppError> {
    std::fs::read(path).map_err(|e| LawError::Read { path: path.display().to_string(), detail: e.to_string() }.into())
}

fn passphrase(confirm: bool) -> Result<String, AppError> {
    super::secret(LAW_PASSPHRASE_ENV, "Mật khẩu khóa ký quy định / law key passphrase: ", confirm)
        .map_err(|_| LawError::Key(format!("no passphrase: set {LAW_PASSPHRASE_ENV} or type it on a terminal")).into())
}

/// The law key pair from its minisign secret key file.
fn secret_key(path: &Path) -> Result<minisign::KeyPair, AppError> {
    let text = String::from_utf8(read(path)?).map_err(|_| LawError::Key(format!("{}: not text", path.display())))?;
    let boxed =
        minisign::SecretKeyBox::from_string(&text).map_err(|e| LawError::Key(format!("{}: {e}", path.display())))?;
    let sk = boxed
        .into_secret_key(Some(passphrase(false)?))
        .map_err(|_| LawError::Key(format!("{}: wrong passphrase", path.display())))?;
    let pk = minisign::PublicKey::from_secret_key(&sk).map_err(|e| LawError::Key(e.to_string()))?;
    Ok(minisign::KeyPair { pk, sk })
}

fn keygen(prefix: &Path) -> Result<(), AppError> {
    let secret_path = prefix.with_extension("key");
    let public_path = prefix.with_extension("pub");
    if secret_path.exists() || public_path.exists() {
        return Err(
            LawError::Key(format!("{} or {} exists already", secret_path.display(), public_path.display())).into()
        );
    }
    let passphrase = passphrase(true)?;
    let min = crate::app::keys::MIN_PASSPHRASE;
    if passphrase.chars().count() < min {
        return Err(LawError::Key(format!("the passphrase needs at least {min} characters")).into());
    }
    let pair =
        minisign::KeyPair::generate_encrypted_keypair(Some(passphrase)).map_err(|e| LawError::Key(e.to_string()))?;
    let key_id = crate::package::key_id_of(pair.pk.keynum());
    let comment = format!("anchi law key {key_id}");
    let secret = pair.sk.to_box(Some(&comment)).map_err(|e| LawError::Key(e.to_string()))?.into_string();
    let public = pair.pk.to_box().map_err(|e| LawError::Key(e.to_string()))?.into_string();
    // The secret half is readable by its owner alone (write_file_atomically makes it so).
    crate::app::write_file_atomically(&secret_path, secret.as_bytes())?;
    crate::app::write_file_atomically(&public_path, public.as_bytes())?;
    emit!("Khóa ký quy định {key_id}: {} (bí mật), {} (công khai)", secret_path.display(), public_path.display());
    Ok(())
}
