//! The real window's UI, driven through egui_kittest (AccessKit) without a display.
//! kittest panics on a glyph the fonts lack, so every frame here also proves that the
//! bundled fonts draw the Vietnamese on screen.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

mod common;

use anchi::ui::{AnchiApp, OpenFailed, open_workspace};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// The one way these tests build a screen: with the fonts installed on the context as the
/// real window does at start, so a missing glyph panics here too.
fn screen<S: 'static>(size: egui::Vec2, state: S, show: fn(&mut egui::Ui, &mut S)) -> Harness<'static, S> {
    let mut harness =
        Harness::builder().with_size(size).with_context_setup(anchi::ui::theme::install).build_ui_state(show, state);
    harness.run();
    harness
}

/// Starts a new draft of `kind` on a demo case, cancelling the demo's own draft of that kind
/// first (one draft of a kind at a time).
fn start_fresh(
    ws: &anchi::app::Workspace,
    case: uuid::Uuid,
    kind: anchi::domain::DocumentKind,
    at: chrono::NaiveDateTime,
) -> uuid::Uuid {
    use anchi::domain::{DocumentState, Event};
    for doc in ws.case(case).unwrap().documents.iter().filter(|d| d.kind == kind && d.state == DocumentState::Draft) {
        ws.apply_event(case, Event::CancelDocument { id: doc.id, reason: "lập lại".into(), at }).unwrap();
    }
    let id = uuid::Uuid::now_v7();
    ws.apply_event(case, Event::StartDocument { id, kind, at }).unwrap();
    id
}

/// The window over `dir`, as every window test builds it (`tests/common`).
fn harness(dir: &std::path::Path) -> Harness<'static, AnchiApp> {
    common::window(dir, egui::vec2(1280.0, 760.0))
}

#[test]
fn a_new_data_directory_opens_on_a_marked_demo_unit() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    harness.get_by_label_contains("DỮ LIỆU MẪU — chưa thiết lập đơn vị");
    harness.get_by_label_contains("ĐỘI QUẢN LÝ THỊ TRƯỜNG SỐ 1");
    let total = harness.state_mut().list().rows.len();
    assert_eq!(total, 300);
    harness.get_by_label(&format!("{total} / {total} vụ việc"));
    // The newest case is on screen, with its Vietnamese name.
    let newest = harness.state_mut().list().rows[0].subject_name.clone();
    assert!(harness.query_all_by_label(&newest).next().is_some(), "{newest} not shown");
    // The real data directory got no demo data: the demo lives apart.
    assert!(dir.path().join("demo").join(anchi::store::DB_FILE).exists());
}

#[test]
fn the_list_is_drawn_from_its_rows_at_once_and_marked_a_moment_later() {
    let dir = tempfile::tempdir().unwrap();
    let ws = open_workspace(dir.path()).unwrap();
    let marked = ws.case_list().unwrap();
    let (pressing, repeat) = (marked.pressing(), marked.rows.iter().filter(|r| marked.badge(&r.id).is_some()).count());
    assert!(pressing > 0 && repeat > 0, "the demo has deadlines due and repeat subjects");
    // The window is made with the rows alone: its first frame draws them, and the marks
    // and deadlines are computed on another thread meanwhile ("đang tính…" until they come).
    let mut app = AnchiApp::new(ws).unwrap();
    assert_eq!(app.list().rows.len(), 300);
    assert!(app.list().marks_pending() && app.list().pressing() == 0);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 760.0))
        .with_context_setup(anchi::ui::theme::install)
        .build_ui_state(|ui, app: &mut AnchiApp| app.show(ui), app);
    h.get_by_label("300 / 300 vụ việc");
    let start = std::time::Instant::now();
    while h.state_mut().list().marks_pending() {
        assert!(start.elapsed() < std::time::Duration::from_secs(30), "the marks did not come");
        std::thread::sleep(std::time::Duration::from_millis(5));
        h.step();
    }
    h.run();
    h.get_by_label(&format!("Sắp đến hạn / Quá hạn ({pressing})"));
    let list = h.state_mut().list();
    assert_eq!(list.rows.iter().filter(|r| list.badge(&r.id).is_some()).count(), repeat);
}

