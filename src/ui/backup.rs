//! The "Sao lưu…" dialog: the backup passphrase typed twice and where to write the file
//! (the backup itself runs on a background thread), the automatic daily backup, and the
//! "Khôi phục…" dialog.

use eframe::egui::{self, RichText};

use super::command::{Choose, Command};
use super::theme;
use super::typing::{secret_edit, text_edit};

/// What the dialog holds while it is open.
#[derive(Debug, Default)]
pub struct BackupDialog {
    pub passphrase: String,
    pub again: String,
    pub out: String,
    /// The folder of automatic daily backups and how many to keep.
    pub auto_folder: String,
    pub keep: String,
    /// The automatic backup as it is now ("Đang bật: … lần cuối …"), when on.
    pub auto_status: Option<String>,
    /// Why the action cannot go ahead yet.
    pub problem: Option<String>,
    /// The removable drives plugged in (offered first), looked for again while the dialog
    /// is open: a stick plugged in after it opened is offered too.
    pub drives: Vec<std::path::PathBuf>,
    /// When the drives were last looked for.
    pub drives_checked: Option<std::time::Instant>,
}

/// How often the open dialog looks for drives plugged in or out.
pub const DRIVES_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

impl BackupDialog {
    /// Looks for the removable drives again (with `list`) when the last look is older than
    /// [`DRIVES_EVERY`] at `now`; whether it looked.
    pub fn watch_drives(&mut self, now: std::time::Instant, list: impl FnOnce() -> Vec<std::path::PathBuf>) -> bool {
        if self.drives_checked.is_some_and(|at| now.duration_since(at) < DRIVES_EVERY) {
            return false;
        }
        self.drives = list();
        self.drives_checked = Some(now);
        true
    }
}

/// The "Khôi phục…" dialog: a backup file and its passphrase.
#[derive(Debug, Default)]
pub struct RestoreDialog {
    pub file: String,
    pub passphrase: String,
    pub problem: Option<String>,
}

/// The passphrase's problem, if any (`demo` allows a short one).
fn passphrase_problem(d: &BackupDialog, demo: bool) -> Option<String> {
    if d.passphrase.is_empty() {
        Some("Chưa nhập mật khẩu sao lưu".into())
    } else if d.passphrase.chars().count() < 8 && !demo {
        Some("Mật khẩu sao lưu cần ít nhất 8 ký tự".into())
    } else if d.passphrase != d.again {
        Some("Hai lần nhập mật khẩu khác nhau".into())
    } else {
        None
    }
}

