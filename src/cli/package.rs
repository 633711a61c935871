//! `anchi key …` and `anchi package …`: the device signing key and signed case packages.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use uuid::Uuid;

use crate::app::keys::{KeyError, parse_public_key};
use crate::app::packages::open_package;
use crate::app::{AppError, Workspace};
use crate::domain::ValidationReport;

/// The variable scripts use to give the key's passphrase.
pub const PASSPHRASE_ENV: &str = "ANCHI_KEY_PASSPHRASE";

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Make this laptop's signing key (set-up); the passphrase protects its secret half.
    Init,
    /// What the province needs to enrol this laptop: team_id, key_id, public_key.
    Show {
        /// Only the public key, in minisign's base64 form (for `minisign -P`).
        #[arg(long)]
        minisign: bool,
    },
    /// Replace the signing key with a new one; the change is journalled.
    Rotate,
}

#[derive(Debug, Subcommand)]
pub enum PackageCommand {
    /// Make the signed package of a case.
    Export {
        #[arg(long = "case")]
        case_id: Uuid,
        #[arg(long)]
        out: PathBuf,
        /// Encrypt the package to the provincial server's age recipient (age1…) for a USB stick.
        #[arg(long, value_name = "RECIPIENT")]
        seal_to: Option<String>,
    },
    /// Check a package: exit 0 only when the signature and every hash hold.
    Verify {
        file: PathBuf,
        /// A trusted public key (minisign base64, or a .pub file); may be repeated.
        #[arg(long = "pubkey", required = true)]
        pubkeys: Vec<String>,
        /// The age identity file that opens a sealed package.
        #[arg(long)]
        identity: Option<PathBuf>,
    },
    /// Take a member's case from a package (never over a newer version).
    Import {
        file: PathBuf,
        #[arg(long = "pubkey", required = true)]
        pubkeys: Vec<String>,
        #[arg(long)]
        identity: Option<PathBuf>,
    },
    /// What a package holds (the signature is not checked: use verify).
    Show {
        file: PathBuf,
        #[arg(long)]
        identity: Option<PathBuf>,
    },
}

/// The passphrase from `ANCHI_KEY_PASSPHRASE`, else typed on the terminal (twice when a
/// new key is made).
pub(super) fn passphrase(confirm: bool) -> Result<String, AppError> {
    super::secret(PASSPHRASE_ENV, "Mật khẩu khóa ký / key passphrase: ", confirm).map_err(|e| match e {
        super::SecretError::Missing => KeyError::NoPassphrase.into(),
        super::SecretError::Differ => KeyError::PassphrasesDiffer.into(),
    })
}

fn read_file(path: &Path) -> Result<Vec<u8>, AppError> {
    std::fs::read(path).map_err(|e| {
        let mut report = ValidationReport::default();
        report.error(path.display().to_string(), &crate::app::case_json::ImportProblem::Structure(e.to_string()));
        AppError::Invalid(report)
    })
}

fn identity(path: Option<&Path>) -> Result<Option<String>, AppError> {
    path.map(|p| read_file(p).map(|b| String::from_utf8_lossy(&b).into_owned())).transpose()
}

fn trusted(keys: &[String]) -> Result<Vec<minisign::PublicKey>, AppError> {
    keys.iter()
        .map(|k| {
            parse_public_key(k).map_err(|detail| {
                let mut report = ValidationReport::default();
                report.error("--pubkey", &crate::app::case_json::ImportProblem::Structure(detail));
                AppError::Invalid(report)
            })
        })
        .collect()
}

pub fn key(ws: &Workspace, command: KeyCommand) -> Result<(), AppError> {
    match command {
        KeyCommand::Init => {
            if let Some(key) = ws.device_key()? {
                return Err(KeyError::Exists(key.key_id).into());
            }
            let key = ws.init_key(&passphrase(true)?)?;
            emit!("Đã tạo khóa ký {}", key.key_id);
        }
        KeyCommand::Show { minisign: true } => {
            emit!("{}", ws.device_key()?.ok_or(KeyError::NoKey)?.public_key);
        }
        KeyCommand::Show { minisign: false } => {
            let e = ws.enrolment()?;
            emit!("team_id: {}\nkey_id: {}\npublic_key: {}", e.team_id, e.key_id, e.public_key);
        }
        KeyCommand::Rotate => {
            ws.device_key()?.ok_or(KeyError::NoKey)?;
            let (old, new) = ws.rotate_key(&passphrase(true)?)?;
            emit!("Đã đổi khóa ký {} → {}; hãy đăng ký khóa mới với Chi cục", old.key_id, new.key_id);
        }
    }
    Ok(())
}

/// `package verify` and `package show`: they need no data directory.
pub fn inspect(command: &PackageCommand) -> Option<Result<(), AppError>> {
    match command {
        PackageCommand::Verify { file, pubkeys, identity: id } => Some((|| {
            let bytes = read_file(file)?;
            let keys = trusted(pubkeys)?;
            let verified = open_package(&bytes, identity(id.as_deref())?.as_deref())?.verify(&keys)?;
            let o = &verified.opened;
            emit!(
                "Gói hợp lệ / package verified: {} (phiên bản {}), ký bởi khóa {}, {} tệp, sha256 {}",
                o.info.package_id(),
                o.info.version,
                verified.key_id,
                o.payload.len(),
                o.sha256
            );
            Ok(())
        })()),
        PackageCommand::Show { file, identity: id } => Some((|| {
            let bytes = read_file(file)?;
            let opened = open_package(&bytes, identity(id.as_deref())?.as_deref())?;
            let i = &opened.info;
            emit!("Gói: {}\nVụ việc: {}\nPhiên bản: {}", i.package_id(), i.case_id, i.version);
            emit!("Đơn vị: {}\nKhóa ký: {}\nTạo lúc: {}", i.unit, i.key_id, i.created.to_rfc3339());
            emit!("Phiên bản trước: {}", i.previous_sha256.as_deref().unwrap_or("—"));
            emit!("sha256: {}", opened.sha256);
            emit!("Tệp:");
            for (path, bytes) in &opened.payload {
                emit!("  {:>10}  {path}", bytes.len());
            }
            emit!("(Chữ ký chưa được kiểm tra: dùng `anchi package verify` / signature not checked)");
            Ok(())
        })()),
        _ => None,
    }
}

pub fn package(ws: &Workspace, command: PackageCommand) -> Result<(), AppError> {
    match command {
        PackageCommand::Export { case_id, out, seal_to } => {
            ws.case(case_id)?;
            let exported = ws.export_package_to(case_id, &passphrase(false)?, seal_to.as_deref(), &out, &|_| {})?;
            let what =
                if exported.new_version { "phiên bản mới" } else { "không đổi so với lần trước" };
            emit!(
                "{}  {} (phiên bản {}, {what}{})",
                exported.sha256,
                out.display(),
                exported.info.version,
                if exported.sealed { ", đã niêm phong" } else { "" }
            );
        }
        PackageCommand::Import { file, pubkeys, identity: id } => {
            let bytes = read_file(&file)?;
            let imported = ws.import_package(&bytes, &trusted(&pubkeys)?, identity(id.as_deref())?.as_deref())?;
            if imported.unchanged {
                emit!("{} (phiên bản {} đã có, không thay đổi)", imported.case_id, imported.version);
            } else {
                emit!("{} (đã nhập phiên bản {})", imported.case_id, imported.version);
            }
        }
        PackageCommand::Verify { .. } | PackageCommand::Show { .. } => {
            unreachable!("handled by inspect, without a data directory")
        }
    }
    Ok(())
}
