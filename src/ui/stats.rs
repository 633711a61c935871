//! The "Thống kê" screen: a period, a breakdown and a measure chosen at the top; the totals;
//! a bar chart (egui_plot) beside the table of every line; Excel and CSV export.

use chrono::{Datelike, NaiveDate};
use eframe::egui::{self, RichText};
use egui_plot::{Bar, BarChart, Plot};

use super::command::Command;
use super::theme;
use super::typing::text_edit;
use crate::app::stats::{Dimension, Line, Period, Query, Stats, Totals};
use crate::domain::text::format_vnd;

/// The period the figures cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Span {
    #[default]
    ThisYear,
    ThisQuarter,
    ThisMonth,
    LastYear,
    All,
    /// The dates typed in the two fields.
    Custom,
}

impl Span {
    const ALL: [Span; 6] =
        [Span::ThisMonth, Span::ThisQuarter, Span::ThisYear, Span::LastYear, Span::All, Span::Custom];

    fn vi(self) -> &'static str {
        match self {
            Span::ThisYear => "Năm nay",
            Span::ThisQuarter => "Quý này",
            Span::ThisMonth => "Tháng này",
            Span::LastYear => "Năm trước",
            Span::All => "Mọi lúc",
            Span::Custom => "Tùy chọn",
        }
    }
}

/// The figure the chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Measure {
    #[default]
    Inspections,
    Violations,
    Sanctions,
    Fines,
    Collected,
    Seized,
}

impl Measure {
    const ALL: [Measure; 6] = [
        Measure::Inspections,
        Measure::Violations,
        Measure::Sanctions,
        Measure::Fines,
        Measure::Collected,
        Measure::Seized,
    ];

    fn vi(self) -> &'static str {
        match self {
            Measure::Inspections => "Số cuộc kiểm tra",
            Measure::Violations => "Số vụ có vi phạm",
            Measure::Sanctions => "Số quyết định xử phạt",
            Measure::Fines => "Tiền phạt (đồng)",
            Measure::Collected => "Đã thu (đồng)",
            Measure::Seized => "Giá trị hàng tạm giữ (đồng)",
        }
    }

    fn of(self, t: &Totals) -> u64 {
        match self {
            Measure::Inspections => t.inspections,
            Measure::Violations => t.violations,
            Measure::Sanctions => t.sanctions,
            Measure::Fines => t.fines_imposed_vnd,
            Measure::Collected => t.fines_collected_vnd,
            Measure::Seized => t.seized_goods_vnd,
        }
    }
}

/// What the screen keeps between frames.
#[derive(Debug)]
pub struct StatsScreen {
    pub span: Span,
    pub from: String,
    pub to: String,
    pub period: Period,
    pub dimension: Dimension,
    pub measure: Measure,
    /// The figures, and the query they were computed for (the app computes them again
    /// when the query changes).
    pub stats: Option<(Query, Stats)>,
    /// Why the typed dates cannot be used, if they cannot.
    pub problem: Option<String>,
    /// Every case's row and facts, read once when the screen opens; the figures of each
    /// query are computed from them.
    pub data: Option<Vec<(crate::domain::CaseSummary, crate::domain::summary::CaseFacts)>>,
}

impl Default for StatsScreen {
    fn default() -> Self {
        StatsScreen {
            span: Span::ThisYear,
            from: String::new(),
            to: String::new(),
            period: Period::Month,
            dimension: Dimension::Field,
            measure: Measure::Inspections,
            stats: None,
            problem: None,
            data: None,
        }
    }
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    ["%d/%m/%Y", "%Y-%m-%d"].iter().find_map(|f| NaiveDate::parse_from_str(text.trim(), f).ok())
}

