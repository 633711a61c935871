//! `anchi delegation …`: the unit's register of quyết định giao quyền (a leader records and
//! ends them; a deputy's decisions are refused without one in force).

use chrono::NaiveDate;
use clap::Subcommand;

use crate::app::{AppError, Workspace};
use crate::domain::delegation::{Delegation, DelegationScope};

#[derive(Debug, Subcommand)]
pub enum DelegationCommand {
    /// Every delegation recorded: number, date, deputy, competence, term.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Record a delegation to a deputy (a leader, with --user).
    Add {
        /// Its number with ký hiệu, e.g. "02/QĐ-GQXP".
        #[arg(long)]
        number: String,
        /// The day it was signed (YYYY-MM-DD); its term starts then unless --from says otherwise.
        #[arg(long)]
        signed: NaiveDate,
        /// The deputy's inspection-card number.
        #[arg(long)]
        card: String,
        /// xu-phat (giao quyền xử phạt, MQĐ34) or kiem-tra (ban hành quyết định kiểm tra).
        #[arg(long, default_value = "xu-phat")]
        scope: String,
        #[arg(long)]
        from: Option<NaiveDate>,
        #[arg(long)]
        until: Option<NaiveDate>,
    },
    /// Print a delegation to sanction as its gazetted form (MQĐ34) to a PDF file.
    Print {
        number: String,
        #[arg(long)]
        out: std::path::PathBuf,
        /// The act on the unit's functions and organisation the decision cites (căn cứ), e.g.
        /// "Quyết định số 12/QĐ-SCT ngày 02/7/2025 của Giám đốc Sở Công Thương"; left blank to fill by hand.
        #[arg(long)]
        basis: Option<String>,
    },
    /// End a delegation from a day, by the head's decision (a leader, with --user).
    End {
        number: String,
        #[arg(long)]
        on: NaiveDate,
    },
}

pub(super) fn delegation(ws: &Workspace, command: DelegationCommand) -> Result<(), AppError> {
    match command {
        DelegationCommand::List { json } => {
            let all = ws.delegations()?;
            if json {
                emit!("{}", serde_json::to_string_pretty(&all).expect("delegations serialise"));
            } else {
                for d in all {
                    let until = d.valid_to.map_or("—".to_string(), |t| t.format("%d/%m/%Y").to_string());
                    let ended = d.ended_on.map_or(String::new(), |e| format!(", chấm dứt từ {}", e.format("%d/%m/%Y")));
                    emit!(
                        "{}  {}  {}  từ {} đến {}{ended}",
                        d.citation(),
                        d.deputy_card,
                        d.scope.vi(),
                        d.valid_from.format("%d/%m/%Y"),
                        until
                    );
                }
            }
        }
        DelegationCommand::Add { number, signed, card, scope, from, until } => {
            let scope = DelegationScope::from_code(&scope)
                .ok_or(AppError::Delegation(crate::app::delegations::DelegationProblem::Scope(scope)))?;
            let delegation = Delegation {
                number,
                signed_on: signed,
                deputy_card: card,
                scope,
                valid_from: from.unwrap_or(signed),
                valid_to: until,
                ended_on: None,
            };
            let citation = delegation.citation();
            ws.add_delegation(delegation)?;
            emit!("Đã ghi quyết định giao quyền {citation}");
        }
        DelegationCommand::Print { number, out, basis } => {
            let pdf = ws.delegation_pdf(&number, basis.as_deref())?;
            crate::app::write_file_atomically(&out, &pdf)?;
            emit!("{}", out.display());
        }
        DelegationCommand::End { number, on } => {
            ws.end_delegation(&number, on)?;
            emit!("Quyết định giao quyền {number} chấm dứt từ {}", on.format("%d/%m/%Y"));
        }
    }
    Ok(())
}
