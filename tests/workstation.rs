//! The workstation driven end to end through egui_kittest, by the labels a user reads: a
//! new case, each document of the workflow through its wizard, finalised and numbered,
//! with the stored case checked after each step.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use anchi::domain::{DocumentKind as K, DocumentState, Stage, stage};
use anchi::ui::{AnchiApp, Screen};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

mod common;
use common::settle;

fn harness(dir: &std::path::Path) -> Harness<'static, AnchiApp> {
    common::window(dir, egui::vec2(1280.0, 900.0))
}

fn click(h: &mut Harness<'static, AnchiApp>, label: &str) {
    h.get_by_label(label).click();
    h.step();
    settle(h);
}

fn type_into(h: &mut Harness<'static, AnchiApp>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
}

/// The case on screen, as stored.
fn stored_case(h: &mut Harness<'static, AnchiApp>) -> anchi::domain::Case {
    let id = match h.state().screen() {
        Screen::Case(c) => c.view.case.id,
        Screen::Wizard(w) => w.case.id,
        Screen::List | Screen::Stats(_) | Screen::Setup(_) => panic!("no case on screen"),
    };
    h.state().workspace().case(id).unwrap()
}

/// Goes to the step of the open wizard that shows the field labelled `label`.
fn show_field(h: &mut Harness<'static, AnchiApp>, label: &str) {
    first_step(h);
    loop {
        if h.query_by_label(label).is_some() {
            return;
        }
        assert!(next_step(h), "no step of the wizard shows {label:?}");
    }
}

/// Goes back to the wizard's first step with "Bước trước".
fn first_step(h: &mut Harness<'static, AnchiApp>) {
    while !h.get_by_label("Bước trước").accesskit_node().is_disabled() {
        click(h, "Bước trước");
    }
}

/// "Bước sau", if there is a next step (the signatures come last).
fn next_step(h: &mut Harness<'static, AnchiApp>) -> bool {
    if h.get_by_label("Bước sau").accesskit_node().is_disabled() {
        return false;
    }
    click(h, "Bước sau");
    true
}

/// Fills the open wizard: each (label, text) is typed into the field of that label, on
/// whichever step of the wizard it is; then finalises through the confirmation.
fn fill_and_finalise(h: &mut Harness<'static, AnchiApp>, fields: &[(&str, &str)]) {
    let mut left: Vec<&(&str, &str)> = fields.iter().collect();
    first_step(h);
    loop {
        left.retain(|(label, text)| {
            if h.query_by_label(label).is_none() {
                return true;
            }
            type_into(h, label, text);
            false
        });
        if !next_step(h) {
            break;
        }
    }
    assert!(left.is_empty(), "fields not found in the wizard: {left:?}");
    click(h, "Hoàn tất…");
    if h.query_by_label("Hoàn tất và cấp số").is_none() {
        let Screen::Wizard(w) = h.state().screen() else { panic!() };
        panic!("not ready to finalise: {} / values {:?} / {w:?}", w.report, w.values);
    }
    click(h, "Hoàn tất và cấp số");
    assert!(common::on_case(h), "finalising returns to the case");
}

