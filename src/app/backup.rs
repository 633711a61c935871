//! Backup and restore of a data directory: a consistent snapshot of the database (taken
//! while the program runs) and the attachments and form overrides, in a stored zip with a
//! manifest of SHA-256 hashes, encrypted with a passphrase (age, scrypt). Restore opens and
//! checks everything — passphrase, every hash, the database and its journal — before it
//! replaces anything, and keeps the old database aside.

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use sha2::{Digest, Sha256};

use super::attachments::ATTACHMENTS_DIR;
use super::{AppError, FORMS_DIR, Workspace, write_file_atomically};
use crate::store::{DB_FILE, Store};

/// The manifest's name and first line.
const MANIFEST: &str = "anchi-backup.txt";
const FORMAT: &str = "anchi-backup 1";

/// Why a backup was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackupError {
    #[error("wrong passphrase, or not an anchi backup")]
    Passphrase,
    #[error("backup damaged: {0}")]
    Damaged(String),
    #[error("backup file: {0}")]
    File(String),
}

impl crate::domain::Bilingual for BackupError {
    fn vi(&self) -> String {
        match self {
            BackupError::Passphrase => "Sai mật khẩu sao lưu, hoặc tệp không phải bản sao lưu của anchi".into(),
            BackupError::Damaged(detail) => format!("Bản sao lưu bị hỏng, không khôi phục: {detail}"),
            BackupError::File(detail) => format!("Không đọc/ghi được tệp sao lưu: {detail}"),
        }
    }
}

/// What a backup holds, as its manifest says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub files: usize,
    pub bytes: u64,
    pub cases: u64,
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn damaged(detail: impl std::fmt::Display) -> AppError {
    AppError::Backup(BackupError::Damaged(detail.to_string()))
}

/// A backup file that cannot be read or written, or a backup refused before it starts.
fn file_problem(detail: impl std::fmt::Display) -> AppError {
    AppError::Backup(BackupError::File(detail.to_string()))
}

/// Shortest backup passphrase (the demo takes any non-empty one).
const MIN_PASSPHRASE: usize = 8;

fn check_passphrase(passphrase: &str, demo: bool) -> Result<(), AppError> {
    if passphrase.is_empty() || (passphrase.chars().count() < MIN_PASSPHRASE && !demo) {
        return Err(file_problem(format!("the passphrase needs at least {MIN_PASSPHRASE} characters")));
    }
    Ok(())
}

/// Every regular file under `dir`, as (path relative to `base` with `/`, absolute path).
fn files_under(base: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            files_under(base, &path, out)?;
        } else if let Ok(relative) = path.strip_prefix(base) {
            let name: Vec<String> =
                relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            out.push((name.join("/"), path));
        }
    }
    Ok(())
}

/// The removable drives (USB sticks, memory cards) mounted now, where a backup belongs:
/// on Windows the drive letters the system calls removable, elsewhere the folders under
/// `/media/<user>`, `/run/media/<user>` and `/media`.
pub fn removable_drives() -> Vec<PathBuf> {
    #[cfg(windows)]
    {
        use windows_sys::Win32::Storage::FileSystem::GetDriveTypeW;
        const DRIVE_REMOVABLE: u32 = 2;
        ('D'..='Z')
            .map(|letter| format!("{letter}:\\"))
            .filter(|root| {
                let wide: Vec<u16> = root.encode_utf16().chain(std::iter::once(0)).collect();
                // SAFETY: a NUL-terminated UTF-16 string that lives across the call.
                unsafe { GetDriveTypeW(wide.as_ptr()) == DRIVE_REMOVABLE }
            })
            .map(PathBuf::from)
            .collect()
    }
    #[cfg(not(windows))]
    {
        let user = std::env::var("USER").unwrap_or_default();
        let roots = [PathBuf::from("/media").join(&user), PathBuf::from("/run/media").join(&user), "/media".into()];
        mounted_under(&roots)
    }
}

/// The mounted folders directly under these roots (the user's own folder under a root is a
/// root, not a drive).
pub fn mounted_under(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut drives: Vec<PathBuf> = roots
        .iter()
        .filter_map(|root| std::fs::read_dir(root).ok())
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_dir() && !roots.contains(path))
        .collect();
    drives.sort();
    drives.dedup();
    drives
}

