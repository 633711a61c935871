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
    /// Add a member who joined the team (a leader); their temporary password is shown once.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        card: String,
        #[arg(long, value_enum, default_value = "inspector")]
        role: RoleArg,
    },
    /// Disable the account of a member who left (a leader); their documents keep their name.
    Disable { card: String },
}

/// `--role` of `user add`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RoleArg {
    Inspector,
    Leader,
}

fn password(env: &str, prompt: &str, confirm: bool) -> Result<String, AppError> {
    secret(env, prompt, confirm).map_err(|e| match e {
        SecretError::Missing => UserError::NoPassword.into(),
        SecretError::Differ => UserError::PasswordsDiffer.into(),
    })
}

/// Signs `card` in for this command and returns the password it was given (the current
/// one, for `user passwd`). A temporary password only lets its owner change it.
pub(super) fn sign_in(ws: &Workspace, card: &str, changing: bool) -> Result<String, AppError> {
    let given = password("ANCHI_PASSWORD", &format!("Mật khẩu của {card} / password: "), false)?;
    let (_, must_change) = ws.sign_in(card, &given)?;
    if must_change && !changing {
        return Err(UserError::MustChange.into());
    }
    Ok(given)
}

/// Runs a `user` subcommand; `signed_in_with` is the password `--user` signed in with.
pub(super) fn user(ws: &mut Workspace, command: UserCommand, signed_in_with: Option<&str>) -> Result<(), AppError> {
    match command {
        UserCommand::List => {
            let accounts = ws.accounts()?;
            for m in ws.unit().map(|u| u.members.as_slice()).unwrap_or_default() {
                let account = accounts.iter().find(|a| a.card_number == m.card_number);
                let state = match account {
                    None => "chưa có tài khoản",
                    Some(a) if a.disabled => "đã khóa",
                    Some(a) if a.must_change => "mật khẩu tạm, chờ đổi",
                    Some(_) => "đang dùng",
                };
                let role = if m.role == Role::Leader { "lãnh đạo" } else { "kiểm soát viên" };
                emit!("{:<12} {:<28} {:<16} {}", m.card_number, m.full_name, role, state);
            }
        }
        UserCommand::Passwd => {
            // The current password is the one --user just signed in with.
            let old = signed_in_with.ok_or(UserError::NotSignedIn)?;
            let new = password("ANCHI_NEW_PASSWORD", "Mật khẩu mới / new password: ", true)?;
            ws.change_password(old, &new)?;
            emit!("Đã đổi mật khẩu");
        }
        UserCommand::Reset { card } => {
            let temporary = ws.reset_password(&card)?;
            emit!("password: {card} {temporary}  (mật khẩu tạm, đổi khi đăng nhập)");
        }
        UserCommand::Add { name, title, card, role } => {
            let role = match role {
                RoleArg::Inspector => Role::Inspector,
                RoleArg::Leader => Role::Leader,
            };
            let member = crate::domain::Member { full_name: name, title, card_number: card.clone(), role };
            let temporary = ws.add_member(member)?;
            emit!("password: {card} {temporary}  (mật khẩu tạm, đổi khi đăng nhập)");
        }
        UserCommand::Disable { card } => {
            ws.disable_member(&card)?;
            emit!("Đã khóa tài khoản {card}");
        }
    }
    Ok(())
}
