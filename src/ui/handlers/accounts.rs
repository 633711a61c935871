//! Accounts: set-up, sign-in, passwords, members, the lock.

use super::super::*;

impl AnchiApp {
    pub(in crate::ui) fn show_setup(&mut self) -> Result<(), AppError> {
        if !self.leave_screen()? {
            return Ok(());
        }
        self.screen = Screen::Setup(Box::default());
        Ok(())
    }

    pub(in crate::ui) fn sign_in(&mut self, card: String, password: String) -> Result<(), AppError> {
        let signed = self.ws.sign_in(&card, &password);
        let Some(screen) = &mut self.login else { return Ok(()) };
        match signed {
            Ok((_, true)) => {
                screen.change = Some(login::ChangePassword { old: password, ..Default::default() });
                screen.problem = None;
            }
            Ok((_, false)) => self.signed_in(),
            Err(e) => screen.problem = Some(e.vi()),
        }
        Ok(())
    }

    pub(in crate::ui) fn change_password(&mut self, old: String, new: String) -> Result<(), AppError> {
        match self.ws.change_password(&old, &new) {
            Ok(()) => {
                if self.login.is_some() {
                    self.signed_in();
                }
                if let Some(dialog) = &mut self.account_dialog {
                    *dialog =
                        login::AccountDialog { info: Some("Đã đổi mật khẩu".into()), ..Default::default() };
                }
                self.notice = Some("Đã đổi mật khẩu".into());
            }
            Err(e) => {
                if let Some(screen) = &mut self.login {
                    screen.problem = Some(e.vi());
                } else if let Some(dialog) = &mut self.account_dialog {
                    dialog.problem = Some(e.vi());
                }
            }
        }
        Ok(())
    }

    pub(in crate::ui) fn add_member(&mut self, member: crate::domain::Member) -> Result<(), AppError> {
        let (name, card) = (member.full_name.clone(), member.card_number.clone());
        // The unit changes, so the workspace must not be shared with a background job.
        self.wait_for_marks();
        let added = match std::sync::Arc::get_mut(&mut self.ws) {
            Some(ws) => ws.add_member(member),
            None => Err(AppError::Busy("a background job shares the workspace".into())),
        };
        let others = self.account_others();
        let Some(dialog) = &mut self.account_dialog else { return added.map(|_| ()) };
        match added {
            Ok(password) => {
                dialog.others = others;
                dialog.problem = None;
                dialog.new_member = Default::default();
                dialog.info = Some(format!(
                    "Đã thêm {name} ({card}). Mật khẩu tạm: {password} — đưa tận tay, phải đổi khi đăng nhập"
                ));
            }
            Err(e) => dialog.problem = Some(e.vi()),
        }
        Ok(())
    }

    pub(in crate::ui) fn disable_member(&mut self, card: String) -> Result<(), AppError> {
        let disabled = self.ws.disable_member(&card);
        let others = self.account_others();
        let Some(dialog) = &mut self.account_dialog else { return disabled };
        match disabled {
            Ok(()) => {
                dialog.others = others;
                dialog.problem = None;
                dialog.reset_card.clear();
                dialog.info = Some(format!("Đã khóa tài khoản {card}"));
            }
            Err(e) => dialog.problem = Some(e.vi()),
        }
        Ok(())
    }

    pub(in crate::ui) fn open_account_dialog(&mut self) -> Result<(), AppError> {
        self.account_dialog = Some(login::AccountDialog { others: self.account_others(), ..Default::default() });
        Ok(())
    }

    pub(in crate::ui) fn reset_password(&mut self, card: String) -> Result<(), AppError> {
        let reset = self.ws.reset_password(&card);
        let Some(dialog) = &mut self.account_dialog else { return reset.map(|_| ()) };
        match reset {
            Ok(password) => {
                let name = self.ws.unit().and_then(|u| u.member(&card)).map_or(card.clone(), |m| m.full_name.clone());
                dialog.problem = None;
                dialog.info =
                    Some(format!("Mật khẩu tạm của {name} ({card}): {password} — đưa tận tay, phải đổi khi đăng nhập"));
            }
            Err(e) => dialog.problem = Some(e.vi()),
        }
        Ok(())
    }