impl Workspace {
    /// Where the window proposes to write a backup: on a removable drive when one is
    /// plugged in (a backup belongs off the laptop), else the documents folder:
    /// `…/anchi-sao-luu/anchi-<time>.anchi-backup`.
    pub fn default_backup_path(&self) -> PathBuf {
        let stamp = super::now().format("%Y%m%d-%H%M");
        let base = removable_drives().into_iter().next().unwrap_or_else(|| self.documents_dir());
        base.join("anchi-sao-luu").join(format!("anchi-{stamp}.anchi-backup"))
    }

    /// Writes an encrypted backup of this data directory to `out` while the program may be
    /// writing: the database as one read transaction saw it, then the attachment files
    /// (content-addressed and written before a case names them, so every one the snapshot
    /// names is there) and the form overrides.
    pub fn backup(&self, out: &Path, passphrase: &str) -> Result<BackupSummary, AppError> {
        check_passphrase(passphrase, self.unit().is_none_or(|u| u.demo))?;
        self.sealed_backup(out, &Seal::Passphrase(passphrase.to_string()))
    }

    /// Writes the backup to `out`, sealed as `seal` says. The snapshot is written beside
    /// the database, read into the backup, then removed.
    fn sealed_backup(&self, out: &Path, seal: &Seal) -> Result<BackupSummary, AppError> {
        let scratch = self.data_dir().join(format!(".sao-luu-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&scratch).map_err(|e| AppError::Files(e.to_string()))?;
        let result = self.backup_from(&scratch, out, seal);
        let _ = std::fs::remove_dir_all(&scratch);
        result
    }

    fn backup_from(&self, scratch: &Path, out: &Path, seal: &Seal) -> Result<BackupSummary, AppError> {
        let db = scratch.join(DB_FILE);
        self.store.snapshot_to(&db)?;
        let cases = Store::open(&db)?.case_count()?;
        let mut files = vec![(DB_FILE.to_string(), db)];
        for dir in [ATTACHMENTS_DIR, FORMS_DIR] {
            files_under(self.data_dir(), &self.data_dir().join(dir), &mut files)
                .map_err(|e| AppError::Files(e.to_string()))?;
        }
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(true);
        let mut manifest = format!("{FORMAT}\ncreated: {}\ncases: {cases}\n", super::now());
        let mut bytes = 0;
        for (name, path) in &files {
            let content = std::fs::read(path).map_err(|e| AppError::Files(format!("{}: {e}", path.display())))?;
            manifest.push_str(&format!("{}  {name}\n", hex(&content)));
            bytes += content.len() as u64;
            zip.start_file(name.as_str(), options).map_err(|e| AppError::Files(e.to_string()))?;
            zip.write_all(&content).map_err(|e| AppError::Files(e.to_string()))?;
        }
        zip.start_file(MANIFEST, options).map_err(|e| AppError::Files(e.to_string()))?;
        zip.write_all(manifest.as_bytes()).map_err(|e| AppError::Files(e.to_string()))?;
        let plain = zip.finish().map_err(|e| AppError::Files(e.to_string()))?.into_inner();
        let sealed = match seal {
            Seal::Passphrase(passphrase) => age::encrypt(&passphrase_recipient(passphrase), &plain),
            Seal::Recipient(recipient) => age::encrypt(recipient, &plain),
        }
        .map_err(file_problem)?;
        write_file_atomically(out, &sealed)?;
        Ok(BackupSummary { files: files.len(), bytes, cases })
    }
}

/// Restores the backup `file` into `data_dir`. Everything is checked first (passphrase,
/// every file against the manifest, the database opening and its journal verifying); only
/// then is the current database moved aside (`anchi.redb.truoc-khoi-phuc-<time>`) and the
/// backup's put in its place, attachments and form overrides added. Returns the summary
/// and where the old database went, if there was one.
/// The scrypt work factor backups are sealed with: 2^18 (256 MiB, about a second here) on
/// every machine, rather than a factor calibrated to the fastest one.
const SCRYPT_LOG_N: u8 = 18;
/// The largest factor a restore accepts (1 GiB): a backup edited to ask for more is refused
/// before any of that work, not after 20 s and 4 GB.
const SCRYPT_MAX_LOG_N: u8 = 20;

fn passphrase_recipient(passphrase: &str) -> age::scrypt::Recipient {
    let mut recipient = age::scrypt::Recipient::new(SecretString::from(passphrase.to_string()));
    recipient.set_work_factor(SCRYPT_LOG_N);
    recipient
}

fn passphrase_identity(passphrase: &str) -> age::scrypt::Identity {
    let mut identity = age::scrypt::Identity::new(SecretString::from(passphrase.to_string()));
    identity.set_max_work_factor(SCRYPT_MAX_LOG_N);
    identity
}

/// A file name a backup may hold: under the database, attachments or form overrides, with
/// no empty, "." or ".." part, and no backslash (a folder separator on Windows).
fn safe_name(name: &str) -> bool {
    name.split('/').all(|p| !p.is_empty() && p != ".." && p != ".")
        && !name.contains('\\')
        && !name.contains(':')
        && (name == DB_FILE || name.starts_with("attachments/") || name.starts_with("forms/"))
}

/// What [`restore_in_place`] leaves: the workspace open afterwards (the restored data, the
/// old data when the restore failed after the database was released, or the workspace given
/// when it was another folder's) and the restore's own outcome.
pub struct RestoredInPlace {
    pub workspace: Result<super::Workspace, AppError>,
    pub restored: Result<(BackupSummary, Option<PathBuf>), AppError>,
}

/// Restores `file` into the data folder `home` while `current` is open: when `current` is
/// that folder's workspace its database is released first (a database cannot be replaced
/// while open), then the backup is restored and the folder opened again — whether the
/// restore succeeded or not, so the member is never left without data. `current` of
/// another folder (the demo) stays open unless the restore succeeds.
pub fn restore_in_place(current: super::Workspace, home: &Path, file: &Path, passphrase: &str) -> RestoredInPlace {
    let holding_home = current.data_dir() == home;
    let current = if holding_home {
        drop(current);
        None
    } else {
        Some(current)
    };
    let restored = restore(file, home, passphrase);
    let workspace = match (current, &restored) {
        (Some(current), Err(_)) => Ok(current),
        _ => super::Workspace::open(home),
    };
    RestoredInPlace { workspace, restored }
}

pub fn restore(file: &Path, data_dir: &Path, passphrase: &str) -> Result<(BackupSummary, Option<PathBuf>), AppError> {
    let sealed = std::fs::read(file).map_err(|e| file_problem(format!("{}: {e}", file.display())))?;
    // The passphrase opens the header (directly, or through the key file of automatic
    // backups); a damaged body fails after, chunk by chunk.
    let decryptor = age::Decryptor::new(&sealed[..]).map_err(damaged)?;
    let identity: Box<dyn age::Identity> = if decryptor.is_scrypt() {
        Box::new(passphrase_identity(passphrase))
    } else {
        Box::new(automatic_key(file, passphrase)?)
    };
    let mut reader = decryptor.decrypt(std::iter::once(identity.as_ref())).map_err(|e| match e {
        age::DecryptError::ExcessiveWork { .. } => damaged("it asks for more scrypt work than a backup of anchi does"),
        _ => AppError::Backup(BackupError::Passphrase),
    })?;
    let mut plain = Vec::new();
    reader.read_to_end(&mut plain).map_err(damaged)?;
    let mut zip = zip::ZipArchive::new(Cursor::new(plain)).map_err(damaged)?;
    let mut manifest = String::new();
    zip.by_name(MANIFEST).map_err(damaged)?.read_to_string(&mut manifest).map_err(damaged)?;
    let mut lines = manifest.lines();
    if lines.next() != Some(FORMAT) {
        return Err(damaged("not an anchi backup manifest"));
    }
    let mut listed: Vec<(String, String)> = Vec::new();
    for line in lines.filter(|l| l.len() > 66 && l.as_bytes()[64] == b' ') {
        listed.push((line[..64].to_string(), line[66..].to_string()));
    }
    if zip.len() != listed.len() + 1 || !listed.iter().any(|(_, n)| n == DB_FILE) {
        return Err(damaged("the files do not match the manifest"));
    }
    let mut contents: Vec<(String, Vec<u8>)> = Vec::new();
    for (hash, name) in &listed {
        if !safe_name(name) {
            return Err(damaged(format!("unexpected file {name}")));
        }
        let mut content = Vec::new();
        zip.by_name(name).map_err(damaged)?.read_to_end(&mut content).map_err(damaged)?;
        if hex(&content) != *hash {
            return Err(damaged(format!("{name}: SHA-256 differs from the manifest")));
        }
        contents.push((name.clone(), content));
    }
    std::fs::create_dir_all(data_dir).map_err(|e| AppError::Files(e.to_string()))?;
    // The incoming database is opened as a laptop would open it, in a folder of its own,
    // and everything a laptop reads from it is read once: a backup whose database or
    // settings cannot be read is refused before anything here changes.
    let staging = data_dir.join(format!("{DB_FILE}.dang-khoi-phuc"));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir(&staging).map_err(|e| AppError::Files(e.to_string()))?;
    let incoming = staging.join(DB_FILE);
    let db = &contents.iter().find(|(n, _)| n == DB_FILE).expect("listed above").1;
    let checked = write_file_atomically(&incoming, db).and_then(|()| Workspace::open(&staging)?.readable_whole());
    let cases = match checked {
        Ok(cases) => cases,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(match e {
                AppError::Files(_) => e,
                other => damaged(other.to_string()),
            });
        }
    };
    let current = data_dir.join(DB_FILE);
    // A database in use by a running window cannot be replaced.
    if current.exists()
        && let Err(e) = Store::open(&current)
    {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e.into());
    }
    let aside = current
        .exists()
        .then(|| data_dir.join(format!("{DB_FILE}.truoc-khoi-phuc-{}", super::now().format("%Y%m%d-%H%M%S"))));
    if let Some(aside) = &aside {
        std::fs::rename(&current, aside).map_err(|e| AppError::Files(e.to_string()))?;
    }
    std::fs::rename(&incoming, &current).map_err(|e| AppError::Files(e.to_string()))?;
    let _ = std::fs::remove_dir_all(&staging);
    let mut bytes = 0;
    for (name, content) in &contents {
        bytes += content.len() as u64;
        if name != DB_FILE {
            let target = data_dir.join(name);
            if !target.exists() {
                write_file_atomically(&target, content)?;
            }
        }
    }
    Ok((BackupSummary { files: contents.len(), bytes, cases }, aside))
}

