//! Errors of the use cases.

use thiserror::Error;
use uuid::Uuid;

use crate::domain::{Bilingual, ValidationReport, WorkflowError};
use crate::forms::FormError;
use crate::store::{OpenError, StoreError};

/// A use case failed.
#[derive(Debug, Error)]
pub enum AppError {
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("form definitions: {0}")]
    Forms(#[from] FormError),
    /// The workflow does not allow this now (an expected answer, not a failure).
    #[error("not allowed: {0}")]
    Workflow(#[from] WorkflowError),
    #[error("no case {0}")]
    CaseNotFound(Uuid),
    /// The input was refused; the report names every problem.
    #[error("input refused:\n{0}")]
    Invalid(ValidationReport),
    /// A file of the data directory could not be written (disk full, permissions).
    #[error("writing {0}")]
    Files(String),
    /// A document could not be rendered to PDF.
    #[error("rendering: {0}")]
    Render(String),
    /// A document holds text the print fonts cannot draw (typed before such text was
    /// refused, or taken from a package): nothing was written.
    #[error("rendering: {text:?} has characters the print fonts cannot draw: {}", super::printable::list_chars(.chars))]
    Unprintable { text: String, chars: Vec<char> },
    /// A backup could not be made or was refused for restore (passphrase, damage).
    #[error(transparent)]
    Backup(#[from] super::backup::BackupError),
    /// A device key operation was refused (no key, wrong passphrase…).
    #[error(transparent)]
    Key(#[from] super::keys::KeyError),
    /// A package is damaged, altered, or signed by a key that is not trusted.
    #[error("package refused: {0}")]
    Package(#[from] crate::package::PackageError),
    /// A good package that this laptop will not take (older version, local changes).
    #[error("package not imported: {0}")]
    PackageImport(#[from] super::packages::ImportRefusal),
    /// Talking to the provincial server failed.
    #[error("sync: {0}")]
    Sync(#[from] crate::sync::SyncError),
    /// A setting was refused.
    #[error("setting refused: {0}")]
    Setting(#[from] super::sync::SettingError),
    /// Signing in or a member's action was refused.
    #[error(transparent)]
    User(#[from] super::users::UserError),
    /// A file the case attaches is missing or damaged on this laptop: the case cannot be
    /// packaged (the others can).
    #[error("attachment {sha256} is missing or damaged: {detail}")]
    AttachmentMissing { sha256: String, detail: String },
    /// A delegation (giao quyền) was refused, or a deputy signs without one.
    #[error("delegation refused: {0}")]
    Delegation(#[from] super::delegations::DelegationProblem),
    /// The data directory holds a real unit; demo data would mix with real cases.
    #[error("the data directory holds the real unit {unit}; demo data is only made where no unit is set up")]
    RealUnitPresent { unit: String },
    /// Work on another thread (sending, a backup, an export) holds what this needs; nothing
    /// was done.
    #[error("busy: {0}")]
    Busy(String),
    /// A law pack was refused (signature, version, a part that fails its checks).
    #[error(transparent)]
    Law(#[from] super::law::LawError),
    /// Another export of the case finished first and took this version; nothing recorded.
    #[error("version {version} of case {case_id} was recorded by another export first")]
    VersionTaken { case_id: uuid::Uuid, version: u32 },
}

impl Bilingual for AppError {
    fn vi(&self) -> String {
        match self {
            AppError::Open(e) => e.vi(),
            AppError::Store(_) => "Lỗi lưu trữ dữ liệu; dữ liệu đã lưu trước đó không bị ảnh hưởng".into(),
            AppError::Forms(_) => "Định nghĩa biểu mẫu bị lỗi".into(),
            AppError::Workflow(e) => e.vi(),
            AppError::CaseNotFound(_) => "Không tìm thấy vụ việc".into(),
            AppError::Invalid(report) => {
                report.errors().map(|p| format!("{}: {}", p.field, p.message_vi)).collect::<Vec<_>>().join("\n")
            }
            AppError::Render(_) => "Không in được văn bản ra PDF".into(),
            AppError::Unprintable { text, chars } => format!(
                "Không in được văn bản ra PDF: “{}” có ký tự phông chữ in không có: {}. Văn bản còn là bản nháp: sửa chỗ ghi ký tự này (xóa hoặc thay bằng chữ khác) rồi in lại; văn bản đã ký: báo cho quản trị hệ thống",
                excerpt(text, chars),
                super::printable::list_chars(chars)
            ),
            AppError::Files(_) => "Không ghi được tệp vào thư mục dữ liệu (ổ đĩa đầy hoặc không có quyền ghi)".into(),
            AppError::Key(e) => e.vi(),
            AppError::Backup(e) => e.vi(),
            AppError::Sync(e) => e.vi(),
            AppError::Setting(e) => e.vi(),
            AppError::User(e) => e.vi(),
            AppError::Delegation(e) => e.vi(),
            AppError::AttachmentMissing { sha256, .. } => format!(
                "Tệp đính kèm {} của vụ việc bị thiếu hoặc hỏng trên máy này: chưa lập được gói hồ sơ của vụ việc (khôi phục tệp từ bản sao lưu hoặc đính kèm lại)",
                &sha256[..sha256.len().min(12)]
            ),
            AppError::Package(e) => e.vi(),
            AppError::PackageImport(e) => e.vi(),
            AppError::RealUnitPresent { unit } => {
                format!("Thư mục dữ liệu đã có đơn vị thật ({unit}); không tạo dữ liệu mẫu vào đây")
            }
            AppError::Law(e) => e.vi(),
            AppError::Busy(_) => {
                "Đang có việc chạy nền (gửi về Chi cục, sao lưu, xuất gói…): thử lại khi việc đó xong".into()
            }
            AppError::VersionTaken { version, .. } => format!(
                "Một lần xuất gói khác của vụ việc này đã xong trước và đã lấy phiên bản {version}: hãy xuất lại"
            ),
        }
    }
}

impl From<crate::pdf::PdfError> for AppError {
    /// Text the fonts cannot draw is a refusal naming it; anything else a failure.
    fn from(e: crate::pdf::PdfError) -> AppError {
        match e {
            crate::pdf::PdfError::MissingGlyph { text, chars } => AppError::Unprintable { text, chars },
            e => AppError::Render(e.to_string()),
        }
    }
}

/// Up to 40 characters each side of the first of `chars` in `text`, so that a long text
/// shows where to look.
fn excerpt(text: &str, chars: &[char]) -> String {
    let all: Vec<char> = text.chars().collect();
    let at = all.iter().position(|c| chars.contains(c)).unwrap_or(0);
    let (from, to) = (at.saturating_sub(40), (at + 41).min(all.len()));
    let mut out: String = all[from..to].iter().collect();
    if from > 0 {
        out.insert(0, '…');
    }
    if to < all.len() {
        out.push('…');
    }
    out
}

impl AppError {
    /// Whether this is a refusal (bad input, a state that forbids the action, a database
    /// held by an open window or written by a newer anchi, a hub that refuses or whose
    /// certificate is not the province's): nothing was changed, and the
    /// command line exits 2. Otherwise a failure of the machine (disk, a bug): exit 1.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            AppError::Invalid(_)
                | AppError::Unprintable { .. }
                | AppError::Workflow(_)
                | AppError::CaseNotFound(_)
                | AppError::Key(_)
                | AppError::Package(_)
                | AppError::PackageImport(_)
                | AppError::Backup(_)
                | AppError::User(_)
                | AppError::Setting(_)
                | AppError::Delegation(_)
                | AppError::RealUnitPresent { .. }
                | AppError::Busy(_)
                | AppError::Law(_)
                | AppError::VersionTaken { .. }
                | AppError::Open(OpenError::Locked { .. } | OpenError::NewerSchema { .. })
                // The hub refused, or its certificate or our settings are wrong; an
                // unreachable hub or a garbled answer is a failure, not a refusal.
                | AppError::Sync(
                    crate::sync::SyncError::Refused { .. }
                        | crate::sync::SyncError::Tls(_)
                        | crate::sync::SyncError::Settings(_)
                        | crate::sync::SyncError::NotSet(_)
                )
        )
    }
}