#[test]
fn search_ignores_accents_and_filters_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    let expected = harness
        .state_mut()
        .list()
        .rows
        .iter()
        .filter(|r| anchi::domain::text::fold(&r.subject_name).contains("cong ty"))
        .count();
    assert!(expected > 0 && expected < 300);
    let search = harness.get_by_label("Tìm kiếm");
    search.focus();
    harness.run();
    // Typed without accents, matching "Công ty".
    harness.get_by_label("Tìm kiếm").type_text("cong ty");
    harness.run();
    assert_eq!(common::value_of(&harness, "Tìm kiếm"), "cong ty");
    harness.get_by_label(&format!("{expected} / 300 vụ việc"));
    // Typed with accents the result is the same.
    common::retype(&mut harness, "Tìm kiếm", "CÔNG TY");
    harness.get_by_label(&format!("{expected} / 300 vụ việc"));
}

#[test]
fn a_tax_code_finds_its_case() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    let rows = &harness.state_mut().list().rows;
    let target = rows.iter().find(|r| r.subject_identifier.is_some()).unwrap().clone();
    // A subject inspected again comes back under the same code: all its cases are found.
    let expected = rows.iter().filter(|r| r.subject_identifier == target.subject_identifier).count();
    common::retype(&mut harness, "Tìm kiếm", &target.subject_identifier.clone().unwrap());
    harness.get_by_label(&format!("{expected} / 300 vụ việc"));
    assert!(harness.query_all_by_label(&target.subject_name).next().is_some());
}

#[test]
fn data_in_use_elsewhere_is_explained_on_screen() {
    let dir = tempfile::tempdir().unwrap();
    // Another anchi (a command, a second window) holds the file.
    let _held = anchi::app::Workspace::open(dir.path()).unwrap();
    let error = open_workspace(dir.path()).expect_err("the file is locked");
    let harness = screen(egui::vec2(900.0, 400.0), OpenFailed::new(&error), |ui, s| s.show(ui));
    harness.get_by_label("Không mở được dữ liệu");
    harness.get_by_label_contains("đang được một cửa sổ hoặc lệnh anchi khác sử dụng");
}

#[test]
fn the_list_filters_by_field_and_sorts_by_a_clicked_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    let expected = harness.state_mut().list().rows.iter().filter(|r| r.field == "hang-gia").count();
    assert!(expected > 0 && expected < 300);
    harness.get_by_label("lĩnh vực").click();
    harness.run();
    // The table behind shows the same words as text; the drop-down's entry is a control.
    let option = harness
        .query_all_by_label("Hàng giả")
        .find(|n| n.accesskit_node().role() != egui::accesskit::Role::Label)
        .expect("the drop-down entry");
    option.click();
    harness.run();
    harness.get_by_label(&format!("{expected} / 300 vụ việc"));

    // A click on a column's title sorts by it, a second click reverses the order.
    harness.get_by_label("Đối tượng").click();
    harness.run();
    let fold = anchi::domain::text::fold;
    let names: Vec<String> =
        (0..expected).map(|i| fold(&harness.state_mut().list().visible_row(i).unwrap().subject_name)).collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "ascending by subject");
    harness.get_by_label("Đối tượng ˄").click();
    harness.run();
    let first = fold(&harness.state_mut().list().visible_row(0).unwrap().subject_name);
    assert_eq!(&first, names.last().unwrap(), "descending after a second click");
}

/// With the built-in Telex on, a password is taken key by key as typed: "matkhau123" was
/// stored as "mâtkhu123", and a passphrase "hoangf1234" as "hoàng1234", locking the member
/// out. The field says so under it.
#[test]
fn passwords_and_passphrases_are_taken_as_typed_with_telex_on() {
    use anchi::ui::login::{LoginScreen, login_ui};
    use anchi::ui::typing::{Method, Typing};
    let member = anchi::app::demo::demo_unit().members.remove(0);
    let mut harness = screen(egui::vec2(1024.0, 600.0), LoginScreen::new(vec![member], None), |ui, s| {
        Typing { method: Method::Telex, ..Default::default() }.store(ui.ctx());
        login_ui(ui, s, &mut Vec::new());
    });
    // Key by key, as a person types (the composition works on each key).
    for key in "matkhau123".chars() {
        harness.get_by_label("Mật khẩu").type_text(&key.to_string());
        harness.run();
    }
    assert_eq!(harness.state().password, "matkhau123");
    harness.get_by_label_contains("không tự bỏ dấu");

    // A normal field still composes.
    let mut field = screen(egui::vec2(400.0, 100.0), String::new(), |ui, s| {
        Typing { method: Method::Telex, ..Default::default() }.store(ui.ctx());
        let l = ui.label("Tên");
        anchi::ui::typing::text_edit(ui, s, |v| egui::TextEdit::singleline(v)).labelled_by(l.id);
    });
    field.get_by_label("Tên").click();
    field.run();
    for key in "hoangf".chars() {
        field.get_by_label("Tên").type_text(&key.to_string());
        field.run();
    }
    assert_eq!(field.state(), "hoàng");
}