impl Workspace {
    /// Reads everything a laptop reads from its database (the unit, accounts, keys,
    /// delegations, settings, the offender index, links between subjects) and verifies the
    /// journal against every case: the number of cases when all of it holds.
    pub(crate) fn readable_whole(&self) -> Result<u64, AppError> {
        self.accounts()?;
        self.device_key()?;
        self.retired_keys()?;
        self.delegations()?;
        self.server_settings()?;
        self.index_readable()?;
        self.auto_backup()?;
        self.subject_links()?;
        let audit = self.audit_verify()?;
        if let Some(broken) = audit.first_broken {
            return Err(damaged(format!("journal broken at entry {}: {}", broken.seq, broken.reason)));
        }
        Ok(self.store.case_count()?)
    }
}

/// How a backup is encrypted: with the passphrase itself (by hand), or to the public key
/// of the automatic backups (whose secret half only the passphrase opens).
enum Seal {
    Passphrase(String),
    Recipient(age::x25519::Recipient),
}

/// The key file written beside automatic backups: the X25519 identity they are encrypted
/// to, itself encrypted with the backup passphrase. The laptop keeps only the public half,
/// so it can back up every day without knowing the passphrase.
pub const KEY_FILE: &str = "anchi-khoa-sao-luu.age";

/// The prefix and suffix of automatic backups' names (the oldest beyond `keep` are removed).
const AUTO_PREFIX: &str = "anchi-tu-dong-";
const BACKUP_SUFFIX: &str = ".anchi-backup";