#[test]
#[allow(clippy::too_many_lines, reason = "one walk-through of the window, step after step")]
fn a_case_goes_through_the_workflow_by_its_labels() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    let before = h.state().workspace().case_count().unwrap();

    // A new case: a bad tax code is named under its field and nothing is stored.
    click(&mut h, "Vụ việc mới…");
    h.get_by_label("Tên đối tượng"); // the dialog is open
    type_into(&mut h, "Tên đối tượng", "Hộ kinh doanh Lò Thị Hoa");
    type_into(&mut h, "Mã số thuế", "12345");
    type_into(&mut h, "Số giấy chứng nhận đăng ký kinh doanh", "14A8000123");
    type_into(&mut h, "Địa chỉ (số nhà, đường, thôn)", "Số 8 đường Bà Triệu");
    let commune = {
        let ws = h.state().workspace();
        let province = ws.unit().unwrap().province_code;
        ws.reference.admin_units.communes_of(province).next().unwrap().name.clone()
    };
    // The commune typed without accents, chosen with Enter.
    click(&mut h, "Xã/phường");
    h.get_by_label("Xã/phường").type_text(&anchi::domain::text::fold(&commune));
    h.step();
    settle(&mut h);
    h.key_press(egui::Key::Enter);
    settle(&mut h);
    // The field typed without accents, chosen with Enter.
    click(&mut h, "Lĩnh vực kiểm tra");
    h.get_by_label("Lĩnh vực kiểm tra").type_text("hang gia");
    h.step();
    settle(&mut h);
    h.key_press(egui::Key::Enter);
    settle(&mut h);
    click(&mut h, "Tạo vụ việc");
    h.get_by_label_contains("Mã số thuế phải gồm 10 chữ số");
    assert_eq!(h.state().workspace().case_count().unwrap(), before);
    common::retype(&mut h, "Mã số thuế", "0100109106");
    // The đoàn: a second member ticked beside the head.
    click(&mut h, "Vi Thị Ngọc Ánh, Kiểm soát viên thị trường (LS-0104)");
    click(&mut h, "Tạo vụ việc");
    assert_eq!(h.state().workspace().case_count().unwrap(), before + 1);
    h.get_by_label("Hộ kinh doanh Lò Thị Hoa");
    let stored = stored_case(&mut h);
    let team = stored.members;
    assert!(team.len() == 2 && team[1] == "LS-0104", "{team:?}");
    assert_eq!(stored.subject.registration_number.as_deref(), Some("14A8000123"));

    // A forbidden step is greyed out and clicking it changes nothing.
    let record = h.get_by_label("Biên bản kiểm tra");
    assert!(record.accesskit_node().is_disabled(), "the inspection record needs a decision first");
    record.click();
    h.run();
    assert!(stored_case(&mut h).documents.is_empty());

    click(&mut h, "Quyết định kiểm tra");
    fill_and_finalise(
        &mut h,
        &[
            ("Nội dung kiểm tra *", "Việc chấp hành quy định về nhãn hàng hóa"),
            ("Thời hạn kiểm tra *", "03 ngày làm việc"),
            (
                "Căn cứ ban hành quyết định kiểm tra (kế hoạch, thông tin vi phạm, đề xuất, yêu cầu …) *",
                "Kế hoạch kiểm tra năm 2026",
            ),
        ],
    );
    let case = stored_case(&mut h);
    assert_eq!(stage(&case), Stage::DaCoQuyetDinh);
    // "Chúng tôi gồm" of the decision names the whole đoàn with their card numbers.
    let decision_pdf = h.state().workspace().render_document(case.id, case.documents[0].id).unwrap();
    let pdf = std::env::temp_dir().join(format!("qd-kiem-tra-{}.pdf", case.id));
    std::fs::write(&pdf, decision_pdf).unwrap();
    let text = std::process::Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext").stdout;
    let text = String::from_utf8(text).unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
    let _ = std::fs::remove_file(&pdf);
    assert!(text.contains("Vi Thị Ngọc Ánh") && text.contains("LS-0104"), "{text}");
    let decision = &case.documents[0];
    assert_eq!((decision.kind, decision.state), (K::QdKiemTra, DocumentState::Finalised));
    let number = decision.number.clone().expect("a number at finalisation");
    h.get_by_label(&number.to_string());
    settle(&mut h);
    assert!(h.state().last_pdf().is_some_and(|p| p.exists()), "the PDF was written in the background");

    // Goods pasted from a spreadsheet: a bad quantity is named by its row and nothing is stored.
    click(&mut h, "Dán từ Excel");
    h.get_by_label("Dữ liệu dán từ Excel").focus();
    h.run();
    let rows = "1\tTúi xách giả nhãn hiệu LV\tchiếc\t12\tTrung Quốc\tMới\t450.000\n\
                2\tVí da giả nhãn hiệu Gucci\tchiếc\t30\tTrung Quốc\tMới\t200.000\n\
                3\tThắt lưng giả nhãn hiệu Hermès\tchiếc\t2,5\tKhông rõ\tĐã qua sử dụng\t\n\
                4\tKhăn quàng\tchiếc\tmười\n";
    h.event(egui::Event::Paste(rows.into()));
    h.run();
    click(&mut h, "Thêm các dòng đã dán");
    click(&mut h, "Lưu hàng hóa");
    h.get_by_label_contains("Dòng 4: Số lượng phải là số lớn hơn 0");
    assert!(stored_case(&mut h).goods.is_empty(), "a refused save stores nothing");
    h.query_all_by_label("Xóa").last().unwrap().click();
    h.run();
    click(&mut h, "Lưu hàng hóa");
    let goods = stored_case(&mut h).goods;
    assert_eq!(goods.len(), 3);
    assert_eq!((goods[2].quantity, goods[0].unit_price_vnd), (2.5, Some(450_000)));

    // The inspection record starts with the place from the subject's address.
    click(&mut h, "Biên bản kiểm tra");
    let place = h.get_by_label("Địa điểm lập *").value().unwrap_or_default();
    assert!(place.starts_with("Số 8 đường Bà Triệu"), "{place}");
    fill_and_finalise(
        &mut h,
        &[
            ("Kết quả kiểm tra *", "Cơ sở bày bán túi xách giả nhãn hiệu"),
            ("Kết luận về nội dung kiểm tra *", "Có dấu hiệu vi phạm"),
            ("Giờ kết thúc *", "10:30"),
        ],
    );
    assert_eq!(stage(&stored_case(&mut h)), Stage::DaKiemTra);

    // The violation record: finalising with fields missing lists what remains.
    click(&mut h, "Biên bản vi phạm hành chính");
    click(&mut h, "Hoàn tất…");
    h.get_by_label_contains("lỗi cần sửa trước khi hoàn tất");
    assert!(h.query_by_label("Hoàn tất và cấp số").is_none(), "no confirmation while errors remain");
    fill_and_finalise(
        &mut h,
        &[
            ("Lĩnh vực vi phạm (Về …) *", "Thương mại"),
            ("Thời gian xảy ra vi phạm *", "08:00 01/01/2026"),
            ("Hành vi vi phạm hành chính *", "Kinh doanh túi xách giả nhãn hiệu"),
            ("Quy định tại (điểm, khoản, Điều của Nghị định) *", "điểm c khoản 2 Điều 9 Nghị định 98/2020/NĐ-CP"),
            ("Người có thẩm quyền xử phạt nhận văn bản giải trình (chức danh, cơ quan) *", "Đội trưởng Đội QLTT số 1"),
            ("Thời gian người vi phạm phải có mặt để giải quyết vụ việc *", "08:00 03/12/2026"),
            ("Địa điểm người vi phạm phải có mặt để giải quyết vụ việc *", "Trụ sở Đội QLTT số 1"),
            ("Giờ lập xong biên bản *", "11:00"),
        ],
    );
    assert_eq!(stage(&stored_case(&mut h)), Stage::DaLapBienBanViPham);
    assert!(h.query_by_label("Lưu hàng hóa").is_some(), "goods are editable until a document prints them");

    // Since 1 July 2025 the seizure record comes first; it prints the goods, which from
    // then on are locked; the decision follows and cites it.
    click(&mut h, "Biên bản tạm giữ tang vật, phương tiện");
    fill_and_finalise(&mut h, &[("Giờ lập xong biên bản *", "11:15")]);
    assert!(h.query_by_label("Lưu hàng hóa").is_none());
    h.get_by_label_contains("Hàng hóa đã in trong biên bản tạm giữ");
    click(&mut h, "Quyết định tạm giữ tang vật, phương tiện");
    fill_and_finalise(
        &mut h,
        &[
            ("Lý do tạm giữ *", "Để xác minh tình tiết"),
            ("Thời hạn tạm giữ (số ngày/tháng) *", "07 ngày làm việc"),
            ("Tạm giữ đến ngày *", "10/12/2026"),
            ("Địa điểm tạm giữ *", "Kho tang vật của Đội QLTT số 1"),
        ],
    );
    click(&mut h, "Biên bản niêm phong");
    fill_and_finalise(
        &mut h,
        &[
            ("Người có trách nhiệm bảo quản tang vật, phương tiện: họ và tên *", "Nông Văn Kho"),
            ("Số lượng tem niêm phong đã dán *", "4"),
            ("Giờ lập xong biên bản *", "11:45"),
        ],
    );

    // The sanction decision starts with the act and the provision of the violation record.
    click(&mut h, "Quyết định xử phạt vi phạm hành chính");
    show_field(&mut h, "Hành vi vi phạm hành chính *");
    let act = h.get_by_label("Hành vi vi phạm hành chính *").value().unwrap_or_default();
    assert_eq!(act, "Kinh doanh túi xách giả nhãn hiệu");
    // A fine above the leader's ceiling for an individual is warned about, not refused:
    // counterfeit goods since 1/7/2025, 30 % of the field's maximum (NĐ 189/2025 Điều 12),
    // naming the act, the title and how the figure is reached.
    show_field(&mut h, "Mức phạt tiền *");
    type_into(&mut h, "Mức phạt tiền *", "70.000.000");
    h.run();
    h.get_by_label_contains(
        "Mức phạt 70.000.000 đồng cho hành vi “Kinh doanh túi xách giả nhãn hiệu” vượt thẩm quyền của Hoàng Văn Thắng",
    );
    h.get_by_label_contains(
        "tối đa 60.000.000 đồng đối với cá nhân = 30 % × 200.000.000 đồng, mức tối đa của lĩnh vực sản xuất, buôn bán hàng giả",
    );
    h.get_by_label_contains("(theo Điều 12 Nghị định 189/2025/NĐ-CP");
    fill_and_finalise(
        &mut h,
        &[
            ("Nghị định quy định xử phạt *", "Nghị định 98/2020/NĐ-CP"),
            ("Nơi nộp tiền phạt *", "Kho bạc Nhà nước"),
            ("Kho bạc nhà nước (thu tiền phạt) *", "Kho bạc Nhà nước tỉnh Lạng Sơn"),
        ],
    );
    let case = stored_case(&mut h);
    assert_eq!(stage(&case), Stage::DaXuPhat);
    assert_eq!(case.fine_vnd, Some(70_000_000), "the decision's fine is the case's");
    let kinds: Vec<K> = case.documents.iter().map(|d| d.kind).collect();
    assert_eq!(kinds, [K::QdKiemTra, K::BbKiemTra, K::BbViPham, K::BbTamGiu, K::QdTamGiu, K::BbNiemPhong, K::QdXuPhat]);
    assert!(case.documents.iter().all(|d| d.state == DocumentState::Finalised && d.number.is_some()));
    let history = h.state().workspace().history(case.id).unwrap();
    assert!(history.iter().filter(|e| e.action.starts_with("document.finalise ")).count() == 7);

    // An issued sanction decision is no longer cancelled nor copied: "Hủy bỏ" on it opens
    // the annulling decision (MQĐ40), linked to it.
    let decision = case.documents.iter().find(|d| d.kind == K::QdXuPhat).unwrap().id;
    h.query_all_by_label("Hủy bỏ").last().expect("Hủy bỏ on the issued decisions").click();
    h.run();
    match h.state().screen() {
        Screen::Wizard(w) => {
            assert_eq!(w.form.identity.gazetted.as_deref(), Some("MQĐ40"));
            let draft = w.case.document(w.document).unwrap();
            assert_eq!((draft.kind, draft.amends), (K::QdHuyBo, Some(decision)));
        }
        _ => panic!("the annulling decision opens in the wizard"),
    }
}

