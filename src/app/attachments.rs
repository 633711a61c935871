//! Photos and scans attached to a case: stored once by their SHA-256 under
//! `<data dir>/attachments/`, so they travel unchanged in backups and packages and the same
//! photo added twice is kept once.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{AppError, Workspace, write_atomically, write_file_atomically};
use crate::domain::{Attachment, Bilingual, ValidationReport, text::nfc};

/// The folder of the data directory that holds attachment files.
pub const ATTACHMENTS_DIR: &str = "attachments";

/// The largest file accepted (a phone photo is a few MB; a multi-page scan a few tens).
pub const MAX_ATTACHMENT_BYTES: u64 = 50 * 1024 * 1024;

/// The kinds of file accepted, told by their first bytes (not by the name).
fn media_type(head: &[u8]) -> Option<&'static str> {
    const KINDS: &[(&[u8], usize, &str)] = &[
        (b"\xFF\xD8\xFF", 0, "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
        (b"%PDF-", 0, "application/pdf"),
        (b"WEBP", 8, "image/webp"),
        (b"II*\0", 0, "image/tiff"),
        (b"MM\0*", 0, "image/tiff"),
        (b"ftypheic", 4, "image/heic"),
    ];
    KINDS.iter().find(|(magic, at, _)| head.get(*at..at + magic.len()) == Some(magic)).map(|(_, _, kind)| *kind)
}

/// Why a file was not attached.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachProblem {
    #[error("{file}: cannot be read ({detail})")]
    Unreadable { file: String, detail: String },
    #[error("{file}: not a photo or a scan (JPEG, PNG, WebP, TIFF, HEIC or PDF)")]
    NotAPhotoOrScan { file: String },
    #[error("{file}: {size_mb} MB, more than the {max_mb} MB allowed")]
    TooLarge { file: String, size_mb: u64, max_mb: u64 },
}

impl Bilingual for AttachProblem {
    fn vi(&self) -> String {
        match self {
            AttachProblem::Unreadable { file, .. } => format!("{file}: không đọc được tệp"),
            AttachProblem::NotAPhotoOrScan { file } => {
                format!("{file}: không phải ảnh hoặc bản quét (JPEG, PNG, WebP, TIFF, HEIC hoặc PDF)")
            }
            AttachProblem::TooLarge { file, size_mb, max_mb } => {
                format!("{file}: {size_mb} MB, vượt quá {max_mb} MB cho phép")
            }
        }
    }
}

impl Workspace {
    /// Where the file of an attachment is kept.
    pub fn attachment_path(&self, sha256: &str) -> PathBuf {
        self.data_dir().join(ATTACHMENTS_DIR).join(&sha256[..2]).join(sha256)
    }

    /// Attaches a photo or scan to a case. The file is copied into the data directory
    /// under its hash before the case records it; adding the same content again records
    /// nothing new. Refused files leave the case as it was.
    pub fn attach(&self, case_id: Uuid, file: &Path) -> Result<Attachment, AppError> {
        self.require_member()?;
        let name = file.file_name().map(|n| nfc(&n.to_string_lossy())).unwrap_or_default();
        let refuse = |problem: AttachProblem| {
            let mut report = ValidationReport::default();
            report.error("attachments", &problem);
            AppError::Invalid(report)
        };
        let unreadable =
            |e: std::io::Error| refuse(AttachProblem::Unreadable { file: name.clone(), detail: e.to_string() });
        let size = std::fs::metadata(file).map_err(unreadable)?.len();
        if size > MAX_ATTACHMENT_BYTES {
            let mb = |b: u64| b.div_ceil(1024 * 1024);
            return Err(refuse(AttachProblem::TooLarge {
                file: name,
                size_mb: mb(size),
                max_mb: mb(MAX_ATTACHMENT_BYTES),
            }));
        }
        let bytes = std::fs::read(file).map_err(unreadable)?;
        let media_type =
            media_type(&bytes).ok_or_else(|| refuse(AttachProblem::NotAPhotoOrScan { file: name.clone() }))?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        self.keep_attachment_file(&sha256, &bytes)?;
        let attachment = Attachment {
            sha256,
            file_name: name,
            media_type: media_type.to_string(),
            size_bytes: bytes.len() as u64,
            added_at: super::now(),
        };
        self.store.write(&self.actor(), |w| {
            let mut case = w.case(case_id)?.ok_or(AppError::CaseNotFound(case_id))?;
            if let Some(same) = case.attachments.iter().find(|a| a.sha256 == attachment.sha256) {
                return Ok(same.clone());
            }
            case.attachments.push(attachment.clone());
            w.put_case(&case, "case.attach")?;
            Ok(attachment.clone())
        })
    }
}

impl Workspace {
    /// Keeps an attachment's bytes under their hash (once) with a thumbnail. `sha256` must
    /// be the hash of `bytes`; callers have just computed or checked it.
    pub(crate) fn keep_attachment_file(&self, sha256: &str, bytes: &[u8]) -> Result<(), AppError> {
        let target = self.attachment_path(sha256);
        if !target.exists() {
            write_file_atomically(&target, bytes)?;
        }
        self.make_thumbnail(sha256, bytes);
        Ok(())
    }
}

/// The longest side of a thumbnail, in pixels.
const THUMBNAIL_PX: u32 = 240;

impl Workspace {
    /// The small PNG shown for a photo, beside its file (`<sha256>.thumb.png`).
    fn thumbnail_file(&self, sha256: &str) -> PathBuf {
        self.attachment_path(sha256).with_extension("thumb.png")
    }

    /// Makes the thumbnail of a photo once. A photo that cannot be decoded (an unusual
    /// JPEG, a HEIC) simply has none: the file itself is kept and shown by name.
    fn make_thumbnail(&self, sha256: &str, bytes: &[u8]) {
        let path = self.thumbnail_file(sha256);
        if path.exists() {
            return;
        }
        let Ok(image) = image::load_from_memory(bytes) else { return };
        let small = image.thumbnail(THUMBNAIL_PX, THUMBNAIL_PX);
        let mut png = Vec::new();
        if small.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).is_ok() {
            let _ = write_atomically(&path, &png);
        }
    }

    /// The PNG thumbnail of an attachment, when it is a photo that could be decoded.
    pub fn thumbnail(&self, sha256: &str) -> Option<Vec<u8>> {
        std::fs::read(self.thumbnail_file(sha256)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::media_type;

    #[test]
    fn files_are_told_by_their_first_bytes() {
        assert_eq!(media_type(b"\xFF\xD8\xFF\xE0rest"), Some("image/jpeg"));
        assert_eq!(media_type(b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(media_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(media_type(b"Hello, this is text"), None);
        assert_eq!(media_type(b""), None);
    }
}
