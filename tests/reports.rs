//! Deadlines, statistics and reports through the command line over the demo data in a real
//! redb file: totals agree with a count made directly from the stored cases, the workbook
//! reads back with calamine, an extension recorded as a document moves the deadline.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::collections::BTreeMap;

use anchi::app::Workspace;
use anchi::domain::{DocumentKind as K, DocumentState, Event, Stage, stage};
use calamine::{Data, DataType, Reader, Xlsx, open_workbook};
use chrono::NaiveDate;
use uuid::Uuid;

mod common;

use common::anchi;

fn json(out: std::process::Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The figures counted straight from the stored cases (not from the list rows).
fn direct_count(ws: &Workspace, from: NaiveDate) -> BTreeMap<&'static str, u64> {
    let mut c: BTreeMap<&'static str, u64> = BTreeMap::new();
    for row in ws.list_cases().unwrap() {
        let case = ws.case(row.id).unwrap();
        if stage(&case) == Stage::DaHuy || case.opened_at.date() < from {
            continue;
        }
        let finalised =
            |kind| case.documents.iter().filter(move |d| d.kind == kind && d.state == DocumentState::Finalised);
        *c.entry("inspections").or_default() += 1;
        if finalised(K::BbViPham).count() + finalised(K::QdXuPhatKhongLapBienBan).count() > 0 {
            *c.entry("violations").or_default() += 1;
        }
        let sanctions = (finalised(K::QdXuPhat).count() + finalised(K::QdXuPhatKhongLapBienBan).count()) as u64;
        *c.entry("sanctions").or_default() += sanctions;
        if sanctions > 0 {
            *c.entry("fines_imposed_vnd").or_default() += case.fine_vnd.unwrap_or(0);
        }
        for paid in finalised(K::XacNhanNopPhat) {
            let digits: String = paid.fields["so_tien"].chars().filter(char::is_ascii_digit).collect();
            *c.entry("fines_collected_vnd").or_default() += digits.parse::<u64>().unwrap();
        }
        if finalised(K::BbTamGiu).count() > 0 {
            *c.entry("seized_goods_vnd").or_default() += case.goods_value_vnd();
        }
    }
    c
}