/// The meta key of the automatic backup settings.
const AUTO_KEY: &str = "auto_backup";

/// Automatic daily backup: where, how many to keep, the public key, the sealed identity
/// (to write the key file again on a new stick), and when it last ran.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AutoBackup {
    pub folder: PathBuf,
    pub keep: usize,
    recipient: String,
    sealed_key: Vec<u8>,
    pub last: Option<chrono::NaiveDateTime>,
}

/// The identity inside the key file next to `backup`, opened with `passphrase`.
fn automatic_key(backup: &Path, passphrase: &str) -> Result<age::x25519::Identity, AppError> {
    let key_file = backup.parent().unwrap_or(Path::new(".")).join(KEY_FILE);
    let sealed = std::fs::read(&key_file).map_err(|e| {
        file_problem(format!(
            "{}: {e} (the key file of automatic backups must be beside the backup)",
            key_file.display()
        ))
    })?;
    let text = age::decrypt(&passphrase_identity(passphrase), &sealed)
        .map_err(|_| AppError::Backup(BackupError::Passphrase))?;
    String::from_utf8(text).ok().and_then(|t| t.trim().parse().ok()).ok_or_else(|| damaged("the key file holds no key"))
}

impl Workspace {
    /// The automatic backup settings, if it is on.
    pub fn auto_backup(&self) -> Result<Option<AutoBackup>, AppError> {
        Ok(self.store.meta::<AutoBackup>(AUTO_KEY)?)
    }

