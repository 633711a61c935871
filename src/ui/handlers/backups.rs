//! Backups: the backup and restore dialogs, a backup now, the automatic daily backup.

use super::super::*;

impl AnchiApp {
    pub(in crate::ui) fn close_backup_dialog(&mut self) -> Result<(), AppError> {
        self.backup_dialog = None;
        self.restore_dialog = None;
        Ok(())
    }

    pub(in crate::ui) fn open_backup_dialog(&mut self) -> Result<(), AppError> {
        let out = self.ws.default_backup_path().display().to_string();
        let auto = self.ws.auto_backup()?;
        let auto_status = auto.as_ref().map(|a| {
            let last = a.last.map_or("chưa chạy".into(), |t| t.format("lần cuối %H:%M %d/%m/%Y").to_string());
            format!("Đang bật: {} (giữ {} bản, {last})", a.folder.display(), a.keep)
        });
        let auto_folder = auto.map_or_else(
            || self.ws.documents_dir().join("anchi-sao-luu-tu-dong").display().to_string(),
            |a| a.folder.display().to_string(),
        );
        self.backup_dialog = Some(backup::BackupDialog {
            out,
            drives: crate::app::backup::removable_drives(),
            drives_checked: Some(std::time::Instant::now()),
            auto_folder,
            auto_status,
            keep: "7".into(),
            ..Default::default()
        });
        Ok(())
    }

    pub(in crate::ui) fn enable_auto_backup(
        &mut self,
        folder: std::path::PathBuf,
        keep: usize,
        passphrase: String,
    ) -> Result<(), AppError> {
        match self.ws.enable_auto_backup(&folder, keep, &passphrase) {
            Ok(_) => {
                self.backup_dialog = None;
                self.next_auto_backup = Instant::now();
                self.notice = Some(format!("Đã bật sao lưu tự động hằng ngày vào {}", folder.display()));
            }
            Err(e) => match &mut self.backup_dialog {
                Some(dialog) => dialog.problem = Some(e.vi()),
                None => return Err(e),
            },
        }
        Ok(())
    }

    pub(in crate::ui) fn restore_chosen(
        &mut self,
        file: std::path::PathBuf,
        passphrase: String,
    ) -> Result<(), AppError> {
        if let Err(e) = self.restore(&file, &passphrase) {
            match &mut self.restore_dialog {
                Some(dialog) => dialog.problem = Some(e.vi()),
                None => return Err(e),
            }
        }
        Ok(())
    }

    pub(in crate::ui) fn backup(&mut self, passphrase: String, out: std::path::PathBuf) -> Result<(), AppError> {
        self.backup_dialog = None;
        let ws = self.ws.clone();
        self.spawn("sao-luu", "Đang sao lưu…", move || {
            let made = ws.backup(&out, &passphrase);
            Some(made.map(|summary| JobDone::Backup { out, cases: summary.cases }).map_err(|e| e.vi()))
        })?;
        Ok(())
    }

    /// Runs the automatic daily backup on the thread "sao-luu-tu-dong" when it is on and
    /// has not run today; looked at hourly (a missing USB stick is said, and retried).
    pub(in crate::ui) fn auto_backup_if_due(&mut self) {
        if Instant::now() < self.next_auto_backup || self.jobs > 0 {
            return;
        }
        self.next_auto_backup = Instant::now() + std::time::Duration::from_secs(3600);
        if self.ws.auto_backup_due(crate::app::now()).is_none() {
            return;
        }
        let ws = self.ws.clone();
        let started = self.spawn("sao-luu-tu-dong", "Đang tự động sao lưu…", move || {
            let made = ws.run_auto_backup();
            Some(
                made.map(|(out, summary)| JobDone::Backup { out, cases: summary.cases })
                    .map_err(|e| format!("Chưa sao lưu tự động được (thử lại sau 1 giờ): {}", e.vi())),
            )
        });
        if let Err(e) = started {
            self.error = Some(e.vi());
        }
    }

    /// Restores a backup into this laptop's data directory: the window lets go of the
    /// database (nothing may be running in the background), the backup is checked whole and
    /// put in place, and the window reopens on it and asks who is signing in. A refused
    /// backup changes nothing and the window goes on as before.
    pub(in crate::ui) fn restore(&mut self, file: &Path, passphrase: &str) -> Result<(), AppError> {
        self.ws.require(Permission::Restore)?;
        if self.jobs > 0 {
            return Err(AppError::Backup(crate::app::backup::BackupError::File(
                "đang có việc chạy nền; đợi xong rồi khôi phục / background work is running".into(),
            )));
        }
        if !self.leave_screen()? {
            return Ok(());
        }
        self.wait_for_marks();
        // The workspace is shared with background jobs through an Arc: a placeholder
        // stands in while the one to restore over is handed to app, which releases it.
        let placeholder_dir = self.home.join(".khoi-phuc-tam");
        let placeholder = std::sync::Arc::new(Workspace::open(&placeholder_dir)?);
        let current = match std::sync::Arc::try_unwrap(std::mem::replace(&mut self.ws, placeholder)) {
            Ok(current) => current,
            Err(shared) => {
                self.ws = shared;
                let _ = std::fs::remove_dir_all(&placeholder_dir);
                return Err(AppError::Busy("a background job still holds the database".into()));
            }
        };
        let outcome = crate::app::backup::restore_in_place(current, &self.home, file, passphrase);
        match outcome.workspace {
            Ok(ws) => {
                self.ws = std::sync::Arc::new(ws);
                let _ = std::fs::remove_dir_all(&placeholder_dir);
            }
            // Nothing to go back to: say why, and stay on the placeholder.
            Err(e) => self.error = Some(e.vi()),
        }
        let restored = outcome.restored;
        let (summary, aside) = restored?;
        self.restore_dialog = None;
        self.backup_dialog = None;
        self.index = None;
        self.sync = None;
        self.ws.refresh_case_list(&mut self.list)?;
        self.screen = Screen::List;
        self.login = (self.ws.has_accounts() && self.ws.signed_in().is_none()).then(|| sign_in_screen(&self.ws));
        let aside = aside.map(|a| format!("; dữ liệu cũ giữ tại {}", a.display())).unwrap_or_default();
        self.notice = Some(format!("Đã khôi phục {} vụ việc từ {}{aside}", summary.cases, file.display()));
        self.lock_after = self.ws.lock_after();
        self.load_index();
        Ok(())
    }
}
