//! Exporting a case as a signed package and importing one (`docs/package-format.md`).
//! The format itself is [`crate::package`]; this module chooses what goes in, which
//! version it is, which keys are trusted, and what the store remembers of each version.

use std::path::PathBuf;

use chrono::{SubsecRound, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::case_json::store_imported_case;
use super::keys::{DeviceKey, KeyError, unlock};
use super::render::PdfJob;
use super::{AppError, Workspace};
use crate::domain::Bilingual;
use crate::package::{self, BagInfo, CASE_JSON, Info, Limits, PackageError, Unsigned};
pub use crate::store::PackageRecord;

/// A package made by [`Workspace::export_package`].
#[derive(Debug)]
pub struct Exported {
    /// The file to write: the package, or the sealed package with `seal_to`.
    pub bytes: Vec<u8>,
    pub info: BagInfo,
    /// SHA-256 of the (unsealed) package file, hex.
    pub sha256: String,
    /// False when the case had not changed since the last export: the same version (the
    /// very same file) was made again.
    pub new_version: bool,
    pub sealed: bool,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub case_id: Uuid,
    pub version: u32,
    /// True when this very package had been imported (or made) here before: nothing changed.
    pub unchanged: bool,
}

/// Everything an export needs, taken from the store ([`Workspace::prepare_export`]).
#[derive(Debug)]
pub struct ExportJob {
    case_id: Uuid,
    passphrase: String,
    key: DeviceKey,
    unit: String,
    case_json: Vec<u8>,
    documents: Vec<(String, PdfJob)>,
    /// Package path, SHA-256, file in the data directory.
    attachments: Vec<(String, String, PathBuf)>,
    records: Vec<PackageRecord>,
    seal_to: Option<String>,
}

/// A package made by [`ExportJob::run`], with the version record to store when it is new.
#[derive(Debug)]
pub struct BuiltPackage {
    pub exported: Exported,
    record: Option<PackageRecord>,
}

impl BuiltPackage {
    /// Writes the package as `out.part` (synced, readable by its owner only), before its
    /// version is recorded.
    pub fn write_part(&self, out: &std::path::Path) -> Result<(), AppError> {
        super::write_file_atomically(&part_file(out), &self.exported.bytes)
    }
}

/// The name a package has while it is being written: `<out>.part`.
fn part_file(out: &std::path::Path) -> std::path::PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".part");
    std::path::PathBuf::from(name)
}

impl ExportJob {
    /// Renders, reads, hashes and signs. Touches no store: [`Workspace::record_export`]
    /// records the version afterwards.
    pub fn run(self, progress: &dyn Fn(f32)) -> Result<BuiltPackage, AppError> {
        let secret = unlock(&self.key, &self.passphrase)?;
        let steps = (self.documents.len() + self.attachments.len()).max(1) as f32;
        let mut done = 0.0;
        let mut step = || {
            done += 1.0;
            progress(done / steps * 0.95);
        };
        let case_json_sha256 = sha256_hex(&self.case_json);
        let mut payload = vec![(CASE_JSON.to_string(), self.case_json)];
        let jobs: Vec<&PdfJob> = self.documents.iter().map(|(_, job)| job).collect();
        for ((path, _), bytes) in self.documents.iter().zip(PdfJob::render_all(&jobs)?) {
            payload.push((path.clone(), bytes));
            step();
        }
        for (path, sha256, file) in &self.attachments {
            let missing = |detail: String| AppError::AttachmentMissing { sha256: sha256.clone(), detail };
            let bytes = std::fs::read(file).map_err(|e| missing(format!("{}: {e}", file.display())))?;
            if sha256_hex(&bytes) != *sha256 {
                return Err(missing(format!("{}: content no longer matches its SHA-256", file.display())));
            }
            payload.push((path.clone(), bytes));
            step();
        }
        let seal_to = self.seal_to.as_deref();
        let key_id = &self.key.key_id;
        let last = self.records.last();

        // The last version again, if nothing in it would change.
        if let Some(last) = last.filter(|r| !r.imported && r.key_id == *key_id) {
            let info = BagInfo {
                version: last.version,
                case_id: self.case_id,
                unit: self.unit.clone(),
                key_id: key_id.clone(),
                created: last.created,
                previous_sha256: last.previous_sha256.clone(),
            };
            let unsigned = Unsigned::new(info, payload.clone())?;
            if sha256_hex(unsigned.tag_manifest().as_bytes()) == last.tag_manifest_sha256 {
                let info = unsigned.info.clone();
                let bytes = unsigned.finish(&last.signature);
                let sha256 = sha256_hex(&bytes);
                if sha256 == last.sha256 {
                    progress(1.0);
                    let exported = finish_export(bytes, info, sha256, false, seal_to)?;
                    return Ok(BuiltPackage { exported, record: None });
                }
            }
        }

        let info = BagInfo {
            version: last.map_or(1, |r| r.version + 1),
            case_id: self.case_id,
            unit: self.unit.clone(),
            key_id: key_id.clone(),
            created: Utc::now().trunc_subsecs(0),
            previous_sha256: last.map(|r| r.sha256.clone()),
        };
        let unsigned = Unsigned::new(info, payload)?;
        let signature = minisign::sign(
            None,
            &secret,
            std::io::Cursor::new(unsigned.tag_manifest().as_bytes()),
            Some(&unsigned.info.trusted_comment()),
            Some(&unsigned.info.untrusted_comment()),
        )
        .map_err(|e| KeyError::Damaged(e.to_string()))?
        .into_string();
        let tag_manifest_sha256 = sha256_hex(unsigned.tag_manifest().as_bytes());
        let info = unsigned.info.clone();
        let bytes = unsigned.finish(&signature);
        let sha256 = sha256_hex(&bytes);
        let record = PackageRecord {
            version: info.version,
            imported: false,
            created: info.created,
            sha256: sha256.clone(),
            previous_sha256: info.previous_sha256.clone(),
            tag_manifest_sha256,
            case_json_sha256,
            key_id: key_id.clone(),
            signature,
            receipt: None,
        };
        progress(1.0);
        let exported = finish_export(bytes, info, sha256, true, seal_to)?;
        Ok(BuiltPackage { exported, record: Some(record) })
    }
}

