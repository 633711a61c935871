//! The "Gửi về Chi cục" dialog.

use super::*;

/// The "Gửi về Chi cục" dialog: the key's passphrase, and the province's server (address
/// and certificate) set here when it is not yet.
#[derive(Debug, Default)]
pub struct SyncDialog {
    pub passphrase: String,
    pub url: String,
    pub ca_file: String,
    /// Why the server settings were refused, in Vietnamese.
    pub problem: Option<String>,
    /// The server section is open (always, until a server is set).
    pub editing_server: bool,
}

/// Asks for the key's passphrase before sending to the province.
pub(super) fn sync_dialog_ui(ctx: &egui::Context, d: &mut SyncDialog, ws: &Workspace, out: &mut Vec<Command>) {
    let settings = ws.server_settings().unwrap_or_default();
    let modal = egui::Modal::new(egui::Id::unique("sync-dialog")).show(ctx, |ui| {
        ui.heading("Gửi về Chi cục");
        match &settings.url {
            Some(url) => {
                ui.label(format!("Máy chủ: {url}"));
                ui.label("Các vụ việc có thay đổi được đóng gói, ký và gửi; mất mạng thì tự gửi tiếp khi có mạng lại.");
                if !d.editing_server && ui.small_button("Đổi máy chủ…").clicked() {
                    d.editing_server = true;
                    d.url = url.clone();
                }
            }
            None => {
                ui.label("Chưa thiết lập máy chủ của Chi cục: nhập địa chỉ và chọn tệp chứng chỉ Chi cục đã gửi.");
                d.editing_server = true;
            }
        }
        if d.editing_server {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                let l = ui.label("Địa chỉ máy chủ của Chi cục");
                typing::text_edit(ui, &mut d.url, |v| {
                    egui::TextEdit::singleline(v).hint_text("https://qltt.langson.gov.vn:8443").desired_width(360.0)
                })
                .labelled_by(l.id);
                let l = ui.label("Chứng chỉ của Chi cục (tệp .pem hoặc .crt)");
                ui.horizontal(|ui| {
                    typing::text_edit(ui, &mut d.ca_file, |v| egui::TextEdit::singleline(v).desired_width(280.0))
                        .labelled_by(l.id);
                    if ui.button("Chọn tệp…").clicked() {
                        out.push(Command::Choose(command::Choose::CaFile));
                    }
                });
                ui.weak("Chứng chỉ cho máy biết đúng là máy chủ của Chi cục, không phải máy giả mạo.");
                if let Some(problem) = &d.problem {
                    ui.label(egui::RichText::new(problem).color(theme::ERROR_FG));
                }
                if ui.button("Lưu thiết lập máy chủ").clicked() {
                    out.push(Command::SaveServerSettings { url: d.url.clone(), ca_file: d.ca_file.clone() });
                }
            });
        }
        let label = ui.label("Mật khẩu khóa ký");
        let field = typing::secret_edit(ui, &mut d.passphrase).labelled_by(label.id);
        if d.passphrase.is_empty() && !d.editing_server && !field.has_focus() {
            field.request_focus();
        }
        let ready = settings.url.is_some() && !d.passphrase.is_empty();
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.horizontal(|ui| {
            if ui.add_enabled(ready, egui::Button::new("Gửi")).clicked() || (ready && enter) {
                out.push(Command::Sync { passphrase: std::mem::take(&mut d.passphrase) });
            }
            if ui.button("Quay lại").on_hover_text("Esc").clicked() {
                out.push(Command::CloseSyncDialog);
            }
        });
    });
    if modal.should_close() {
        out.push(Command::CloseSyncDialog);
    }
}
