//! The case list screen: every case of the team, newest first, with search and a stage
//! filter. Rows are virtualised so 100,000 cases scroll smoothly.

use eframe::egui::{self, RichText};
use egui_extras::{Column, TableBuilder};

use super::command::Command;
use super::theme;
use super::typing::text_edit;
use crate::app::Reference;
use crate::domain::{CaseSummary, Stage, text::fold};

/// What the list screen keeps between frames.
#[derive(Debug, Default)]
pub struct CaseListState {
    pub rows: Vec<CaseSummary>,
    pub search: String,
    pub stage: Option<Stage>,
    /// Indices into `rows` that pass the search and filter.
    visible: Vec<usize>,
    /// The search and filter `visible` was computed for.
    computed_for: Option<(String, Option<Stage>)>,
}

impl CaseListState {
    pub fn new(rows: Vec<CaseSummary>) -> Self {
        CaseListState { rows, ..Default::default() }
    }

    /// Replaces the rows (after a change), keeping the search and filter.
    pub fn reload(&mut self, rows: Vec<CaseSummary>) {
        self.rows = rows;
        self.computed_for = None;
    }

    /// Recomputes the visible rows when the search or filter changed.
    fn refresh(&mut self) {
        let key = (fold(&self.search), self.stage);
        if self.computed_for.as_ref() == Some(&key) {
            return;
        }
        let query = key.0.replace('-', "");
        self.visible = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| key.1.is_none_or(|s| r.stage == s) && r.matches(&query))
            .map(|(i, _)| i)
            .collect();
        self.computed_for = Some(key);
    }

    pub fn visible_count(&mut self) -> usize {
        self.refresh();
        self.visible.len()
    }
}

/// Draws the list; what the user asks for goes into `out`.
pub fn case_list_ui(ui: &mut egui::Ui, state: &mut CaseListState, reference: &Reference, out: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let label = ui.label("Tìm kiếm");
        let search = text_edit(ui, &mut state.search, |v| {
            egui::TextEdit::singleline(v)
                .hint_text("Tên, mã số thuế, số định danh — gõ có dấu hoặc không dấu")
                .desired_width(360.0)
        })
        .labelled_by(label.id)
        .on_hover_text("Ctrl+F");
        if ui.ctx().input(|i| i.modifiers.command && i.key_pressed(egui::Key::F)) {
            search.request_focus();
        }
        ui.separator();
        let label = ui.label("Trạng thái");
        egui::ComboBox::from_id_salt("stage-filter")
            .selected_text(state.stage.map_or("Tất cả", Stage::vi))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut state.stage, None, "Tất cả");
                for stage in Stage::ALL {
                    ui.selectable_value(&mut state.stage, Some(stage), stage.vi());
                }
            })
            .response
            .labelled_by(label.id);
    });
    let total = state.rows.len();
    let shown = state.visible_count();
    ui.horizontal(|ui| {
        ui.label(format!("{shown} / {total} vụ việc"));
        ui.separator();
        if ui.button(theme::bold("Vụ việc mới…")).on_hover_text("Ctrl+N").clicked() {
            out.push(Command::NewCaseDialog);
        }
    });
    ui.separator();

    TableBuilder::new(ui)
        .striped(true)
        .sense(egui::Sense::click())
        .resizable(true)
        .column(Column::exact(92.0))
        .column(Column::initial(190.0))
        .column(Column::initial(330.0).clip(true))
        .column(Column::initial(130.0))
        .column(Column::initial(170.0))
        .column(Column::remainder().clip(true))
        .header(theme::ROW_HEIGHT, |mut header| {
            for title in ["Ngày mở", "Trạng thái", "Đối tượng", "MST / Định danh", "Số văn bản mới nhất", "Lĩnh vực"]
            {
                header.col(|ui| {
                    ui.label(theme::bold(title));
                });
            }
        })
        .body(|body| {
            body.rows(theme::ROW_HEIGHT, state.visible.len(), |mut row| {
                let summary = &state.rows[state.visible[row.index()]];
                let dim = |text: String| {
                    let rich = RichText::new(text);
                    let rich = if summary.stage.is_closed() { rich.color(theme::CLOSED_FG) } else { rich };
                    egui::Label::new(rich).selectable(false)
                };
                row.col(|ui| {
                    ui.add(dim(summary.opened_at.format("%d/%m/%Y").to_string()));
                });
                row.col(|ui| {
                    ui.add(dim(summary.stage.vi().to_string()));
                });
                row.col(|ui| {
                    ui.add(dim(summary.subject_name.clone()));
                });
                row.col(|ui| {
                    ui.add(dim(summary.subject_identifier.clone().unwrap_or_default()));
                });
                row.col(|ui| {
                    ui.add(dim(summary.latest_number.clone().unwrap_or_default()));
                });
                row.col(|ui| {
                    ui.add(dim(reference.field_name(&summary.field).unwrap_or(&summary.field).to_string()));
                });
                if row.response().clicked() {
                    out.push(Command::OpenCase(summary.id));
                }
            });
        });
}
