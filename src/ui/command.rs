//! What the screens ask for. Screens draw from read models and push commands while they
//! draw; [`super::AnchiApp`] carries them out in one place at the end of the frame.

use uuid::Uuid;

use crate::app::NewCase;
use crate::app::goods::GoodsInput;
use crate::domain::{DocumentKind, Signature};

/// One thing the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    ShowList,
    /// The set-up screen (from the demo).
    ShowSetup,
    /// Sets the unit up in the real data directory and switches the window to it.
    SetUp(Box<super::setup::SetupRequest>),
    /// Signs a member in (sign-in or lock screen).
    SignIn {
        card: String,
        password: String,
    },
    /// The signed-in member replaces a temporary password.
    ChangePassword {
        old: String,
        new: String,
    },
    /// Locks the screen now (Ctrl+L, or after inactivity).
    Lock,
    /// The "Tài khoản" dialog (change one's password; a leader resets a member's).
    AccountDialog,
    CloseAccountDialog,
    /// A leader gives a member a new temporary password.
    ResetPassword {
        card: String,
    },
    /// A leader adds a member (who gets a temporary password).
    AddMember(crate::domain::Member),
    /// A leader disables the account of a member who left.
    DisableMember {
        card: String,
    },
    /// Turns the automatic daily backup on.
    EnableAutoBackup {
        folder: std::path::PathBuf,
        keep: usize,
        passphrase: String,
    },
    /// Opens the "Sao lưu…" dialog.
    BackupDialog,
    /// Opens the restore dialog.
    RestoreDialog,
    /// Restores a backup into this laptop's data directory and reopens it.
    Restore {
        file: std::path::PathBuf,
        passphrase: String,
    },
    /// The statistics screen.
    ShowStats,
    /// Writes an encrypted backup to `out` on a background thread.
    Backup {
        passphrase: String,
        out: std::path::PathBuf,
    },
    CloseBackupDialog,
    /// Records that the subjects of two cases are the same (from a warning on `case`).
    MergeSubjects {
        case: Uuid,
        other: Uuid,
    },
    /// Writes the statistics of `query` as an Excel workbook (or the register as CSV) in the
    /// user's Documents folder, on a background thread.
    ExportStats {
        query: crate::app::stats::Query,
        csv: bool,
    },
    OpenCase(Uuid),
    /// Opens the "Vụ việc mới" dialog.
    NewCaseDialog,
    CloseDialog,
    CreateCase(Box<NewCase>),
    StartDocument {
        case: Uuid,
        kind: DocumentKind,
    },
    OpenDocument {
        case: Uuid,
        document: Uuid,
    },
    SaveFields {
        case: Uuid,
        document: Uuid,
        fields: Vec<(String, String)>,
    },
    SaveSignatures {
        case: Uuid,
        document: Uuid,
        signatures: Vec<Signature>,
    },
    Finalise {
        case: Uuid,
        document: Uuid,
    },
    CancelDocument {
        case: Uuid,
        document: Uuid,
        reason: String,
    },
    /// Amend a document: a decision in sanctioning `with` MQĐ38, MQĐ39 or MQĐ40.
    Amend {
        case: Uuid,
        document: Uuid,
        with: Option<crate::domain::DocumentKind>,
    },
    CancelCase {
        case: Uuid,
        reason: String,
    },
    CloseNoViolation {
        case: Uuid,
    },
    /// Replaces the case's goods lines.
    SaveGoods {
        case: Uuid,
        rows: Vec<GoodsInput>,
    },
    /// Store the case's parties (witness, commune representative, injured party, interpreter).
    SaveParties {
        case: Uuid,
        parties: crate::domain::Parties,
    },
    /// Attaches files (dropped on the window) to the case.
    Attach {
        case: Uuid,
        files: Vec<std::path::PathBuf>,
    },
    /// Opens an attachment in the system's viewer.
    OpenAttachment {
        sha256: String,
    },
    /// Renders the document and asks where to save a copy (a USB stick, a shared folder).
    SavePdf {
        case: Uuid,
        document: Uuid,
    },
    /// Makes the signed package of the case (on a background thread) and writes it to `out`.
    ExportPackage {
        case: Uuid,
        passphrase: String,
        out: std::path::PathBuf,
    },
    /// Starts sending to the province with this passphrase (and keeps doing it while open).
    Sync {
        passphrase: String,
    },
    CloseSyncDialog,
    /// Stores the province's server address and CA certificate file (from the send dialog).
    SaveServerSettings {
        url: String,
        ca_file: String,
    },
    /// Opens the system's file chooser (off the window's thread) for `purpose`; the chosen
    /// path goes where the purpose says.
    Choose(Choose),
    /// Renders the document and opens it in the system's PDF viewer.
    Print {
        case: Uuid,
        document: Uuid,
    },
}

/// What a file chooser is opened for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choose {
    /// The province's CA certificate (send dialog).
    CaFile,
    /// The province's CA certificate (set-up screen).
    SetupCaFile,
    /// Where a backup is written (backup dialog), proposed under this name.
    BackupOut { proposed: String },
    /// The folder of automatic backups.
    AutoBackupFolder,
    /// The backup file to restore.
    RestoreFile,
    /// Where a case's package is written (export dialog), proposed under this name.
    PackageOut { proposed: String },
    /// Photos or scans to attach to a case.
    Attachments { case: Uuid },
}
