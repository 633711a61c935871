//! The window (egui/eframe). It talks to [`crate::app`] only: it reads the case list read
//! model and never opens the store itself.

pub mod backup;
pub mod case_list;
pub mod case_view;
mod choose;
pub mod command;
pub mod login;
pub mod new_case;
pub mod parties;
pub mod picker;
pub mod setup;
pub mod stats;
pub mod theme;
pub mod typing;
pub mod warnings;
pub mod wizard;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use eframe::egui;
use uuid::Uuid;

use crate::app::users::Permission;
use crate::app::{AppError, Workspace, default_data_dir};
use crate::domain::{Bilingual, DocumentState, Event};
use case_list::{CaseListState, case_list_ui};
use case_view::{CaseScreen, case_view_ui};
use command::Command;
use new_case::{NewCaseDialog, new_case_ui};
use typing::{Method, ToneStyle, Typing};
use wizard::{WizardState, wizard_ui};

/// The "Gửi về Chi cục" dialog: the key's passphrase, and the province's server (address
/// and certificate) set here when it is not yet.
#[derive(Debug, Default)]
pub struct SyncDialog {
    pub passphrase: String,
    pub url: String,
    pub ca_file: String,
    /// Why the server settings were refused, in Vietnamese.
    pub problem: Option<String>,
    /// The server section is open (always, until a server is set).
    pub editing_server: bool,
}

/// Asks for the key's passphrase before sending to the province.
fn sync_dialog_ui(ctx: &egui::Context, d: &mut SyncDialog, ws: &Workspace, out: &mut Vec<Command>) {
    let settings = ws.server_settings().unwrap_or_default();
    let modal = egui::Modal::new(egui::Id::unique("sync-dialog")).show(ctx, |ui| {
        ui.heading("Gửi về Chi cục");
        match &settings.url {
            Some(url) => {
                ui.label(format!("Máy chủ: {url}"));
                ui.label("Các vụ việc có thay đổi được đóng gói, ký và gửi; mất mạng thì tự gửi tiếp khi có mạng lại.");
                if !d.editing_server && ui.small_button("Đổi máy chủ…").clicked() {
                    d.editing_server = true;
                    d.url = url.clone();
                }
            }
            None => {
                ui.label("Chưa thiết lập máy chủ của Chi cục: nhập địa chỉ và chọn tệp chứng chỉ Chi cục đã gửi.");
                d.editing_server = true;
            }
        }
        if d.editing_server {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                let l = ui.label("Địa chỉ máy chủ của Chi cục");
                typing::text_edit(ui, &mut d.url, |v| {
                    egui::TextEdit::singleline(v).hint_text("https://qltt.langson.gov.vn:8443").desired_width(360.0)
                })
                .labelled_by(l.id);
                let l = ui.label("Chứng chỉ của Chi cục (tệp .pem hoặc .crt)");
                ui.horizontal(|ui| {
                    typing::text_edit(ui, &mut d.ca_file, |v| egui::TextEdit::singleline(v).desired_width(280.0))
                        .labelled_by(l.id);
                    if ui.button("Chọn tệp…").clicked() {
                        out.push(Command::Choose(command::Choose::CaFile));
                    }
                });
                ui.weak("Chứng chỉ cho máy biết đúng là máy chủ của Chi cục, không phải máy giả mạo.");
                if let Some(problem) = &d.problem {
                    ui.label(egui::RichText::new(problem).color(theme::ERROR_FG));
                }
                if ui.button("Lưu thiết lập máy chủ").clicked() {
                    out.push(Command::SaveServerSettings { url: d.url.clone(), ca_file: d.ca_file.clone() });
                }
            });
        }
        let label = ui.label("Mật khẩu khóa ký");
        let field = typing::secret_edit(ui, &mut d.passphrase).labelled_by(label.id);
        if d.passphrase.is_empty() && !d.editing_server && !field.has_focus() {
            field.request_focus();
        }
        let ready = settings.url.is_some() && !d.passphrase.is_empty();
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.horizontal(|ui| {
            if ui.add_enabled(ready, egui::Button::new("Gửi")).clicked() || (ready && enter) {
                out.push(Command::Sync { passphrase: std::mem::take(&mut d.passphrase) });
            }
            if ui.button("Quay lại").on_hover_text("Esc").clicked() {
                out.push(Command::CloseSyncDialog);
            }
        });
    });
    if modal.should_close() {
        out.push(Command::CloseSyncDialog);
    }
}

/// The status line while a document is being rendered.
const PRINTING: &str = "Đang in văn bản…";

/// How many cases the demo workspace gets the first time the window opens on it.
const DEMO_CASES: usize = 300;

/// Which screen fills the window.
#[derive(Debug)]
pub enum Screen {
    List,
    Case(Box<CaseScreen>),
    Wizard(Box<WizardState>),
    Stats(Box<stats::StatsScreen>),
    /// Setting the unit up (from the demo, or on the very first start).
    Setup(Box<setup::SetupForm>),
}

/// The screen locks after this long without input, unless `lock.minutes` says otherwise.
pub const LOCK_AFTER: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// The application state of the window.
pub struct AnchiApp {
    ws: std::sync::Arc<Workspace>,
    list: CaseListState,
    pub screen: Screen,
    pub new_case: Option<NewCaseDialog>,
    /// The last error, in Vietnamese, shown in the status line until the next action.
    pub error: Option<String>,
    /// The last PDF written (for the status line, and for tests).
    pub last_pdf: Option<PathBuf>,
    /// Whether "In" opens the PDF in the system viewer (off in tests).
    pub open_viewer: bool,
    /// Results of work done on background threads (a file dialog and its save).
    background: (std::sync::mpsc::Sender<JobResult>, std::sync::mpsc::Receiver<JobResult>),
    /// Background jobs not yet reported.
    jobs: usize,
    /// What the running background job is doing, for the status line.
    busy_with: &'static str,
    /// The running job's progress in thousandths (0 when it does not report any).
    progress: std::sync::Arc<std::sync::atomic::AtomicU32>,
    /// The last thing finished in the background (a package written), for the status line.
    pub notice: Option<String>,
    /// The "Gửi về Chi cục" dialog's passphrase field while it is open.
    pub sync_dialog: Option<SyncDialog>,
    /// The "Sao lưu…" dialog while it is open.
    pub backup_dialog: Option<backup::BackupDialog>,
    /// The "Khôi phục…" dialog while it is open.
    pub restore_dialog: Option<backup::RestoreDialog>,
    /// The "Tài khoản" dialog while it is open.
    pub account_dialog: Option<login::AccountDialog>,
    /// When to look again whether the automatic daily backup is due.
    next_auto_backup: Instant,
    /// Sending to the province: the passphrase given for this session, when the next pass
    /// is due, and how many passes in a row found no server.
    sync: Option<SyncSchedule>,
    /// The typing method and look as last saved (applied to the context on the first frame).
    settings: Option<crate::app::WindowSettings>,
    /// The province's offender index in memory: its age and expiry, for the header.
    pub index: Option<crate::app::warnings::IndexStatus>,
    /// The sign-in (or lock) screen, drawn instead of everything else while it is up.
    pub login: Option<login::LoginScreen>,
    /// When the user last touched the keyboard or mouse, and how long until the lock.
    last_input: Instant,
    pub lock_after: std::time::Duration,
    /// The data directory a real unit is set up in (the demo lives in its `demo/` folder).
    home: PathBuf,
}

