//! The case's parties on the case screen: the witness, the commune's representative, the
//! injured party and the interpreter, entered once and offered to each new document.

use eframe::egui;

use super::command::Command;
use super::theme;
use super::typing::text_edit;
use crate::domain::parties::{INJURED_KINDS, SLOTS};
use crate::domain::{Parties, ValidationReport};

/// The parties as edited on the case screen.
#[derive(Debug, Default)]
pub struct PartiesEditor {
    pub parties: Parties,
    dirty: bool,
    /// Problems of the last attempt to store them.
    pub report: ValidationReport,
}

impl PartiesEditor {
    pub fn new(parties: &Parties) -> PartiesEditor {
        PartiesEditor { parties: parties.clone(), ..Default::default() }
    }

    /// The parties edited on screen and not stored yet, if any.
    pub fn unsaved(&self) -> Option<&Parties> {
        self.dirty.then_some(&self.parties)
    }

    pub fn saved(&mut self) {
        self.dirty = false;
        self.report = ValidationReport::default();
    }
}

/// Draws the parties section; "Lưu" pushes [`Command::SaveParties`].
pub fn parties_ui(ui: &mut egui::Ui, editor: &mut PartiesEditor, case_id: uuid::Uuid, out: &mut Vec<Command>) {
    let named = [&editor.parties.witness.name, &editor.parties.commune.name, &editor.parties.interpreter.name]
        .into_iter()
        .filter(|n| !n.trim().is_empty())
        .count()
        + usize::from(!editor.parties.injured.particulars.trim().is_empty());
    let title = match named {
        0 => "Người chứng kiến, người liên quan (chưa ghi)".to_string(),
        n => format!("Người chứng kiến, người liên quan ({n} người)"),
    };
    egui::CollapsingHeader::new(theme::bold(title))
        .id_salt("parties")
        .default_open(!editor.parties.is_empty() || !editor.report.is_ok())
        .show(ui, |ui| {
            ui.weak(
                "Ghi một lần cho cả vụ việc: mỗi biên bản mới lấy sẵn những người này (sửa được trong từng biên bản); \
                 văn bản đã hoàn tất giữ nguyên như đã in.",
            );
            egui::Grid::new("parties-grid").num_columns(2).spacing([12.0, 4.0]).show(ui, |ui| {
                for (path, label, _, set) in SLOTS {
                    let label_id = ui.label(label).id;
                    let value = set(&mut editor.parties);
                    let changed = if path == "injured.kind" {
                        let before = value.clone();
                        egui::ComboBox::from_id_salt("party-injured-kind")
                            .selected_text(if value.is_empty() { "—" } else { value.as_str() })
                            .show_ui(ui, |ui| {
                                ui.selectable_value(value, String::new(), "—");
                                for kind in INJURED_KINDS {
                                    ui.selectable_value(value, kind.to_string(), kind);
                                }
                            })
                            .response
                            .labelled_by(label_id);
                        *value != before
                    } else {
                        let id = egui::Id::unique(("party", path));
                        let width = ui.available_width().min(420.0);
                        let response =
                            text_edit(ui, value, |v| egui::TextEdit::singleline(v).id(id).desired_width(width))
                                .labelled_by(label_id);
                        response.changed()
                    };
                    editor.dirty |= changed;
                    ui.end_row();
                    let field = format!("parties.{path}");
                    for problem in editor.report.errors().filter(|p| p.field == field) {
                        ui.label("");
                        ui.colored_label(theme::ERROR_FG, &problem.message_vi);
                        ui.end_row();
                    }
                }
            });
            ui.horizontal(|ui| {
                let save = ui.add_enabled(editor.dirty, egui::Button::new("Lưu người liên quan"));
                if save.clicked() {
                    out.push(Command::SaveParties { case: case_id, parties: editor.parties.clone() });
                }
                if editor.dirty {
                    ui.weak("Chưa lưu (tự lưu khi rời màn hình)");
                }
            });
        });
}
