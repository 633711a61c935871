//! Cases: the list, a case, a new case, its goods, parties, attachments and closing, statistics.

use super::super::*;
use crate::app::NewCase;
use crate::app::goods::GoodsInput;

impl AnchiApp {
    pub(in crate::ui) fn merge_subjects(&mut self, case: Uuid, other: Uuid) -> Result<(), AppError> {
        let link = self.ws.merge_subjects(case, other)?;
        self.notice = Some(format!("Đã ghi nhận “{}” và “{}” là cùng một đối tượng", link.names[0], link.names[1]));
        self.try_execute(Command::OpenCase(case))?;
        Ok(())
    }

    pub(in crate::ui) fn show_stats(&mut self) -> Result<(), AppError> {
        if !self.leave_screen()? {
            return Ok(());
        }
        self.screen = Screen::Stats(Box::default());
        Ok(())
    }

    pub(in crate::ui) fn export_stats(&mut self, query: crate::app::stats::Query, csv: bool) -> Result<(), AppError> {
        let out = self.ws.default_report_path(csv);
        let ws = self.ws.clone();
        self.spawn("xuat-bao-cao", "Đang xuất báo cáo…", move || {
            let written =
                if csv { ws.export_csv(&query, &out).map(|_| ()) } else { ws.export_xlsx(&query, &out).map(|_| ()) };
            Some(written.map(|()| JobDone::Report(out)).map_err(|e| e.vi()))
        })?;
        Ok(())
    }

    pub(in crate::ui) fn show_list(&mut self) -> Result<(), AppError> {
        if !self.leave_screen()? {
            return Ok(());
        }
        self.ws.refresh_case_list(&mut self.list)?;
        self.screen = Screen::List;
        Ok(())
    }

    pub(in crate::ui) fn open_case(&mut self, id: Uuid) -> Result<(), AppError> {
        if !self.leave_screen()? {
            return Ok(());
        }
        let mut view = self.ws.case_view(id)?;
        view.warnings = self.subject_warnings(id);
        let locked = self.ws.goods_locked(&view.case).map(|p| p.vi());
        let thumbnails = view
            .case
            .attachments
            .iter()
            .filter_map(|a| self.ws.thumbnail(&a.sha256).map(|png| (a.sha256.clone(), png)))
            .collect();
        let packages = self.ws.package_versions(id)?;
        let path = self.ws.default_package_path(id);
        let mut screen = CaseScreen::new(view, locked, thumbnails, packages, path);
        screen.may_merge = self.ws.may(Permission::MergeSubjects);
        self.screen = Screen::Case(Box::new(screen));
        Ok(())
    }

    pub(in crate::ui) fn open_new_case_dialog(&mut self) -> Result<(), AppError> {
        let lead = self.ws.unit().and_then(|u| u.members.first());
        self.new_case = Some(NewCaseDialog::new(lead));
        Ok(())
    }

    pub(in crate::ui) fn create_case(&mut self, input: Box<NewCase>) -> Result<(), AppError> {
        match self.ws.open_new_case(&input) {
            Ok(id) => {
                self.new_case = None;
                self.try_execute(Command::OpenCase(id))?;
            }
            Err(AppError::Invalid(report)) => {
                if let Some(dialog) = &mut self.new_case {
                    dialog.report = report;
                }
            }
            Err(e) => return Err(e),
        }
        Ok(())
    }

    pub(in crate::ui) fn cancel_case(&mut self, case: Uuid, reason: String) -> Result<(), AppError> {
        let now = crate::app::now();
        self.ws.apply_event(case, Event::CancelCase { reason, at: now })?;
        self.try_execute(Command::OpenCase(case))?;
        Ok(())
    }

    pub(in crate::ui) fn close_no_violation(&mut self, case: Uuid) -> Result<(), AppError> {
        let now = crate::app::now();
        self.ws.apply_event(case, Event::CloseNoViolation { at: now })?;
        self.try_execute(Command::OpenCase(case))?;
        Ok(())
    }

    pub(in crate::ui) fn save_goods(&mut self, case: Uuid, rows: Vec<GoodsInput>) -> Result<(), AppError> {
        match self.ws.save_goods(case, &rows) {
            Ok(()) => {
                if let Screen::Case(screen) = &mut self.screen {
                    screen.goods_saved();
                }
                self.try_execute(Command::OpenCase(case))?
            }
            Err(AppError::Invalid(report)) => {
                if let Screen::Case(screen) = &mut self.screen {
                    screen.goods_report = report;
                }
            }
            Err(e) => return Err(e),
        }
        Ok(())
    }