/// After "Hoàn tất…" flags the empty fields, typing into one at full speed keeps every
/// key: the first letter used to clear the problem panel, the field's place (and so its
/// identity) moved, and the rest of the typing went nowhere.
#[test]
fn a_field_flagged_after_finalise_keeps_every_key_typed() {
    use anchi::domain::DocumentKind;
    use anchi::ui::wizard::{WizardState, wizard_ui};
    let dir = tempfile::tempdir().unwrap();
    let mut ws = anchi::app::Workspace::open(dir.path()).unwrap();
    ws.make_demo(12, 2).unwrap();
    let fresh = ws.list_cases().unwrap().into_iter().find(|c| c.stage == anchi::domain::Stage::Moi);
    let case_id = fresh.expect("a case with no document yet").id;
    let document = start_fresh(&ws, case_id, DocumentKind::QdKiemTra, anchi::app::now());
    let case = ws.case(case_id).unwrap();
    let doc = case.document(document).unwrap().clone();
    let form = ws.form_of(&doc).clone();
    let members = ws.unit().unwrap().members.clone();
    let ws = std::sync::Arc::new(ws);
    struct Screen {
        w: WizardState,
        ws: std::sync::Arc<anchi::app::Workspace>,
    }
    let state = Screen { w: WizardState::new(case, document, form, members), ws };
    let mut harness = screen(egui::vec2(1366.0, 768.0), state, |ui, s| {
        wizard_ui(ui, &mut s.w, &mut Vec::new());
        // What the window does after each frame: a fresh report when one is needed.
        if s.w.needs_check {
            s.w.report = s.ws.check_document(&s.w.case, &s.w.current(), anchi::app::now());
            s.w.needs_check = false;
            s.w.checked();
        }
    });
    harness.get_by_label("Hoàn tất…").click();
    harness.run();
    harness.run();
    // The first flagged field of the step on screen.
    let flagged = {
        let s = harness.state();
        let on_screen: Vec<String> = s.w.form.sections()[s.w.section].1.iter().map(|f| f.id.clone()).collect();
        let id = on_screen
            .into_iter()
            .find(|id| s.w.report.errors().any(|p| p.field == format!("field.{id}")))
            .expect("an empty required field on the first step");
        s.w.form.field(&id).unwrap().clone()
    };
    let label = format!("{} *", flagged.label);
    harness.get_by_label(&label).click();
    harness.run();
    for key in "Anh Lâm".chars() {
        harness.get_by_label(&label).type_text(&key.to_string());
        harness.step();
    }
    harness.run();
    assert_eq!(harness.state().w.values.get(&flagged.id).map(String::as_str), Some("Anh Lâm"));
}

/// Alt+Z switches the built-in typing and types nothing: on Linux the key also arrived as
/// the text "z", which went into the field being typed in.
#[test]
fn alt_z_switches_the_typing_and_types_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    harness.get_by_label("Tìm kiếm").click();
    harness.run();
    let alt = egui::Modifiers::ALT;
    let key = |pressed| egui::Event::Key {
        key: egui::Key::Z,
        physical_key: Some(egui::Key::Z),
        pressed,
        repeat: false,
        modifiers: alt,
    };
    harness.input_mut().events.extend([key(true), egui::Event::Text("z".into()), key(false)]);
    harness.run();
    assert_eq!(harness.get_by_label("Tìm kiếm").value().unwrap_or_default(), "");
    let typing = anchi::ui::typing::Typing::of(&harness.ctx);
    assert_eq!(typing.method, anchi::ui::typing::Method::Telex);
}

