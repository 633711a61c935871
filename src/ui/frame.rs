//! The window's frame around the screen on show: the header, the status line, the dialogs,
//! and the read models brought up to date after the frame's commands.

use super::*;

/// The preview's pages at 1.5 × 72 = 108 pixels per inch: an A4 page 892 pixels wide, sharp
/// in a half-screen column.
const PREVIEW_SCALE: f32 = 1.5;

impl AnchiApp {
    /// The header: the unit, sending, backup, statistics, the member signed in, the index's age; the demo banner.
    pub(super) fn header_ui(&mut self, ui: &mut egui::Ui, demo: bool, commands: &mut Vec<Command>) {
        egui::Panel::top("header").show(ui, |ui| {
            // Wraps on a narrow screen (1024 px, "Chữ lớn"): every control stays reachable.
            ui.horizontal_wrapped(|ui| {
                title_ui(ui, &self.ws);
                ui.separator();
                let hint = "Gửi các gói hồ sơ có chữ ký về máy chủ của Chi cục; tự gửi lại định kỳ khi cửa sổ còn mở";
                if ui.button("Gửi về Chi cục…").on_hover_text(hint).clicked() {
                    self.sync_dialog = Some(SyncDialog::default());
                }
                if ui.button("Sao lưu…").on_hover_text("Chép toàn bộ dữ liệu vào một tệp mã hóa (USB, ổ mạng)").clicked() {
                    commands.push(Command::BackupDialog);
                }
                if ui.button("Thống kê").on_hover_text("Số liệu của đội theo lĩnh vực, nhóm hàng, thời gian; xuất Excel").clicked() {
                    commands.push(Command::ShowStats);
                }
                if let Some(member) = self.ws.signed_in() {
                    ui.separator();
                    let who = format!("{} ({})", member.full_name, member.title);
                    if ui.button(who).on_hover_text("Tài khoản: đổi mật khẩu; cấp lại mật khẩu (lãnh đạo)").clicked() {
                        commands.push(Command::AccountDialog);
                    }
                    if ui.button("Khóa").on_hover_text("Khóa màn hình khi rời máy (Ctrl+L)").clicked() {
                        commands.push(Command::Lock);
                    }
                }
                if let Some(status) = &self.index {
                    let text = status.describe_vi(chrono::Utc::now());
                    let expired = status.expires_at < chrono::Utc::now();
                    let colour = if expired { theme::ERROR_FG } else { theme::CLOSED_FG };
                    ui.label(egui::RichText::new(text).color(colour));
                }
            });
            if demo {
                egui::Frame::new().fill(theme::DEMO_BANNER_BG).inner_margin(6.0).show(ui, |ui| {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(
                            theme::bold("DỮ LIỆU MẪU — chưa thiết lập đơn vị. Mọi vụ việc ở đây là giả lập để làm quen với chương trình.")
                                .color(theme::DEMO_BANNER_FG),
                        );
                        if ui.button(theme::bold("Thiết lập đơn vị…")).clicked() {
                            commands.push(Command::ShowSetup);
                        }
                    });
                });
            }
        });
    }

    /// The status line: typing, the look, then the error, the running job, the last notice or PDF.
    pub(super) fn status_ui(&mut self, ui: &mut egui::Ui) {
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                typing_ui(ui);
                ui.separator();
                let mut look = theme::appearance(ui.ctx());
                let before = look;
                ui.checkbox(&mut look.large_text, "Chữ lớn");
                ui.checkbox(&mut look.dark, "Nền tối");
                if look != before {
                    theme::apply(ui.ctx(), look);
                }
                ui.separator();
                match &self.error {
                    Some(message) => {
                        ui.label(egui::RichText::new(message).color(theme::ERROR_FG));
                    }
                    None if self.jobs > 0 => {
                        let done = self.progress.load(std::sync::atomic::Ordering::Relaxed);
                        if done > 0 {
                            let bar =
                                egui::ProgressBar::new(done as f32 / 1000.0).desired_width(160.0).show_percentage();
                            ui.add(bar);
                        } else {
                            ui.spinner();
                        }
                        ui.weak(self.busy_with);
                    }
                    None if self.notice.is_some() => {
                        ui.weak(self.notice.as_deref().unwrap_or_default());
                    }
                    None => match &self.last_pdf {
                        // Saved, not printed ("in" is to print); the file by its name, and
                        // its folder one click away.
                        Some(pdf) => {
                            let name = pdf.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                            ui.weak(format!("Đã lưu PDF {name}"));
                            if ui.small_button("Mở thư mục").clicked()
                                && let Some(folder) = pdf.parent()
                                && let Err(e) = open::that_detached(folder)
                            {
                                self.error = Some(format!("Không mở được thư mục {}: {e}", folder.display()));
                            }
                        }
                        None => {
                            ui.weak("Sẵn sàng");
                        }
                    },
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| self.law_ui(ui));
            });
        });
    }

    /// Which law is in force, at the right of the status line; in red when it is past its
    /// expiry (it keeps working) or a stored pack could not be read.
    fn law_ui(&self, ui: &mut egui::Ui) {
        let law = self.ws.law();
        let label = law.label_vi();
        let changes =
            if law.changes.is_empty() { String::new() } else { format!("Thay đổi: {}", law.changes.join("; ")) };
        let warning = law.problem.clone().or_else(|| {
            law.expired_on(crate::app::now().date())
                .then(|| format!("quy định đã quá hạn dùng ngày {}: cần cập nhật", law.expires.format("%d/%m/%Y")))
        });
        match warning {
            Some(why) => ui.label(egui::RichText::new(format!("{label} — {why}")).color(theme::ERROR_FG)),
            None => ui.weak(label),
        }
        .on_hover_text(format!("{} — {}\n{changes}", law.publisher, law.issued.format("%d/%m/%Y")));
    }

    /// The dialogs open over the screen.
    pub(super) fn dialogs_ui(&mut self, ui: &mut egui::Ui, demo: bool, commands: &mut Vec<Command>) {
        if let Some(dialog) = &mut self.account_dialog {
            login::account_dialog_ui(ui.ctx(), dialog, commands);
        }
        if let Some(dialog) = &mut self.restore_dialog {
            backup::restore_dialog_ui(ui.ctx(), dialog, commands);
        } else if let Some(dialog) = &mut self.backup_dialog {
            backup::backup_dialog_ui(ui.ctx(), dialog, demo, commands);
        }
        if let Some(dialog) = &mut self.sync_dialog {
            sync_dialog_ui(ui.ctx(), dialog, &self.ws, commands);
        }
        if let Some(dialog) = &mut self.new_case {
            let members = self.ws.unit().map(|u| u.members.clone()).unwrap_or_default();
            let province = self.ws.unit().map_or(0, |u| u.province_code);
            new_case_ui(ui.ctx(), dialog, &self.ws.reference, province, &members, commands);
            if let Some(key) = dialog.lookup_due() {
                match self.ws.new_case_report(&dialog.input) {
                    Ok(report) => dialog.warnings = report.warnings,
                    Err(e) => self.error = Some(e.vi()),
                }
                dialog.looked_up = Some(key);
            }
        }
    }

    /// After the frame's commands: the statistics for the period asked, the wizard's check and preview.
    pub(super) fn update_read_models(&mut self, ctx: &egui::Context) {
        if let Screen::Stats(s) = &mut self.screen {
            match s.query(crate::app::now().date()) {
                Ok(query) if s.stats.as_ref().is_none_or(|(q, _)| *q != query) => {
                    s.problem = None;
                    if s.data.is_none() {
                        match self.ws.rows_with_facts() {
                            Ok(data) => s.data = Some(data),
                            Err(e) => self.error = Some(e.vi()),
                        }
                    }
                    if let Some(data) = &s.data {
                        let members = self.ws.unit().map(|u| u.members.as_slice()).unwrap_or_default();
                        s.stats = Some((
                            query,
                            crate::app::stats::compute(
                                data.iter().map(|(r, f)| (r, f)),
                                &self.ws.reference,
                                members,
                                &query,
                            ),
                        ));
                    }
                }
                Ok(_) => s.problem = None,
                Err(problem) => s.problem = Some(problem),
            }
        }
        if let Screen::Wizard(w) = &mut self.screen
            && w.needs_check
        {
            let at = crate::app::now();
            w.report = self.ws.check_document(&w.case, &w.current(), at);
            if w.show_preview {
                let print = self.ws.print_of(&w.case, &w.current());
                let pages = crate::app::render::preview_pages(&print, PREVIEW_SCALE).map_err(|e| e.vi());
                w.set_preview(print, pages);
            }
            w.needs_check = false;
            w.checked();
            // The report was drawn stale this frame; draw it again with the new one.
            ctx.request_repaint();
        }
    }
}
