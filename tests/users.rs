//! Set-up in the window, members signing in on the shared laptop, the leader-only
//! decisions and the lock screen — all through the real window (egui_kittest) over a real
//! data directory.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

mod common;

use anchi::app::{NewCase, Workspace};
use anchi::domain::{DocumentKind, DocumentState, Event};
use anchi::ui::command::Command;
use eframe::egui;
use egui_kittest::kittest::{NodeT, Queryable};

const SIZE: egui::Vec2 = egui::vec2(1280.0, 1400.0);

fn type_into(h: &mut egui_kittest::Harness<'static, anchi::ui::AnchiApp>, label: &str, nth: usize, text: &str) {
    h.get_all_by_label(label).nth(nth).unwrap_or_else(|| panic!("no field {label} #{nth}")).focus();
    h.run();
    h.get_all_by_label(label).nth(nth).unwrap().type_text(text);
    h.run();
}

fn sign_in(h: &mut egui_kittest::Harness<'static, anchi::ui::AnchiApp>, member: &str, password: &str) {
    h.get_by_label("Thành viên").click();
    h.run();
    h.get_by_label_contains(&format!("{member} — ")).click();
    h.run();
    type_into(h, "Mật khẩu", 0, password);
    h.get_by_label("Đăng nhập").click();
    h.run();
}