/// Goods lines typed and not saved with "Lưu hàng hóa" were dropped without a word on
/// leaving the case (everything else autosaves). Now leaving stores them; an incomplete
/// line keeps the member on the case with the problem shown, until corrected or dropped.
#[test]
fn goods_typed_and_left_without_saving_are_kept() {
    use anchi::ui::command::Command;
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    let ws = harness.state().workspace();
    let case = ws.list_cases().unwrap().into_iter().find(|c| c.stage == anchi::domain::Stage::Moi).unwrap().id;
    let before = ws.case(case).unwrap().goods.len();
    harness.state_mut().execute(Command::OpenCase(case));
    harness.run();
    harness.get_by_label("Thêm dòng").click();
    harness.run();
    let type_into = |harness: &mut Harness<'static, AnchiApp>, column: &str, text: &str| {
        harness.query_all_by_label(column).last().unwrap().click();
        harness.run();
        for key in text.chars() {
            harness.query_all_by_label(column).last().unwrap().type_text(&key.to_string());
            harness.step();
        }
        harness.run();
    };
    // The new line's first cell has the keyboard: typing goes there without a click.
    for key in "Rượu vang Pháp".chars() {
        harness.query_all_by_label("Tên hàng hóa, nhãn hiệu").last().unwrap().type_text(&key.to_string());
        harness.step();
    }
    harness.run();
    let last_name = |h: &Harness<'static, AnchiApp>| {
        h.query_all_by_label("Tên hàng hóa, nhãn hiệu").last().unwrap().value().unwrap_or_default()
    };
    assert_eq!(last_name(&harness), "Rượu vang Pháp");
    // Incomplete (no unit, no quantity): leaving is refused with the problem, nothing lost.
    harness.state_mut().execute(Command::ShowList);
    harness.run();
    assert!(common::on_case(&harness), "still on the case");
    harness.get_by_label_contains("Hàng hóa vừa sửa chưa lưu được");
    type_into(&mut harness, "Đơn vị tính", "chai");
    type_into(&mut harness, "Số lượng", "12");
    // Tab in the last cell of the last line starts a new line with the keyboard in it (it
    // left the grid for the header's buttons, where a space clicked them).
    let lines = |h: &Harness<'static, AnchiApp>| h.query_all_by_label("Tên hàng hóa, nhãn hiệu").count();
    let before_tab = lines(&harness);
    // Tab from a line's last cell goes to the next line's first (the line's buttons are
    // clicked with the mouse, not tabbed through).
    harness.query_all_by_label("Ghi chú").next().unwrap().focus();
    harness.run();
    harness.key_press(egui::Key::Tab);
    harness.run();
    assert!(harness.query_all_by_label("Tên hàng hóa, nhãn hiệu").nth(1).unwrap().is_focused());
    harness.query_all_by_label("Ghi chú").last().unwrap().focus();
    harness.run();
    harness.key_press(egui::Key::Tab);
    harness.run();
    assert_eq!(lines(&harness), before_tab + 1);
    harness.query_all_by_label("Tên hàng hóa, nhãn hiệu").last().unwrap().type_text("x");
    harness.run();
    assert_eq!(last_name(&harness), "x", "the keyboard is in the new line");
    harness.query_all_by_label("Xóa").last().unwrap().click();
    harness.run();
    // Left without pressing "Lưu hàng hóa": stored.
    harness.state_mut().execute(Command::ShowList);
    harness.run();
    assert!(common::on_list(&harness));
    let goods = harness.state().workspace().case(case).unwrap().goods;
    assert_eq!(goods.len(), before + 1);
    let added = goods.last().unwrap();
    assert_eq!((added.name.as_str(), added.unit.as_str()), ("Rượu vang Pháp", "chai"));
}

/// The case's parties are entered once on the case screen; what is typed and not saved
/// with its button is stored on leaving the case, as the goods are.
#[test]
fn parties_typed_on_the_case_are_kept_on_leaving() {
    use anchi::ui::command::Command;
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    let case = harness.state().workspace().list_cases().unwrap()[0].id;
    assert!(harness.state().workspace().case(case).unwrap().parties.is_empty());
    harness.state_mut().execute(Command::OpenCase(case));
    harness.run();
    harness.get_by_label("Người chứng kiến, người liên quan (chưa ghi)").click();
    harness.run();
    for (label, text) in
        [("Người chứng kiến: họ và tên", "Hoang Van Chung"), ("Người phiên dịch: họ và tên", "Ly A Dich")]
    {
        harness.get_by_label(label).focus();
        harness.run();
        for key in text.chars() {
            harness.get_by_label(label).type_text(&key.to_string());
            harness.step();
        }
        harness.run();
    }
    harness.state_mut().execute(Command::ShowList);
    harness.run();
    assert!(common::on_list(&harness), "back on the list");
    let parties = harness.state().workspace().case(case).unwrap().parties;
    assert_eq!((parties.witness.name.as_str(), parties.interpreter.name.as_str()), ("Hoang Van Chung", "Ly A Dich"));
    harness.state_mut().execute(Command::OpenCase(case));
    harness.run();
    harness.get_by_label("Người chứng kiến, người liên quan (2 người)");
}

