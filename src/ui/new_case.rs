//! The "Vụ việc mới" dialog: who is inspected, where, in which field, and who heads the
//! inspection. The app checks it; each problem is shown under its field.

use eframe::egui::{self, RichText};

use super::command::Command;
use super::theme;
use super::typing::text_edit;
use crate::app::{NewCase, Reference};
use crate::domain::{Member, SubjectKind, ValidationReport};

/// What the dialog keeps between frames.
#[derive(Debug, Default)]
pub struct NewCaseDialog {
    pub input: NewCase,
    /// The problems of the last attempt to create the case.
    pub report: ValidationReport,
    /// Earlier cases and sanctions of the subject as typed so far, and what they were
    /// looked up for.
    pub warnings: Vec<crate::app::warnings::Warning>,
    pub looked_up: Option<LookupKey>,
    /// "Hủy" or Esc with something typed: asking whether to drop it.
    pub confirm_discard: bool,
}

/// What the subject's warnings were looked up for: name; tax code, registration number and
/// personal ID; kind (a person's registration number is not used); commune.
pub type LookupKey = (String, [String; 3], SubjectKind, Option<u32>);

impl NewCaseDialog {
    pub fn new(lead: Option<&Member>) -> NewCaseDialog {
        let mut dialog = NewCaseDialog::default();
        dialog.input.lead_member = lead.map(|m| m.card_number.clone()).unwrap_or_default();
        dialog
    }

    /// Whether anything of the subject was typed (closing would lose it).
    pub fn has_typed(&self) -> bool {
        let i = &self.input;
        // A registration number typed before the kind became a person is hidden, and dropped.
        let registration = Some(&i.registration_number).filter(|_| i.kind != SubjectKind::Individual);
        let typed = [&i.name, &i.tax_code, &i.personal_id, &i.old_id_card, &i.phone, &i.representative, &i.street];
        typed.into_iter().chain(registration).any(|t| !t.trim().is_empty())
    }

    /// What the subject's warnings should be looked up for, when it changed since the last
    /// lookup (None when nothing changed).
    pub fn lookup_due(&self) -> Option<LookupKey> {
        let i = &self.input;
        let ids = [&i.tax_code, &i.registration_number, &i.personal_id].map(|s| s.trim().to_string());
        let key = (i.name.trim().to_string(), ids, i.kind, i.commune_code);
        (self.looked_up.as_ref() != Some(&key)).then_some(key)
    }
}

fn problems(ui: &mut egui::Ui, report: &ValidationReport, path: &str) {
    for p in report.problems.iter().filter(|p| p.field == path) {
        let colour = if p.severity == crate::domain::Severity::Error { theme::ERROR_FG } else { theme::WARNING_FG };
        ui.label(RichText::new(&p.message_vi).color(colour));
    }
}

fn text_row(ui: &mut egui::Ui, label: &str, value: &mut String, hint: &str, report: &ValidationReport, path: &str) {
    let l = ui.label(label);
    text_edit(ui, value, |v| egui::TextEdit::singleline(v).hint_text(hint).desired_width(420.0)).labelled_by(l.id);
    problems(ui, report, path);
}

