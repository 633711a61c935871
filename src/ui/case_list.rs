//! The case list screen: every case of the team, newest first, with search, filters (state,
//! field, head of the team, period) and sorting by any column. Rows are virtualised so
//! 100,000 cases scroll smoothly.

use eframe::egui::{self, RichText};
use egui_extras::{Column, TableBuilder};

use super::command::Command;
use super::theme;
use super::typing::text_edit;
use crate::app::Reference;
pub use crate::app::case_list::{CaseList as CaseListState, Filters, Period, SortKey};
use crate::app::warnings::Badge;
use crate::domain::deadlines::DeadlineState;
use crate::domain::{Member, Stage};

/// The filters row: state, field, head of the team, period.
fn filters_ui(ui: &mut egui::Ui, f: &mut Filters, reference: &Reference, members: &[Member]) {
    ui.horizontal(|ui| {
        let stages: Vec<(Option<Stage>, String)> = std::iter::once((None, "Tất cả".to_string()))
            .chain(Stage::ALL.iter().map(|st| (Some(*st), st.vi().to_string())))
            .collect();
        theme::choice(ui, "Lọc theo trạng thái", "stage-filter", &mut f.stage, &stages);
        let fields: Vec<(Option<String>, String)> = std::iter::once((None, "Tất cả".to_string()))
            .chain(reference.fields.iter().map(|x| (Some(x.code.clone()), x.name.clone())))
            .collect();
        theme::choice(ui, "lĩnh vực", "field-filter", &mut f.field, &fields);
        let leads: Vec<(Option<String>, String)> = std::iter::once((None, "Tất cả".to_string()))
            .chain(members.iter().map(|m| (Some(m.card_number.clone()), m.full_name.clone())))
            .collect();
        theme::choice(ui, "trưởng đoàn", "lead-filter", &mut f.lead, &leads);
        let periods: Vec<(Period, String)> = Period::ALL.iter().map(|p| (*p, p.vi().to_string())).collect();
        theme::choice(ui, "thời gian mở", "period-filter", &mut f.period, &periods);
    });
}

/// The colour of a deadline's state.
pub fn deadline_colour(state: DeadlineState) -> egui::Color32 {
    match state {
        DeadlineState::Overdue => theme::ERROR_FG,
        DeadlineState::DueSoon => theme::WARNING_FG,
        DeadlineState::OnTime => theme::STAGE_FG,
        DeadlineState::Met => theme::CLOSED_FG,
    }
}

fn short_state(state: DeadlineState) -> &'static str {
    match state {
        DeadlineState::Overdue => "quá hạn",
        DeadlineState::DueSoon => "sắp đến hạn",
        _ => "",
    }
}

/// Draws the list; what the user asks for goes into `out`.
pub fn case_list_ui(
    ui: &mut egui::Ui,
    state: &mut CaseListState,
    reference: &Reference,
    members: &[Member],
    out: &mut Vec<Command>,
) {
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
    });
    filters_ui(ui, &mut state.filters, reference, members);
    counts_ui(ui, state, out);
    ui.separator();

    table_ui(ui, state, reference, out);
}

/// The count shown, the two quick filters (deadlines pressing, decisions waiting for a
/// leader) and "Vụ việc mới…".
fn counts_ui(ui: &mut egui::Ui, state: &mut CaseListState, out: &mut Vec<Command>) {
    let total = state.rows.len();
    let shown = state.visible_count();
    ui.horizontal(|ui| {
        ui.label(format!("{shown} / {total} vụ việc"));
        ui.separator();
        let pressing = state.pressing();
        let text = if state.marks_pending() {
            "Sắp đến hạn / Quá hạn (đang tính…)".to_string()
        } else {
            format!("Sắp đến hạn / Quá hạn ({pressing})")
        };
        let text = if pressing > 0 { theme::bold(text).color(theme::ERROR_FG) } else { RichText::new(text) };
        let hint = "Chỉ hiện vụ việc có thời hạn đã quá hoặc đến hạn trong một ngày làm việc, hạn sớm nhất trước";
        if ui.selectable_label(state.filters.due_only, text).on_hover_text(hint).clicked() {
            let f = &mut state.filters;
            f.due_only = !f.due_only;
            if f.due_only {
                f.sort = SortKey::Due;
                f.descending = false;
            }
        }
        let waiting = state.awaiting_leader();
        let text = format!("Chờ lãnh đạo hoàn tất ({waiting})");
        let text = if waiting > 0 { theme::bold(text) } else { RichText::new(text) };
        let hint = "Chỉ hiện vụ việc có quyết định đang soạn, chờ lãnh đạo đội hoàn tất và ký";
        if ui.selectable_label(state.filters.awaiting_leader, text).on_hover_text(hint).clicked() {
            state.filters.awaiting_leader = !state.filters.awaiting_leader;
        }
        ui.separator();
        if ui.button(theme::bold("Vụ việc mới…")).on_hover_text("Ctrl+N").clicked() {
            out.push(Command::NewCaseDialog);
        }
    });
}

