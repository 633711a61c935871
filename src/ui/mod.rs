//! The window (egui/eframe). It talks to [`crate::app`] only: it reads the case list read
//! model and never opens the store itself.

pub mod backup;
pub mod case_list;
pub mod case_view;
mod choose;
pub mod command;
mod frame;
mod geometry;
mod goods;
mod handlers;
mod jobs;
pub mod login;
pub mod new_case;
pub mod parties;
pub mod picker;
pub use geometry::viewport;
mod preview;
pub mod setup;
pub mod stats;
mod sync_dialog;
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
use jobs::{JobDone, JobResult};
use new_case::{NewCaseDialog, new_case_ui};
pub use sync_dialog::SyncDialog;
use sync_dialog::sync_dialog_ui;
use typing::{Method, ToneStyle, Typing};
use wizard::{WizardState, wizard_ui};

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
    pub(crate) screen: Screen,
    pub(crate) new_case: Option<NewCaseDialog>,
    /// The last error, in Vietnamese, shown in the status line until the next action.
    pub(crate) error: Option<String>,
    /// The last PDF written (for the status line, and for tests).
    pub(crate) last_pdf: Option<PathBuf>,
    /// Whether "In" opens the PDF in the system viewer (off in tests).
    pub(crate) open_viewer: bool,
    /// Results of work done on background threads (a file dialog and its save).
    background: (std::sync::mpsc::Sender<JobResult>, std::sync::mpsc::Receiver<JobResult>),
    /// Background jobs not yet reported.
    jobs: usize,
    /// The list's marks and deadlines being computed after the first frame.
    marks: Option<std::sync::mpsc::Receiver<Result<crate::app::case_list::ListMarks, String>>>,
    /// What the running background job is doing, for the status line.
    busy_with: &'static str,
    /// The running job's progress in thousandths (0 when it does not report any).
    progress: std::sync::Arc<std::sync::atomic::AtomicU32>,
    /// The last thing finished in the background (a package written), for the status line.
    pub(crate) notice: Option<String>,
    /// The "Gửi về Chi cục" dialog's passphrase field while it is open.
    pub(crate) sync_dialog: Option<SyncDialog>,
    /// The "Sao lưu…" dialog while it is open.
    pub(crate) backup_dialog: Option<backup::BackupDialog>,
    /// The "Khôi phục…" dialog while it is open.
    pub(crate) restore_dialog: Option<backup::RestoreDialog>,
    /// The "Tài khoản" dialog while it is open.
    pub(crate) account_dialog: Option<login::AccountDialog>,
    /// When to look again whether the automatic daily backup is due.
    next_auto_backup: Instant,
    /// Sending to the province: the passphrase given for this session, when the next pass
    /// is due, and how many passes in a row found no server.
    sync: Option<SyncSchedule>,
    /// The typing method and look as last saved (applied to the context on the first frame).
    settings: Option<crate::app::WindowSettings>,
    /// The window's size and state as last seen (the restored size while maximised), and
    /// as stored: saved on exit when they differ.
    geometry: (Option<crate::app::WindowGeometry>, Option<crate::app::WindowGeometry>),
    /// The province's offender index in memory: its age and expiry, for the header.
    pub(crate) index: Option<crate::app::warnings::IndexStatus>,
    /// The sign-in (or lock) screen, drawn instead of everything else while it is up.
    pub(crate) login: Option<login::LoginScreen>,
    /// When the user last touched the keyboard or mouse, and how long until the lock.
    last_input: Instant,
    pub(crate) lock_after: std::time::Duration,
    /// The data directory a real unit is set up in (the demo lives in its `demo/` folder).
    home: PathBuf,
}

use handlers::sending::SyncSchedule;

impl AnchiApp {
    /// What is on screen: the read model the screen draws from (tests read it where no
    /// label shows it, e.g. the preview's pages; everything is changed through input).
    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    /// The last PDF written, once its background work is done.
    pub fn last_pdf(&self) -> Option<&std::path::Path> {
        self.last_pdf.as_deref()
    }

    /// How long without input before the screen locks (the unit's setting; tests shorten it).
    pub fn set_lock_after(&mut self, after: std::time::Duration) {
        self.lock_after = after;
    }

    /// Whether printing opens the PDF in the system viewer (tests turn it off).
    pub fn set_open_viewer(&mut self, open: bool) {
        self.open_viewer = open;
    }