/// Types one key at a time, a frame each, as a person does.
fn type_keys(h: &mut Harness<'static, AnchiApp>, label: &str, keys: &str) {
    h.get_by_label(label).focus();
    h.run();
    for key in keys.chars() {
        h.get_by_label(label).type_text(&key.to_string());
        h.run();
    }
}

#[test]
fn windows_keyboards_that_delete_and_retype_give_the_right_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    click(&mut h, "Vụ việc mới…");
    h.get_by_label("Tên đối tượng").focus();
    h.run();
    // Unikey and EVKey send the plain letter, then Backspace and the composed letter.
    for key in ["V", "i", "e", "\u{8}ê", "\u{8}ệ", "t", " ", "N", "a", "m"] {
        if let Some(composed) = key.strip_prefix('\u{8}') {
            h.key_press(egui::Key::Backspace);
            h.event(egui::Event::Text(composed.into()));
        } else {
            h.event(egui::Event::Text(key.into()));
        }
        h.run();
    }
    assert_eq!(common::value_of(&h, "Tên đối tượng"), "Việt Nam");
}

#[test]
fn the_typing_method_and_look_are_remembered_for_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    let entries = h.state().workspace().audit_verify().unwrap().entries;
    h.run();
    assert_eq!(h.state().workspace().audit_verify().unwrap().entries, entries, "a plain start writes nothing");
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::Z);
    h.run();
    click(&mut h, "Nền tối");
    drop(h);
    let mut h = harness(dir.path());
    h.run();
    click(&mut h, "Vụ việc mới…");
    type_keys(&mut h, "Tên đối tượng", "Vieejt");
    assert_eq!(common::value_of(&h, "Tên đối tượng"), "Việt", "Telex is on again");
}