/// A half-filled "Vụ việc mới" used to close on any click outside it (the status bar's
/// typing switch included), and everything typed was gone. Now an outside click changes
/// nothing, and Esc or "Hủy" ask before dropping what was typed.
#[test]
fn a_half_filled_new_case_survives_a_click_outside_and_esc_asks_first() {
    use anchi::ui::command::Command;
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    harness.state_mut().execute(Command::NewCaseDialog);
    harness.run();
    // A household business is asked for its owner, who signs for it.
    harness.get_by_label("Chủ hộ kinh doanh");
    harness.get_by_label("Tên đối tượng").focus();
    harness.run();
    harness.get_by_label("Tên đối tượng").type_text("Hộ kinh doanh Lò Văn Páo");
    harness.run();
    let click_at = |harness: &mut Harness<'static, AnchiApp>, pos: egui::Pos2| {
        let button = |pressed| egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        };
        harness.input_mut().events.extend([egui::Event::PointerMoved(pos), button(true), button(false)]);
        harness.run();
    };
    // Bottom-left corner: the status bar, far outside the dialog.
    click_at(&mut harness, egui::pos2(20.0, 750.0));
    assert_eq!(common::value_of(&harness, "Tên đối tượng"), "Hộ kinh doanh Lò Văn Páo", "still open, nothing lost");
    harness.key_press(egui::Key::Escape);
    harness.run();
    harness.get_by_label("Tiếp tục nhập"); // Esc asks first
    assert_eq!(common::value_of(&harness, "Tên đối tượng"), "Hộ kinh doanh Lò Văn Páo");
    harness.get_by_label("Tiếp tục nhập").click();
    harness.run();
    assert!(harness.query_by_label("Tiếp tục nhập").is_none());
    assert_eq!(common::value_of(&harness, "Tên đối tượng"), "Hộ kinh doanh Lò Văn Páo");
    harness.key_press(egui::Key::Escape);
    harness.run();
    harness.get_by_label("Bỏ").click();
    harness.run();
    assert!(harness.query_by_label("Tên đối tượng").is_none(), "dropped when asked to");
}

/// The pickers for long lists (communes, provinces) take the keyboard: typed with or
/// without accents, every word in any order, listed by name; arrows and Enter choose. (The
/// commune drop-down closed when its filter box was clicked and listed 65 names in code
/// order.)
#[test]
fn a_long_list_is_picked_with_the_keyboard_alone() {
    let options: Vec<(u32, String)> =
        [(3, "Xã Đồng Đăng"), (1, "Phường Lương Văn Tri"), (2, "Phường Đông Kinh"), (4, "Xã Đông Hưng")]
            .map(|(c, n)| (c, n.to_string()))
            .into();
    let pick = |typed: &str, downs: usize| {
        let mut h = screen(egui::vec2(600.0, 400.0), (None::<u32>, options.clone()), |ui, (value, options)| {
            let l = ui.label("Xã/phường");
            anchi::ui::picker::picker(ui, "test", l.id, value, options, 300.0);
        });
        h.get_by_label("Xã/phường").click();
        h.run();
        h.get_by_label("Xã/phường").type_text(typed);
        h.run();
        for _ in 0..downs {
            h.key_press(egui::Key::ArrowDown);
            h.run();
        }
        h.key_press(egui::Key::Enter);
        h.run();
        h.state().0
    };
    // "dong": Phường Đông Kinh, Xã Đồng Đăng, Xã Đông Hưng (by name, accents aside).
    assert_eq!(pick("dong", 0), Some(2));
    assert_eq!(pick("dong", 1), Some(3));
    assert_eq!(pick("dong", 2), Some(4));
    assert_eq!(pick("kinh dong", 0), Some(2), "every word, in any order");
}

/// The people are typed once: a new record's maker is the member at the laptop (here, with
/// no accounts, the case's head), and the subject signs by the owner asked for when the
/// case was opened — a household business's signature line used to print as dots.
#[test]
fn a_new_record_s_signers_default_to_the_maker_and_the_subject_s_owner() {
    use anchi::domain::{DocumentKind, DocumentState, Event, SignerRole, SubjectKind};
    use anchi::ui::command::Command;
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    let ws = harness.state().workspace();
    // A household business opened with its owner, its inspection decision issued.
    let unit = ws.unit().unwrap().clone();
    let case_id = ws
        .open_new_case(&anchi::app::NewCase {
            kind: SubjectKind::HouseholdBusiness,
            name: "Hộ kinh doanh Lò Văn Páo".into(),
            personal_id: "020090012345".into(),
            representative: "Lò Văn Páo".into(),
            street: "Số 3 đường Trần Đăng Ninh".into(),
            commune_code: Some(ws.reference.admin_units.communes_of(unit.province_code).next().unwrap().code),
            field: "hang-gia".into(),
            lead_member: unit.members[0].card_number.clone(),
            ..Default::default()
        })
        .unwrap();
    let decision = start_fresh(ws, case_id, DocumentKind::QdKiemTra, anchi::app::now());
    ws.fill_like_demo(case_id, decision).unwrap();
    ws.apply_event(case_id, Event::FinaliseDocument { id: decision, number: None, at: anchi::app::now() }).unwrap();
    assert!(ws.case(case_id).unwrap().documents.iter().all(|d| d.state == DocumentState::Finalised));
    let head =
        unit.members.iter().find(|m| m.card_number == ws.case(case_id).unwrap().members[0]).unwrap().full_name.clone();
    let document = start_fresh(ws, case_id, DocumentKind::BbKiemTra, anchi::app::now());
    harness.state_mut().execute(Command::OpenDocument { case: case_id, document });
    harness.run();
    harness.get_by_label_contains("Chữ ký").click();
    harness.run();
    let name_of = |h: &Harness<'static, AnchiApp>, role: SignerRole| {
        h.query_all_by_label(role.vi()).next().map(|n| n.value().unwrap_or_default())
    };
    assert_eq!(name_of(&harness, SignerRole::Maker), Some(head));
    assert_eq!(name_of(&harness, SignerRole::Violator).as_deref(), Some("Lò Văn Páo"));
}