#[test]
#[allow(clippy::too_many_lines, reason = "one walk-through of the window, step after step")]
fn a_laptop_is_set_up_in_the_window_and_only_a_leader_finalises_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = common::window(dir.path(), SIZE);
    h.get_by_label("Thiết lập đơn vị…").click();
    h.run();

    // An empty form is refused with its problems beside the fields; nothing is set up.
    h.get_by_label("Thiết lập").click();
    h.run();
    h.get_by_label("Mã tỉnh không có trong danh mục đơn vị hành chính 2025");
    assert!(h.state().workspace().unit().unwrap().demo, "still the demo");
    assert!(Workspace::open(dir.path()).unwrap().unit().is_none(), "nothing stored for a refused set-up");

    h.get_by_label("Tỉnh, thành phố").click();
    h.run();
    h.get_by_label("Tỉnh, thành phố").type_text("cao bang");
    h.run();
    h.get_by_label("Cao Bằng").click();
    h.run();
    type_into(&mut h, "Mã đơn vị (máy chủ Chi cục cấp, ví dụ LS-D1)", 0, "CB-D1");
    type_into(&mut h, "Chữ viết tắt trong số văn bản (ví dụ QLTTLS)", 0, "QLTTCB");
    type_into(&mut h, "Họ và tên", 0, "Nông Văn Dũng");
    type_into(&mut h, "Số thẻ kiểm tra", 0, "CB-0101");
    type_into(&mut h, "Mật khẩu", 0, "dung-mat-khau");
    type_into(&mut h, "Nhập lại mật khẩu", 0, "dung-mat-khau");
    type_into(&mut h, "Họ và tên", 1, "Lý Thị Hoa");
    type_into(&mut h, "Số thẻ kiểm tra", 1, "CB-0102");
    type_into(&mut h, "Mật khẩu khóa ký", 0, "khoa-ky-doi-1");
    type_into(&mut h, "Nhập lại mật khẩu khóa ký", 0, "khoa-ky-doi-2");
    h.get_by_label("Thiết lập").click();
    h.run();
    h.get_by_label("Hai lần nhập khác nhau");
    h.get_all_by_label("Nhập lại mật khẩu khóa ký").next().unwrap().focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_all_by_label("Nhập lại mật khẩu khóa ký").next().unwrap().type_text("khoa-ky-doi-1");
    h.run();
    h.get_by_label("Thiết lập").click();
    h.run();

    // Set up: the window is on the new unit and asks who is signing in.
    let unit = h.state().workspace().unit().cloned().expect("a unit");
    assert!(!unit.demo && unit.code == "CB-D1", "{unit:?}");
    assert_eq!(unit.names[0].chi_cuc, "CHI CỤC QUẢN LÝ THỊ TRƯỜNG TỈNH CAO BẰNG", "proposed from the province");
    assert_eq!(h.state().workspace().data_dir(), dir.path(), "the real unit lives in the data directory itself");
    let info = common::text_with(&h, "khóa công khai");
    assert!(info.contains("khóa công khai"), "{info}");
    let temporary = info
        .lines()
        .find_map(|l| l.strip_prefix("Mật khẩu tạm của Lý Thị Hoa (CB-0102): "))
        .expect("a temporary password")
        .to_string();
    assert!(!info.contains("Nông Văn Dũng (CB-0101)"), "the leader chose a password: {info}");
    assert!(h.query_by_label_contains("Vụ việc mới").is_none(), "no case data behind the sign-in screen");

    sign_in(&mut h, "Nông Văn Dũng", "sai-mat-khau");
    h.get_by_label("Sai số thẻ hoặc mật khẩu");
    sign_in(&mut h, "Nông Văn Dũng", "dung-mat-khau");
    assert!(!common::shows(&h, "Đăng nhập để làm việc"), "signed in");
    h.get_by_label("Nông Văn Dũng (Đội trưởng)");

    // Locked by hand; the inspector signs in with her temporary password and must change it.
    h.get_by_label("Khóa").click();
    h.run();
    h.get_by_label("Màn hình đã khóa");
    sign_in(&mut h, "Lý Thị Hoa", &temporary);
    h.get_by_label("Đổi mật khẩu tạm");
    type_into(&mut h, "Mật khẩu mới", 0, "hoa-mat-khau");
    type_into(&mut h, "Nhập lại mật khẩu mới", 0, "hoa-mat-khau");
    h.get_by_label("Đổi mật khẩu").click();
    h.run();
    assert!(!common::shows(&h, "Đổi mật khẩu tạm"), "the temporary password is changed");
    h.get_by_label("Lý Thị Hoa (Kiểm soát viên thị trường)");

    // The inspector opens a case and drafts the inspection decision; she cannot finalise it.
    let ws = h.state().workspace();
    let commune = ws.reference.admin_units.communes_of(unit.province_code).next().unwrap().code;
    let input = NewCase {
        name: "Hộ kinh doanh Hoàng Văn Páo".into(),
        personal_id: "004090001234".into(),
        street: "Chợ Xanh".into(),
        commune_code: Some(commune),
        field: "hang-gia".into(),
        lead_member: "CB-0102".into(),
        ..Default::default()
    };
    let case = ws.open_new_case(&input).unwrap();
    h.state_mut().execute(Command::StartDocument { case, kind: DocumentKind::QdKiemTra });
    h.run();
    let decision = h.state().workspace().case(case).unwrap().documents[0].id;
    h.state().workspace().fill_like_demo(case, decision).unwrap();
    h.state_mut().execute(Command::OpenDocument { case, document: decision });
    h.run();
    assert!(h.get_by_label("Hoàn tất…").accesskit_node().is_disabled(), "an inspector's button is disabled");
    h.get_by_label_contains("không có quyền hoàn tất Quyết định kiểm tra");
    h.state_mut().execute(Command::Finalise { case, document: decision });
    h.run();
    assert!(common::shows(&h, "do Đội trưởng (lãnh đạo đội) thực hiện"), "the refusal is said");
    let ws = h.state().workspace();
    let doc = ws.case(case).unwrap().documents[0].clone();
    assert_eq!(doc.state, DocumentState::Draft);
    assert!(doc.number.is_none());
    assert!(
        ws.apply_event(case, Event::FinaliseDocument { id: decision, number: None, at: anchi::app::now() }).is_err(),
        "refused below the window too"
    );
    let history = ws.history(case).unwrap();
    assert!(history.iter().all(|e| e.actor == "CB-0102 Lý Thị Hoa"), "the journal names her: {history:?}");

    // The list shows the leader what waits for him.
    h.state_mut().execute(Command::ShowList);
    h.run();
    h.get_by_label("Chờ lãnh đạo hoàn tất (1)").click();
    h.run();
    assert_eq!(h.state_mut().list().visible_count(), 1);
    h.state_mut().execute(Command::OpenDocument { case, document: decision });
    h.run();

    // The screen locks by itself after the idle time; the leader signs in and finalises.
    h.state_mut().set_lock_after(std::time::Duration::ZERO);
    h.run();
    h.get_by_label("Màn hình đã khóa");
    assert!(h.query_by_label("Hoàn tất…").is_none(), "the document is hidden while locked");
    h.state_mut().set_lock_after(anchi::ui::LOCK_AFTER);
    sign_in(&mut h, "Nông Văn Dũng", "dung-mat-khau");
    assert!(!h.get_by_label("Hoàn tất…").accesskit_node().is_disabled(), "the leader's button is enabled");
    h.state_mut().execute(Command::Finalise { case, document: decision });
    h.step();
    common::settle(&mut h);
    let ws = h.state().workspace();
    let doc = ws.case(case).unwrap().documents[0].clone();
    assert_eq!(doc.state, DocumentState::Finalised);
    assert_eq!(doc.number.as_ref().unwrap().seq, 1, "no number was used up by the refusals");
    let last = ws.history(case).unwrap().pop().unwrap();
    assert!(last.action.starts_with("document.finalise "), "{}", last.action);
    assert_eq!(last.actor, "CB-0101 Nông Văn Dũng");
    assert!(ws.audit_verify().unwrap().first_broken.is_none(), "the journal verifies");

    // "Tài khoản": the leader gives the inspector a new temporary password and changes his own.
    h.state_mut().execute(Command::ShowList);
    h.run();
    h.get_by_label("Chờ lãnh đạo hoàn tất (0)");
    assert_eq!(h.state_mut().list().visible_count(), 0, "nothing waits any more");
    h.get_by_label("Nông Văn Dũng (Đội trưởng)").click();
    h.run();
    h.get_by_label("Chọn thành viên").click();
    h.run();
    h.get_by_label("Lý Thị Hoa (CB-0102)").click();
    h.run();
    h.get_by_label("Cấp mật khẩu tạm").click();
    h.run();
    h.get_by_label_contains("Mật khẩu tạm của Lý Thị Hoa (CB-0102): ");
    type_into(&mut h, "Mật khẩu hiện tại", 0, "dung-mat-khau");
    type_into(&mut h, "Mật khẩu mới", 0, "dung-mat-khau-moi");
    type_into(&mut h, "Nhập lại mật khẩu mới", 0, "dung-mat-khau-moi");
    h.get_by_label("Đổi mật khẩu").click();
    h.run();
    assert!(common::shows(&h, "Đã đổi mật khẩu"), "the change is confirmed");
    h.get_by_label("Đóng").click();
    h.run();
    h.state_mut().execute(Command::Lock);
    h.run();
    sign_in(&mut h, "Nông Văn Dũng", "dung-mat-khau");
    h.get_by_label("Sai số thẻ hoặc mật khẩu");
    sign_in(&mut h, "Nông Văn Dũng", "dung-mat-khau-moi");
    assert!(!common::shows(&h, "Màn hình đã khóa"), "signed in again");

    // A new member joins: the leader adds him, he signs in with the temporary password.
    h.get_by_label("Nông Văn Dũng (Đội trưởng)").click();
    h.run();
    type_into(&mut h, "Họ và tên", 0, "Hoàng Văn Páo");
    type_into(&mut h, "Số thẻ kiểm tra", 0, "CB-0102");
    h.get_by_label("Thêm thành viên").click();
    h.run();
    h.get_by_label_contains("Số thẻ kiểm tra trống hoặc trùng");
    h.get_all_by_label("Số thẻ kiểm tra").next().unwrap().focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_all_by_label("Số thẻ kiểm tra").next().unwrap().type_text("CB-0103");
    h.run();
    h.get_by_label("Thêm thành viên").click();
    h.run();
    let info = common::text_with(&h, "Mật khẩu tạm: ");
    let password =
        info.split("Mật khẩu tạm: ").nth(1).and_then(|t| t.split_whitespace().next()).expect(&info).to_string();
    h.get_by_label("Đóng").click();
    h.run();
    h.state_mut().execute(Command::Lock);
    h.run();
    sign_in(&mut h, "Hoàng Văn Páo", &password);
    h.get_by_label("Đổi mật khẩu tạm");
}