#[test]
fn the_built_in_telex_types_vietnamese_and_alt_z_switches_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    h.get_by_label("Gõ tiếng Việt");
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::Z);
    h.run();
    click(&mut h, "Vụ việc mới…");
    type_keys(&mut h, "Tên đối tượng", "Hooj kinh doanh Nguyeenx Thij Hoaf");
    assert_eq!(common::value_of(&h, "Tên đối tượng"), "Hộ kinh doanh Nguyễn Thị Hòa");
    // Alt+Z again: VNI; and once more: off, keys go in as typed.
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::Z);
    h.run();
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::Z);
    h.run();
    type_keys(&mut h, "Mã số thuế", "0100109106s");
    assert_eq!(common::value_of(&h, "Mã số thuế"), "0100109106s");
}

/// A file dropped on the window, as eframe hands it over.
#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn photos_dropped_on_a_case_are_attached_and_bad_files_explained() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    let first = h.state_mut().list().visible_row(0).unwrap().id;
    h.state_mut().execute(anchi::ui::command::Command::OpenCase(first));
    h.run();
    let photo = dir.path().join("tang vật.png");
    image::RgbImage::from_pixel(300, 200, image::Rgb([200, 30, 30])).save(&photo).unwrap();
    let text = dir.path().join("ghi chú.txt");
    std::fs::write(&text, "chữ").unwrap();
    for file in [photo, text] {
        h.input_mut().dropped_files.push(std::sync::Arc::new(Dropped(file)));
    }
    h.run();
    h.get_by_label("tang vật.png");
    h.get_by_label("Ảnh thu nhỏ: tang vật.png");
    h.get_by_label_contains("ghi chú.txt: không phải ảnh hoặc bản quét");
    assert_eq!(h.state().workspace().case(first).unwrap().attachments.len(), 1);
}

