//! The window (egui/eframe). It talks to [`crate::app`] only: it reads the case list read
//! model and never opens the store itself.

pub mod case_list;
pub mod theme;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use eframe::egui;

use crate::app::{AppError, Workspace, default_data_dir};
use crate::domain::Bilingual;
use case_list::{CaseListState, case_list_ui};

/// How many cases the demo workspace gets the first time the window opens on it.
const DEMO_CASES: usize = 300;

/// The application state of the window.
pub struct AnchiApp {
    ws: Workspace,
    list: CaseListState,
}

impl AnchiApp {
    /// The window's state over an open workspace.
    pub fn new(ws: Workspace) -> Result<AnchiApp, AppError> {
        let list = CaseListState::new(ws.list_cases()?);
        Ok(AnchiApp { ws, list })
    }

    /// Draws one frame into `ui`.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let demo = self.ws.unit().is_none_or(|u| u.demo);
        egui::Panel::top("header").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading(theme::bold("Ấn chỉ điện tử"));
                if let Some(names) = self.ws.unit().and_then(|u| u.names_on(crate::app::now().date())) {
                    ui.label(format!("{} — {}", names.doi, names.chi_cuc));
                }
            });
            if demo {
                egui::Frame::new().fill(theme::DEMO_BANNER_BG).inner_margin(6.0).show(ui, |ui| {
                    ui.label(
                        theme::bold("DỮ LIỆU MẪU — chưa thiết lập đơn vị. Mọi vụ việc ở đây là giả lập để làm quen với chương trình.")
                            .color(theme::DEMO_BANNER_FG),
                    );
                });
            }
        });
        egui::CentralPanel::default().show(ui, |ui| case_list_ui(ui, &mut self.list, &self.ws.reference));
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

/// Runs the window until it is closed.
pub fn run(data_dir: Option<PathBuf>) -> ExitCode {
    let data_dir = data_dir.unwrap_or_else(default_data_dir);
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([1280.0, 760.0])
            .with_title("anchi — Ấn chỉ điện tử"),
        ..Default::default()
    };
    let (app, opened): (Box<dyn eframe::App>, bool) = match open_workspace(&data_dir).and_then(AnchiApp::new) {
        Ok(app) => (Box::new(app), true),
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
            ExitCode::FAILURE
        }
    }
}