#[test]
fn statistics_agree_with_a_direct_count_and_the_workbook_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    assert!(anchi(dir.path(), &["demo", "--cases", "400"]).status.success());
    let from = "2025-06-01";
    let stats = json(anchi(dir.path(), &["stats", "--from", from, "--json"]));
    let ws = Workspace::open(dir.path()).unwrap();
    let expected = direct_count(&ws, from.parse().unwrap());
    drop(ws);
    for (key, value) in &expected {
        assert_eq!(stats["totals"][key].as_u64(), Some(*value), "{key}");
    }
    assert!(expected["fines_collected_vnd"] > 0 && expected["seized_goods_vnd"] > 0, "{expected:?}");
    // Each breakdown adds up to the total (goods groups may count a case twice).
    for by in ["by_field", "by_provision", "by_inspector", "by_period"] {
        let lines = stats[by].as_array().unwrap();
        let fines: u64 = lines.iter().map(|l| l["totals"]["fines_imposed_vnd"].as_u64().unwrap()).sum();
        let cases: u64 = lines.iter().map(|l| l["totals"]["inspections"].as_u64().unwrap()).sum();
        if by == "by_provision" {
            assert!(cases <= expected["inspections"], "{by}");
        } else {
            assert_eq!((cases, fines), (expected["inspections"], expected["fines_imposed_vnd"]), "{by}");
        }
    }

    let out = dir.path().join("bao-cao.xlsx");
    assert!(anchi(dir.path(), &["export", "xlsx", "--out", out.to_str().unwrap(), "--from", from]).status.success());
    let mut book: Xlsx<_> = open_workbook(&out).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["Tổng hợp", "Lĩnh vực", "Nhóm hàng", "Hành vi vi phạm", "Trưởng đoàn", "Sổ vụ việc"]
    );
    let register = book.worksheet_range("Sổ vụ việc").unwrap();
    let header: Vec<String> = register.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header[..3], ["Ngày mở", "Đối tượng", "Loại đối tượng"]);
    assert_eq!(register.height() as u64 - 1, expected["inspections"], "one row per case");
    let fines: f64 = register.rows().skip(1).filter_map(|r| r[9].get_float()).sum();
    assert_eq!(fines as u64, expected["fines_imposed_vnd"]);
    assert!(matches!(register.rows().nth(1).unwrap()[0], Data::DateTime(_)), "dates are dates");
    let summary = book.worksheet_range("Tổng hợp").unwrap();
    let total_row = summary.rows().next_back().unwrap();
    assert_eq!(total_row[0].to_string(), "Tổng cộng");
    assert_eq!(total_row[1].get_float().map(|f| f as u64), Some(expected["inspections"]));
    assert_eq!(total_row[5].get_float().map(|f| f as u64), Some(expected["fines_imposed_vnd"]));

    let csv = dir.path().join("so-vu-viec.csv");
    assert!(anchi(dir.path(), &["export", "csv", "--out", csv.to_str().unwrap(), "--from", from]).status.success());
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("\u{feff}Ngày mở,Đối tượng"));
    assert_eq!(text.lines().count() as u64, expected["inspections"] + 1);

    let national = dir.path().join("csdl.json");
    assert!(
        anchi(dir.path(), &["export", "national", "--out", national.to_str().unwrap(), "--from", from])
            .status
            .success()
    );
    let export: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&national).unwrap()).unwrap();
    let decisions = export["decisions"].as_array().unwrap();
    assert_eq!(decisions.len() as u64, expected["sanctions"]);
    // Acts chosen from the catalogue travel by id; acts typed by hand have none.
    let by_catalogue = decisions.iter().filter(|d| !d["acts"].as_array().unwrap().is_empty()).count();
    assert!(by_catalogue > 0 && by_catalogue < decisions.len(), "{by_catalogue} of {}", decisions.len());
    for d in decisions.iter().filter(|d| !d["acts"].as_array().unwrap().is_empty()) {
        let act = &d["acts"][0];
        assert!(act["id"].as_str().unwrap().starts_with("ND98-") && act["points"].as_str().unwrap().contains("Điều"));
        assert!(d["provision"].as_str().unwrap().starts_with(act["points"].as_str().unwrap()), "{d}");
    }
    for d in decisions {
        assert!(!d["decision_number"].as_str().unwrap().is_empty());
        assert!(matches!(d["penalty"].as_str(), Some("Phạt tiền" | "Cảnh cáo")));
        match d["violator"]["kind"].as_str().unwrap() {
            "individual" => assert!(d["violator"]["id_number"].is_string(), "{d}"),
            "organisation" => assert!(d["violator"]["enterprise_code"].is_string(), "{d}"),
            other => panic!("{other}"),
        }
    }

    let bad = anchi(dir.path(), &["stats", "--from", "2026-05-01", "--to", "2026-01-01"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--from"));
}

#[test]
fn deadlines_are_listed_and_an_extension_moves_one() {
    let dir = tempfile::tempdir().unwrap();
    let due = anchi(dir.path(), &["calendar", "due", "--from", "2026-02-12", "--working-days", "7"]);
    assert_eq!(String::from_utf8(due.stdout).unwrap(), "2026-03-02\n");
    let bad = anchi(dir.path(), &["calendar", "due", "--from", "12/02/2026", "--working-days", "7"]);
    assert_eq!(bad.status.code(), Some(2), "a date not in YYYY-MM-DD is refused");

    // The 2026 days swapped (VB 12729/VPCP-KGVX; the Government's plan of 10/2025): Friday
    // 2/1 and Monday 31/8 are off, Saturdays 10/1 and 22/8 are worked.
    let due_after = |from: &str, n: &str| {
        let out = anchi(dir.path(), &["calendar", "due", "--from", from, "--working-days", n]);
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    assert_eq!(due_after("2025-12-31", "1"), "2026-01-05", "1/1 a holiday, 2/1 swapped off");
    assert_eq!(due_after("2026-01-09", "1"), "2026-01-10", "Saturday 10/1 is worked");
    assert_eq!(due_after("2026-08-21", "1"), "2026-08-22", "Saturday 22/8 is worked");
    assert_eq!(due_after("2026-08-28", "1"), "2026-09-03", "31/8 swapped off, 1–2/9 Quốc khánh");

    assert!(anchi(dir.path(), &["demo", "--cases", "200"]).status.success());
    // A case recorded today: its sanction decision is due in seven working days.
    let ws = Workspace::open(dir.path()).unwrap();
    let lead = ws.unit().unwrap().members[0].card_number.clone();
    let input = anchi::app::NewCase {
        name: "Hộ kinh doanh Lò Văn Páo".into(),
        personal_id: "020090012345".into(),
        street: "Số 3 đường Trần Đăng Ninh".into(),
        commune_code: Some(ws.reference.admin_units.communes_of(ws.unit().unwrap().province_code).next().unwrap().code),
        field: "hang-gia".into(),
        lead_member: lead,
        ..Default::default()
    };
    let case = ws.open_new_case(&input).unwrap();
    for kind in [K::QdKiemTra, K::BbKiemTra, K::BbViPham] {
        let id = Uuid::now_v7();
        ws.apply_event(case, Event::StartDocument { id, kind, at: anchi::app::now() }).unwrap();
        ws.fill_like_demo(case, id).unwrap();
        ws.apply_event(case, Event::FinaliseDocument { id, number: None, at: anchi::app::now() }).unwrap();
    }
    drop(ws);
    let as_of = anchi::app::now().date().to_string();
    let list = json(anchi(dir.path(), &["deadlines", "--json", "--as-of", &as_of]));
    let list = list.as_array().unwrap();
    assert!(!list.is_empty());
    let as_of: NaiveDate = as_of.parse().unwrap();
    assert!(list.iter().any(|d| d["case_id"] == case.to_string() && d["rule"] == "xu-phat"), "{list:#?}");
    for d in list {
        let due: NaiveDate = d["due"].as_str().unwrap().parse().unwrap();
        let state = d["state"].as_str().unwrap();
        assert_eq!(state == "overdue", due < as_of, "{d}");
        assert!(state != "met" && d["informational"] == false);
        assert!(d["start"].is_string() && d["rule"].is_string() && d["basis"].is_string());
    }

    // A recorded violation: seven working days to decide; one month by law once the violator
    // has explained (khoản 1 Điều 66) — no extension; two months only with the superior's.
    let ws = Workspace::open(dir.path()).unwrap();
    let today = anchi::app::now().date();
    let sanction =
        |ws: &Workspace| ws.case_deadlines(case, today).unwrap().into_iter().find(|d| d.rule == "xu-phat").unwrap();
    let before = sanction(&ws);
    assert_eq!(before.length_vi, "7 ngày làm việc");
    let id = Uuid::now_v7();
    ws.apply_event(case, Event::StartDocument { id, kind: K::BbGiaiTrinh, at: anchi::app::now() }).unwrap();
    ws.fill_like_demo(case, id).unwrap();
    assert_eq!(sanction(&ws).due, before.due, "a draft moves nothing");
    ws.apply_event(case, Event::FinaliseDocument { id, number: None, at: anchi::app::now() }).unwrap();
    let explained = sanction(&ws);
    assert_eq!(explained.length_vi, "1 tháng");
    assert!(explained.due > before.due && explained.extended.is_none() && explained.why.is_some(), "{explained:?}");
    assert_eq!(explained.start, before.start);

    let id = Uuid::now_v7();
    ws.apply_event(case, Event::StartDocument { id, kind: K::GiaHan, at: anchi::app::now() }).unwrap();
    ws.save_field(case, id, "gia_han", "Xử phạt: người vi phạm yêu cầu giải trình (01 tháng)").unwrap();
    ws.save_field(case, id, "ly_do", "Vụ việc phức tạp, cần giám định thêm").unwrap();
    ws.save_field(case, id, "nguoi_gia_han", "Trần Văn Bình").unwrap();
    let old = ws.apply_event(case, Event::FinaliseDocument { id, number: None, at: anchi::app::now() });
    assert!(old.is_err(), "the first edition's by-law options are no longer offered");
    let option = "Xử phạt: cấp trên gia hạn thêm không quá 01 tháng (vụ việc đặc biệt nghiêm trọng, phức tạp, đã giải trình hoặc xác minh)";
    ws.save_field(case, id, "gia_han", option).unwrap();
    ws.apply_event(case, Event::FinaliseDocument { id, number: None, at: anchi::app::now() }).unwrap();
    let granted = sanction(&ws);
    assert_eq!(granted.length_vi, "2 tháng");
    assert!(granted.due > explained.due && granted.extended.is_some(), "{granted:?}");

    // Printed, it is the superior's decision, signed by him, citing the record.
    let pdf = dir.path().join("gia-han.pdf");
    std::fs::write(&pdf, ws.render_document(case, id).unwrap()).unwrap();
    let out = std::process::Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext (poppler-utils)");
    let text = String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "Gia hạn thời hạn ra quyết định xử phạt vi phạm hành chính",
        "Căn cứ khoản 1 Điều 66 Luật Xử lý vi phạm hành chính",
        "Tôi: Trần Văn Bình; chức vụ: Chi cục trưởng Chi cục Quản lý thị trường.",
        "cấp trên gia hạn thêm không quá 01 tháng",
        "NGƯỜI GIA HẠN",
    ] {
        assert!(text.contains(needle), "{needle:?} not in {text}");
    }
}

mod window {
    use anchi::ui::AnchiApp;
    use anchi::ui::command::Command;
    use eframe::egui;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    fn harness(dir: &std::path::Path) -> Harness<'static, AnchiApp> {
        super::common::window(dir, egui::vec2(1400.0, 900.0))
    }

    #[test]
    fn the_leader_sees_what_is_due_and_the_figures() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = harness(dir.path());
        // The demo's newest cases are under way: some deadline is overdue or due.
        let total = h.state_mut().list().rows.len();
        let pressing = h.state_mut().list().pressing();
        assert!(pressing > 0);
        h.get_by_label_contains("Sắp đến hạn / Quá hạn (").click();
        h.run();
        h.get_by_label(&format!("{pressing} / {total} vụ việc"));
        assert!(
            h.query_all_by_label_contains("quá hạn").count() + h.query_all_by_label_contains("sắp đến hạn").count() > 0
        );
        let first = h.state_mut().list().visible_row(0).unwrap().id;
        h.state_mut().execute(Command::OpenCase(first));
        h.run();
        h.get_by_label("Thời hạn");
        assert!(h.query_all_by_label_contains("Hạn ").count() > 0);

        // The statistics of every case agree with the list; the chart and table draw.
        h.state_mut().execute(Command::ShowStats);
        h.run();
        h.get_by_label("Thời gian").click();
        h.run();
        h.get_by_label("Mọi lúc").click();
        h.run();
        let counted = h.state_mut().list().rows.iter().filter(|r| r.stage != anchi::domain::Stage::DaHuy).count();
        h.get_by_label(&counted.to_string());
        h.get_by_label("Hàng nhập lậu");
        h.get_by_label("Xuất Excel…").click();
        h.step();
        super::common::settle(&mut h);
        let notice = super::common::text_with(&h, "Đã xuất báo cáo: ");
        let path = notice.trim_start_matches("Đã xuất báo cáo: ");
        assert!(std::fs::metadata(path).unwrap().len() > 0);
        std::fs::remove_file(path).unwrap();
    }
}