impl StatsScreen {
    /// The query the choices make on `today`, or why the typed dates are not usable.
    pub fn query(&self, today: NaiveDate) -> Result<Query, String> {
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("valid date");
        let (from, to) = match self.span {
            Span::All => (None, None),
            Span::ThisYear => (Some(ymd(today.year(), 1, 1)), Some(today)),
            Span::LastYear => (Some(ymd(today.year() - 1, 1, 1)), Some(ymd(today.year() - 1, 12, 31))),
            Span::ThisMonth => (Some(ymd(today.year(), today.month(), 1)), Some(today)),
            Span::ThisQuarter => (Some(ymd(today.year(), (today.month() - 1) / 3 * 3 + 1, 1)), Some(today)),
            Span::Custom => {
                let read = |text: &str, name: &str| match text.trim() {
                    "" => Ok(None),
                    t => parse_date(t).map(Some).ok_or(format!("“{name}” phải là ngày dạng dd/mm/yyyy")),
                };
                let (from, to) = (read(&self.from, "Từ ngày")?, read(&self.to, "Đến ngày")?);
                if let (Some(f), Some(t)) = (from, to)
                    && f > t
                {
                    return Err("“Từ ngày” ở sau “Đến ngày”".into());
                }
                (from, to)
            }
        };
        Ok(Query { from, to, period: self.period })
    }
}

/// Draws the screen; what the user asks for goes into `out`.
pub fn stats_ui(ui: &mut egui::Ui, s: &mut StatsScreen, out: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        if ui.button("Về danh sách vụ việc").on_hover_text("Esc").clicked() {
            out.push(Command::ShowList);
        }
        ui.separator();
        ui.heading(theme::bold("Thống kê"));
        ui.separator();
        let spans: Vec<(Span, String)> = Span::ALL.iter().map(|x| (*x, x.vi().to_string())).collect();
        theme::choice(ui, "Thời gian", "stats-span", &mut s.span, &spans);
        if s.span == Span::Custom {
            let l = ui.label("Từ ngày");
            text_edit(ui, &mut s.from, |v| egui::TextEdit::singleline(v).hint_text("dd/mm/yyyy").desired_width(90.0))
                .labelled_by(l.id);
            let l = ui.label("Đến ngày");
            text_edit(ui, &mut s.to, |v| egui::TextEdit::singleline(v).hint_text("dd/mm/yyyy").desired_width(90.0))
                .labelled_by(l.id);
        }
        let dimensions: Vec<(Dimension, String)> = Dimension::ALL.iter().map(|x| (*x, x.vi().to_string())).collect();
        theme::choice(ui, "Xem theo", "stats-dimension", &mut s.dimension, &dimensions);
        if s.dimension == Dimension::Period {
            for (p, name) in [(Period::Month, "tháng"), (Period::Quarter, "quý"), (Period::Year, "năm")] {
                ui.radio_value(&mut s.period, p, name);
            }
        }
        let measures: Vec<(Measure, String)> = Measure::ALL.iter().map(|x| (*x, x.vi().to_string())).collect();
        theme::choice(ui, "Biểu đồ", "stats-measure", &mut s.measure, &measures);
    });
    if let Some(problem) = &s.problem {
        ui.label(RichText::new(problem).color(theme::ERROR_FG));
    }
    let Some((query, stats)) = &s.stats else { return };
    ui.horizontal(|ui| {
        if ui.button("Xuất Excel…").on_hover_text("Sổ vụ việc và các bảng tổng hợp, tệp .xlsx").clicked()
        {
            out.push(Command::ExportStats { query: *query, csv: false });
        }
        if ui.button("Xuất CSV…").on_hover_text("Sổ vụ việc, tệp .csv").clicked() {
            out.push(Command::ExportStats { query: *query, csv: true });
        }
    });
    ui.separator();
    totals_ui(ui, &stats.totals);
    ui.separator();
    let lines = stats.lines(s.dimension);
    if lines.is_empty() {
        ui.weak("Không có vụ việc nào trong thời gian này.");
        return;
    }
    ui.columns(2, |cols| {
        chart_ui(&mut cols[0], lines, s.measure, s.dimension);
        table_ui(&mut cols[1], lines, s.dimension);
    });
}

fn totals_ui(ui: &mut egui::Ui, t: &Totals) {
    ui.horizontal_wrapped(|ui| {
        for (name, value) in [
            ("Kiểm tra", t.inspections.to_string()),
            ("Có vi phạm", t.violations.to_string()),
            ("Không vi phạm", t.no_violation.to_string()),
            ("Quyết định xử phạt", t.sanctions.to_string()),
            ("Tiền phạt", format!("{} đ", format_vnd(t.fines_imposed_vnd))),
            ("Đã thu", format!("{} đ", format_vnd(t.fines_collected_vnd))),
            ("Hàng tạm giữ", format!("{} đ", format_vnd(t.seized_goods_vnd))),
        ] {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.vertical(|ui| {
                    ui.weak(name);
                    ui.label(theme::bold(value));
                });
            });
        }
    });
}

