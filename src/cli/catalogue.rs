//! `anchi catalogue …`: the catalogue of violations of the law in force
//! (`docs/violation-catalogue.md`) — find an act, show one with its brackets.

use chrono::NaiveDate;
use clap::Subcommand;
use serde::Serialize;

use crate::app::{AppError, Workspace};
use crate::domain::ValidationReport;
use crate::domain::catalogue::{ActRef, find, point_vi};
use crate::domain::text::format_vnd;

#[derive(Debug, Subcommand)]
pub enum CatalogueCommand {
    /// Acts in force on a day matching words of the act (accents optional), "điều 15", or an id.
    Find {
        query: String,
        /// The day of the act (YYYY-MM-DD); today by default.
        #[arg(long)]
        on: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// One act by id (ND98-15-1, or a tier's point ND98-15-1-b): wording, brackets by goods
    /// value, multiplying cases, penalties, remedies, the decree as cited that day.
    Show {
        id: String,
        #[arg(long)]
        on: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
}

/// An act as the command line shows it.
#[derive(Debug, Serialize)]
struct ActView {
    id: String,
    on: NaiveDate,
    article: String,
    point: String,
    text: String,
    title: String,
    field: String,
    decree: String,
    source: String,
    tiers: Vec<TierView>,
    doubles: Vec<DoubleView>,
    additional: Vec<String>,
    remedies: Vec<String>,
}

#[derive(Debug, Serialize)]
struct TierView {
    id: String,
    point: String,
    from_vnd: u64,
    below_vnd: Option<u64>,
    min_vnd: u64,
    max_vnd: u64,
    organisation_min_vnd: u64,
    organisation_max_vnd: u64,
    /// A bracket in multiples of the goods' value (NĐ 115/2018): the amounts above are 0.
    min_times: Option<u64>,
    max_times: Option<u64>,
    warning: bool,
    /// The goods' value band in words ("từ … đồng đến dưới … đồng"), empty without one.
    band: String,
}

#[derive(Debug, Serialize)]
struct DoubleView {
    key: String,
    point: String,
    factor: u64,
    text: String,
}

fn view(a: &ActRef<'_>) -> ActView {
    let measure = |m: &crate::domain::catalogue::Measure| format!("{}: {}", point_vi(&m.point), m.text);
    ActView {
        id: a.id(),
        on: a.on,
        article: a.article.article.clone(),
        point: a.act.point.clone(),
        text: a.act.text.clone(),
        title: a.title().to_string(),
        field: a.article.field.clone(),
        decree: a.decree_citation(),
        source: a.article.source.clone(),
        tiers: a
            .tiers()
            .map(|t| TierView {
                id: format!("{}-{}-{}", a.decree.code, a.article.article, t.point),
                point: t.point.clone(),
                from_vnd: t.from_vnd,
                below_vnd: t.below_vnd,
                min_vnd: t.min_vnd,
                max_vnd: t.max_vnd,
                organisation_min_vnd: t.min_vnd * 2,
                organisation_max_vnd: t.max_vnd * 2,
                min_times: t.min_times,
                max_times: t.max_times,
                warning: t.warning,
                band: t.band_vi(),
            })
            .collect(),
        doubles: a
            .doubles()
            .map(|d| DoubleView {
                key: format!("{}+{}", a.id(), d.point),
                point: d.point.clone(),
                factor: d.factor,
                text: d.text.clone(),
            })
            .collect(),
        additional: a.additional().map(measure).collect(),
        remedies: a.remedies().map(measure).collect(),
    }
}

pub(super) fn catalogue(ws: &Workspace, command: CatalogueCommand) -> Result<(), AppError> {
    let catalogue = ws.reference.catalogue();
    let today = crate::app::now().date();
    match command {
        CatalogueCommand::Find { query, on, json } => {
            let on = on.unwrap_or(today);
            let found: Vec<ActView> = find(catalogue, &query, on).iter().map(view).collect();
            if json {
                emit!("{}", serde_json::to_string_pretty(&found).expect("acts serialise"));
            } else if found.is_empty() {
                emit!(
                    "Không tìm thấy hành vi nào khớp “{query}” trong danh mục có hiệu lực ngày {}",
                    on.format("%d/%m/%Y")
                );
            } else {
                for a in &found {
                    emit!("{}\tĐiều {} {}\t{}", a.id, a.article, point_vi(&a.point), a.text);
                }
            }
        }
        CatalogueCommand::Show { id, on, json } => {
            let on = on.unwrap_or(today);
            let Some((act, _)) = catalogue.act(id.trim(), on) else {
                let mut report = ValidationReport::default();
                report.error("id", &crate::domain::catalogue::SelectError::NoAct { id, on });
                return Err(AppError::Invalid(report));
            };
            let v = view(&act);
            if json {
                emit!("{}", serde_json::to_string_pretty(&v).expect("an act serialises"));
            } else {
                print_act(&v);
            }
        }
    }
    Ok(())
}

fn print_act(v: &ActView) {
    emit!("{} — Điều {} {} ({})", v.id, v.article, point_vi(&v.point), v.title);
    emit!("Hành vi: {}", v.text);
    emit!("Nghị định (ngày {}): {}", v.on.format("%d/%m/%Y"), v.decree);
    emit!("Khung tiền phạt (cá nhân; tổ chức gấp hai lần):");
    for t in &v.tiers {
        let band = if t.band.is_empty() { String::new() } else { format!(" — hàng hóa {}", t.band) };
        let warn = if t.warning { "cảnh cáo hoặc " } else { "" };
        let amounts = match (t.min_times, t.max_times) {
            (Some(lo), Some(hi)) => format!("{lo:02} – {hi:02} lần giá trị hàng hóa vi phạm"),
            _ => format!("{} – {} đ", format_vnd(t.min_vnd), format_vnd(t.max_vnd)),
        };
        emit!("  {}: {warn}{amounts}{band}", point_vi(&t.point));
    }
    for d in &v.doubles {
        emit!("Gấp {} lần ({}, mã {}): {}", d.factor, point_vi(&d.point), d.key, d.text);
    }
    for m in &v.additional {
        emit!("Hình thức xử phạt bổ sung — {m}");
    }
    for m in &v.remedies {
        emit!("Biện pháp khắc phục hậu quả — {m}");
    }
    emit!("Nguồn: {}", v.source);
}