/// The province's server is set in the window (it told the member to type
/// `anchi config set server.url …` in a terminal), with problems said in words.
#[test]
fn the_province_s_server_is_set_in_the_send_dialog() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    harness.get_by_label("Gửi về Chi cục…").click();
    harness.run();
    harness.get_by_label("Địa chỉ máy chủ của Chi cục").focus();
    harness.run();
    harness.get_by_label("Địa chỉ máy chủ của Chi cục").type_text("http://may-chu");
    harness.run();
    harness.get_by_label("Lưu thiết lập máy chủ").click();
    harness.run();
    harness.get_by_label_contains("phải là địa chỉ bắt đầu bằng https://");
    // A good address with a file that holds no certificate: refused whole, the address is
    // not stored on its own.
    let not_a_cert = dir.path().join("khong-phai.pem");
    std::fs::write(&not_a_cert, "không phải chứng chỉ").unwrap();
    common::retype(&mut harness, "Địa chỉ máy chủ của Chi cục", "https://qltt.example.vn:8443");
    common::retype(&mut harness, "Chứng chỉ của Chi cục (tệp .pem hoặc .crt)", &not_a_cert.display().to_string());
    harness.get_by_label("Lưu thiết lập máy chủ").click();
    harness.run();
    harness.get_by_label_contains("không chứa chứng chỉ");
    assert_eq!(harness.state().workspace().server_settings().unwrap().url, None, "nothing stored");

    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap().self_signed(&key).unwrap();
    let ca = dir.path().join("chi-cuc.pem");
    std::fs::write(&ca, cert.pem()).unwrap();
    common::retype(&mut harness, "Địa chỉ máy chủ của Chi cục", "https://qltt.example.vn:8443");
    common::retype(&mut harness, "Chứng chỉ của Chi cục (tệp .pem hoặc .crt)", &ca.display().to_string());
    harness.get_by_label("Lưu thiết lập máy chủ").click();
    harness.run();
    let settings = harness.state().workspace().server_settings().unwrap();
    assert_eq!(settings.url.as_deref(), Some("https://qltt.example.vn:8443"));
    assert!(settings.ca_pem.is_some());
    harness.get_by_label_contains("Máy chủ: https://qltt.example.vn:8443");
}

/// Files are chosen like in every other program: what the system's chooser gives goes
/// where it was asked for (attachments could only be dragged in; backup and package paths
/// were typed by hand).
#[test]
fn what_the_file_chooser_gives_goes_where_it_was_asked_for() {
    use anchi::ui::command::{Choose, Command};
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    let case = harness.state().workspace().list_cases().unwrap()[0].id;
    let before = harness.state().workspace().case(case).unwrap().attachments.len();
    harness.state_mut().execute(Command::OpenCase(case));
    harness.run();
    harness.get_by_label("Chọn tệp đính kèm…");
    let photo = dir.path().join("quầy hàng.png");
    image::RgbImage::from_fn(8, 8, |x, y| image::Rgb([x as u8, y as u8, 9])).save(&photo).unwrap();
    harness.state_mut().chosen(Choose::Attachments { case }, vec![photo]);
    harness.run();
    assert_eq!(harness.state().workspace().case(case).unwrap().attachments.len(), before + 1);

    harness.get_by_label("Sao lưu…").click();
    harness.run();
    harness.get_by_label("Chọn nơi lưu…");
    let usb = dir.path().join("USB").join("sao-luu.anchi-backup");
    harness.state_mut().chosen(Choose::BackupOut { proposed: "x".into() }, vec![usb.clone()]);
    harness.run();
    assert_eq!(common::value_of(&harness, "Lưu vào tệp"), usb.display().to_string());
    harness.state_mut().execute(Command::CloseBackupDialog);

    // The set-up speaks of the province's certificate, not of PEM or minisign, and chooses
    // the file like everything else.
    harness.state_mut().execute(Command::ShowSetup);
    harness.run();
    assert!(harness.query_by_label_contains("PEM").is_none() && harness.query_by_label_contains("minisign").is_none());
    let ca = dir.path().join("chi-cuc.crt");
    harness.state_mut().chosen(Choose::SetupCaFile, vec![ca.clone()]);
    harness.run();
    assert_eq!(common::value_of(&harness, "Chứng chỉ của Chi cục (tệp .pem hoặc .crt)"), ca.display().to_string());
}