/// The lines a chart shows, bottom to top: periods in time order (the latest 15, the
/// newest at the top), anything else the largest at the top (at most 15).
pub fn chart_order(lines: &[Line], measure: Measure, dimension: Dimension) -> Vec<&Line> {
    let mut shown: Vec<&Line> = lines.iter().collect();
    if dimension == Dimension::Period {
        // Keys are "2026-03", "2026-Q1", "2026": sorting them is sorting by time.
        shown.sort_by(|a, b| a.key.cmp(&b.key));
        let skip = shown.len().saturating_sub(15);
        return shown.split_off(skip);
    }
    shown.sort_by_key(|l| std::cmp::Reverse(measure.of(&l.totals)));
    shown.truncate(15);
    shown.reverse();
    shown
}

/// Horizontal bars: by time for periods, else the largest at the top; at most 15.
fn chart_ui(ui: &mut egui::Ui, lines: &[Line], measure: Measure, dimension: Dimension) {
    let shown = chart_order(lines, measure, dimension);
    let labels: Vec<String> = shown.iter().map(|l| short(&l.label)).collect();
    let bars: Vec<Bar> = shown
        .iter()
        .enumerate()
        .map(|(i, l)| Bar::new(i as f64, measure.of(&l.totals) as f64).name(&l.label).fill(theme::DRAFT_FG))
        .collect();
    let chart = BarChart::new(measure.vi(), bars).horizontal().width(0.7);
    Plot::new("stats-chart")
        .height(ui.available_height().max(200.0))
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .include_x(0.0)
        .y_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .x_axis_formatter(|mark, _| format_vnd(mark.value.max(0.0) as u64))
        .show(ui, |plot| plot.bar_chart(chart));
}

fn short(label: &str) -> String {
    let chars: Vec<char> = label.chars().collect();
    if chars.len() > 28 { format!("{}…", chars[..27].iter().collect::<String>()) } else { label.to_string() }
}

fn table_ui(ui: &mut egui::Ui, lines: &[Line], dimension: Dimension) {
    egui::ScrollArea::both().id_salt("stats-table").auto_shrink(false).show(ui, |ui| {
        egui::Grid::new("stats-grid").striped(true).num_columns(7).spacing([12.0, 4.0]).show(ui, |ui| {
            for h in
                [dimension.vi(), "Kiểm tra", "Vi phạm", "QĐ xử phạt", "Tiền phạt (đ)", "Đã thu (đ)", "Hàng tạm giữ (đ)"]
            {
                ui.label(theme::bold(h));
            }
            ui.end_row();
            for l in lines {
                let t = &l.totals;
                ui.label(&l.label);
                ui.label(t.inspections.to_string());
                ui.label(t.violations.to_string());
                ui.label(t.sanctions.to_string());
                ui.label(format_vnd(t.fines_imposed_vnd));
                ui.label(format_vnd(t.fines_collected_vnd));
                ui.label(format_vnd(t.seized_goods_vnd));
                ui.end_row();
            }
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(key: &str, inspections: u64) -> Line {
        Line { key: key.into(), label: key.into(), totals: Totals { inspections, ..Totals::default() } }
    }

    #[test]
    fn periods_chart_in_time_order_and_the_rest_by_size() {
        let lines = [line("2026-03", 1), line("2025-12", 9), line("2026-01", 5)];
        let keys = |shown: Vec<&Line>| shown.iter().map(|l| l.key.clone()).collect::<Vec<_>>();
        // By month the chart read by value (9, 5, 1): now by time, whatever the values.
        assert_eq!(
            keys(chart_order(&lines, Measure::Inspections, Dimension::Period)),
            ["2025-12", "2026-01", "2026-03"]
        );
        // Anything else: the largest at the top (last drawn).
        assert_eq!(
            keys(chart_order(&lines, Measure::Inspections, Dimension::Field)),
            ["2026-03", "2026-01", "2025-12"]
        );
        let many: Vec<Line> = (1..=20).map(|m| line(&format!("2025-{m:02}"), m)).collect();
        let shown = chart_order(&many, Measure::Inspections, Dimension::Period);
        assert_eq!((shown.len(), shown[0].key.as_str(), shown[14].key.as_str()), (15, "2025-06", "2025-20"));
    }
}
