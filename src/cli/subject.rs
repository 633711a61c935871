//! `anchi subject`: who is this subject, and what do the laptop and the province know of it.

use clap::{ArgGroup, Subcommand};
use uuid::Uuid;

use crate::app::warnings::{SubjectReport, Warning};
use crate::app::{AppError, Workspace};
use crate::domain::matching::SubjectFacts;

#[derive(Debug, Subcommand)]
pub enum SubjectCommand {
    /// Earlier cases and sanctions of a subject, here and in the province's index, each with
    /// why it is thought to be the same subject.
    #[command(group(ArgGroup::new("who").required(true).multiple(true).args(["tax_code", "personal_id", "name"])))]
    Find {
        #[arg(long)]
        tax_code: Option<String>,
        /// 12-digit personal ID (CCCD) or a 9-digit old ID card number.
        #[arg(long)]
        personal_id: Option<String>,
        /// The name as written; matched without accents, case, word order or small typos.
        #[arg(long)]
        name: Option<String>,
        /// Province code of the address (default: the unit's province); names match only within it.
        #[arg(long)]
        province: Option<u16>,
        /// Commune code of the address: a similar name matches only in the same commune.
        #[arg(long)]
        commune: Option<u32>,
        #[arg(long)]
        json: bool,
    },
    /// Record that the subjects of two cases are the same organisation or person (journalled).
    Merge { case: Uuid, other: Uuid },
}

pub fn subject(ws: &Workspace, command: SubjectCommand) -> Result<(), AppError> {
    match command {
        SubjectCommand::Find { tax_code, personal_id, name, province, commune, json } => {
            super::load_index_or_warn(ws);
            let facts = SubjectFacts {
                name: name.unwrap_or_default(),
                tax_code,
                personal_id,
                registration_number: None,
                province: province.or(ws.unit().map(|u| u.province_code)),
                commune,
            };
            let report = ws.subject_report(&facts, None, &[])?;
            if json {
                emit!("{}", serde_json::to_string_pretty(&report).expect("report serialises"));
            } else {
                print_report(&report);
            }
        }
        SubjectCommand::Merge { case, other } => {
            let link = ws.merge_subjects(case, other)?;
            emit!("Đã ghi nhận “{}” và “{}” là cùng một đối tượng", link.names[0], link.names[1]);
        }
    }
    Ok(())
}

/// The warnings as lines for people, then the index's age.
pub fn print_report(report: &SubjectReport) {
    if report.warnings.is_empty() {
        emit!("Không thấy vụ việc hay quyết định xử phạt nào trước đây của đối tượng này.");
    }
    for w in &report.warnings {
        emit!("{}", line(w));
    }
    match &report.index {
        Some(status) => emit!("{}", status.describe_vi(chrono::Utc::now())),
        None => emit!("Chưa có danh sách đối tượng của Chi cục (chạy anchi sync để tải về)."),
    }
}

fn line(w: &Warning) -> String {
    let mut text = format!("- {}", w.text_vi);
    if let Some(reason) = &w.reason_vi {
        let score = w.score.map(|s| format!(", độ tin cậy {:.0}%", s * 100.0)).unwrap_or_default();
        text.push_str(&format!(" [{reason}{score}]"));
    }
    if let Some(case) = w.other_case {
        text.push_str(&format!(" — vụ việc {case}"));
    }
    text
}