/// A verified package that this laptop will not take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportRefusal {
    #[error("data/case.json is case {found}, but bag-info.txt names case {named}")]
    CaseIdMismatch { named: Uuid, found: Uuid },
    #[error("{0} is in case.json's attachments but not in the package")]
    MissingAttachment(String),
    #[error("{0} is not a file case.json refers to")]
    UnexpectedFile(String),
    #[error("version {incoming} is not newer than version {stored} already here")]
    OlderVersion { incoming: u32, stored: u32 },
    #[error("the case was changed on this laptop after version {0}; importing would lose those changes")]
    ChangedHere(u32),
    #[error("the case exists on this laptop with other content and never came in a package")]
    ExistsUnpackaged,
}

impl Bilingual for ImportRefusal {
    fn vi(&self) -> String {
        match self {
            ImportRefusal::CaseIdMismatch { .. } => "Nội dung vụ việc trong gói không khớp mã vụ việc của gói".into(),
            ImportRefusal::MissingAttachment(name) => format!("Thiếu tệp đính kèm “{name}” trong gói"),
            ImportRefusal::UnexpectedFile(name) => format!("Tệp “{name}” không thuộc vụ việc"),
            ImportRefusal::OlderVersion { incoming, stored } => {
                format!("Gói phiên bản {incoming} không mới hơn phiên bản {stored} đã có trên máy")
            }
            ImportRefusal::ChangedHere(v) => {
                format!("Vụ việc đã được sửa trên máy này sau phiên bản {v}; nhập gói sẽ làm mất các thay đổi đó")
            }
            ImportRefusal::ExistsUnpackaged => "Vụ việc đã có trên máy với nội dung khác".into(),
        }
    }
}

/// Where a document's PDF goes in the package: process order, then its usual file name.
fn document_path(index: usize, doc: &crate::domain::Document) -> String {
    format!("data/documents/{:02}-{}", index + 1, Workspace::document_file_name(doc))
}

/// Where an attachment goes: its hash and the extension of its kind (the original file
/// name is in case.json).
pub fn attachment_path(sha256: &str, media_type: &str) -> String {
    let ext = match media_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "image/tiff" => "tif",
        "image/heic" => "heic",
        "application/pdf" => "pdf",
        _ => "bin",
    };
    format!("data/attachments/{sha256}.{ext}")
}