    pub(in crate::ui) fn save_parties(&mut self, case: Uuid, parties: crate::domain::Parties) -> Result<(), AppError> {
        match self.ws.save_parties(case, &parties) {
            Ok(()) => {
                if let Screen::Case(screen) = &mut self.screen {
                    screen.parties.saved();
                }
                self.try_execute(Command::OpenCase(case))?
            }
            Err(AppError::Invalid(report)) => {
                if let Screen::Case(screen) = &mut self.screen {
                    screen.parties.report = report;
                }
            }
            Err(e) => return Err(e),
        }
        Ok(())
    }

    pub(in crate::ui) fn attach(&mut self, case: Uuid, files: Vec<std::path::PathBuf>) -> Result<(), AppError> {
        // Each file on its own: a refused one does not stop the others.
        let mut refused = Vec::new();
        for file in files {
            if let Err(e) = self.ws.attach(case, &file) {
                refused.push(e.vi());
            }
        }
        self.try_execute(Command::OpenCase(case))?;
        if !refused.is_empty() {
            self.error = Some(refused.join("; "));
        }
        Ok(())
    }

    pub(in crate::ui) fn open_attachment(&mut self, sha256: String) -> Result<(), AppError> {
        let path = self.ws.attachment_path(&sha256);
        if self.open_viewer
            && let Err(e) = open::that_detached(&path)
        {
            return Err(AppError::Files(format!("{}: {e}", path.display())));
        }
        Ok(())
    }

    /// Looks the open case's (or document's) warnings up again, after the index changed.
    pub(in crate::ui) fn refresh_warnings(&mut self) {
        let case = match &self.screen {
            Screen::Case(screen) => screen.view.case.id,
            Screen::Wizard(w) => w.case.id,
            Screen::List | Screen::Stats(_) | Screen::Setup(_) => return,
        };
        let report = self.subject_warnings(case);
        match &mut self.screen {
            Screen::Case(screen) => screen.view.warnings = report,
            Screen::Wizard(w) => w.warnings = report.map(|r| r.warnings).unwrap_or_default(),
            Screen::List | Screen::Stats(_) | Screen::Setup(_) => {}
        }
    }

    /// The warnings about a case's subject; a failure to look them up is said in the status
    /// line and does not keep the case from opening.
    pub(in crate::ui) fn subject_warnings(&mut self, case: Uuid) -> Option<crate::app::warnings::SubjectReport> {
        match self.ws.case_warnings(case) {
            Ok(report) => Some(report),
            Err(e) => {
                self.error = Some(format!("Không tra được cảnh báo về đối tượng: {}", e.vi()));
                None
            }
        }
    }

    /// Before the screen on show is left (or reloaded), whatever is pending on it is
    /// stored: the wizard's last edits, the case's edited goods lines. When the goods cannot
    /// be (a line incomplete), the screen stays with the problems shown and `false` is
    /// returned: nothing typed is dropped unasked.
    pub(in crate::ui) fn leave_screen(&mut self) -> Result<bool, AppError> {
        if !self.keep_goods()? || !self.keep_parties()? {
            return Ok(false);
        }
        self.leave_wizard();
        Ok(true)
    }

    /// The case screen's edited goods lines, stored (see [`AnchiApp::leave_screen`]).
    pub(in crate::ui) fn keep_goods(&mut self) -> Result<bool, AppError> {
        let Screen::Case(screen) = &mut self.screen else { return Ok(true) };
        let Some(rows) = screen.unsaved_goods().map(<[_]>::to_vec) else { return Ok(true) };
        match self.ws.save_goods(screen.view.case.id, &rows) {
            Ok(()) => {
                screen.goods_saved();
                Ok(true)
            }
            Err(AppError::Invalid(report)) => {
                screen.goods_report = report;
                self.error = Some(
                    "Hàng hóa vừa sửa chưa lưu được: sửa các dòng được báo bên dưới, hoặc bấm \"Bỏ thay đổi hàng hóa\""
                        .into(),
                );
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// The case screen's edited parties, stored (see [`AnchiApp::leave_screen`]).
    pub(in crate::ui) fn keep_parties(&mut self) -> Result<bool, AppError> {
        let Screen::Case(screen) = &mut self.screen else { return Ok(true) };
        let Some(parties) = screen.parties.unsaved().cloned() else { return Ok(true) };
        match self.ws.save_parties(screen.view.case.id, &parties) {
            Ok(()) => {
                screen.parties.saved();
                Ok(true)
            }
            Err(AppError::Invalid(report)) => {
                screen.parties.report = report;
                self.error = Some("Người liên quan vừa sửa chưa lưu được: sửa các mục được báo bên dưới".into());
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }
}