#[test]
fn a_reopened_window_asks_who_is_signing_in() {
    let dir = tempfile::tempdir().unwrap();
    let profile = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/setup-profile.example.toml");
    let parsed = anchi::app::setup::Profile::read(std::path::Path::new(profile)).unwrap();
    let chosen = [("LS-0201".to_string(), "hung-mat-khau".to_string())].into_iter().collect();
    Workspace::open(dir.path()).unwrap().init_from_profile(&parsed, dir.path(), "mat-khau-doi-2", &chosen).unwrap();
    let mut h = common::window(dir.path(), SIZE);
    h.get_by_label("Đăng nhập để làm việc");
    assert!(h.query_by_label("Vụ việc mới…").is_none());
    sign_in(&mut h, "Vi Văn Hùng", "hung-mat-khau");
    assert_eq!(h.state().workspace().signed_in().unwrap().card_number, "LS-0201");
    h.get_by_label("Vụ việc mới…");
}

#[test]
fn repeated_wrong_passwords_make_the_card_wait() {
    let dir = tempfile::tempdir().unwrap();
    let profile = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/setup-profile.example.toml");
    let parsed = anchi::app::setup::Profile::read(std::path::Path::new(profile)).unwrap();
    let chosen = [("LS-0201".to_string(), "hung-mat-khau".to_string())].into_iter().collect();
    let mut ws = Workspace::open(dir.path()).unwrap();
    ws.init_from_profile(&parsed, dir.path(), "mat-khau-doi-2", &chosen).unwrap();
    for _ in 0..5 {
        assert!(ws.sign_in("LS-0201", "doan-thu-xem").is_err());
    }
    let refused = ws.sign_in("LS-0201", "hung-mat-khau").unwrap_err();
    assert!(anchi::domain::Bilingual::vi(&refused).contains("thử lại sau"), "{refused}");
    assert!(ws.signed_in().is_none(), "even the right password waits");
    assert!(ws.sign_in("LS-0202", "khong-dung").is_err() && ws.signed_in().is_none());

    // Nobody signed in (a script without --user): no case is changed, so the journal
    // never has a change without a member's name.
    let commune = ws.reference.admin_units.communes_of(20).next().unwrap().code;
    let input = NewCase {
        name: "Hộ kinh doanh Nông Thị Mai".into(),
        personal_id: "020090004321".into(),
        street: "Chợ Đông Kinh".into(),
        commune_code: Some(commune),
        field: "hang-gia".into(),
        lead_member: "LS-0201".into(),
        ..Default::default()
    };
    let refused = ws.open_new_case(&input).unwrap_err();
    assert!(anchi::domain::Bilingual::vi(&refused).contains("Cần đăng nhập"), "{refused}");
    assert_eq!(ws.case_count().unwrap(), 0);
}

