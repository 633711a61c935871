//! What the window tests share: the real window's state over a data directory, built as
//! the window starts (fonts installed, so a missing glyph panics here too), and waiting for
//! its background work.

// Each test crate uses some of these.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use anchi::ui::{AnchiApp, open_workspace};
use eframe::egui;
use egui_kittest::Harness;

/// The window over `dir` (the demo data where no unit is set up), viewer off.
pub fn window(dir: &std::path::Path, size: egui::Vec2) -> Harness<'static, AnchiApp> {
    window_of(AnchiApp::new(open_workspace(dir).unwrap()).unwrap(), size)
}

/// The window of an app already made.
pub fn window_of(mut app: AnchiApp, size: egui::Vec2) -> Harness<'static, AnchiApp> {
    app.set_open_viewer(false);
    // A scroll area whose content grows takes a few frames to measure it (the new-case
    // dialog's warnings): `run` may take up to eight before it must have settled.
    let mut harness = Harness::builder()
        .with_max_steps(8)
        .with_size(size)
        .with_context_setup(anchi::ui::theme::install)
        .build_ui_state(|ui, app: &mut AnchiApp| app.show(ui), app);
    // The list's marks and deadlines come a moment after the first frame.
    let start = std::time::Instant::now();
    harness.step();
    while harness.state_mut().list().marks_pending() {
        assert!(start.elapsed() < std::time::Duration::from_secs(30), "the list's marks did not come");
        std::thread::sleep(std::time::Duration::from_millis(5));
        harness.step();
    }
    // A job started before the first frame keeps a spinner going: draw one frame then.
    if harness.state().busy() {
        harness.step();
    } else {
        harness.run();
    }
    harness
}

/// Waits for background work (rendering, export, loading) to report back, drawing frames
/// meanwhile; then lets the screen settle.
pub fn settle(h: &mut Harness<'static, AnchiApp>) {
    let start = std::time::Instant::now();
    while h.state().busy() {
        assert!(start.elapsed() < std::time::Duration::from_secs(30), "background work did not finish");
        std::thread::sleep(std::time::Duration::from_millis(10));
        h.step();
    }
    h.run();
}

/// Runs the `anchi` binary on the data directory `dir`.
pub fn anchi(dir: &Path, args: &[&str]) -> Output {
    anchi_with(dir, args, &[])
}

/// Runs the `anchi` binary on `dir` with these environment variables set.
pub fn anchi_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_anchi"));
    command.arg("--data-dir").arg(dir).args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

/// Whether some widget on screen has a label containing `text` (a message in the status
/// line, a dialog's field, a screen's button): the window is read as a person reads it.
pub fn shows(h: &Harness<'static, AnchiApp>, text: &str) -> bool {
    use egui_kittest::kittest::Queryable;
    h.query_all_by_label_contains(text).next().is_some()
}

/// The case screen is up (its way back to the list is).
pub fn on_case(h: &Harness<'static, AnchiApp>) -> bool {
    shows(h, "Về danh sách vụ việc")
}

/// The case list is up (its search box and its "Vụ việc mới…" button are).
pub fn on_list(h: &Harness<'static, AnchiApp>) -> bool {
    use egui_kittest::kittest::Queryable;
    h.query_by_label("Tìm kiếm").is_some() && shows(h, "Vụ việc mới…") && !on_case(h)
}

/// What the field labelled `label` holds.
pub fn value_of(h: &Harness<'static, AnchiApp>, label: &str) -> String {
    use egui_kittest::kittest::Queryable;
    h.get_by_label(label).value().unwrap_or_default()
}

/// Replaces what the field labelled `label` holds, as a person does: click, select all, type.
pub fn retype(h: &mut Harness<'static, AnchiApp>, label: &str, text: &str) {
    use egui_kittest::kittest::Queryable;
    h.get_by_label(label).click();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
}

/// The whole text of the label (or labelled widget) whose text contains `part`.
pub fn text_with(h: &Harness<'static, AnchiApp>, part: &str) -> String {
    use egui_kittest::kittest::{NodeT, Queryable};
    let node = h.get_by_label_contains(part);
    let node = node.accesskit_node();
    node.value().or_else(|| node.label()).unwrap_or_default()
}

/// A new case of smuggled cigarettes worth 4 million, its inspection decision and record
/// finalised; returns it with a violation record begun.
pub fn smuggling_with_record(ws: &anchi::app::Workspace) -> (uuid::Uuid, uuid::Uuid) {
    use anchi::domain::{DocumentKind as K, Event};
    let unit = ws.unit().unwrap().clone();
    let case = ws
        .open_new_case(&anchi::app::NewCase {
            kind: anchi::domain::SubjectKind::Individual,
            name: "Hoàng Văn Sáu".into(),
            personal_id: "020090054321".into(),
            street: "Số 9 đường Tam Thanh".into(),
            commune_code: Some(ws.reference.admin_units.communes_of(unit.province_code).next().unwrap().code),
            field: "hang-nhap-lau".into(),
            lead_member: unit.members[0].card_number.clone(),
            ..Default::default()
        })
        .unwrap();
    let goods = anchi::app::goods::GoodsInput {
        name: "Thuốc lá điếu nhập lậu".into(),
        unit: "bao".into(),
        quantity: "200".into(),
        unit_price: "20.000".into(),
        ..Default::default()
    };
    ws.save_goods(case, &[goods]).unwrap();
    let now = anchi::app::now();
    for kind in [K::QdKiemTra, K::BbKiemTra] {
        let id = uuid::Uuid::now_v7();
        ws.apply_event(case, Event::StartDocument { id, kind, at: now }).unwrap();
        ws.fill_like_demo(case, id).unwrap();
        ws.apply_event(case, Event::FinaliseDocument { id, number: None, at: now }).unwrap();
    }
    let record = uuid::Uuid::now_v7();
    ws.apply_event(case, Event::StartDocument { id: record, kind: K::BbViPham, at: now }).unwrap();
    (case, record)
}