/// At 1024×600 with "Chữ lớn" every control of the header is on screen (the statistics,
/// account and lock buttons were off the right edge, out of reach).
#[test]
fn every_header_control_is_reachable_at_1024_by_600_with_large_text() {
    let dir = tempfile::tempdir().unwrap();
    let app = AnchiApp::new(open_workspace(dir.path()).unwrap()).unwrap();
    let mut harness = screen(egui::vec2(1024.0, 600.0), app, |ui, app| {
        anchi::ui::theme::apply(ui.ctx(), anchi::ui::theme::Appearance { large_text: true, ..Default::default() });
        app.show(ui)
    });
    harness.run();
    for control in ["Gửi về Chi cục…", "Sao lưu…", "Thống kê", "Thiết lập đơn vị…", "Vụ việc mới…"]
    {
        let rect = harness.get_by_label(control).rect();
        assert!(rect.right() <= 1024.0 && rect.bottom() <= 600.0, "{control} at {rect:?}");
    }
}

/// What the set-up shows once (temporary passwords, the key to enrol) can be copied, then
/// hidden: it stayed in plain view on the sign-in screen.
#[test]
fn the_set_up_summary_is_copied_then_hidden() {
    use anchi::ui::login::{LoginScreen, login_ui};
    let member = anchi::app::demo::demo_unit().members.remove(0);
    let mut screen_state = LoginScreen::new(vec![member], None);
    screen_state.info = Some("Mật khẩu tạm của Hoàng Văn Thắng (LS-0101): 7dKp9mXq2Lz4".into());
    let mut harness = screen(egui::vec2(1024.0, 600.0), screen_state, |ui, s| login_ui(ui, s, &mut Vec::new()));
    harness.get_by_label("Chép");
    harness.get_by_label("Đã ghi lại, ẩn đi").click();
    harness.run();
    assert!(harness.state().info.is_none());
    assert!(harness.query_by_label_contains("7dKp9mXq2Lz4").is_none(), "no longer on screen");
}

/// The window opens as it was last closed: its restored size, and maximised or not (it
/// always opened maximised at 1200×660 restored). A damaged record is ignored.
#[test]
fn the_window_opens_at_the_size_it_was_closed_at() {
    use anchi::app::WindowGeometry;
    let dir = tempfile::tempdir().unwrap();
    let first = anchi::ui::viewport(None);
    assert_eq!((first.inner_size, first.maximized), (Some(egui::vec2(1200.0, 660.0)), Some(true)));

    let mut h = harness(dir.path());
    let frame = |h: &mut Harness<'static, AnchiApp>, size: egui::Vec2, maximized: bool| {
        let info = h.input_mut().viewports.entry(egui::ViewportId::ROOT).or_default();
        info.inner_rect = Some(egui::Rect::from_min_size(egui::pos2(40.0, 30.0), size));
        info.maximized = Some(maximized);
        h.run();
    };
    frame(&mut h, egui::vec2(1100.0, 640.0), false);
    h.state_mut().remember_geometry();
    let stored = h.state().workspace().window_geometry();
    assert_eq!(stored, Some(WindowGeometry { width: 1100.0, height: 640.0, maximized: false }));
    let next = anchi::ui::viewport(stored);
    assert_eq!((next.inner_size, next.maximized), (Some(egui::vec2(1100.0, 640.0)), Some(false)));

    // Closed maximised: opens maximised, and restores to the size it had before.
    frame(&mut h, egui::vec2(1366.0, 705.0), true);
    h.state_mut().remember_geometry();
    let stored = h.state().workspace().window_geometry();
    assert_eq!(stored, Some(WindowGeometry { width: 1100.0, height: 640.0, maximized: true }));

    // A size no window opens at is not kept.
    let ws = h.state().workspace();
    ws.save_window_geometry(&WindowGeometry { width: f32::NAN, height: 640.0, maximized: false }).unwrap();
    assert_eq!(ws.window_geometry(), None);
    ws.save_window_geometry(&WindowGeometry { width: 300.0, height: 200.0, maximized: false }).unwrap();
    assert_eq!(ws.window_geometry(), None);
}