/// The cases as a table sorted by a clicked column; a click on a row opens the case.
fn table_ui(ui: &mut egui::Ui, state: &mut CaseListState, reference: &Reference, out: &mut Vec<Command>) {
    // Narrow screens scroll sideways: no column is cut off out of reach.
    egui::ScrollArea::horizontal().id_salt("case-list-columns").show(ui, |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .sense(egui::Sense::click())
            .resizable(true)
            .column(Column::exact(92.0))
            .column(Column::initial(190.0))
            .column(Column::initial(330.0).clip(true))
            .column(Column::initial(130.0))
            .column(Column::initial(170.0))
            .column(Column::initial(190.0))
            .column(Column::initial(200.0).at_least(120.0).clip(true))
            .header(theme::ROW_HEIGHT, |mut header| {
                let columns = [
                    ("Ngày mở", SortKey::Opened),
                    ("Trạng thái", SortKey::Stage),
                    ("Đối tượng", SortKey::Subject),
                    ("MST / Định danh", SortKey::Identifier),
                    ("Số văn bản mới nhất", SortKey::Number),
                    ("Hạn tiếp theo", SortKey::Due),
                    ("Lĩnh vực", SortKey::Field),
                ];
                for (title, key) in columns {
                    header.col(|ui| {
                        let f = &mut state.filters;
                        let mark = match (f.sort == key, f.descending) {
                            (false, _) => "",
                            (true, false) => " ˄",
                            (true, true) => " ˅",
                        };
                        let button = egui::Button::new(theme::bold(format!("{title}{mark}"))).frame(false);
                        if ui.add(button).on_hover_text("Bấm để sắp xếp theo cột này").clicked() {
                            f.descending = if f.sort == key { !f.descending } else { key == SortKey::Opened };
                            f.sort = key;
                        }
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
                        ui.horizontal(|ui| {
                            match state.badge(&summary.id) {
                                Some(Badge::Repeat) => {
                                    ui.label(theme::bold("TÁI PHẠM").color(theme::ERROR_FG)).on_hover_text(
                                        "Đã bị xử phạt về cùng hành vi, còn trong thời hạn tính tái phạm",
                                    );
                                }
                                Some(Badge::Earlier(n)) => {
                                    ui.label(RichText::new(format!("{n} vụ trước")).color(theme::WARNING_FG))
                                        .on_hover_text("Đối tượng này đã có vụ việc trước đây trên máy");
                                }
                                None => {}
                            }
                            ui.add(dim(summary.subject_name.clone()));
                        });
                    });
                    row.col(|ui| {
                        ui.add(dim(summary.subject_identifier.clone().unwrap_or_default()));
                    });
                    row.col(|ui| {
                        ui.add(dim(summary.latest_number.clone().unwrap_or_default()));
                    });
                    row.col(|ui| {
                        if let Some(d) = state.deadline(&summary.id) {
                            let text = format!("{} {}", d.due.format("%d/%m/%Y"), short_state(d.state));
                            ui.label(RichText::new(text).color(deadline_colour(d.state)))
                                .on_hover_text(format!("{} ({}, {})", d.title, d.length_vi, d.basis));
                        }
                    });
                    row.col(|ui| {
                        ui.add(dim(reference.field_name(&summary.field).unwrap_or(&summary.field).to_string()));
                    });
                    if row.response().clicked() {
                        out.push(Command::OpenCase(summary.id));
                    }
                });
            });
    });
}
