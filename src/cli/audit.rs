//! `anchi audit …`: the journal's last entries, and the walk of its hash chain.

use std::process::ExitCode;

use super::AuditCommand;
use crate::app::{AppError, Workspace};

/// Exit status 1 when the chain is broken.
pub(super) fn audit(ws: &Workspace, command: AuditCommand) -> Result<ExitCode, AppError> {
    match command {
        AuditCommand::Log { last, json } => {
            let entries = ws.journal_tail(last)?;
            if json {
                let rows: Vec<_> = entries
                .iter()
                .map(|e| serde_json::json!({"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action, "case_id": e.case_id}))
                .collect();
                emit!("{}", serde_json::to_string_pretty(&rows).expect("rows serialise"));
            } else {
                for e in &entries {
                    let case = e.case_id.map(|c| c.to_string()).unwrap_or_default();
                    emit!(
                        "{:>6}  {}  {:<28} {:<32} {case}",
                        e.seq,
                        e.at.format("%Y-%m-%d %H:%M:%S"),
                        e.actor,
                        e.action
                    );
                }
            }
        }
        AuditCommand::Verify { json } => {
            let report = ws.audit_verify()?;
            if json {
                emit!("{}", serde_json::to_string_pretty(&report).expect("report serialises"));
            } else if let Some(broken) = &report.first_broken {
                emit!("Nhật ký bị đứt tại mục {}: {}", broken.seq, broken.reason);
            } else {
                emit!("Nhật ký toàn vẹn: {} mục, {} vụ việc khớp với nhật ký", report.entries, report.cases_checked);
            }
            if report.first_broken.is_some() {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