/// Where the team's packages go, which certificate and receipt key are believed, and how
/// soon the screen locks are a leader's call: an inspector is refused (exit 2 on the command
/// line), nothing stored; the leader changes them.
#[test]
fn only_a_leader_changes_the_server_settings_and_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let profile = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/setup-profile.example.toml");
    let parsed = anchi::app::setup::Profile::read(std::path::Path::new(profile)).unwrap();
    let chosen = [
        ("LS-0201".to_string(), "lanh-dao-mat-khau".to_string()),
        ("LS-0202".to_string(), "kiem-soat-vien".to_string()),
    ]
    .into_iter()
    .collect();
    let mut ws = Workspace::open(dir.path()).unwrap();
    ws.init_from_profile(&parsed, dir.path(), "mat-khau-doi-2", &chosen).unwrap();
    let before = ws.server_settings().unwrap();

    ws.sign_in("LS-0202", "kiem-soat-vien").unwrap();
    use anchi::domain::Bilingual;
    let refused = ws.set_server("https://may-gia-mao.example:8443", "").unwrap_err();
    assert!(refused.vi().contains("đổi thiết lập máy chủ Chi cục"), "{}", refused.vi());
    assert!(ws.set_setting("lock.minutes", "120").is_err());
    assert!(ws.set_setting("server.url", "https://may-gia-mao.example:8443").is_err());
    assert_eq!(ws.server_settings().unwrap(), before, "nothing stored");
    drop(ws);
    let out = common::anchi_with(
        dir.path(),
        &["--user", "LS-0202", "config", "set", "server.url", "https://may-gia-mao.example:8443"],
        &[("ANCHI_PASSWORD", "kiem-soat-vien")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));

    let ws = Workspace::open(dir.path()).unwrap();
    ws.sign_in("LS-0201", "lanh-dao-mat-khau").unwrap();
    ws.set_setting("lock.minutes", "15").unwrap();
    assert_eq!(ws.lock_after(), std::time::Duration::from_secs(15 * 60));
}