/// What a background job reports: its output, a failure, or nothing (cancelled).
type JobResult = Option<Result<JobDone, String>>;

/// Sending to the province while the window is open: a pass now, then every few minutes,
/// further apart (with jitter) while the server cannot be reached.
struct SyncSchedule {
    passphrase: String,
    next: Instant,
    when: crate::app::sync::Schedule,
    running: bool,
}

/// What a background job made.
enum JobDone {
    /// A pass of sending to the province ended.
    Synced(Result<crate::app::sync::SyncReport, String>, crate::app::sync::PassEnd),
    /// Files or a folder chosen in the system's chooser, and what for.
    Chosen(command::Choose, Vec<PathBuf>),
    /// A PDF written to this file.
    Pdf(PathBuf),
    /// A report (Excel or CSV) written to this file.
    Report(PathBuf),
    /// A backup of this many cases written to `out`.
    Backup { out: PathBuf, cases: u64 },
    /// The offender index is in memory (None: none was ever fetched).
    Index(Option<crate::app::warnings::IndexStatus>),
    /// A package built and written next to `out` (as `out.part`), waiting for its version
    /// to be recorded before it takes its final name.
    Package { built: Box<crate::app::packages::BuiltPackage>, out: PathBuf },
}

impl AnchiApp {
    /// The window's state over an open workspace.
    pub fn new(ws: Workspace) -> Result<AnchiApp, AppError> {
        let list = CaseListState::new(ws.list_cases()?, &ws.reference, &ws.subject_links()?);
        let demo = ws.unit().is_none_or(|u| u.demo);
        let home = match ws.data_dir().parent() {
            Some(parent) if demo && ws.data_dir().ends_with("demo") => parent.to_path_buf(),
            _ => ws.data_dir().to_path_buf(),
        };
        let login = (ws.has_accounts() && ws.signed_in().is_none()).then(|| sign_in_screen(&ws));
        let lock_after = ws.lock_after();
        Ok(AnchiApp {
            ws: std::sync::Arc::new(ws),
            list,
            screen: Screen::List,
            new_case: None,
            error: None,
            last_pdf: None,
            open_viewer: true,
            background: std::sync::mpsc::channel(),
            jobs: 0,
            busy_with: "",
            progress: Default::default(),
            notice: None,
            sync_dialog: None,
            backup_dialog: None,
            restore_dialog: None,
            account_dialog: None,
            next_auto_backup: Instant::now(),
            sync: None,
            settings: None,
            index: None,
            login,
            last_input: Instant::now(),
            lock_after,
            home,
        })
    }

    /// Loads the province's offender index on the background thread "nap-danh-sach", with
    /// its progress in the status line (a million entries take seconds); the window stays
    /// usable meanwhile and warnings use the index once it is in.
    pub fn load_index(&mut self) {
        match self.ws.has_offender_index() {
            Ok(false) => return,
            Ok(true) => {}
            Err(e) => {
                self.error = Some(e.vi());
                return;
            }
        }
        let ws = self.ws.clone();
        let progress = self.progress.clone();
        let started =
            self.spawn("nap-danh-sach", "Đang nạp danh sách đối tượng của Chi cục…", move || {
                let loaded = ws.load_offender_index(|share| {
                    progress.store((share * 1000.0).max(1.0) as u32, std::sync::atomic::Ordering::Relaxed);
                });
                Some(loaded.map(JobDone::Index).map_err(|e| e.vi()))
            });
        if let Err(e) = started {
            self.error = Some(e.vi());
        }
    }

    pub fn workspace(&self) -> &Workspace {
        &self.ws
    }