/// The head of the đoàn is typed, not scrolled to: "hung" and Enter picks Đặng Quốc Hưng in
/// the new-case dialog (it was a drop-down that took no keyboard).
#[test]
fn the_head_of_the_doan_is_picked_by_typing_a_name() {
    use anchi::ui::command::Command;
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    let hung = h.state().workspace().unit().unwrap().members.iter().find(|m| m.full_name.ends_with("Hưng")).cloned();
    let hung = hung.expect("the demo unit has a member named Hưng");
    h.state_mut().execute(Command::NewCaseDialog);
    h.run();
    h.get_by_label("Trưởng đoàn kiểm tra").focus();
    h.run();
    h.get_by_label("Trưởng đoàn kiểm tra").type_text("hung");
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(common::value_of(&h, "Trưởng đoàn kiểm tra").contains(&hung.full_name), "the dialog shows the one chosen");
}

/// A USB stick plugged in after "Sao lưu…" opened is offered too: the open dialog looks for
/// drives again every two seconds (it listed only those plugged in when it opened).
#[test]
fn a_stick_plugged_in_while_the_backup_dialog_is_open_is_offered() {
    use anchi::ui::backup::{BackupDialog, DRIVES_EVERY, backup_dialog_ui};
    let opened = std::time::Instant::now();
    let mut dialog = BackupDialog { drives_checked: Some(opened), ..Default::default() };
    assert!(!dialog.watch_drives(opened + DRIVES_EVERY / 2, || panic!("not yet")));
    let stick = std::path::PathBuf::from("/media/kiemsoat/USB-DOI1");
    assert!(dialog.watch_drives(opened + DRIVES_EVERY, || vec![stick.clone()]));
    dialog.drives_checked = Some(std::time::Instant::now() + DRIVES_EVERY * 100);
    let mut harness =
        screen(egui::vec2(800.0, 600.0), dialog, |ui, d| backup_dialog_ui(ui.ctx(), d, true, &mut Vec::new()));
    harness.get_by_label(&format!("Lưu vào {}", stick.display())).click();
    harness.run();
    assert!(harness.state().out.starts_with(&stick.join("anchi-sao-luu").display().to_string()));
}

/// A goods cell is as wide as its text (up to two and a half times its column's base width):
/// "Bình gas không rõ nguồn gốc" showed as "Bình gas không rõ nguồ", "Đã qua kiểm đếm" as
/// "Đã qua k". Wider than the window, the grid scrolls sideways.
#[test]
fn goods_cells_show_their_text_whole() {
    use anchi::ui::command::Command;
    let dir = tempfile::tempdir().unwrap();
    let mut harness = harness(dir.path());
    let ws = harness.state().workspace();
    let case = ws.list_cases().unwrap().into_iter().find(|c| c.stage == anchi::domain::Stage::Moi).unwrap().id;
    let line = anchi::app::goods::GoodsInput {
        name: "Bình gas không rõ nguồn gốc xuất xứ".into(),
        unit: "bình".into(),
        quantity: "126".into(),
        origin: "Không rõ".into(),
        condition: "Đã qua kiểm đếm, niêm phong".into(),
        unit_price: "380000".into(),
        ..Default::default()
    };
    ws.save_goods(case, std::slice::from_ref(&line)).unwrap();
    harness.state_mut().execute(Command::OpenCase(case));
    harness.run();
    let width_of = |h: &Harness<'static, AnchiApp>, label: &str| {
        h.get_by_label(label).accesskit_node().bounding_box().map(|r| r.width()).unwrap_or_default()
    };
    let fits = |h: &Harness<'static, AnchiApp>, text: &str| {
        let font = egui::TextStyle::Body.resolve(&h.ctx.global_style());
        h.ctx.fonts_mut(|f| f.layout_no_wrap(text.to_owned(), font, egui::Color32::WHITE).size().x) as f64
    };
    for (label, text) in [("Tên hàng hóa, nhãn hiệu", &line.name), ("Tình trạng", &line.condition)] {
        let (cell, needed) = (width_of(&harness, label), fits(&harness, text));
        assert!(cell >= needed, "{label}: a cell {cell:.0} px wide for a text of {needed:.0} px");
    }
}
