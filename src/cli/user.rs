//! `anchi user …` and `--user`: the members' accounts from the command line.

use clap::Subcommand;

use super::{SecretError, secret};
use crate::app::users::UserError;
use crate::app::{AppError, Workspace};
use crate::domain::Role;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// The members, their roles and whether their account waits for a new password.
    List,
    /// Change the password of the member given with --user (new one: ANCHI_NEW_PASSWORD or the terminal).
    Passwd,
    /// Give a member a new temporary password (a leader, with --user); shown once.
    Reset { card: String },
}

fn password(env: &str, prompt: &str, confirm: bool) -> Result<String, AppError> {
    secret(env, prompt, confirm).map_err(|e| match e {
        SecretError::Missing => UserError::NoPassword.into(),
        SecretError::Differ => UserError::PasswordsDiffer.into(),
    })
}

/// Signs `card` in for this command. A temporary password only lets its owner change it.
pub(super) fn sign_in(ws: &Workspace, card: &str, changing: bool) -> Result<(), AppError> {
    let given = password("ANCHI_PASSWORD", &format!("Mật khẩu của {card} / password: "), false)?;
    let (_, must_change) = ws.sign_in(card, &given)?;
    if must_change && !changing {
        return Err(UserError::MustChange.into());
    }
    Ok(())
}

pub(super) fn user(ws: &Workspace, command: UserCommand) -> Result<(), AppError> {
    match command {
        UserCommand::List => {
            let accounts = ws.accounts()?;
            for m in ws.unit().map(|u| u.members.as_slice()).unwrap_or_default() {
                let account = accounts.iter().find(|a| a.card_number == m.card_number);
                let state = match account {
                    None => "chưa có tài khoản",
                    Some(a) if a.must_change => "mật khẩu tạm, chờ đổi",
                    Some(_) => "đang dùng",
                };
                let role = if m.role == Role::Leader { "lãnh đạo" } else { "kiểm soát viên" };
                emit!("{:<12} {:<28} {:<16} {}", m.card_number, m.full_name, role, state);
            }
        }
        UserCommand::Passwd => {
            let old = std::env::var("ANCHI_PASSWORD").ok();
            let old = match old {
                Some(old) => old,
                None => password("ANCHI_PASSWORD", "Mật khẩu hiện tại / current password: ", false)?,
            };
            let new = password("ANCHI_NEW_PASSWORD", "Mật khẩu mới / new password: ", true)?;
            ws.change_password(&old, &new)?;
            emit!("Đã đổi mật khẩu");
        }
        UserCommand::Reset { card } => {
            let temporary = ws.reset_password(&card)?;
            emit!("password: {card} {temporary}  (mật khẩu tạm, đổi khi đăng nhập)");
        }
    }
    Ok(())
}
