//! The case list screen: every case of the team, newest first, with search, filters (state,
//! field, head of the team, period) and sorting by any column. Rows are virtualised so
//! 100,000 cases scroll smoothly.

use eframe::egui::{self, RichText};
use egui_extras::{Column, TableBuilder};

use super::command::Command;
use super::theme;
use super::typing::text_edit;
use crate::app::Reference;
use crate::app::warnings::{Badge, SubjectLink, list_badges};
use crate::domain::deadlines::{Deadline, DeadlineState, deadlines_of, next_open};
use crate::domain::{CaseSummary, Member, Stage, text::fold};

/// A period of opening dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Period {
    #[default]
    All,
    Last30Days,
    ThisMonth,
    ThisYear,
}

impl Period {
    pub const ALL: [Period; 4] = [Period::All, Period::Last30Days, Period::ThisMonth, Period::ThisYear];

    pub fn vi(self) -> &'static str {
        match self {
            Period::All => "Mọi lúc",
            Period::Last30Days => "30 ngày qua",
            Period::ThisMonth => "Tháng này",
            Period::ThisYear => "Năm nay",
        }
    }

    fn contains(self, opened: chrono::NaiveDate, today: chrono::NaiveDate) -> bool {
        use chrono::Datelike;
        match self {
            Period::All => true,
            Period::Last30Days => opened > today - chrono::Duration::days(30),
            Period::ThisMonth => opened.year() == today.year() && opened.month() == today.month(),
            Period::ThisYear => opened.year() == today.year(),
        }
    }
}

/// The column the list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Opened,
    Stage,
    Subject,
    Identifier,
    Number,
    Field,
    /// The next open deadline, soonest first.
    Due,
}

/// What the rows are filtered and sorted by.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filters {
    pub stage: Option<Stage>,
    /// Lĩnh vực code.
    pub field: Option<String>,
    /// Card number of the head of the inspection team.
    pub lead: Option<String>,
    pub period: Period,
    /// Only cases with a deadline overdue or due within one working day (the leader's view).
    pub due_only: bool,
    /// Only cases with a decision drafted and waiting for a leader to finalise it.
    pub awaiting_leader: bool,
    pub sort: SortKey,
    /// Newest, last, Z first when true (the default for the opening date).
    pub descending: bool,
}

/// What the list screen keeps between frames.
#[derive(Debug, Default)]
pub struct CaseListState {
    pub rows: Vec<CaseSummary>,
    pub search: String,
    pub filters: Filters,
    /// Indices into `rows` that pass the search and filters, in display order.
    visible: Vec<usize>,
    /// The search and filters `visible` was computed for.
    computed_for: Option<(String, Filters)>,
    /// Repeat offenders and subjects with earlier cases, by case.
    badges: std::collections::HashMap<uuid::Uuid, Badge>,
    /// Each case's next open deadline, as of the day the rows were loaded.
    deadlines: std::collections::HashMap<uuid::Uuid, Deadline>,
    /// How many rows have a decision waiting for a leader (counted on load, not per frame).
    awaiting: usize,
}

impl CaseListState {
    pub fn new(rows: Vec<CaseSummary>, reference: &Reference, links: &[SubjectLink]) -> Self {
        let mut state =
            CaseListState { filters: Filters { descending: true, ..Filters::default() }, ..Default::default() };
        state.reload(rows, reference, links);
        state
    }

    /// Replaces the rows (after a change), keeping the search and filters.
    pub fn reload(&mut self, rows: Vec<CaseSummary>, reference: &Reference, links: &[SubjectLink]) {
        let today = crate::app::now().date();
        self.badges = list_badges(&rows, links);
        self.deadlines = rows
            .iter()
            .filter(|r| !r.stage.is_closed())
            .filter_map(|r| {
                let all = deadlines_of(r, &reference.deadline_rules, &reference.calendar, today);
                next_open(&all).cloned().map(|d| (r.id, d))
            })
            .collect();
        self.awaiting = rows.iter().filter(|r| r.awaits_leader()).count();
        self.rows = rows;
        self.computed_for = None;
    }

    /// How many cases have a deadline overdue or due within one working day.
    pub fn pressing(&self) -> usize {
        self.deadlines.values().filter(|d| d.state <= DeadlineState::DueSoon).count()
    }

    /// How many cases have a decision waiting for a leader.
    pub fn awaiting_leader(&self) -> usize {
        self.awaiting
    }

    /// Recomputes the visible rows when the search or a filter changed.
    fn refresh(&mut self) {
        let key = (fold(&self.search), self.filters.clone());
        if self.computed_for.as_ref() == Some(&key) {
            return;
        }
        let query = key.0.replace('-', "");
        let f = &key.1;
        let today = crate::app::now().date();
        let deadlines = &self.deadlines;
        let pressing = |id| deadlines.get(id).is_some_and(|d: &Deadline| d.state <= DeadlineState::DueSoon);
        self.visible = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                f.stage.is_none_or(|s| r.stage == s)
                    && f.field.as_ref().is_none_or(|code| &r.field == code)
                    && f.lead.as_ref().is_none_or(|card| r.lead_member.as_ref() == Some(card))
                    && f.period.contains(r.opened_at.date(), today)
                    && (!f.due_only || pressing(&r.id))
                    && (!f.awaiting_leader || r.awaits_leader())
                    && r.matches(&query)
            })
            .map(|(i, _)| i)
            .collect();
        let rows = &self.rows;
        let order = |a: &usize, b: &usize| {
            let (a, b) = (&rows[*a], &rows[*b]);
            match f.sort {
                SortKey::Opened => a.opened_at.cmp(&b.opened_at),
                SortKey::Stage => a.stage.cmp(&b.stage),
                SortKey::Subject => fold(&a.subject_name).cmp(&fold(&b.subject_name)),
                SortKey::Identifier => a.subject_identifier.cmp(&b.subject_identifier),
                SortKey::Number => a.latest_number.cmp(&b.latest_number),
                SortKey::Field => a.field.cmp(&b.field),
                // Cases without an open deadline after those with one.
                SortKey::Due => {
                    let due = |r: &CaseSummary| deadlines.get(&r.id).map_or(chrono::NaiveDate::MAX, |d| d.due);
                    due(a).cmp(&due(b))
                }
            }
        };
        if f.descending {
            self.visible.sort_by(|a, b| order(b, a));
        } else {
            self.visible.sort_by(order);
        }
        self.computed_for = Some(key);
    }

    pub fn visible_count(&mut self) -> usize {
        self.refresh();
        self.visible.len()
    }

    /// The summary shown at a position of the list.
    pub fn visible_row(&mut self, index: usize) -> Option<&CaseSummary> {
        self.refresh();
        self.visible.get(index).map(|&i| &self.rows[i])
    }
}

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
        let text = format!("Sắp đến hạn / Quá hạn ({pressing})");
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
                            match state.badges.get(&summary.id) {
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
                        if let Some(d) = state.deadlines.get(&summary.id) {
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