/// A package's file name for people (without the extension).
pub fn package_file_name(case: &crate::domain::Case) -> String {
    let mut subject: String = crate::domain::text::fold(&case.subject.name)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while subject.contains("--") {
        subject = subject.replace("--", "-");
    }
    let subject: String = subject.trim_matches('-').chars().take(50).collect();
    let id = case.id.simple().to_string();
    format!("ho-so-{}-{}-{}", case.opened_at.format("%Y-%m-%d"), subject.trim_end_matches('-'), &id[..8])
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Workspace {
    /// Where the window proposes to write a case's package: the user's documents folder
    /// (else home, else the data directory), in `anchi-goi-ho-so/`, named for people:
    /// `ho-so-2026-12-03-cong-ty-tnhh-hoang-long-0197a285.anchi` (the day the case opened, the
    /// subject without accents, the start of the case id so two never clash).
    pub fn default_package_path(&self, case_id: Uuid) -> PathBuf {
        let name = match self.case(case_id) {
            Ok(case) => package_file_name(&case),
            Err(_) => format!("ho-so-{case_id}"),
        };
        self.documents_dir().join("anchi-goi-ho-so").join(format!("{name}.{}", package::EXTENSION))
    }

    /// The package versions of a case, oldest first.
    pub fn package_versions(&self, case_id: Uuid) -> Result<Vec<PackageRecord>, AppError> {
        Ok(self.store.packages(case_id)?)
    }

    /// Makes the signed package of a case. When the case has not changed since its last
    /// package, the same version comes out byte for byte; otherwise a new version that names
    /// the previous one's hash. `progress` hears the fraction done (rendering, reading photos).
    pub fn export_package(
        &self,
        case_id: Uuid,
        passphrase: &str,
        seal_to: Option<&str>,
        progress: &dyn Fn(f32),
    ) -> Result<Exported, AppError> {
        let built = self.prepare_export(case_id, passphrase, seal_to)?.run(progress)?;
        self.record_export(built)
    }

    /// Takes from the store what an export needs, so the slow part ([`ExportJob::run`]:
    /// rendering, reading photos, hashing, signing) can go on another thread.
    pub fn prepare_export(
        &self,
        case_id: Uuid,
        passphrase: &str,
        seal_to: Option<&str>,
    ) -> Result<ExportJob, AppError> {
        if let Some(recipient) = seal_to {
            package::check_recipient(recipient)?;
        }
        let key = self.device_key()?.ok_or(KeyError::NoKey)?;
        let unit = self.unit().ok_or(KeyError::NoUnit)?.code.clone();
        let case = self.case(case_id)?;
        let case_json = format!("{}\n", self.export_case(case_id)?).into_bytes();
        let documents = case
            .documents
            .iter()
            .enumerate()
            .filter(|(_, d)| d.finalised_at.is_some())
            .map(|(i, d)| Ok((document_path(i, d), self.pdf_job(case_id, d.id)?)))
            .collect::<Result<_, AppError>>()?;
        let attachments = case
            .attachments
            .iter()
            .map(|a| (attachment_path(&a.sha256, &a.media_type), a.sha256.clone(), self.attachment_path(&a.sha256)))
            .collect();
        Ok(ExportJob {
            case_id,
            passphrase: passphrase.to_string(),
            key,
            unit,
            case_json,
            documents,
            attachments,
            records: self.store.packages(case_id)?,
            seal_to: seal_to.map(str::to_string),
        })
    }

    /// Stores the version an export made (when it is new) and hands back the file.
    /// Exports the case's package into the file `out`: written and synced as `out.part`
    /// first, then its version recorded, then renamed — so a full disk or a kill never
    /// leaves a recorded version whose file is missing or half-written. The window does the
    /// same in two steps across its background thread ([`BuiltPackage::write_part`], then
    /// [`Workspace::finish_export`]).
    pub fn export_package_to(
        &self,
        case_id: Uuid,
        passphrase: &str,
        seal_to: Option<&str>,
        out: &std::path::Path,
        progress: &dyn Fn(f32),
    ) -> Result<Exported, AppError> {
        let built = self.prepare_export(case_id, passphrase, seal_to)?.run(progress)?;
        built.write_part(out)?;
        self.finish_export(built, out)
    }

    /// Records the version of a package written as `out.part`, then gives the file its
    /// name; on any failure the part file is removed, so no package exists whose version
    /// this laptop does not know.
    pub fn finish_export(&self, built: BuiltPackage, out: &std::path::Path) -> Result<Exported, AppError> {
        let part = part_file(out);
        let result = self.record_export(built).and_then(|exported| {
            std::fs::rename(&part, out).map_err(|e| AppError::Files(format!("{}: {e}", out.display())))?;
            Ok(exported)
        });
        if result.is_err() {
            let _ = std::fs::remove_file(&part);
        }
        result
    }

    pub fn record_export(&self, built: BuiltPackage) -> Result<Exported, AppError> {
        let BuiltPackage { exported, record } = built;
        if let Some(record) = record {
            let case_id = exported.info.case_id;
            self.store.write(&self.actor(), |w| -> Result<(), AppError> {
                let mut records = w.packages(case_id)?;
                if records.last().is_some_and(|r| r.version >= record.version) {
                    // Another export of this case finished first; this one is stale.
                    return Err(AppError::VersionTaken { case_id, version: record.version });
                }
                let action = format!("package.export v{} {}", record.version, record.sha256);
                records.push(record);
                w.put_packages(case_id, &records)?;
                w.note_case(case_id, &action)?;
                Ok(())
            })?;
        }
        Ok(exported)
    }

    /// Takes a member's package: checks its signature against `trusted` and every hash,
    /// reads its case as a case file, and stores the case, its attachments and the
    /// version. Never replaces a newer version, nor a case changed here since its last
    /// package; a refused package stores nothing.
    pub fn import_package(
        &self,
        bytes: &[u8],
        trusted: &[minisign::PublicKey],
        identity: Option<&str>,
    ) -> Result<Imported, AppError> {
        self.require_member()?;
        let verified = package::open_verified(bytes, identity, trusted, &Limits::default())?;
        let opened = verified.opened;
        let info = opened.info.clone();
        let json = opened.case_json()?;
        let case = self.read_case_file(json)?;
        if case.id != info.case_id {
            return Err(ImportRefusal::CaseIdMismatch { named: info.case_id, found: case.id }.into());
        }

        // Every payload file is case.json, a document PDF, or an attachment case.json names.
        let mut attachments = Vec::new();
        for a in &case.attachments {
            let path = attachment_path(&a.sha256, &a.media_type);
            let bytes = opened.file(&path).ok_or_else(|| ImportRefusal::MissingAttachment(path.clone()))?;
            if sha256_hex(bytes) != a.sha256 {
                return Err(PackageError::HashMismatch { file: path, manifest: "case.json" }.into());
            }
            attachments.push((a.sha256.clone(), path));
        }
        for (path, _) in &opened.payload {
            let known = path == CASE_JSON
                || path.starts_with("data/documents/") && path.ends_with(".pdf")
                || attachments.iter().any(|(_, p)| p == path);
            if !known {
                return Err(ImportRefusal::UnexpectedFile(path.clone()).into());
            }
        }

        let records = self.store.packages(case.id)?;
        if records.iter().any(|r| r.sha256 == opened.sha256) {
            return Ok(Imported { case_id: case.id, version: info.version, unchanged: true });
        }
        if let Some(last) = records.last()
            && info.version <= last.version
        {
            return Err(ImportRefusal::OlderVersion { incoming: info.version, stored: last.version }.into());
        }
        let existing = match self.case(case.id) {
            Ok(existing) => Some(existing),
            Err(AppError::CaseNotFound(_)) => None,
            Err(e) => return Err(e),
        };
        if let Some(existing) = existing {
            match records.last() {
                None if existing != case => return Err(ImportRefusal::ExistsUnpackaged.into()),
                Some(last)
                    if sha256_hex(format!("{}\n", self.export_case(case.id)?).as_bytes()) != last.case_json_sha256 =>
                {
                    return Err(ImportRefusal::ChangedHere(last.version).into());
                }
                _ => {}
            }
        }

        for (sha256, path) in &attachments {
            self.keep_attachment_file(sha256, opened.file(path).expect("checked above"))?;
        }
        let record = PackageRecord {
            version: info.version,
            imported: true,
            created: info.created,
            sha256: opened.sha256.clone(),
            previous_sha256: info.previous_sha256.clone(),
            tag_manifest_sha256: sha256_hex(opened.tag_manifest()),
            case_json_sha256: sha256_hex(json.as_bytes()),
            key_id: verified.key_id,
            signature: opened.signature.clone(),
            receipt: None,
        };
        self.store.write(&self.actor(), |w| -> Result<(), AppError> {
            store_imported_case(w, &case, &format!("package.import v{} {}", info.version, opened.sha256))?;
            let mut records = w.packages(case.id)?;
            records.push(record);
            w.put_packages(case.id, &records)?;
            Ok(())
        })?;
        Ok(Imported { case_id: case.id, version: info.version, unchanged: false })
    }
}

fn finish_export(
    bytes: Vec<u8>,
    info: BagInfo,
    sha256: String,
    new_version: bool,
    seal_to: Option<&str>,
) -> Result<Exported, AppError> {
    let (bytes, sealed) = match seal_to {
        Some(recipient) => (package::seal(&bytes, recipient)?, true),
        None => (bytes, false),
    };
    Ok(Exported { bytes, info, sha256, new_version, sealed })
}

/// Unseals (when sealed) and reads a package, checking everything but the signature.
pub fn open_package(bytes: &[u8], identity: Option<&str>) -> Result<package::Opened, PackageError> {
    package::open_any(bytes, identity, &Limits::default())
}
