//! Signing in on the shared laptop, and the lock screen after inactivity: the member is
//! chosen from the team's list, the password typed; a temporary password (set-up, reset)
//! must be replaced before anything else. While it shows, no case data is drawn.

use eframe::egui::{self, RichText};

use super::command::Command;
use super::theme;
use super::typing::{secret_edit, text_edit};
use crate::domain::{Member, Role};

/// What the sign-in screen holds.
#[derive(Debug, Default)]
pub struct LoginScreen {
    /// The chosen member's card number.
    pub card: String,
    pub password: String,
    /// Why the last attempt failed.
    pub problem: Option<String>,
    /// Set after signing in with a temporary password: the new one, twice.
    pub change: Option<ChangePassword>,
    /// The screen was locked after inactivity (who was signed in).
    pub locked: Option<String>,
    /// What the set-up just made (temporary passwords, the key to enrol), shown once.
    pub info: Option<String>,
    members: Vec<Member>,
    focus: bool,
}

/// Choosing a new password in place of a temporary one.
#[derive(Debug, Default)]
pub struct ChangePassword {
    /// The password just used to sign in.
    pub old: String,
    pub new: String,
    pub again: String,
}

impl LoginScreen {
    /// The sign-in screen for a team, the last member to sign in (or the leader) proposed.
    pub fn new(members: Vec<Member>, last: Option<String>) -> LoginScreen {
        let card = last
            .filter(|c| members.iter().any(|m| &m.card_number == c))
            .or_else(|| members.iter().find(|m| m.role == Role::Leader).map(|m| m.card_number.clone()))
            .unwrap_or_default();
        LoginScreen { card, members, focus: true, ..Default::default() }
    }

    /// The lock screen of `member`, who was signed in.
    pub fn locked(members: Vec<Member>, member: &Member) -> LoginScreen {
        let mut screen = LoginScreen::new(members, Some(member.card_number.clone()));
        screen.locked = Some(format!("{} ({})", member.full_name, member.title));
        screen
    }
}

/// Draws the sign-in (or lock, or change-password) screen in the whole central area.
pub fn login_ui(ui: &mut egui::Ui, s: &mut LoginScreen, out: &mut Vec<Command>) {
    ui.vertical_centered(|ui| {
        ui.add_space(60.0);
        ui.set_max_width(460.0);
        if let Some(change) = &mut s.change {
            ui.heading(theme::bold("Đổi mật khẩu tạm"));
            ui.label("Mật khẩu vừa dùng là mật khẩu tạm được cấp. Hãy chọn mật khẩu của riêng mình (ít nhất 8 ký tự) trước khi làm việc.");
            ui.add_space(8.0);
            let l = ui.label("Mật khẩu mới");
            let first = secret_edit(ui, &mut change.new)
                .labelled_by(l.id);
            if s.focus {
                first.request_focus();
                s.focus = false;
            }
            let l = ui.label("Nhập lại mật khẩu mới");
            let again = secret_edit(ui, &mut change.again)
                .labelled_by(l.id);
            problem_ui(ui, &s.problem);
            let enter = again.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button(theme::bold("Đổi mật khẩu")).clicked() || enter {
                s.problem = if change.new != change.again {
                    Some("Hai lần nhập mật khẩu mới khác nhau".into())
                } else {
                    out.push(Command::ChangePassword { old: change.old.clone(), new: change.new.clone() });
                    None
                };
            }
            return;
        }
        match &s.locked {
            Some(who) => {
                ui.heading(theme::bold("Màn hình đã khóa"));
                ui.label(format!("Khóa sau một thời gian không dùng. Người đang làm việc: {who}."));
                ui.label("Nhập mật khẩu để tiếp tục; người khác trong đội có thể chọn tên mình và đăng nhập.");
            }
            None => {
                ui.heading(theme::bold("Đăng nhập để làm việc"));
                ui.label("Mỗi người trong đội đăng nhập bằng tài khoản của mình; nhật ký ghi lại ai đã làm gì.");
            }
        }
        // Temporary passwords and the key to enrol are shown once: copy them, then hide them
        // (they stayed in plain view on the sign-in screen).
        let mut hide = false;
        if let Some(info) = &s.info {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.add(egui::Label::new(info.as_str()).selectable(true));
                ui.horizontal(|ui| {
                    if ui.button("Chép").on_hover_text("Chép để dán vào thư gửi Chi cục hoặc in ra").clicked() {
                        ui.ctx().copy_text(info.clone());
                    }
                    if ui.button("Đã ghi lại, ẩn đi").clicked() {
                        hide = true;
                    }
                });
            });
        }
        if hide {
            s.info = None;
        }
        ui.add_space(8.0);
        let options: Vec<(String, String)> = s
            .members
            .iter()
            .map(|m| (m.card_number.clone(), format!("{} — {} ({})", m.full_name, m.title, m.card_number)))
            .collect();
        theme::choice(ui, "Thành viên", "login-member", &mut s.card, &options);
        let l = ui.label("Mật khẩu");
        let field =
            secret_edit(ui, &mut s.password).labelled_by(l.id);
        if s.focus {
            field.request_focus();
            s.focus = false;
        }
        problem_ui(ui, &s.problem);
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button(theme::bold("Đăng nhập")).clicked() || enter {
            if s.password.is_empty() {
                s.problem = Some("Chưa nhập mật khẩu".into());
            } else {
                out.push(Command::SignIn { card: s.card.clone(), password: std::mem::take(&mut s.password) });
            }
        }
    });
}

