//! Why a package was refused: one variant per thing that can be wrong, each naming the
//! file, the hash or the signature concerned.

use thiserror::Error;

use crate::domain::Bilingual;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PackageError {
    #[error("not a readable zip (truncated or damaged): {0}")]
    NotAZip(String),
    #[error("the file is sealed with age: give the identity that opens it (--identity)")]
    SealedNeedsIdentity,
    #[error("cannot unseal: {0}")]
    Unseal(String),
    #[error("cannot seal to {recipient:?}: {detail}")]
    BadRecipient { recipient: String, detail: String },
    #[error("unsafe file name {0:?} (only relative names of letters, digits, '.', '-', '_')")]
    UnsafeName(String),
    #[error("file name {0:?} appears twice")]
    DuplicateName(String),
    #[error("{0} files, more than a package may hold")]
    TooManyFiles(usize),
    #[error("{name}: {bytes} bytes declared, more than a package may hold")]
    TooLarge { name: String, bytes: u64 },
    #[error("{0}: compressed; package entries are stored uncompressed")]
    Compressed(String),
    #[error("{0}: a file outside data/ that is not a tag file")]
    ExtraFile(String),
    #[error("{0} is missing")]
    MissingTagFile(&'static str),
    #[error("{file}: {detail}")]
    BadTagFile { file: &'static str, detail: String },
    #[error("package format {0:?} is not supported by this version")]
    UnsupportedFormat(String),
    #[error("{file} is in the package but not in {manifest}")]
    NotInManifest { file: String, manifest: &'static str },
    #[error("{file} is listed in {manifest} but missing from the package")]
    MissingFile { file: String, manifest: &'static str },
    #[error("{file}: SHA-256 does not match {manifest}")]
    HashMismatch { file: String, manifest: &'static str },
    #[error("the zip is not laid out as anchi writes it (dates, modes, order or padding changed)")]
    NotCanonical,
    #[error("signed by key {0}, which is not a trusted key")]
    UnknownKey(String),
    #[error("signature of tagmanifest-sha256.txt: {0}")]
    BadSignature(String),
}

impl Bilingual for PackageError {
    fn vi(&self) -> String {
        match self {
            PackageError::NotAZip(_) => "Tệp gói bị cắt cụt hoặc hỏng, không đọc được".into(),
            PackageError::SealedNeedsIdentity => "Gói đã được niêm phong (mã hóa): cần khóa giải mã".into(),
            PackageError::Unseal(_) => "Không giải mã được gói bằng khóa đã cho".into(),
            PackageError::BadRecipient { recipient, .. } => format!("Khóa nhận “{recipient}” không hợp lệ"),
            PackageError::UnsafeName(name) => format!("Tên tệp không an toàn trong gói: “{name}”"),
            PackageError::DuplicateName(name) => format!("Tệp “{name}” xuất hiện hai lần trong gói"),
            PackageError::TooManyFiles(n) => format!("Gói có {n} tệp, vượt quá giới hạn"),
            PackageError::TooLarge { name, .. } => format!("Tệp “{name}” khai báo kích thước vượt quá giới hạn"),
            PackageError::Compressed(name) => format!("Tệp “{name}” bị nén, không đúng định dạng gói"),
            PackageError::ExtraFile(name) => format!("Tệp lạ “{name}” trong gói"),
            PackageError::MissingTagFile(name) => format!("Thiếu tệp “{name}”"),
            PackageError::BadTagFile { file, .. } => format!("Tệp “{file}” sai định dạng"),
            PackageError::UnsupportedFormat(_) => "Phiên bản định dạng gói không được hỗ trợ".into(),
            PackageError::NotInManifest { file, manifest } => format!("Tệp “{file}” không có trong “{manifest}”"),
            PackageError::MissingFile { file, .. } => format!("Thiếu tệp “{file}” trong gói"),
            PackageError::HashMismatch { file, .. } => format!("Tệp “{file}” đã bị thay đổi (mã băm không khớp)"),
            PackageError::NotCanonical => "Cấu trúc tệp gói đã bị thay đổi".into(),
            PackageError::UnknownKey(key) => format!("Gói được ký bằng khóa {key} không được tin cậy"),
            PackageError::BadSignature(_) => "Chữ ký của gói không hợp lệ".into(),
        }
    }
}
