//! The act of a violation record chosen from the catalogue in the window: typed without
//! accents, taken with Enter, it fills the provision and the decree, and shows the bracket
//! for the goods' value; a fine outside the bracket is refused in the decision's wizard.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use anchi::ui::AnchiApp;
use anchi::ui::command::Command;
use common::{settle, value_of};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

const ACT: &str = "Hành vi theo danh mục (gõ để tìm: từ ngữ của hành vi, “điều 15”…)";
const PROVISION: &str = "Quy định tại (điểm, khoản, Điều của Nghị định) *";

/// Goes forward through the wizard's steps until `label` is on screen.
fn show_field(h: &mut Harness<'static, AnchiApp>, label: &str) {
    for _ in 0..12 {
        if h.query_by_label(label).is_some() {
            return;
        }
        h.get_by_label("Bước sau").click();
        h.run();
    }
    panic!("no step shows {label:?}");
}

/// Scrolls a button into view and clicks it (a click is where the button is on screen).
fn click_shown(h: &mut Harness<'static, AnchiApp>, label: &str) {
    h.get_by_label(label).scroll_to_me();
    h.run();
    h.get_by_label(label).click();
    settle(h);
}

/// Chooses the smuggling act again (the one the stored record is checked for).
fn type_again(h: &mut Harness<'static, AnchiApp>) {
    h.get_by_label(ACT).focus();
    h.run();
    h.get_by_label(ACT).type_text("kinh doanh hang hoa nhap lau");
    h.run();
    h.key_press(egui::Key::Enter);
    settle(h);
}

#[test]
fn an_act_chosen_from_the_catalogue_fills_the_provision_and_shows_its_bracket() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = common::window(dir.path(), egui::vec2(1366.0, 768.0));
    let (case, record) = common::smuggling_with_record(h.state().workspace());
    h.state_mut().execute(Command::OpenDocument { case, document: record });
    settle(&mut h);
    show_field(&mut h, ACT);
    h.get_by_label(ACT).focus();
    h.run();
    h.get_by_label(ACT).type_text("nhap lau kinh doanh");
    h.run();
    // The act, then the cases that double it, listed under the field.
    let listed: Vec<String> = h
        .query_all_by_label_contains("Điều 15 khoản 1 — Kinh doanh hàng hóa nhập lậu")
        .map(|n| {
            let n = n.accesskit_node();
            n.label().or_else(|| n.value()).unwrap_or_default()
        })
        .collect();
    assert!(listed.len() >= 2 && listed.iter().any(|l| l.contains("tăng 2 lần")), "{listed:?}");
    h.key_press(egui::Key::Enter);
    settle(&mut h);
    h.get_by_label_contains("điểm b khoản 1 Điều 15 — Nghị định 98/2020/NĐ-CP; khung: phạt tiền từ 1.000.000 đồng đến 2.000.000 đồng đối với cá nhân");
    h.get_by_label_contains("Theo giá trị hàng hóa 4.000.000 đồng (bảng kê): điểm b khoản 1");
    h.get_by_label_contains("Mức trung bình của khung: 1.500.000 đồng");
    let provision = value_of(&h, PROVISION);
    assert!(
        provision.starts_with("điểm b khoản 1 Điều 15 Nghị định số 98/2020/NĐ-CP ngày 26 tháng 8 năm 2020")
            && provision.ends_with("được sửa đổi, bổ sung bởi Nghị định số 17/2022/NĐ-CP ngày 31 tháng 01 năm 2022 của Chính phủ và Nghị định số 24/2025/NĐ-CP ngày 21 tháng 02 năm 2025 của Chính phủ"),
        "{provision}"
    );
    assert_eq!(value_of(&h, "Hành vi vi phạm hành chính *"), "Kinh doanh hàng hóa nhập lậu");
    // A second act, added below the first: both acts and both provisions.
    h.get_by_label_contains("Thêm hành vi khác");
    h.get_by_label(ACT).focus();
    h.run();
    h.get_by_label(ACT).type_text("khong ro nguon goc");
    h.run();
    h.key_press(egui::Key::Enter);
    settle(&mut h);
    h.get_by_label_contains("Hành vi 2: Kinh doanh hàng hóa không rõ nguồn gốc, xuất xứ");
    h.get_by_label_contains("điểm a khoản 1, khoản 3 Điều 17 — Nghị định 98/2020/NĐ-CP; khung: phạt tiền từ 1.000.000 đồng đến 3.000.000 đồng");
    assert_eq!(
        value_of(&h, "Hành vi vi phạm hành chính *"),
        "1. Kinh doanh hàng hóa nhập lậu; 2. Kinh doanh hàng hóa không rõ nguồn gốc, xuất xứ"
    );
    assert!(
        value_of(&h, PROVISION)
            .starts_with("điểm b khoản 1 Điều 15; điểm a khoản 1, khoản 3 Điều 17 Nghị định số 98/2020")
    );
    // The first act taken off: the second alone.
    click_shown(&mut h, "Bỏ hành vi 1");
    assert_eq!(value_of(&h, "Hành vi vi phạm hành chính *"), "Kinh doanh hàng hóa không rõ nguồn gốc, xuất xứ");
    click_shown(&mut h, "Bỏ hành vi 1");
    // Nothing chosen: what the acts filled goes with them (nothing was typed over it).
    assert_eq!(value_of(&h, "Hành vi vi phạm hành chính *"), "");
    assert_eq!(value_of(&h, PROVISION), "");
    type_again(&mut h);
    // Stored as typed, with the key.
    h.state_mut().execute(Command::OpenCase(case));
    settle(&mut h);
    let stored = h.state().workspace().case(case).unwrap();
    let doc = stored.document(record).unwrap();
    assert_eq!(doc.fields.get("ma_hanh_vi").map(String::as_str), Some("ND98-15-1"));
    assert!(doc.fields.get("dieu_khoan").unwrap().starts_with("điểm b khoản 1 Điều 15"));
    assert_eq!(doc.fields.get("hanh_vi").map(String::as_str), Some("Kinh doanh hàng hóa nhập lậu"));
    // To look at the record in a real window afterwards (screenshots): keep the data.
    if let Some(to) = std::env::var_os("ANCHI_KEEP_TEST_DATA") {
        drop(h);
        let kept = dir.keep();
        eprintln!("kept {} as {to:?}: case {case}, record {record}", kept.display());
        std::fs::rename(&kept, &to).unwrap();
    }
}