/// Draws the dialog; returns false when it should close.
pub fn new_case_ui(
    ctx: &egui::Context,
    dialog: &mut NewCaseDialog,
    reference: &Reference,
    province_code: u16,
    members: &[Member],
    out: &mut Vec<Command>,
) {
    let modal = egui::Modal::new(egui::Id::unique("new-case")).show(ctx, |ui| {
        ui.set_width(520.0);
        ui.heading("Vụ việc mới");
        // Within the screen, however small: the rest scrolls (the picker's list included).
        let max = (ctx.content_rect().height() - 150.0).max(200.0);
        egui::ScrollArea::vertical().max_height(max).show(ui, |ui| {
            let report = dialog.report.clone();
            let input = &mut dialog.input;
            ui.horizontal(|ui| {
                ui.label("Loại đối tượng");
                for kind in [SubjectKind::HouseholdBusiness, SubjectKind::Organisation, SubjectKind::Individual] {
                    ui.radio_value(&mut input.kind, kind, kind.vi());
                }
            });
            text_row(ui, "Tên đối tượng", &mut input.name, "Hộ kinh doanh Nguyễn Văn A", &report, "subject.name");
            text_row(ui, "Mã số thuế", &mut input.tax_code, "10 hoặc 13 chữ số", &report, "subject.tax_code");
            // The number on its certificate (an organisation's GCN or licence, printed on the
            // 2025 forms' "Số GCN …" line; a household business's, printed beside its owner's).
            if input.kind != SubjectKind::Individual {
                text_row(
                    ui,
                    "Số giấy chứng nhận đăng ký kinh doanh",
                    &mut input.registration_number,
                    "số ghi trên GCN/giấy phép",
                    &report,
                    "subject.registration_number",
                );
            }
            if input.kind != SubjectKind::Organisation {
                text_row(
                    ui,
                    "Số định danh cá nhân",
                    &mut input.personal_id,
                    "12 chữ số",
                    &report,
                    "subject.personal_id",
                );
            }
            // Who signs for the subject: an organisation's representative, a household
            // business's owner (its signature line printed dots when nobody was asked).
            match input.kind {
                SubjectKind::Organisation => text_row(
                    ui,
                    "Người đại diện",
                    &mut input.representative,
                    "họ tên",
                    &report,
                    "subject.representative",
                ),
                SubjectKind::HouseholdBusiness => text_row(
                    ui,
                    "Chủ hộ kinh doanh",
                    &mut input.representative,
                    "họ tên",
                    &report,
                    "subject.representative",
                ),
                SubjectKind::Individual => {}
            }
            text_row(ui, "Số điện thoại", &mut input.phone, "0912345678", &report, "subject.phone");
            text_row(
                ui,
                "Địa chỉ (số nhà, đường, thôn)",
                &mut input.street,
                "Số 5 đường Lê Lợi",
                &report,
                "subject.street",
            );
            let l = ui.label("Xã/phường");
            let communes: Vec<_> = reference.admin_units.communes_of(province_code).collect();
            // Typed into, with or without accents; listed by name.
            let options: Vec<(u32, String)> = communes.iter().map(|c| (c.code, c.name.clone())).collect();
            super::picker::picker(ui, "new-case-commune", l.id, &mut input.commune_code, &options, 420.0);
            problems(ui, &report, "subject.address");
            super::warnings::warnings_ui(ui, &dialog.warnings, None, None);
            let l = ui.label("Lĩnh vực kiểm tra");
            // Typed into like the commune: "hang gia", "phan bon"…
            let options: Vec<(String, String)> =
                reference.fields.iter().map(|f| (f.code.clone(), f.name.clone())).collect();
            let mut field = (!input.field.is_empty()).then(|| input.field.clone());
            if super::picker::picker(ui, "new-case-field", l.id, &mut field, &options, 420.0) {
                input.field = field.unwrap_or_default();
            }
            problems(ui, &report, "case.field");
            team_ui(ui, input, members, &report);
        });
        // The buttons stay in sight under the scrolling part.
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if dialog.confirm_discard {
                ui.label(RichText::new("Bỏ vụ việc đang nhập? Những gì đã gõ sẽ mất.").color(theme::WARNING_FG));
                if ui.button("Bỏ").clicked() {
                    out.push(Command::CloseDialog);
                }
                if ui.button(theme::bold("Tiếp tục nhập")).clicked() {
                    dialog.confirm_discard = false;
                }
                return;
            }
            if ui.button(theme::bold("Tạo vụ việc")).clicked() {
                out.push(Command::CreateCase(Box::new(dialog.input.clone())));
            }
            if ui.button("Hủy").on_hover_text("Esc").clicked() {
                close_asked(dialog, out);
            }
        });
    });
    // A click outside the dialog (the status bar's typing switch, the list behind) never
    // drops what was typed; Esc asks first, as "Hủy" does.
    // (Read before should_close, which consumes the key.)
    let escape = ctx.input(|i| i.key_pressed(egui::Key::Escape));
    if modal.should_close() {
        if escape {
            close_asked(dialog, out);
        } else if !dialog.has_typed() {
            out.push(Command::CloseDialog);
        }
    }
}

/// The đoàn: its head, and the members ticked beside him.
fn team_ui(ui: &mut egui::Ui, input: &mut crate::app::NewCase, members: &[Member], report: &ValidationReport) {
    let l = ui.label("Trưởng đoàn kiểm tra");
    // Typed into like the commune ("hung", "thang"): a team may have twenty members.
    let options: Vec<(String, String)> =
        members.iter().map(|m| (m.card_number.clone(), format!("{}, {}", m.full_name, m.title))).collect();
    let mut lead = (!input.lead_member.is_empty()).then(|| input.lead_member.clone());
    if super::picker::picker(ui, "new-case-lead", l.id, &mut lead, &options, 420.0) {
        input.lead_member = lead.unwrap_or_default();
    }
    ui.label("Thành viên Đoàn kiểm tra");
    ui.horizontal_wrapped(|ui| {
        for m in members.iter().filter(|m| m.card_number != input.lead_member) {
            let mut chosen = input.team.contains(&m.card_number);
            let label = format!("{}, {} ({})", m.full_name, m.title, m.card_number);
            if ui.checkbox(&mut chosen, label).changed() {
                input.team.retain(|c| c != &m.card_number);
                if chosen {
                    input.team.push(m.card_number.clone());
                }
            }
        }
    });
    problems(ui, report, "case.members");
}

/// "Hủy" or Esc: closes an empty dialog, and asks before dropping what was typed.
fn close_asked(dialog: &mut NewCaseDialog, out: &mut Vec<Command>) {
    if dialog.has_typed() {
        dialog.confirm_discard = true;
    } else {
        out.push(Command::CloseDialog);
    }
}
