//! `anchi sync` and `anchi config`: sending packages to the provincial server.

use std::path::PathBuf;

use clap::Subcommand;

use super::package::passphrase;
use crate::app::{AppError, Workspace};
use crate::domain::Bilingual;

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Store a setting: server.url https://…, server.ca FILE.pem, server.hub_key KEY.
    Set { name: String, value: String },
    /// Print the settings.
    Show,
}

pub fn config(ws: &Workspace, command: ConfigCommand) -> Result<(), AppError> {
    match command {
        ConfigCommand::Set { name, value } => {
            ws.set_setting(&name, &value)?;
            emit!("{name} đã lưu");
        }
        ConfigCommand::Show => {
            let s = ws.server_settings()?;
            emit!("server.url: {}", s.url.as_deref().unwrap_or("—"));
            emit!("server.ca: {}", if s.ca_pem.is_some() { "đã có" } else { "—" });
            emit!("server.hub_key: {}", s.hub_key.as_deref().unwrap_or("—"));
        }
    }
    Ok(())
}

pub fn sync(ws: &Workspace, once: bool, server: Option<String>, ca: Option<PathBuf>) -> Result<bool, AppError> {
    let ca_pem = match &ca {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
            AppError::Setting(crate::app::sync::SettingError::new(
                "--ca",
                format!("không đọc được tệp {} ({e})", path.display()),
                format!("{}: {e}", path.display()),
            ))
        })?),
        None => None,
    };
    let pass = passphrase(false)?;
    let client = ws.sync_client(&pass, server.as_deref(), ca_pem.as_deref())?;
    let mut schedule = crate::app::sync::Schedule::default();
    loop {
        let report = ws.sync(&client, &pass, &|_, _| {});
        if let Ok(r) = &report {
            emit!(
                "Đã gửi {} gói ({} phiên bản mới), {} vụ việc đã đồng bộ từ trước, {} lỗi; gửi {} byte, gửi lại {} byte sau {} lần mất kết nối",
                r.uploaded,
                r.exported,
                r.up_to_date,
                r.failed.len(),
                r.stats.sent,
                r.stats.resent,
                r.stats.cuts
            );
            for (case, why) in &r.failed {
                eprintln!("  {case}: {why}");
            }
            match r.index_entries {
                Some(n) => emit!(
                    "Danh sách đối tượng đã xử phạt của tỉnh: {n} mục ({} vụ việc thay đổi từ lần trước)",
                    r.index_changes
                ),
                None => eprintln!("Không tải được danh sách đối tượng đã xử phạt / offender index not fetched"),
            }
            if let Some(law) = &r.law_applied {
                emit!("Đã nhận quy định mới: {}", law.label_vi());
                for change in &law.changes {
                    emit!("  - {change}");
                }
            }
            if let Some(why) = &r.law_refused {
                eprintln!("Không nhận gói quy định của Chi cục: {why}");
            }
        }
        if once {
            return report.map(|r| r.failed.is_empty());
        }
        // The window's schedule: the period after a pass, a growing wait while the hub
        // cannot be reached, and a stop (exit 2) on a refusal that waiting will not cure.
        let end = crate::app::sync::pass_end(&report);
        match (schedule.after(end), report) {
            (Some(wait), Err(e)) => {
                eprintln!("Lỗi: {} (thử lại sau {} giây)\nerror: {e}", e.vi(), wait.as_secs());
                std::thread::sleep(wait);
            }
            (Some(wait), Ok(_)) => std::thread::sleep(wait),
            (None, Err(e)) => return Err(e),
            (None, Ok(_)) => unreachable!("a pass that ran is never a stop"),
        }
    }
}