#[test]
fn the_preview_shows_the_printed_text_as_it_is_typed() {
    let dir = tempfile::tempdir().unwrap();
    let (case, list) = {
        let mut ws = anchi::app::Workspace::open(dir.path()).unwrap();
        ws.make_demo_long_goods_list(3).unwrap()
    };
    let mut h = harness(dir.path());
    h.state_mut().execute(anchi::ui::command::Command::OpenDocument { case, document: list });
    h.run();
    click(&mut h, "Xem trước");
    // The pages the printer gets, drawn from the PDF itself (it was a text layout).
    let pages = |h: &Harness<'static, AnchiApp>| match h.state().screen() {
        Screen::Wizard(w) => w.preview_pages.clone().expect("preview computed").expect("pages drawn"),
        _ => panic!("on the wizard"),
    };
    let before = pages(&h);
    let count = before.len();
    assert!(count >= 1 && before[0].width > 800, "A4 at 108 pixels per inch: {} pages", count);
    h.get_by_label(&format!("Trang 1/{count} của bản in"));
    type_into(&mut h, "Kèm theo văn bản số *", "Biên bản kiểm tra số 9");
    let Screen::Wizard(w) = h.state().screen() else { panic!("on the wizard") };
    let text: Vec<String> = w
        .preview
        .as_ref()
        .unwrap()
        .blocks
        .iter()
        .filter_map(|b| match b {
            anchi::app::render::Block::Paragraph { text, .. } => Some(text.clone()),
            anchi::app::render::Block::Title { text, subtitle } => {
                Some(format!("{text} {}", subtitle.clone().unwrap_or_default()))
            }
            _ => None,
        })
        .collect();
    assert!(text.iter().any(|t| t.contains("Hàng hóa kèm theo Biên bản kiểm tra số 9")), "{text:?}");
    assert_ne!(pages(&h)[0].rgba, before[0].rgba, "the page drawn again with what was typed");
}