fn problem_ui(ui: &mut egui::Ui, problem: &Option<String>) {
    if let Some(problem) = problem {
        ui.label(RichText::new(problem).color(theme::ERROR_FG));
    }
}

/// "Tài khoản": the signed-in member changes their password; a leader gives a member who
/// forgot theirs a new temporary one.
#[derive(Debug, Default)]
pub struct AccountDialog {
    pub old: String,
    pub new: String,
    pub again: String,
    /// The member whose password a leader resets, or whose account they disable.
    pub reset_card: String,
    /// A member a leader adds.
    pub new_member: NewMember,
    /// The members a leader may reset or disable (empty for an inspector).
    pub others: Vec<Member>,
    pub problem: Option<String>,
    /// What was done (a temporary password to hand over, shown once).
    pub info: Option<String>,
}

/// The fields of a member being added.
#[derive(Debug)]
pub struct NewMember {
    pub full_name: String,
    pub title: String,
    pub card_number: String,
    pub role: Role,
}

impl Default for NewMember {
    fn default() -> NewMember {
        NewMember {
            full_name: String::new(),
            title: "Kiểm soát viên thị trường".into(),
            card_number: String::new(),
            role: Role::Inspector,
        }
    }
}

/// Draws the dialog.
pub fn account_dialog_ui(ctx: &egui::Context, d: &mut AccountDialog, out: &mut Vec<Command>) {
    let modal = egui::Modal::new(egui::Id::unique("account-dialog")).show(ctx, |ui| {
        ui.set_width(520.0);
        ui.heading("Tài khoản");
        ui.label(theme::bold("Đổi mật khẩu của mình"));
        for (label, value) in
            [("Mật khẩu hiện tại", &mut d.old), ("Mật khẩu mới", &mut d.new), ("Nhập lại mật khẩu mới", &mut d.again)]
        {
            let l = ui.label(label);
            secret_edit(ui, value).labelled_by(l.id);
        }
        if ui.button("Đổi mật khẩu").clicked() {
            if d.new != d.again {
                d.problem = Some("Hai lần nhập mật khẩu mới khác nhau".into());
            } else {
                d.problem = None;
                out.push(Command::ChangePassword { old: std::mem::take(&mut d.old), new: d.new.clone() });
            }
        }
        if !d.others.is_empty() {
            ui.separator();
            ui.label(theme::bold("Thành viên quên mật khẩu hoặc đã chuyển công tác"));
            let options: Vec<(String, String)> = d
                .others
                .iter()
                .map(|m| (m.card_number.clone(), format!("{} ({})", m.full_name, m.card_number)))
                .collect();
            theme::choice(ui, "Chọn thành viên", "reset-member", &mut d.reset_card, &options);
            ui.horizontal(|ui| {
                let chosen = !d.reset_card.is_empty();
                if ui.add_enabled(chosen, egui::Button::new("Cấp mật khẩu tạm")).clicked() {
                    out.push(Command::ResetPassword { card: d.reset_card.clone() });
                }
                let hint = "Người đã chuyển công tác: không đăng nhập được nữa; tên vẫn giữ trên các văn bản đã lập";
                if ui.add_enabled(chosen, egui::Button::new("Khóa tài khoản")).on_hover_text(hint).clicked() {
                    out.push(Command::DisableMember { card: d.reset_card.clone() });
                }
            });
            ui.separator();
            ui.label(theme::bold("Thêm thành viên mới của đội"));
            let m = &mut d.new_member;
            for (label, value) in
                [("Họ và tên", &mut m.full_name), ("Chức vụ", &mut m.title), ("Số thẻ kiểm tra", &mut m.card_number)]
            {
                let l = ui.label(label);
                text_edit(ui, value, |v| egui::TextEdit::singleline(v)).labelled_by(l.id);
            }
            let roles = [(Role::Inspector, "Kiểm soát viên".to_string()), (Role::Leader, "Lãnh đạo đội".to_string())];
            theme::choice(ui, "Vai trò", "new-member-role", &mut m.role, &roles);
            if ui.button("Thêm thành viên").clicked() {
                out.push(Command::AddMember(Member {
                    full_name: m.full_name.clone(),
                    title: m.title.clone(),
                    card_number: m.card_number.clone(),
                    role: m.role,
                }));
            }
        }
        problem_ui(ui, &d.problem);
        if let Some(info) = &d.info {
            ui.add(egui::Label::new(RichText::new(info).color(theme::SAVED_FG)).selectable(true));
        }
        if ui.button("Đóng").on_hover_text("Esc").clicked() {
            out.push(Command::CloseAccountDialog);
        }
    });
    if modal.should_close() {
        out.push(Command::CloseAccountDialog);
    }
}
