//! `anchi deadlines`, `anchi calendar`, `anchi stats` and `anchi export`: what is due, and
//! the team's figures.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Subcommand;

use crate::app::stats::{Dimension, Period, Query, Stats};
use crate::app::{AppError, Reference, Workspace};
use crate::domain::text::format_vnd;

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// The due date of a time limit in working days, counted the legal way (the start day
    /// not counted; weekends, public holidays and days swapped skipped). Prints YYYY-MM-DD.
    Due {
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: NaiveDate,
        #[arg(long)]
        working_days: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The Excel workbook: summary tables by period, field, goods group, provision and
    /// inspector, and the case register.
    Xlsx {
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        period: PeriodArgs,
    },
    /// The case register as CSV (UTF-8).
    Csv {
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        period: PeriodArgs,
    },
    /// Sanction decisions in the terms of the national database on administrative
    /// violations (JSON, docs/national-db-export.md).
    National {
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        period: PeriodArgs,
    },
}

/// The cases counted: opened from `--from` to `--to` (both included).
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct PeriodArgs {
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: Option<NaiveDate>,
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<NaiveDate>,
}

impl PeriodArgs {
    pub fn query(self, period: Period) -> Result<Query, AppError> {
        if let (Some(f), Some(t)) = (self.from, self.to)
            && f > t
        {
            let mut report = crate::domain::ValidationReport::default();
            report.error("--from", &PeriodProblem { from: f, to: t });
            return Err(AppError::Invalid(report));
        }
        Ok(Query { from: self.from, to: self.to, period })
    }
}

/// A period whose start is after its end.
#[derive(Debug, thiserror::Error)]
#[error("--from {from} is after --to {to}")]
struct PeriodProblem {
    from: NaiveDate,
    to: NaiveDate,
}

impl crate::domain::Bilingual for PeriodProblem {
    fn vi(&self) -> String {
        format!("“Từ ngày” {} ở sau “đến ngày” {}", self.from.format("%d/%m/%Y"), self.to.format("%d/%m/%Y"))
    }
}

pub fn calendar(reference: &Reference, command: &CalendarCommand) {
    match command {
        CalendarCommand::Due { from, working_days } => {
            let cal = &reference.calendar;
            let due = cal.add_working_days(*from, *working_days);
            if !cal.official_between(*from, due) {
                eprintln!(
                    "Lưu ý: lịch nghỉ giữa {from} và {due} chưa có thông báo chính thức (dự kiến theo Bộ luật Lao động) / \
                     the holidays of this span are provisional"
                );
            }
            emit!("{}", due.format("%Y-%m-%d"));
        }
    }
}

pub fn deadlines(ws: &Workspace, json: bool, as_of: Option<NaiveDate>) -> Result<(), AppError> {
    let as_of = as_of.unwrap_or_else(|| crate::app::now().date());
    let open = ws.open_deadlines(as_of)?;
    if json {
        emit!("{}", serde_json::to_string_pretty(&open).expect("deadlines serialise"));
        return Ok(());
    }
    if open.is_empty() {
        emit!("Không có thời hạn nào đang mở ngày {}.", as_of.format("%d/%m/%Y"));
    }
    for d in &open {
        let x = &d.deadline;
        let provisional = if x.calendar_official { "" } else { " (lịch nghỉ dự kiến)" };
        emit!(
            "{:<12} hạn {}  {:<44} từ {} ({}){provisional}  {}  {}",
            x.state.vi(),
            x.due.format("%d/%m/%Y"),
            x.title,
            x.start.format("%d/%m/%Y"),
            x.length_vi,
            d.subject_name,
            d.case_id
        );
    }
    Ok(())
}

pub fn stats(ws: &Workspace, period: PeriodArgs, by: Period, json: bool) -> Result<(), AppError> {
    let stats = ws.stats(&period.query(by)?)?;
    if json {
        emit!("{}", serde_json::to_string_pretty(&stats).expect("stats serialise"));
    } else {
        print_stats(&stats);
    }
    Ok(())
}

fn print_stats(stats: &Stats) {
    let span = match (stats.from, stats.to) {
        (None, None) => "mọi thời gian".to_string(),
        (f, t) => format!(
            "từ {} đến {}",
            f.map_or("…".into(), |d| d.format("%d/%m/%Y").to_string()),
            t.map_or("…".into(), |d| d.format("%d/%m/%Y").to_string())
        ),
    };
    let t = &stats.totals;
    emit!("Thống kê ({span}):");
    emit!("  Số cuộc kiểm tra: {}", t.inspections);
    emit!("  Số vụ có vi phạm: {}  (không vi phạm: {})", t.violations, t.no_violation);
    emit!("  Số quyết định xử phạt: {}", t.sanctions);
    emit!("  Tiền phạt: {} đồng; đã thu: {} đồng", format_vnd(t.fines_imposed_vnd), format_vnd(t.fines_collected_vnd));
    emit!("  Giá trị hàng tạm giữ: {} đồng", format_vnd(t.seized_goods_vnd));
    for dimension in Dimension::ALL {
        emit!("Theo {}:", dimension.vi().to_lowercase());
        for line in stats.lines(dimension) {
            let l = &line.totals;
            emit!(
                "  {:<50} {:>6} kiểm tra {:>6} vi phạm {:>6} QĐ {:>16} đ",
                line.label,
                l.inspections,
                l.violations,
                l.sanctions,
                format_vnd(l.fines_imposed_vnd)
            );
        }
    }
}

pub fn export(ws: &Workspace, command: ExportCommand) -> Result<(), AppError> {
    match command {
        ExportCommand::Xlsx { out, period } => {
            let stats = ws.export_xlsx(&period.query(Period::Month)?, &out)?;
            emit!("Đã ghi {} ({} vụ việc)", out.display(), stats.totals.inspections);
        }
        ExportCommand::Csv { out, period } => {
            let rows = ws.export_csv(&period.query(Period::Month)?, &out)?;
            emit!("Đã ghi {} ({rows} vụ việc)", out.display());
        }
        ExportCommand::National { out, period } => {
            let export = ws.national_export(&period.query(Period::Month)?)?;
            let text = serde_json::to_string_pretty(&export).expect("export serialises");
            crate::app::write_file_atomically(&out, text.as_bytes())?;
            emit!("Đã ghi {} ({} quyết định xử phạt)", out.display(), export.decisions.len());
        }
    }
    Ok(())
}
