//! Errors of the store, one enum per kind of operation.

use std::path::PathBuf;

use thiserror::Error;

use crate::domain::Bilingual;

/// Why the database could not be opened.
#[derive(Debug, Error)]
pub enum OpenError {
    /// The file was written by a newer version of anchi.
    #[error("database {path} has schema version {found}; this program supports up to {supported}")]
    NewerSchema { path: PathBuf, found: u32, supported: u32 },
    /// Another process (another anchi window or command) has the file open.
    #[error("database {path} is in use by another anchi process")]
    Locked { path: PathBuf },
    /// The file is not a readable anchi database.
    #[error("database {path} is damaged or not an anchi database: {detail}")]
    Corrupt { path: PathBuf, detail: String },
    /// The file or its folder could not be read or created.
    #[error("cannot open database {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// A migration to the current schema failed; the file is left as it was.
    #[error("migrating database {path} from schema {from}: {detail}")]
    Migration { path: PathBuf, from: u32, detail: String },
}

impl Bilingual for OpenError {
    fn vi(&self) -> String {
        match self {
            OpenError::NewerSchema { path, found, supported } => format!(
                "Cơ sở dữ liệu {} được tạo bởi phiên bản anchi mới hơn (lược đồ {found}, phiên bản này hỗ trợ đến {supported}). Hãy cập nhật chương trình.",
                path.display()
            ),
            OpenError::Locked { path } => {
                format!("Cơ sở dữ liệu {} đang được một cửa sổ hoặc lệnh anchi khác sử dụng", path.display())
            }
            OpenError::Corrupt { path, .. } => {
                format!(
                    "Tệp {} bị hỏng hoặc không phải cơ sở dữ liệu anchi. Hãy khôi phục từ bản sao lưu.",
                    path.display()
                )
            }
            OpenError::Io { path, source } => format!("Không mở được {}: {source}", path.display()),
            OpenError::Migration { path, .. } => {
                format!("Không nâng cấp được cơ sở dữ liệu {}; tệp được giữ nguyên", path.display())
            }
        }
    }
}

/// A failure while reading or writing an open database.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The storage engine failed (disk full, I/O error …).
    #[error("storage: {0}")]
    Storage(#[from] redb::Error),
    /// A stored record could not be decoded.
    #[error("cannot decode a record of table {table}: {detail}")]
    Decode { table: &'static str, detail: String },
    /// A stored record has a version this build does not know.
    #[error("record of table {table} has unknown version {found}")]
    RecordVersion { table: &'static str, found: u8 },
    /// A change was asked of a store opened for reading only (a fault of the program: the
    /// commands that open it so never change anything).
    #[error("the database was opened for reading only")]
    ReadOnly,
}

macro_rules! storage_from {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Storage(e.into())
            }
        }
    )*};
}
storage_from!(redb::TransactionError, redb::TableError, redb::StorageError, redb::CommitError);
