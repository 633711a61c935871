//! Files and folders chosen like in every other program: the system's chooser (rfd) for
//! each purpose, and where its answer goes in the window.

use std::path::PathBuf;

use super::command::{Choose, Command};
use super::{AnchiApp, Screen};

impl Choose {
    /// Asks the member with the system's chooser; blocks until answered, so it runs off the
    /// window's thread. Nothing chosen gives nothing.
    pub fn ask(&self) -> Vec<PathBuf> {
        const BACKUP: (&str, &[&str]) = ("Bản sao lưu anchi", &["anchi-backup"]);
        let (title, filter): (&str, Option<(&str, &[&str])>) = match self {
            Choose::CaFile | Choose::SetupCaFile => {
                ("Chứng chỉ của Chi cục", Some(("Chứng chỉ", &["pem", "crt", "cer"])))
            }
            Choose::BackupOut { .. } => ("Lưu bản sao lưu", Some(BACKUP)),
            Choose::AutoBackupFolder => ("Thư mục sao lưu tự động", None),
            Choose::RestoreFile => ("Bản sao lưu để khôi phục", Some(BACKUP)),
            Choose::PackageOut { .. } => ("Lưu gói hồ sơ", Some(("Gói hồ sơ anchi", &["anchi"]))),
            Choose::Attachments { .. } => (
                "Ảnh, tài liệu đính kèm",
                Some(("Ảnh, bản quét", &["jpg", "jpeg", "png", "pdf", "tif", "tiff", "heic", "webp"])),
            ),
        };
        let mut dialog = rfd::FileDialog::new().set_title(title);
        if let Some((name, extensions)) = filter {
            dialog = dialog.add_filter(name, extensions);
        }
        match self {
            Choose::BackupOut { proposed } | Choose::PackageOut { proposed } => {
                dialog.set_file_name(proposed).save_file().into_iter().collect()
            }
            Choose::AutoBackupFolder => dialog.pick_folder().into_iter().collect(),
            Choose::Attachments { .. } => dialog.pick_files().unwrap_or_default(),
            Choose::CaFile | Choose::SetupCaFile | Choose::RestoreFile => dialog.pick_file().into_iter().collect(),
        }
    }
}

impl AnchiApp {
    /// Puts what the system's chooser gave where it was asked for.
    pub fn chosen(&mut self, purpose: Choose, paths: Vec<PathBuf>) {
        let Some(first) = paths.first().map(|p| p.display().to_string()) else { return };
        match purpose {
            Choose::CaFile => {
                if let Some(d) = &mut self.sync_dialog {
                    d.ca_file = first;
                }
            }
            Choose::SetupCaFile => {
                if let Screen::Setup(f) = &mut self.screen {
                    f.ca_file = first;
                }
            }
            Choose::BackupOut { .. } => {
                if let Some(d) = &mut self.backup_dialog {
                    d.out = first;
                }
            }
            Choose::AutoBackupFolder => {
                if let Some(d) = &mut self.backup_dialog {
                    d.auto_folder = first;
                }
            }
            Choose::RestoreFile => {
                if let Some(d) = &mut self.restore_dialog {
                    d.file = first;
                }
            }
            Choose::PackageOut { .. } => {
                if let Screen::Case(screen) = &mut self.screen
                    && let Some(d) = &mut screen.export
                {
                    d.out = first;
                }
            }
            Choose::Attachments { case } => self.execute(Command::Attach { case, files: paths }),
        }
    }
}