#[test]
fn cancelling_a_case_asks_for_a_reason_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    let open = h.state_mut().list().rows.iter().find(|r| !r.stage.is_closed()).unwrap().id;
    h.state_mut().execute(anchi::ui::command::Command::OpenCase(open));
    h.run();
    click(&mut h, "Hủy vụ việc…");
    let confirm =
        h.query_all_by_label("Hủy vụ việc").find(|n| n.accesskit_node().role() != egui::accesskit::Role::Label);
    let confirm = confirm.expect("the dialog's button");
    assert!(confirm.accesskit_node().is_disabled(), "no reason yet");
    type_into(&mut h, "Lý do", "Cơ sở đã ngừng kinh doanh trước ngày kiểm tra");
    let confirm =
        h.query_all_by_label("Hủy vụ việc").find(|n| n.accesskit_node().role() != egui::accesskit::Role::Label);
    confirm.unwrap().click();
    h.run();
    assert_eq!(stage(&h.state().workspace().case(open).unwrap()), Stage::DaHuy);
}

#[test]
fn a_case_is_exported_as_a_signed_package_after_the_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    let case = h.state_mut().list().rows.iter().find(|r| r.stage == Stage::DaXuPhat).unwrap().id;
    h.state_mut().execute(anchi::ui::command::Command::OpenCase(case));
    h.run();
    let out = dir.path().join("usb").join("goi.anchi");
    let export = |h: &mut Harness<'static, AnchiApp>, passphrase: &str| {
        click(h, "Xuất gói hồ sơ…");
        common::retype(h, "Lưu vào (thư mục trên máy hoặc USB)", &out.display().to_string());
        type_into(h, "Mật khẩu khóa ký", passphrase);
        click(h, "Xuất gói");
    };

    export(&mut h, "sai");
    h.get_by_label("Mật khẩu của khóa ký không đúng");
    assert!(!out.exists() && h.state().workspace().package_versions(case).unwrap().is_empty());

    export(&mut h, "demo");
    assert!(!common::shows(&h, "Mật khẩu của khóa ký không đúng"), "the error went with the next action");
    let bytes = std::fs::read(&out).expect("the package was written");
    assert!(!dir.path().join("usb").join("goi.anchi.part").exists());
    let ws = h.state().workspace();
    let key = minisign::PublicKey::from_base64(&ws.device_key().unwrap().unwrap().public_key).unwrap();
    let verified = anchi::app::packages::open_package(&bytes, None).unwrap().verify(&[key]).unwrap();
    assert_eq!(verified.opened.info.case_id, case);
    assert_eq!(ws.package_versions(case).unwrap().len(), 1);
    h.get_by_label_contains("Đã xuất gói hồ sơ phiên bản 1");
    h.get_by_label_contains("Gói đã xuất: phiên bản 1");
}
