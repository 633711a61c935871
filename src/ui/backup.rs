//! The "Sao lưu…" dialog: the backup passphrase typed twice and where to write the file;
//! the backup itself runs on a background thread.

use eframe::egui::{self, RichText};

use super::command::Command;
use super::theme;
use super::typing::text_edit;

/// What the dialog holds while it is open.
#[derive(Debug, Default)]
pub struct BackupDialog {
    pub passphrase: String,
    pub again: String,
    pub out: String,
    /// Why "Sao lưu" cannot go ahead yet.
    pub problem: Option<String>,
}

/// Draws the dialog; `demo` allows a short passphrase.
pub fn backup_dialog_ui(ctx: &egui::Context, d: &mut BackupDialog, demo: bool, out: &mut Vec<Command>) {
    let modal = egui::Modal::new(egui::Id::unique("backup-dialog")).show(ctx, |ui| {
        ui.set_width(560.0);
        ui.heading("Sao lưu dữ liệu");
        ui.label("Cơ sở dữ liệu, ảnh và bản quét được chép vào một tệp mã hóa bằng mật khẩu. Giữ tệp ở nơi khác máy này (USB, ổ mạng); mất mật khẩu thì không mở được.");
        let l = ui.label("Mật khẩu sao lưu");
        text_edit(ui, &mut d.passphrase, |v| egui::TextEdit::singleline(v).password(true)).labelled_by(l.id);
        let l = ui.label("Nhập lại mật khẩu");
        text_edit(ui, &mut d.again, |v| egui::TextEdit::singleline(v).password(true)).labelled_by(l.id);
        let l = ui.label("Lưu vào tệp");
        text_edit(ui, &mut d.out, |v| egui::TextEdit::singleline(v).desired_width(540.0)).labelled_by(l.id);
        if let Some(problem) = &d.problem {
            ui.label(RichText::new(problem).color(theme::ERROR_FG));
        }
        ui.horizontal(|ui| {
            if ui.button(theme::bold("Sao lưu")).clicked() {
                d.problem = if d.passphrase.is_empty() {
                    Some("Chưa nhập mật khẩu sao lưu".into())
                } else if d.passphrase.chars().count() < 8 && !demo {
                    Some("Mật khẩu sao lưu cần ít nhất 8 ký tự".into())
                } else if d.passphrase != d.again {
                    Some("Hai lần nhập mật khẩu khác nhau".into())
                } else if d.out.trim().is_empty() {
                    Some("Chưa có nơi lưu tệp".into())
                } else {
                    None
                };
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
    });
    if modal.should_close() {
        out.push(Command::CloseBackupDialog);
    }
}