/// Draws the dialog; `demo` allows a short passphrase.
pub fn backup_dialog_ui(ctx: &egui::Context, d: &mut BackupDialog, demo: bool, out: &mut Vec<Command>) {
    d.watch_drives(std::time::Instant::now(), crate::app::backup::removable_drives);
    ctx.request_repaint_after(DRIVES_EVERY);
    let modal = egui::Modal::new(egui::Id::unique("backup-dialog")).show(ctx, |ui| {
        ui.set_width(560.0);
        ui.heading("Sao lưu dữ liệu");
        ui.label("Cơ sở dữ liệu, ảnh và bản quét được chép vào một tệp mã hóa bằng mật khẩu. Giữ tệp ở nơi khác máy này (USB, ổ mạng); mất mật khẩu thì không mở được.");
        let l = ui.label("Mật khẩu sao lưu");
        secret_edit(ui, &mut d.passphrase).labelled_by(l.id);
        let l = ui.label("Nhập lại mật khẩu");
        secret_edit(ui, &mut d.again).labelled_by(l.id);
        if !d.drives.is_empty() {
            ui.horizontal_wrapped(|ui| {
                ui.label("USB, thẻ nhớ đang cắm:");
                for drive in &d.drives {
                    if ui.button(format!("Lưu vào {}", drive.display())).clicked() {
                        let name = std::path::Path::new(d.out.trim())
                            .file_name()
                            .map_or_else(|| "anchi.anchi-backup".into(), |n| n.to_string_lossy().into_owned());
                        d.out = drive.join("anchi-sao-luu").join(name).display().to_string();
                        d.auto_folder = drive.join("anchi-sao-luu-tu-dong").display().to_string();
                    }
                }
            });
        } else {
            ui.weak("Chưa thấy USB nào: cắm USB vào máy để lưu bản sao lưu ra ngoài.");
        }
        let l = ui.label("Lưu vào tệp");
        ui.horizontal(|ui| {
            text_edit(ui, &mut d.out, |v| egui::TextEdit::singleline(v).desired_width(420.0)).labelled_by(l.id);
            if ui.button("Chọn nơi lưu…").clicked() {
                let proposed = std::path::Path::new(d.out.trim())
                    .file_name()
                    .map_or_else(|| "anchi.anchi-backup".into(), |n| n.to_string_lossy().into_owned());
                out.push(Command::Choose(Choose::BackupOut { proposed }));
            }
        });
        if let Some(problem) = &d.problem {
            ui.label(RichText::new(problem).color(theme::ERROR_FG));
        }
        ui.horizontal(|ui| {
            if ui.button(theme::bold("Sao lưu")).clicked() {
                d.problem = passphrase_problem(d, demo)
                    .or_else(|| d.out.trim().is_empty().then(|| "Chưa có nơi lưu tệp".into()));
                if d.problem.is_none() {
                    out.push(Command::Backup {
                        passphrase: std::mem::take(&mut d.passphrase),
                        out: d.out.trim().into(),
                    });
                }
            }
            if ui.button("Hủy").on_hover_text("Esc").clicked() {
                out.push(Command::CloseBackupDialog);
            }
        });
        ui.separator();
        ui.label(theme::bold("Sao lưu tự động hằng ngày"));
        ui.label("Mỗi ngày một bản, vào thư mục chọn dưới đây (USB, ổ mạng), giữ các bản mới nhất. Máy không giữ mật khẩu: khôi phục cần mật khẩu trên và tệp khóa anchi-khoa-sao-luu.age nằm cùng thư mục.");
        if let Some(status) = &d.auto_status {
            ui.label(RichText::new(status).color(theme::SAVED_FG));
        }
        let l = ui.label("Thư mục sao lưu tự động (USB, ổ mạng)");
        ui.horizontal(|ui| {
            text_edit(ui, &mut d.auto_folder, |v| egui::TextEdit::singleline(v).desired_width(420.0))
                .labelled_by(l.id);
            if ui.button("Chọn thư mục…").clicked() {
                out.push(Command::Choose(Choose::AutoBackupFolder));
            }
        });
        let l = ui.label("Số bản giữ lại");
        text_edit(ui, &mut d.keep, |v| egui::TextEdit::singleline(v).desired_width(60.0)).labelled_by(l.id);
        if ui.button("Bật sao lưu tự động").clicked() {
            let keep = d.keep.trim().parse::<usize>().ok().filter(|k| (1..=365).contains(k));
            d.problem = passphrase_problem(d, false)
                .or_else(|| d.auto_folder.trim().is_empty().then(|| "Chưa chọn thư mục sao lưu tự động".into()))
                .or_else(|| keep.is_none().then(|| "Số bản giữ lại: một số từ 1 đến 365".into()));
            if let (None, Some(keep)) = (&d.problem, keep) {
                out.push(Command::EnableAutoBackup {
                    folder: d.auto_folder.trim().into(),
                    keep,
                    passphrase: std::mem::take(&mut d.passphrase),
                });
            }
        }
        ui.separator();
        if ui.button("Khôi phục từ bản sao lưu…").on_hover_text("Thay dữ liệu của máy bằng một bản sao lưu").clicked() {
            out.push(Command::RestoreDialog);
        }
    });
    if modal.should_close() {
        out.push(Command::CloseBackupDialog);
    }
}

/// Draws the restore dialog.
pub fn restore_dialog_ui(ctx: &egui::Context, d: &mut RestoreDialog, out: &mut Vec<Command>) {
    let modal = egui::Modal::new(egui::Id::unique("restore-dialog")).show(ctx, |ui| {
        ui.set_width(560.0);
        ui.heading("Khôi phục từ bản sao lưu");
        ui.label("Bản sao lưu được kiểm tra toàn bộ (mật khẩu, mã băm từng tệp, nhật ký) trước khi thay dữ liệu; cơ sở dữ liệu hiện tại được giữ lại bên cạnh. Sau khi khôi phục, mọi người đăng nhập lại.");
        let l = ui.label("Tệp sao lưu (.anchi-backup)");
        ui.horizontal(|ui| {
            text_edit(ui, &mut d.file, |v| egui::TextEdit::singleline(v).desired_width(420.0)).labelled_by(l.id);
            if ui.button("Chọn tệp…").clicked() {
                out.push(Command::Choose(Choose::RestoreFile));
            }
        });
        let l = ui.label("Mật khẩu của bản sao lưu");
        secret_edit(ui, &mut d.passphrase).labelled_by(l.id);
        if let Some(problem) = &d.problem {
            ui.label(RichText::new(problem).color(theme::ERROR_FG));
        }
        ui.horizontal(|ui| {
            if ui.button(theme::bold("Khôi phục")).clicked() {
                d.problem = if d.file.trim().is_empty() {
                    Some("Chưa chọn tệp sao lưu".into())
                } else if d.passphrase.is_empty() {
                    Some("Chưa nhập mật khẩu".into())
                } else {
                    out.push(Command::Restore { file: d.file.trim().into(), passphrase: std::mem::take(&mut d.passphrase) });
                    None
                };
            }
            if ui.button("Hủy").on_hover_text("Esc").clicked() {
                out.push(Command::CloseBackupDialog);
            }
        });
    });
    if modal.should_close() {
        out.push(Command::CloseBackupDialog);
    }
}