    /// The window's state over an open workspace.
    pub fn new(ws: Workspace) -> Result<AnchiApp, AppError> {
        // The first frame shows the stored rows; their marks and deadlines follow.
        let list = ws.case_list_unmarked()?;
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
            marks: None,
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
            geometry: (None, None),
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
        self.take_finished_jobs(ui.ctx());
        self.mark_list(ui.ctx());
        self.sync_if_due(ui.ctx());
        self.auto_backup_if_due();
        self.remember_settings(ui.ctx());
        self.track_geometry(ui.ctx());
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
        self.header_ui(ui, demo, &mut commands);
        self.status_ui(ui);
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
        self.dialogs_ui(ui, demo, &mut commands);
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
        self.update_read_models(ui.ctx());
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

    /// Carries out one command: each is a method of its area (`handlers/`), this is the map.
    fn try_execute(&mut self, command: Command) -> Result<(), AppError> {
        match command {
            Command::ShowSetup => self.show_setup()?,
            Command::SetUp(request) => self.set_up(*request)?,
            Command::SignIn { card, password } => self.sign_in(card, password)?,
            Command::ChangePassword { old, new } => self.change_password(old, new)?,
            Command::AddMember(member) => self.add_member(member)?,
            Command::DisableMember { card } => self.disable_member(card)?,
            Command::AccountDialog => self.open_account_dialog()?,
            Command::CloseAccountDialog => self.account_dialog = None,
            Command::ResetPassword { card } => self.reset_password(card)?,
            Command::Lock => self.lock(),
            Command::MergeSubjects { case, other } => self.merge_subjects(case, other)?,
            Command::CloseBackupDialog => self.close_backup_dialog()?,
            Command::BackupDialog => self.open_backup_dialog()?,
            Command::EnableAutoBackup { folder, keep, passphrase } => {
                self.enable_auto_backup(folder, keep, passphrase)?
            }
            Command::RestoreDialog => self.restore_dialog = Some(backup::RestoreDialog::default()),
            Command::Restore { file, passphrase } => self.restore_chosen(file, passphrase)?,
            Command::Backup { passphrase, out } => self.backup(passphrase, out)?,
            Command::ShowStats => self.show_stats()?,
            Command::ExportStats { query, csv } => self.export_stats(query, csv)?,
            Command::ShowList => self.show_list()?,
            Command::OpenCase(id) => self.open_case(id)?,
            Command::NewCaseDialog => self.open_new_case_dialog()?,
            Command::CloseDialog => self.new_case = None,
            Command::CreateCase(input) => self.create_case(input)?,
            Command::StartDocument { case, kind } => self.start_document(case, kind)?,
            Command::OpenDocument { case, document } => self.open_document(case, document)?,
            Command::SaveFields { case, document, fields } => self.save_fields(case, document, fields)?,
            Command::SaveSignatures { case, document, signatures } => {
                self.save_signatures(case, document, signatures)?
            }
            Command::Finalise { case, document } => self.finalise(case, document)?,
            Command::CancelDocument { case, document, reason } => self.cancel_document(case, document, reason)?,
            Command::Amend { case, document, with } => self.amend(case, document, with)?,
            Command::CancelCase { case, reason } => self.cancel_case(case, reason)?,
            Command::CloseNoViolation { case } => self.close_no_violation(case)?,
            Command::SaveGoods { case, rows } => self.save_goods(case, rows)?,
            Command::SaveParties { case, parties } => self.save_parties(case, parties)?,
            Command::Attach { case, files } => self.attach(case, files)?,
            Command::OpenAttachment { sha256 } => self.open_attachment(sha256)?,
            Command::SavePdf { case, document } => self.save_pdf(case, document)?,
            Command::ExportPackage { case, passphrase, out } => self.export_package(case, passphrase, out)?,
            Command::CloseSyncDialog => self.sync_dialog = None,
            Command::SaveServerSettings { url, ca_file } => self.save_server_settings(url, ca_file)?,
            Command::Choose(purpose) => self.choose(purpose)?,
            Command::Sync { passphrase } => self.start_sync(passphrase)?,
            Command::Print { case, document } => self.print(case, document)?,
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
        self.remember_geometry();
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
    // The very first start on this laptop (no data at all) opens on the set-up screen,
    // with the demo one click away.
    let first_start = !crate::app::data_exists(&data_dir);
    let workspace = open_workspace(&data_dir);
    let saved = workspace.as_ref().ok().and_then(Workspace::window_geometry);
    let options = eframe::NativeOptions { viewport: viewport(saved), ..Default::default() };
    let (app, opened): (Box<dyn eframe::App>, bool) = match workspace.and_then(AnchiApp::new) {
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