    /// Locks the screen after `lock_after` without input (only where members sign in).
    pub(in crate::ui) fn lock_when_idle(&mut self, ctx: &egui::Context) {
        let touched = ctx.input(|i| !i.events.is_empty() || i.pointer.delta() != egui::Vec2::ZERO);
        if touched {
            self.last_input = Instant::now();
        }
        if self.login.is_some() || self.ws.signed_in().is_none() {
            return;
        }
        let idle = self.last_input.elapsed();
        if idle >= self.lock_after {
            self.lock();
        } else {
            ctx.request_repaint_after(self.lock_after - idle);
        }
    }

    /// Saves what is being typed, signs the member out and shows the lock screen; the screen
    /// underneath stays as it was for whoever signs in next.
    pub(in crate::ui) fn lock(&mut self) {
        let Some(member) = self.ws.signed_in() else { return };
        if let Screen::Wizard(w) = &mut self.screen {
            for command in w.flush(None) {
                self.execute(command);
            }
        }
        self.ws.sign_out();
        self.account_dialog = None;
        self.login = Some(login::LoginScreen::locked(self.ws.members_who_sign_in(), &member));
    }

    /// The members a leader may reset or disable in "Tài khoản" (all who sign in but
    /// themselves; nobody for an inspector), read when the dialog opens or its list changes.
    pub(in crate::ui) fn account_others(&self) -> Vec<crate::domain::Member> {
        match self.ws.signed_in() {
            Some(me) if self.ws.may(Permission::ResetPassword) => {
                self.ws.members_who_sign_in().into_iter().filter(|m| m.card_number != me.card_number).collect()
            }
            _ => Vec::new(),
        }
    }

    /// A member is in: the screen comes back, with what this member may do.
    pub(in crate::ui) fn signed_in(&mut self) {
        self.login = None;
        self.last_input = Instant::now();
        let kind = match &self.screen {
            Screen::Wizard(w) => w.case.document(w.document).map(|d| d.kind),
            _ => None,
        };
        let refusal = kind.and_then(|k| self.finalise_refusal(k));
        if let Screen::Wizard(w) = &mut self.screen {
            w.finalise_refused = refusal;
        }
    }

    /// Sets the unit up in the real data directory from the set-up screen; on success the
    /// window leaves the demo for the new unit and asks the first member to sign in.
    pub(in crate::ui) fn set_up(&mut self, request: setup::SetupRequest) -> Result<(), AppError> {
        let mut real = Workspace::open(&self.home)?;
        let made =
            match real.init_from_profile(&request.profile, Path::new(""), &request.passphrase, &request.passwords) {
                Ok(made) => made,
                Err(AppError::Invalid(report)) => {
                    if let Screen::Setup(form) = &mut self.screen {
                        form.report = report;
                    }
                    return Ok(());
                }
                Err(e) => return Err(e),
            };
        let e = real.enrolment()?;
        let mut info = format!(
            "Đã thiết lập đơn vị {}. Gửi Chi cục để đăng ký máy: mã đơn vị {}, mã khóa {}, khóa công khai {}",
            e.team_id, e.team_id, e.key_id, e.public_key
        );
        for (member, password) in &made.passwords {
            info.push_str(&format!("\nMật khẩu tạm của {} ({}): {password}", member.full_name, member.card_number));
        }
        real.refresh_case_list(&mut self.list)?;
        self.ws = std::sync::Arc::new(real);
        self.index = None;
        self.sync = None;
        self.screen = Screen::List;
        let mut screen = sign_in_screen(&self.ws);
        screen.info = Some(info);
        self.login = Some(screen);
        self.lock_after = self.ws.lock_after();
        self.load_index();
        Ok(())
    }
}