    /// Draws one frame into `ui`, then carries out what the user asked for.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        while let Ok(result) = self.background.1.try_recv() {
            self.jobs -= 1;
            match result {
                Some(Ok(JobDone::Chosen(purpose, paths))) => self.chosen(purpose, paths),
                Some(Ok(JobDone::Pdf(path))) => {
                    self.last_pdf = Some(path);
                    self.notice = None;
                }
                Some(Ok(JobDone::Package { built, out })) => self.package_written(*built, &out),
                Some(Ok(JobDone::Synced(result, end))) => self.synced(result, end),
                Some(Ok(JobDone::Backup { out, cases })) => {
                    self.notice = Some(format!("Đã sao lưu {cases} vụ việc vào {}", out.display()));
                }
                Some(Ok(JobDone::Report(path))) => self.notice = Some(format!("Đã xuất báo cáo: {}", path.display())),
                Some(Ok(JobDone::Index(status))) => {
                    self.index = status;
                    self.refresh_warnings();
                }
                Some(Err(message)) => self.error = Some(message),
                None => {}
            }
        }
        if self.jobs > 0 {
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(200));
        }
        self.sync_if_due(ui.ctx());
        self.auto_backup_if_due();
        self.remember_settings(ui.ctx());
        let mut commands = Vec::new();
        self.lock_when_idle(ui.ctx());
        if let Some(screen) = &mut self.login {
            switch_typing_on_alt_z(ui.ctx());
            egui::Panel::top("header").show(ui, |ui| {
                ui.horizontal(|ui| title_ui(ui, &self.ws));
            });
            egui::Panel::bottom("status").show(ui, |ui| ui.horizontal(typing_ui));
            egui::CentralPanel::default().show(ui, |ui| login::login_ui(ui, screen, &mut commands));
            for command in commands {
                self.execute(command);
            }
            return;
        }
        self.shortcuts(ui.ctx(), &mut commands);
        let demo = self.ws.unit().is_none_or(|u| u.demo);
        egui::Panel::top("header").show(ui, |ui| {
            // Wraps on a narrow screen (1024 px, "Chữ lớn"): every control stays reachable.
            ui.horizontal_wrapped(|ui| {
                title_ui(ui, &self.ws);
                ui.separator();
                let hint = "Gửi các gói hồ sơ có chữ ký về máy chủ của Chi cục; tự gửi lại định kỳ khi cửa sổ còn mở";
                if ui.button("Gửi về Chi cục…").on_hover_text(hint).clicked() {
                    self.sync_dialog = Some(SyncDialog::default());
                }
                if ui.button("Sao lưu…").on_hover_text("Chép toàn bộ dữ liệu vào một tệp mã hóa (USB, ổ mạng)").clicked() {
                    commands.push(Command::BackupDialog);
                }
                if ui.button("Thống kê").on_hover_text("Số liệu của đội theo lĩnh vực, nhóm hàng, thời gian; xuất Excel").clicked() {
                    commands.push(Command::ShowStats);
                }
                if let Some(member) = self.ws.signed_in() {
                    ui.separator();
                    let who = format!("{} ({})", member.full_name, member.title);
                    if ui.button(who).on_hover_text("Tài khoản: đổi mật khẩu; cấp lại mật khẩu (lãnh đạo)").clicked() {
                        commands.push(Command::AccountDialog);
                    }
                    if ui.button("Khóa").on_hover_text("Khóa màn hình khi rời máy (Ctrl+L)").clicked() {
                        commands.push(Command::Lock);
                    }
                }
                if let Some(status) = &self.index {
                    let text = status.describe_vi(chrono::Utc::now());
                    let expired = status.expires_at < chrono::Utc::now();
                    let colour = if expired { theme::ERROR_FG } else { theme::CLOSED_FG };
                    ui.label(egui::RichText::new(text).color(colour));
                }
            });
            if demo {
                egui::Frame::new().fill(theme::DEMO_BANNER_BG).inner_margin(6.0).show(ui, |ui| {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(
                            theme::bold("DỮ LIỆU MẪU — chưa thiết lập đơn vị. Mọi vụ việc ở đây là giả lập để làm quen với chương trình.")
                                .color(theme::DEMO_BANNER_FG),
                        );
                        if ui.button(theme::bold("Thiết lập đơn vị…")).clicked() {
                            commands.push(Command::ShowSetup);
                        }
                    });
                });
            }
        });
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                typing_ui(ui);
                ui.separator();
                let mut look = theme::appearance(ui.ctx());
                let before = look;
                ui.checkbox(&mut look.large_text, "Chữ lớn");
                ui.checkbox(&mut look.dark, "Nền tối");
                if look != before {
                    theme::apply(ui.ctx(), look);
                }
                ui.separator();
                match &self.error {
                    Some(message) => {
                        ui.label(egui::RichText::new(message).color(theme::ERROR_FG));
                    }
                    None if self.jobs > 0 => {
                        let done = self.progress.load(std::sync::atomic::Ordering::Relaxed);
                        if done > 0 {
                            let bar =
                                egui::ProgressBar::new(done as f32 / 1000.0).desired_width(160.0).show_percentage();
                            ui.add(bar);
                        } else {
                            ui.spinner();
                        }
                        ui.weak(self.busy_with);
                    }
                    None if self.notice.is_some() => {
                        ui.weak(self.notice.as_deref().unwrap_or_default());
                    }
                    None => match &self.last_pdf {
                        // Saved, not printed ("in" is to print); the file by its name, and
                        // its folder one click away.
                        Some(pdf) => {
                            let name = pdf.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                            ui.weak(format!("Đã lưu PDF {name}"));
                            if ui.small_button("Mở thư mục").clicked()
                                && let Some(folder) = pdf.parent()
                                && let Err(e) = open::that_detached(folder)
                            {
                                self.error = Some(format!("Không mở được thư mục {}: {e}", folder.display()));
                            }
                        }
                        None => {
                            ui.weak("Sẵn sàng");
                        }
                    },
                }
            });
        });
        egui::CentralPanel::default().show(ui, |ui| match &mut self.screen {
            Screen::List => {
                let members = self.ws.unit().map(|u| u.members.as_slice()).unwrap_or_default();
                case_list_ui(ui, &mut self.list, &self.ws.reference, members, &mut commands);
            }
            Screen::Case(screen) => case_view_ui(ui, screen, &self.ws.reference, &mut commands),
            Screen::Wizard(w) => wizard_ui(ui, w, &mut commands),
            Screen::Stats(s) => stats::stats_ui(ui, s, &mut commands),
            Screen::Setup(f) => setup::setup_ui(ui, f, &self.ws.reference.admin_units, &mut commands),
        });
        if let Some(dialog) = &mut self.account_dialog {
            login::account_dialog_ui(ui.ctx(), dialog, &mut commands);
        }
        if let Some(dialog) = &mut self.restore_dialog {
            backup::restore_dialog_ui(ui.ctx(), dialog, &mut commands);
        } else if let Some(dialog) = &mut self.backup_dialog {
            backup::backup_dialog_ui(ui.ctx(), dialog, demo, &mut commands);
        }
        if let Some(dialog) = &mut self.sync_dialog {
            sync_dialog_ui(ui.ctx(), dialog, &self.ws, &mut commands);
        }
        if let Some(dialog) = &mut self.new_case {
            let members = self.ws.unit().map(|u| u.members.clone()).unwrap_or_default();
            let province = self.ws.unit().map_or(0, |u| u.province_code);
            new_case_ui(ui.ctx(), dialog, &self.ws.reference, province, &members, &mut commands);
            if let Some(key) = dialog.lookup_due() {
                match self.ws.new_case_report(&dialog.input) {
                    Ok(report) => dialog.warnings = report.warnings,
                    Err(e) => self.error = Some(e.vi()),
                }
                dialog.looked_up = Some(key);
            }
        }
        if let Screen::Wizard(w) = &mut self.screen {
            commands.extend(w.flush(Some(Instant::now())));
            if !w.pending.is_empty() || w.signatures_pending {
                ui.ctx().request_repaint_after(wizard::AUTOSAVE_AFTER);
            }
        }
        if let Screen::Case(screen) = &self.screen {
            let files: Vec<PathBuf> = ui.ctx().input(|i| {
                i.raw.dropped_files.iter().map(|f| f.path().to_path_buf()).filter(|p| p.is_absolute()).collect()
            });
            if !files.is_empty() {
                commands.push(Command::Attach { case: screen.view.case.id, files });
            }
        }
        for command in commands {
            self.execute(command);
        }
        if let Screen::Stats(s) = &mut self.screen {
            match s.query(crate::app::now().date()) {
                Ok(query) if s.stats.as_ref().is_none_or(|(q, _)| *q != query) => {
                    s.problem = None;
                    if s.data.is_none() {
                        match self.ws.rows_with_facts() {
                            Ok(data) => s.data = Some(data),
                            Err(e) => self.error = Some(e.vi()),
                        }
                    }
                    if let Some(data) = &s.data {
                        let members = self.ws.unit().map(|u| u.members.as_slice()).unwrap_or_default();
                        s.stats = Some((query, crate::app::stats::compute(data, &self.ws.reference, members, &query)));
                    }
                }
                Ok(_) => s.problem = None,
                Err(problem) => s.problem = Some(problem),
            }
        }
        if let Screen::Wizard(w) = &mut self.screen
            && w.needs_check
        {
            let at = crate::app::now();
            w.report = self.ws.check_document(&w.case, &w.current(), at);
            w.preview = w.show_preview.then(|| self.ws.print_of(&w.case, &w.current()));
            w.needs_check = false;
            w.checked();
            // The report was drawn stale this frame; draw it again with the new one.
            ui.ctx().request_repaint();
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context, out: &mut Vec<Command>) {
        switch_typing_on_alt_z(ctx);
        let (new_case, escape) =
            ctx.input(|i| (i.modifiers.command && i.key_pressed(egui::Key::N), i.key_pressed(egui::Key::Escape)));
        if new_case && self.new_case.is_none() {
            out.push(Command::NewCaseDialog);
        }
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::L)) {
            out.push(Command::Lock);
        }
        if escape && self.account_dialog.is_some() {
            out.push(Command::CloseAccountDialog);
            return;
        }
        if escape && (self.backup_dialog.is_some() || self.restore_dialog.is_some()) {
            out.push(Command::CloseBackupDialog);
            return;
        }
        if escape && self.new_case.is_none() {
            match &self.screen {
                Screen::Case(_) => out.push(Command::ShowList),
                Screen::Wizard(w) => out.push(Command::OpenCase(w.case.id)),
                Screen::Stats(_) | Screen::Setup(_) => out.push(Command::ShowList),
                Screen::List => {}
            }
        }
    }

    /// Carries out one command: the one place where the window changes data.
    pub fn execute(&mut self, command: Command) {
        if !matches!(command, Command::SaveFields { .. } | Command::SaveSignatures { .. }) {
            self.error = None;
        }
        if let Err(e) = self.try_execute(command) {
            self.error = Some(e.vi());
        }
    }

    /// Carries out commands given before the first frame (from the command line).
    pub fn execute_all(&mut self, commands: impl IntoIterator<Item = Command>) {
        for command in commands {
            self.execute(command);
        }
    }

    fn try_execute(&mut self, command: Command) -> Result<(), AppError> {
        let now = crate::app::now();
        match command {
            Command::ShowSetup => {
                if !self.leave_screen()? {
                    return Ok(());
                }
                self.screen = Screen::Setup(Box::default());
            }
            Command::SetUp(request) => self.set_up(*request)?,
            Command::SignIn { card, password } => {
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
            }
            Command::ChangePassword { old, new } => match self.ws.change_password(&old, &new) {
                Ok(()) => {
                    if self.login.is_some() {
                        self.signed_in();
                    }
                    if let Some(dialog) = &mut self.account_dialog {
                        *dialog = login::AccountDialog {
                            info: Some("Đã đổi mật khẩu".into()), ..Default::default()
                        };
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
            },
            Command::AddMember(member) => {
                let (name, card) = (member.full_name.clone(), member.card_number.clone());
                // The unit changes, so the workspace must not be shared with a background job.
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
            }
            Command::DisableMember { card } => {
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
            }
            Command::AccountDialog => {
                self.account_dialog =
                    Some(login::AccountDialog { others: self.account_others(), ..Default::default() });
            }
            Command::CloseAccountDialog => self.account_dialog = None,
            Command::ResetPassword { card } => {
                let reset = self.ws.reset_password(&card);
                let Some(dialog) = &mut self.account_dialog else { return reset.map(|_| ()) };
                match reset {
                    Ok(password) => {
                        let name =
                            self.ws.unit().and_then(|u| u.member(&card)).map_or(card.clone(), |m| m.full_name.clone());
                        dialog.problem = None;
                        dialog.info = Some(format!(
                            "Mật khẩu tạm của {name} ({card}): {password} — đưa tận tay, phải đổi khi đăng nhập"
                        ));
                    }
                    Err(e) => dialog.problem = Some(e.vi()),
                }
            }
            Command::Lock => self.lock(),
            Command::MergeSubjects { case, other } => {
                let link = self.ws.merge_subjects(case, other)?;
                self.notice =
                    Some(format!("Đã ghi nhận “{}” và “{}” là cùng một đối tượng", link.names[0], link.names[1]));
                self.try_execute(Command::OpenCase(case))?;
            }
            Command::CloseBackupDialog => {
                self.backup_dialog = None;
                self.restore_dialog = None;
            }
            Command::BackupDialog => {
                let out = self.ws.default_backup_path().display().to_string();
                let auto = self.ws.auto_backup()?;
                let auto_status = auto.as_ref().map(|a| {
                    let last =
                        a.last.map_or("chưa chạy".into(), |t| t.format("lần cuối %H:%M %d/%m/%Y").to_string());
                    format!("Đang bật: {} (giữ {} bản, {last})", a.folder.display(), a.keep)
                });
                let auto_folder = auto.map_or_else(
                    || self.ws.documents_dir().join("anchi-sao-luu-tu-dong").display().to_string(),
                    |a| a.folder.display().to_string(),
                );
                self.backup_dialog = Some(backup::BackupDialog {
                    out,
                    drives: crate::app::backup::removable_drives(),
                    auto_folder,
                    auto_status,
                    keep: "7".into(),
                    ..Default::default()
                });
            }
            Command::EnableAutoBackup { folder, keep, passphrase } => {
                match self.ws.enable_auto_backup(&folder, keep, &passphrase) {
                    Ok(_) => {
                        self.backup_dialog = None;
                        self.next_auto_backup = Instant::now();
                        self.notice = Some(format!("Đã bật sao lưu tự động hằng ngày vào {}", folder.display()));
                    }
                    Err(e) => match &mut self.backup_dialog {
                        Some(dialog) => dialog.problem = Some(e.vi()),
                        None => return Err(e),
                    },
                }
            }
            Command::RestoreDialog => self.restore_dialog = Some(backup::RestoreDialog::default()),
            Command::Restore { file, passphrase } => {
                if let Err(e) = self.restore(&file, &passphrase) {
                    match &mut self.restore_dialog {
                        Some(dialog) => dialog.problem = Some(e.vi()),
                        None => return Err(e),
                    }
                }
            }
            Command::Backup { passphrase, out } => {
                self.backup_dialog = None;
                let ws = self.ws.clone();
                self.spawn("sao-luu", "Đang sao lưu…", move || {
                    let made = ws.backup(&out, &passphrase);
                    Some(made.map(|summary| JobDone::Backup { out, cases: summary.cases }).map_err(|e| e.vi()))
                })?;
            }
            Command::ShowStats => {
                if !self.leave_screen()? {
                    return Ok(());
                }
                self.screen = Screen::Stats(Box::default());
            }
            Command::ExportStats { query, csv } => {
                let out = self.ws.default_report_path(csv);
                let ws = self.ws.clone();
                self.spawn("xuat-bao-cao", "Đang xuất báo cáo…", move || {
                    let written = if csv {
                        ws.export_csv(&query, &out).map(|_| ())
                    } else {
                        ws.export_xlsx(&query, &out).map(|_| ())
                    };
                    Some(written.map(|()| JobDone::Report(out)).map_err(|e| e.vi()))
                })?;
            }
            Command::ShowList => {
                if !self.leave_screen()? {
                    return Ok(());
                }
                self.list.reload(self.ws.list_cases()?, &self.ws.reference, &self.ws.subject_links()?);
                self.screen = Screen::List;
            }
            Command::OpenCase(id) => {
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
            }
            Command::NewCaseDialog => {
                let lead = self.ws.unit().and_then(|u| u.members.first());
                self.new_case = Some(NewCaseDialog::new(lead));
            }
            Command::CloseDialog => self.new_case = None,
            Command::CreateCase(input) => match self.ws.open_new_case(&input) {
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
            },
            Command::StartDocument { case, kind } => {
                let id = Uuid::now_v7();
                self.ws.apply_event(case, Event::StartDocument { id, kind, at: now })?;
                self.open_document(case, id)?;
            }
            Command::OpenDocument { case, document } => self.open_document(case, document)?,
            Command::SaveFields { case, document, fields } => {
                for (field, value) in fields {
                    self.ws.save_field(case, document, &field, &value)?;
                }
                self.saved(now);
            }
            Command::SaveSignatures { case, document, signatures } => {
                self.ws.save_signatures(case, document, signatures)?;
                self.saved(now);
            }
            Command::Finalise { case, document } => {
                self.ws.apply_event(case, Event::FinaliseDocument { id: document, number: None, at: now })?;
                let job = self.ws.pdf_job(case, document)?;
                self.spawn("in-van-ban", PRINTING, move || Some(job.run().map(JobDone::Pdf).map_err(|e| e.vi())))?;
                self.try_execute(Command::OpenCase(case))?;
            }
            Command::CancelDocument { case, document, reason } => {
                self.ws.apply_event(case, Event::CancelDocument { id: document, reason, at: now })?;
                self.try_execute(Command::OpenCase(case))?;
            }
            Command::Amend { case, document, with } => {
                let id = Uuid::now_v7();
                self.ws.apply_event(case, Event::AmendDocument { original: document, id, at: now, with })?;
                self.open_document(case, id)?;
            }
            Command::CancelCase { case, reason } => {
                self.ws.apply_event(case, Event::CancelCase { reason, at: now })?;
                self.try_execute(Command::OpenCase(case))?;
            }
            Command::CloseNoViolation { case } => {
                self.ws.apply_event(case, Event::CloseNoViolation { at: now })?;
                self.try_execute(Command::OpenCase(case))?;
            }
            Command::SaveGoods { case, rows } => match self.ws.save_goods(case, &rows) {
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
            },
            Command::SaveParties { case, parties } => match self.ws.save_parties(case, &parties) {
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
            },
            Command::Attach { case, files } => {
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
            }
            Command::OpenAttachment { sha256 } => {
                let path = self.ws.attachment_path(&sha256);
                if self.open_viewer
                    && let Err(e) = open::that_detached(&path)
                {
                    return Err(AppError::Files(format!("{}: {e}", path.display())));
                }
            }
            Command::SavePdf { case, document } => {
                let job = self.ws.pdf_job(case, document)?;
                // The dialog blocks until the user answers: it waits off the window's thread.
                self.spawn("luu-pdf", PRINTING, move || {
                    let name = job.path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
                    let chosen = rfd::FileDialog::new().set_file_name(name).add_filter("PDF", &["pdf"]).save_file()?;
                    let written = job.render().map_err(|e| e.vi()).and_then(|bytes| {
                        std::fs::write(&chosen, bytes).map_err(|e| format!("Không lưu được {}: {e}", chosen.display()))
                    });
                    Some(written.map(|()| JobDone::Pdf(chosen)))
                })?;
            }
            Command::ExportPackage { case, passphrase, out } => {
                let job = self.ws.prepare_export(case, &passphrase, None)?;
                let progress = self.progress.clone();
                self.spawn("xuat-goi", "Đang xuất gói hồ sơ…", move || {
                    let report = |f: f32| progress.store((f * 1000.0) as u32, std::sync::atomic::Ordering::Relaxed);
                    let built = job.run(&report).map_err(|e| e.vi());
                    Some(built.and_then(|built| {
                        // The system's reason (disk full, no permission) for the folder the member chose.
                        built.write_part(&out).map_err(|e| format!("Không ghi được {}: {e}", out.display()))?;
                        Ok(JobDone::Package { built: Box::new(built), out })
                    }))
                })?;
            }
            Command::CloseSyncDialog => self.sync_dialog = None,
            Command::SaveServerSettings { url, ca_file } => {
                let saved = self.ws.set_server(&url, &ca_file);
                let Some(dialog) = &mut self.sync_dialog else { return saved };
                match saved {
                    Ok(()) => {
                        dialog.problem = None;
                        dialog.editing_server = false;
                        self.notice = Some("Đã lưu thiết lập máy chủ của Chi cục".into());
                    }
                    Err(AppError::Setting(e)) => dialog.problem = Some(e.vi()),
                    Err(e) => return Err(e),
                }
            }
            Command::Choose(purpose) => {
                // The system's chooser blocks until answered: it waits off the window's thread.
                self.spawn("chon-tep", "Đang chọn tệp…", move || {
                    let chosen = purpose.ask();
                    (!chosen.is_empty()).then_some(Ok(JobDone::Chosen(purpose, chosen)))
                })?;
            }
            Command::Sync { passphrase } => {
                self.sync_dialog = None;
                // Settings and passphrase are checked now, so a mistake is said at once.
                self.ws.sync_client(&passphrase, None, None)?;
                self.sync =
                    Some(SyncSchedule { passphrase, next: Instant::now(), when: Default::default(), running: false });
            }
            Command::Print { case, document } => {
                let job = self.ws.pdf_job(case, document)?;
                let open_viewer = self.open_viewer;
                self.spawn("in-van-ban", PRINTING, move || {
                    let printed = job.run().map_err(|e| e.vi()).and_then(|path| {
                        if open_viewer {
                            open::that_detached(&path).map_err(|e| format!("Không mở được {}: {e}", path.display()))?;
                        }
                        Ok(JobDone::Pdf(path))
                    });
                    Some(printed)
                })?;
            }
        }
        Ok(())
    }

    /// On the first frame, applies the saved typing method and look; afterwards, saves them
    /// when the user changed them, so the next run starts the same way.
    fn remember_settings(&mut self, ctx: &egui::Context) {
        if self.settings.is_none() {
            let saved = self.ws.window_settings();
            let method = match saved.typing_method.as_str() {
                "telex" => Method::Telex,
                "vni" => Method::Vni,
                _ => Method::Off,
            };
            let style = if saved.tone_style == "new" { ToneStyle::New } else { ToneStyle::Old };
            Typing { method, style }.store(ctx);
            theme::apply(ctx, theme::Appearance { dark: saved.dark, large_text: saved.large_text });
            self.settings = Some(current_settings(ctx));
            return;
        }
        let now = current_settings(ctx);
        if self.settings.as_ref() != Some(&now) {
            if let Err(e) = self.ws.save_window_settings(&now) {
                self.error = Some(e.vi());
            }
            self.settings = Some(now);
        }
    }

    /// Starts a pass of sending to the province when one is due and none is running.
    fn sync_if_due(&mut self, ctx: &egui::Context) {
        let Some(schedule) = &mut self.sync else { return };
        if schedule.running {
            return;
        }
        let now = Instant::now();
        if now < schedule.next {
            ctx.request_repaint_after(schedule.next - now);
            return;
        }
        schedule.running = true;
        let passphrase = schedule.passphrase.clone();
        let ws = self.ws.clone();
        let progress = self.progress.clone();
        let started = self.spawn("dong-bo", "Đang gửi về Chi cục…", move || {
            let pass = ws.sync_client(&passphrase, None, None).and_then(|client| {
                let report = |done: usize, all: usize| {
                    let fraction = if all == 0 { 1.0 } else { done as f32 / all as f32 };
                    progress.store((fraction * 1000.0) as u32, std::sync::atomic::Ordering::Relaxed);
                };
                ws.sync(&client, &passphrase, &report)
            });
            let end = crate::app::sync::pass_end(&pass);
            Some(Ok(JobDone::Synced(pass.map_err(|e| e.vi()), end)))
        });
        if let Err(e) = started {
            self.error = Some(e.vi());
        }
    }

    /// A pass ended: say what it did, and when the next one runs.
    fn synced(&mut self, result: Result<crate::app::sync::SyncReport, String>, end: crate::app::sync::PassEnd) {
        let Some(schedule) = &mut self.sync else { return };
        schedule.running = false;
        let wait = schedule.when.after(end);
        if let Some(wait) = wait {
            schedule.next = Instant::now() + wait;
        }
        match result {
            Ok(report) => {
                let mut text = format!(
                    "Chi cục đã nhận {} gói hồ sơ; {} vụ việc đã gửi từ trước",
                    report.uploaded, report.up_to_date
                );
                if !report.failed.is_empty() {
                    text.push_str(&format!("; {} vụ việc bị từ chối: {}", report.failed.len(), report.failed[0].1));
                }
                self.notice = Some(text);
                if let Screen::Case(screen) = &self.screen {
                    let id = screen.view.case.id;
                    if let Err(e) = self.try_execute(Command::OpenCase(id)) {
                        self.error = Some(e.vi());
                    }
                }
                if report.index_entries.is_some() {
                    self.load_index();
                }
            }
            Err(message) => match wait {
                Some(wait) => self.error = Some(format!("{message} (thử lại sau {} giây)", wait.as_secs())),
                // A refusal that waiting will not cure (certificate, key): stop and say so.
                None => {
                    self.sync = None;
                    self.error = Some(message);
                }
            },
        }
    }

    /// A package was built and written as `out.part`: its version is recorded, then it
    /// takes its name. If the version cannot be recorded the file is removed, so no package
    /// exists whose version this laptop does not know.
    fn package_written(&mut self, built: crate::app::packages::BuiltPackage, out: &Path) {
        match self.ws.finish_export(built, out) {
            Ok(exported) => {
                let again = if exported.new_version { "" } else { " (không đổi so với lần trước)" };
                self.notice =
                    Some(format!("Đã xuất gói hồ sơ phiên bản {}{again}: {}", exported.info.version, out.display()));
                if let Screen::Case(screen) = &self.screen {
                    let id = screen.view.case.id;
                    if let Err(e) = self.try_execute(Command::OpenCase(id)) {
                        self.error = Some(e.vi());
                    }
                }
            }
            Err(e) => self.error = Some(e.vi()),
        }
    }

    /// Runs slow work (rendering, a file dialog) on a named thread; its result comes back
    /// to the status line on a later frame.
    /// `busy` says in the status line what it is doing.
    fn spawn(
        &mut self,
        name: &str,
        busy: &'static str,
        job: impl FnOnce() -> JobResult + Send + 'static,
    ) -> Result<(), AppError> {
        self.progress.store(0, std::sync::atomic::Ordering::Relaxed);
        let done = self.background.0.clone();
        std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let _ = done.send(job());
            })
            .map_err(|e| AppError::Files(e.to_string()))?;
        self.busy_with = busy;
        self.jobs += 1;
        Ok(())
    }

    /// Whether background work is still running (tests wait for it).
    pub fn busy(&self) -> bool {
        self.jobs > 0
    }

    fn open_document(&mut self, case: Uuid, document: Uuid) -> Result<(), AppError> {
        if !self.leave_screen()? {
            return Ok(());
        }
        let case = self.ws.case(case)?;
        let doc = case.document(document).ok_or(crate::domain::WorkflowError::UnknownDocument { id: document })?;
        // A draft is shown with the form it will be finalised with (today's).
        let form = if doc.state == DocumentState::Draft {
            self.ws.catalog.form(doc.kind, crate::app::now().date()).clone()
        } else {
            self.ws.form_of(doc).clone()
        };
        let members = self.ws.unit().map(|u| u.members.clone()).unwrap_or_default();
        let warnings = self.subject_warnings(case.id).map(|r| r.warnings).unwrap_or_default();
        let kind = doc.kind;
        // The maker of a new signature: the member at the laptop, else the case's head.
        let head = case.members.first().and_then(|card| members.iter().find(|m| &m.card_number == card)).cloned();
        let maker = self.ws.signed_in().or(head).map(|m| m.full_name);
        let mut wizard = WizardState::new(case, document, form, members);
        wizard.maker = maker;
        wizard.warnings = warnings;
        wizard.finalise_refused = self.finalise_refusal(kind);
        self.screen = Screen::Wizard(Box::new(wizard));
        Ok(())
    }

    /// Looks the open case's (or document's) warnings up again, after the index changed.
    fn refresh_warnings(&mut self) {
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
    fn subject_warnings(&mut self, case: Uuid) -> Option<crate::app::warnings::SubjectReport> {
        match self.ws.case_warnings(case) {
            Ok(report) => Some(report),
            Err(e) => {
                self.error = Some(format!("Không tra được cảnh báo về đối tượng: {}", e.vi()));
                None
            }
        }
    }

    /// Runs the automatic daily backup on the thread "sao-luu-tu-dong" when it is on and
    /// has not run today; looked at hourly (a missing USB stick is said, and retried).
    fn auto_backup_if_due(&mut self) {
        if Instant::now() < self.next_auto_backup || self.jobs > 0 {
            return;
        }
        self.next_auto_backup = Instant::now() + std::time::Duration::from_secs(3600);
        if self.ws.auto_backup_due(crate::app::now()).is_none() {
            return;
        }
        let ws = self.ws.clone();
        let started = self.spawn("sao-luu-tu-dong", "Đang tự động sao lưu…", move || {
            let made = ws.run_auto_backup();
            Some(
                made.map(|(out, summary)| JobDone::Backup { out, cases: summary.cases })
                    .map_err(|e| format!("Chưa sao lưu tự động được (thử lại sau 1 giờ): {}", e.vi())),
            )
        });
        if let Err(e) = started {
            self.error = Some(e.vi());
        }
    }

    /// Restores a backup into this laptop's data directory: the window lets go of the
    /// database (nothing may be running in the background), the backup is checked whole and
    /// put in place, and the window reopens on it and asks who is signing in. A refused
    /// backup changes nothing and the window goes on as before.
    fn restore(&mut self, file: &Path, passphrase: &str) -> Result<(), AppError> {
        self.ws.require(Permission::Restore)?;
        if self.jobs > 0 {
            return Err(AppError::Backup(crate::app::backup::BackupError::File(
                "đang có việc chạy nền; đợi xong rồi khôi phục / background work is running".into(),
            )));
        }
        if !self.leave_screen()? {
            return Ok(());
        }
        let home = self.home.clone();
        let holding_home = self.ws.data_dir() == home;
        let placeholder_dir = home.join(".khoi-phuc-tam");
        if holding_home {
            let placeholder = std::sync::Arc::new(Workspace::open(&placeholder_dir)?);
            let current = std::mem::replace(&mut self.ws, placeholder);
            match std::sync::Arc::try_unwrap(current) {
                Ok(ws) => drop(ws),
                Err(current) => {
                    self.ws = current;
                    let _ = std::fs::remove_dir_all(&placeholder_dir);
                    return Err(AppError::Busy("a background job still holds the database".into()));
                }
            }
        }
        let restored = crate::app::backup::restore(file, &home, passphrase);
        let reopened = if holding_home || restored.is_ok() { Some(Workspace::open(&home)) } else { None };
        if let Some(reopened) = reopened {
            match reopened {
                Ok(ws) => self.ws = std::sync::Arc::new(ws),
                Err(e) => {
                    // Nothing to go back to: say why, and stay on the placeholder.
                    self.error = Some(e.vi());
                }
            }
            let _ = std::fs::remove_dir_all(&placeholder_dir);
        }
        let (summary, aside) = restored?;
        self.restore_dialog = None;
        self.backup_dialog = None;
        self.index = None;
        self.sync = None;
        self.list.reload(self.ws.list_cases()?, &self.ws.reference, &self.ws.subject_links()?);
        self.screen = Screen::List;
        self.login = (self.ws.has_accounts() && self.ws.signed_in().is_none()).then(|| sign_in_screen(&self.ws));
        let aside = aside.map(|a| format!("; dữ liệu cũ giữ tại {}", a.display())).unwrap_or_default();
        self.notice = Some(format!("Đã khôi phục {} vụ việc từ {}{aside}", summary.cases, file.display()));
        self.lock_after = self.ws.lock_after();
        self.load_index();
        Ok(())
    }

    /// Locks the screen after `lock_after` without input (only where members sign in).
    fn lock_when_idle(&mut self, ctx: &egui::Context) {
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
    fn lock(&mut self) {
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

    /// Why the signed-in member may not finalise a document of `kind`, if they may not.
    fn finalise_refusal(&self, kind: crate::domain::DocumentKind) -> Option<String> {
        self.ws.require(Permission::Finalise(kind)).err().map(|e| e.vi())
    }

    /// The members a leader may reset or disable in "Tài khoản" (all who sign in but
    /// themselves; nobody for an inspector), read when the dialog opens or its list changes.
    fn account_others(&self) -> Vec<crate::domain::Member> {
        match self.ws.signed_in() {
            Some(me) if self.ws.may(Permission::ResetPassword) => {
                self.ws.members_who_sign_in().into_iter().filter(|m| m.card_number != me.card_number).collect()
            }
            _ => Vec::new(),
        }
    }

    /// A member is in: the screen comes back, with what this member may do.
    fn signed_in(&mut self) {
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
    fn set_up(&mut self, request: setup::SetupRequest) -> Result<(), AppError> {
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
        self.list.reload(real.list_cases()?, &real.reference, &real.subject_links()?);
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

    /// Writes what the wizard still holds before the screen changes.
    fn leave_wizard(&mut self) {
        if let Screen::Wizard(w) = &mut self.screen {
            let pending = w.flush(None);
            for command in pending {
                self.execute(command);
            }
        }
    }

    /// Before the screen on show is left (or reloaded), whatever is pending on it is
    /// stored: the wizard's last edits, the case's edited goods lines. When the goods cannot
    /// be (a line incomplete), the screen stays with the problems shown and `false` is
    /// returned: nothing typed is dropped unasked.
    fn leave_screen(&mut self) -> Result<bool, AppError> {
        if !self.keep_goods()? || !self.keep_parties()? {
            return Ok(false);
        }
        self.leave_wizard();
        Ok(true)
    }

    /// The case screen's edited goods lines, stored (see [`AnchiApp::leave_screen`]).
    fn keep_goods(&mut self) -> Result<bool, AppError> {
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
    fn keep_parties(&mut self) -> Result<bool, AppError> {
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

    fn saved(&mut self, now: chrono::NaiveDateTime) {
        if let Screen::Wizard(w) = &mut self.screen {
            w.saved_at = Some(now.time());
        }
    }

    /// The list screen's state, for tests.
    pub fn list(&mut self) -> &mut CaseListState {
        &mut self.list
    }
}

impl eframe::App for AnchiApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    /// Closing the window stores what is pending: the wizard's last edits, goods lines.
    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        if let Err(e) = self.leave_screen() {
            eprintln!("anchi: goods not stored on exit: {e}");
        }
    }
}

/// The header's start, on every screen and the sign-in screen: the program and the team.
fn title_ui(ui: &mut egui::Ui, ws: &Workspace) {
    ui.heading(theme::bold("Ấn chỉ điện tử"));
    if let Some(names) = ws.unit().and_then(|u| u.names_on(crate::app::now().date())) {
        ui.label(format!("{} — {}", names.doi, names.chi_cuc));
    }
}

/// The sign-in screen of a workspace's team.
fn sign_in_screen(ws: &Workspace) -> login::LoginScreen {
    login::LoginScreen::new(ws.members_who_sign_in(), ws.last_signed_in())
}

/// The settings the window is using now, as the app stores them.
fn current_settings(ctx: &egui::Context) -> crate::app::WindowSettings {
    let (typing, look) = (Typing::of(ctx), theme::appearance(ctx));
    let method = match typing.method {
        Method::Off => "off",
        Method::Telex => "telex",
        Method::Vni => "vni",
    };
    crate::app::WindowSettings {
        typing_method: method.into(),
        tone_style: if typing.style == ToneStyle::New { "new" } else { "old" }.into(),
        dark: look.dark,
        large_text: look.large_text,
    }
}

/// The typing method and tone style, in the status bar.
fn typing_ui(ui: &mut egui::Ui) {
    let mut typing = Typing::of(ui.ctx());
    let before = typing;
    let label = ui.label("Gõ tiếng Việt");
    let names = [(Method::Off, "Tắt"), (Method::Telex, "Telex"), (Method::Vni, "VNI")];
    let shown = names.iter().find(|(m, _)| *m == typing.method).map_or("Tắt", |(_, n)| n);
    egui::ComboBox::from_id_salt("typing-method")
        .selected_text(shown)
        .show_ui(ui, |ui| {
            for (method, name) in names {
                ui.selectable_value(&mut typing.method, method, name);
            }
        })
        .response
        .labelled_by(label.id)
        .on_hover_text("Bộ gõ có sẵn, khi máy không có Unikey/IBus (Alt+Z để đổi)");
    if typing.method != Method::Off {
        ui.selectable_value(&mut typing.style, ToneStyle::Old, "hòa");
        ui.selectable_value(&mut typing.style, ToneStyle::New, "hoà").on_hover_text("Kiểu đặt dấu mới");
    }
    if typing != before {
        typing.store(ui.ctx());
    }
}

/// Opens the workspace the window shows: the real one when a unit is set up, else a demo
/// workspace in `<data dir>/demo`, filled with demo cases the first time.
pub fn open_workspace(data_dir: &Path) -> Result<Workspace, AppError> {
    let ws = Workspace::open(data_dir)?;
    if ws.unit().is_some() {
        return Ok(ws);
    }
    drop(ws);
    let mut demo = Workspace::open(&data_dir.join("demo"))?;
    if demo.case_count()? == 0 {
        demo.make_demo(DEMO_CASES, 2026)?;
    }
    Ok(demo)
}

/// Shown instead of the case list when the data cannot be opened (a file in use by another
/// anchi, a damaged file): a person who started the program from a menu sees no terminal,
/// so the reason must be on screen.
pub struct OpenFailed {
    message_vi: String,
    detail_en: String,
}

impl OpenFailed {
    pub fn new(error: &AppError) -> OpenFailed {
        OpenFailed { message_vi: error.vi(), detail_en: error.to_string() }
    }

    /// Draws the explanation into `ui`.
    pub fn show(&self, ui: &mut egui::Ui) {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.heading(theme::bold("Không mở được dữ liệu").color(theme::ERROR_FG));
            ui.add_space(8.0);
            ui.label(&self.message_vi);
            ui.add_space(8.0);
            ui.weak(&self.detail_en);
        });
    }
}

impl eframe::App for OpenFailed {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }
}

/// Alt+Z switches the built-in typing (off → Telex → VNI → off) and types nothing: the
/// system may also deliver the key as the text "z", which is taken out before any field
/// sees it. Called before the frame's widgets.
fn switch_typing_on_alt_z(ctx: &egui::Context) {
    let switched = ctx.input_mut(|i| {
        let pressed = i.consume_key(egui::Modifiers::ALT, egui::Key::Z);
        if pressed {
            i.events.retain(|e| !matches!(e, egui::Event::Text(t) if t.eq_ignore_ascii_case("z")));
        }
        pressed
    });
    if switched {
        let mut typing = Typing::of(ctx);
        typing.method = match typing.method {
            Method::Off => Method::Telex,
            Method::Telex => Method::Vni,
            Method::Vni => Method::Off,
        };
        typing.store(ctx);
    }
}

/// The window's icon (the same drawing as packaging/deb/anchi.svg).
const WINDOW_ICON: &[u8] = include_bytes!("../../assets/icon-256.png");

/// Runs the window until it is closed, first carrying out `start` (open a case or a document).
pub fn run(data_dir: Option<PathBuf>, start: Option<Command>) -> ExitCode {
    let data_dir = data_dir.unwrap_or_else(default_data_dir);
    let options = eframe::NativeOptions {
        // Opens filling the screen (a team laptop's is 1366×768 or smaller); restored, it
        // still fits 1366×768 with a taskbar and a title bar.
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([1200.0, 660.0])
            .with_min_inner_size([800.0, 500.0])
            .with_maximized(true)
            .with_title("anchi — Ấn chỉ điện tử")
            .with_app_id("anchi")
            .with_icon(eframe::icon_data::from_png_bytes(WINDOW_ICON).unwrap_or_default()),
        ..Default::default()
    };
    // The very first start on this laptop (no data at all) opens on the set-up screen,
    // with the demo one click away.
    let first_start = !crate::app::data_exists(&data_dir);
    let (app, opened): (Box<dyn eframe::App>, bool) = match open_workspace(&data_dir).and_then(AnchiApp::new) {
        Ok(mut app) => {
            if first_start {
                app.screen = Screen::Setup(Box::default());
            }
            app.load_index();
            app.execute_all(start);
            (Box::new(app), true)
        }
        Err(e) => {
            eprintln!("Lỗi: {}\nerror: {e}", e.vi());
            (Box::new(OpenFailed::new(&e)), false)
        }
    };
    // Fonts are set up once, on the context, before the first frame of either screen.
    let create = Box::new(|cc: &eframe::CreationContext<'_>| {
        theme::install(&cc.egui_ctx);
        Ok(app)
    });
    match eframe::run_native("anchi", options, create) {
        Ok(()) if opened => ExitCode::SUCCESS,
        Ok(()) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("Không mở được cửa sổ / cannot open the window: {e}");
            let headless = ["DISPLAY", "WAYLAND_DISPLAY"].iter().all(|v| std::env::var_os(v).is_none());
            if headless {
                eprintln!(
                    "Máy này không có màn hình: dùng dòng lệnh (anchi --help), hoặc chạy trong màn hình ảo (xvfb-run anchi).\n\
                     No display here: use the command line (anchi --help), or a virtual display (xvfb-run anchi); \
                     the window needs X11 or Wayland with OpenGL (libx11-6, libxkbcommon-x11-0, libgl1, libegl1)."
                );
            }
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_window_icon_decodes() {
        let icon = eframe::icon_data::from_png_bytes(super::WINDOW_ICON).expect("the embedded icon is a PNG");
        assert_eq!((icon.width, icon.height), (256, 256));
        assert!(icon.rgba.chunks(4).any(|p| p[3] == 0), "transparent corners");
    }
}