    /// Turns automatic daily backups on into `folder` (a USB stick, a network drive),
    /// keeping the newest `keep`: a new key pair is made, its secret half sealed with
    /// `passphrase` into the key file written there; the first backup is due at once.
    pub fn enable_auto_backup(&self, folder: &Path, keep: usize, passphrase: &str) -> Result<AutoBackup, AppError> {
        check_passphrase(passphrase, false)?;
        if keep == 0 {
            return Err(file_problem("keep at least one backup"));
        }
        use age::secrecy::ExposeSecret;
        let identity = age::x25519::Identity::generate();
        let secret = identity.to_string();
        let sealed_key =
            age::encrypt(&passphrase_recipient(passphrase), secret.expose_secret().as_bytes()).map_err(file_problem)?;
        let settings = AutoBackup {
            folder: folder.to_path_buf(),
            keep,
            recipient: identity.to_public().to_string(),
            sealed_key,
            last: None,
        };
        std::fs::create_dir_all(folder).map_err(|e| file_problem(format!("{}: {e}", folder.display())))?;
        write_file_atomically(&folder.join(KEY_FILE), &settings.sealed_key)?;
        let action = format!("backup.auto_on {}", folder.display());
        self.store.write(&self.actor(), |w| w.put_meta(AUTO_KEY, &settings, &action))?;
        Ok(settings)
    }

    /// Whether the automatic backup is on and has not run today.
    pub fn auto_backup_due(&self, now: chrono::NaiveDateTime) -> Option<AutoBackup> {
        let settings = self.auto_backup().ok().flatten()?;
        settings.last.is_none_or(|last| last.date() < now.date()).then_some(settings)
    }

    /// Runs the automatic backup now: a backup encrypted to the key pair's public half in
    /// the folder (the key file written again if missing), the oldest beyond `keep`
    /// removed, the time recorded. A missing folder (stick not plugged in) is an error the
    /// window shows and retries later.
    pub fn run_auto_backup(&self) -> Result<(PathBuf, BackupSummary), AppError> {
        let mut settings = self.auto_backup()?.ok_or_else(|| file_problem("automatic backup is off"))?;
        if !settings.folder.is_dir() {
            return Err(file_problem(format!(
                "{} is not there (USB stick not plugged in?)",
                settings.folder.display()
            )));
        }
        let recipient: age::x25519::Recipient = settings.recipient.parse().map_err(file_problem)?;
        let key_file = settings.folder.join(KEY_FILE);
        if !key_file.exists() {
            write_file_atomically(&key_file, &settings.sealed_key)?;
        }
        let now = super::now();
        // Milliseconds in the name: two backups in one second do not overwrite each other,
        // and the names sort in time order.
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S-%3f");
        let out = settings.folder.join(format!("{AUTO_PREFIX}{stamp}{BACKUP_SUFFIX}"));
        let summary = self.sealed_backup(&out, &Seal::Recipient(recipient))?;
        let mut old: Vec<PathBuf> = std::fs::read_dir(&settings.folder)
            .map_err(|e| AppError::Files(e.to_string()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(AUTO_PREFIX) && n.ends_with(BACKUP_SUFFIX))
            })
            .collect();
        old.sort();
        let excess = old.len().saturating_sub(settings.keep);
        for path in &old[..excess] {
            let _ = std::fs::remove_file(path);
        }
        settings.last = Some(now);
        self.store.write(&self.actor(), |w| w.put_meta(AUTO_KEY, &settings, "backup.auto"))?;
        Ok((out, summary))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_safe_names_are_restored() {
        for good in [DB_FILE, "attachments/ab/abcdef", "forms/2025-07-01/qd-xu-phat.toml"] {
            assert!(safe_name(good), "{good}");
        }
        for bad in
            ["../anchi.redb", "attachments/../../x", "attachments\\..\\x", "forms/C:x", "other/x", "attachments//x"]
        {
            assert!(!safe_name(bad), "{bad}");
        }
    }
}
