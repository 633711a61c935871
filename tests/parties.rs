//! The parties of a case (witness, commune representative, injured party, interpreter) are
//! entered once and offered to every record that names them (issue 16, item 4); what a
//! finalised document printed never changes when they do; a bad entry is refused by name,
//! nothing stored, exit status 2 on the command line.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

mod common;

use std::path::Path;
use std::process::Command;

use anchi::app::{AppError, Workspace, demo::demo_unit};
use anchi::domain::{Address, Case, DocumentKind as K, Event, Parties, Subject, SubjectKind};
use chrono::{NaiveDate, NaiveDateTime};
use uuid::Uuid;

fn at(h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap().and_hms_opt(h, 0, 0).unwrap()
}

fn workspace(dir: &Path) -> (Workspace, Uuid) {
    let mut ws = Workspace::open(dir).unwrap();
    ws.set_unit(demo_unit()).unwrap();
    let subject = Subject::new(SubjectKind::Individual, "Hoàng Thị Mai", Address::Legacy { text: "Lạng Sơn".into() });
    let mut case = Case::open(Uuid::now_v7(), "DEMO-LS-D1", at(7), "hang-gia", subject);
    case.members = vec![demo_unit().members[0].card_number.clone()];
    ws.create_case(&case).unwrap();
    (ws, case.id)
}

/// Starts a document of `kind`, fills it as the demo does, and returns it with its fields
/// as they were just after it was started (its prefill).
fn start(ws: &Workspace, case: Uuid, kind: K, hour: u32) -> (Uuid, std::collections::BTreeMap<String, String>) {
    let id = Uuid::now_v7();
    ws.apply_event(case, Event::StartDocument { id, kind, at: at(hour) }).unwrap();
    let prefill = ws.case(case).unwrap().document(id).unwrap().fields.clone();
    ws.fill_like_demo(case, id).unwrap();
    (id, prefill)
}

fn finalise(ws: &Workspace, case: Uuid, doc: Uuid, hour: u32) {
    // The workspace reserves the number itself.
    ws.apply_event(case, Event::FinaliseDocument { id: doc, number: None, at: at(hour) }).unwrap();
}

fn pdftotext(bytes: &[u8], dir: &Path) -> String {
    let pdf = dir.join("doc.pdf");
    std::fs::write(&pdf, bytes).unwrap();
    let out = Command::new("pdftotext").arg(&pdf).arg("-").output().expect("pdftotext (poppler-utils)");
    String::from_utf8(out.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

fn parties() -> Parties {
    let mut p = Parties::default();
    p.witness.name = "Trần Văn Bình".into();
    p.witness.occupation = "Bán hàng".into();
    p.witness.address = "số 12 đường Trần Đăng Ninh, phường Lương Văn Tri".into();
    p.commune.name = "Lê Văn Xã".into();
    p.commune.title = "Phó Chủ tịch".into();
    p.commune.body = "Ủy ban nhân dân phường Lương Văn Tri".into();
    p.interpreter.name = "Nông Thị Dịch".into();
    p.interpreter.occupation = "Giáo viên".into();
    p.interpreter.address = "phường Đông Kinh".into();
    p.injured.kind = "Tổ chức".into();
    p.injured.particulars = "Công ty TNHH Chính Hãng, người đại diện Phạm Văn Chủ, Giám đốc".into();
    p
}

#[test]
fn parties_entered_once_are_offered_to_each_record_and_printed() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, case) = workspace(dir.path());
    ws.save_parties(case, &parties()).unwrap();

    let (qd, _) = start(&ws, case, K::QdKiemTra, 8);
    finalise(&ws, case, qd, 8);
    let (bbkt, prefill) = start(&ws, case, K::BbKiemTra, 9);
    assert_eq!(
        prefill["nguoi_chung_kien"],
        "Trần Văn Bình, Bán hàng, số 12 đường Trần Đăng Ninh, phường Lương Văn Tri"
    );
    assert_eq!(prefill["dai_dien_xa"], "Lê Văn Xã, Phó Chủ tịch, Ủy ban nhân dân phường Lương Văn Tri");
    finalise(&ws, case, bbkt, 9);

    let (bbvp, prefill) = start(&ws, case, K::BbViPham, 10);
    for (field, value) in [
        ("dai_dien_chinh_quyen", "Lê Văn Xã"),
        ("chuc_vu_dai_dien_chinh_quyen", "Phó Chủ tịch"),
        ("co_quan_dai_dien_chinh_quyen", "Ủy ban nhân dân phường Lương Văn Tri"),
        ("nguoi_phien_dich", "Nông Thị Dịch"),
        ("nghe_nghiep_phien_dich", "Giáo viên"),
        ("ben_bi_thiet_hai", "Tổ chức"),
        ("nguoi_bi_thiet_hai", "Công ty TNHH Chính Hãng, người đại diện Phạm Văn Chủ, Giám đốc"),
    ] {
        assert_eq!(prefill.get(field).map(String::as_str), Some(value), "{field}");
    }
    finalise(&ws, case, bbvp, 10);
    let text = pdftotext(&ws.render_document(case, bbvp).unwrap(), dir.path());
    for printed in [
        "Người phiên dịch: Họ và tên: Nông Thị Dịch",
        "Lê Văn Xã",
        "Công ty TNHH Chính Hãng",
        "NGƯỜI PHIÊN DỊCH",
        "ĐẠI DIỆN CHÍNH QUYỀN",
    ] {
        assert!(text.contains(printed), "{printed:?} not in the record: {text}");
    }

    // The parties change later: the finalised record keeps what it printed.
    let mut other = parties();
    other.interpreter.name = "Người Khác".into();
    ws.save_parties(case, &other).unwrap();
    assert_eq!(ws.case(case).unwrap().parties.interpreter.name, "Người Khác");
    assert_eq!(pdftotext(&ws.render_document(case, bbvp).unwrap(), dir.path()), text);
}

#[test]
fn a_witness_typed_into_one_record_is_offered_to_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, case) = workspace(dir.path());
    for kind in [K::QdKiemTra, K::BbKiemTra] {
        let (doc, _) = start(&ws, case, kind, 7);
        finalise(&ws, case, doc, 7);
    }
    let (bbtg, prefill) = start(&ws, case, K::BbTamGiu, 8);
    assert!(!prefill.contains_key("nguoi_chung_kien"), "no witness on the case yet: {prefill:?}");
    ws.save_field(case, bbtg, "nguoi_chung_kien", "Vi Văn Chứng").unwrap();
    ws.save_field(case, bbtg, "nghe_nghiep_chung_kien", "Lái xe").unwrap();
    finalise(&ws, case, bbtg, 9);
    let (draft, prefill) = start(&ws, case, K::BbNiemPhong, 10);
    assert_eq!(prefill["nguoi_chung_kien"], "Vi Văn Chứng");
    assert_eq!(prefill["nghe_nghiep_chung_kien"], "Lái xe");
    // What is entered on the case comes first.
    let mut p = Parties::default();
    p.witness.name = "Ma Thị Khác".into();
    ws.save_parties(case, &p).unwrap();
    ws.apply_event(case, Event::CancelDocument { id: draft, reason: "lập lại".into(), at: at(11) }).unwrap();
    let (_, prefill) = start(&ws, case, K::BbNiemPhong, 11);
    assert_eq!(prefill["nguoi_chung_kien"], "Ma Thị Khác");
    assert_eq!(prefill["nghe_nghiep_chung_kien"], "Lái xe", "the entries left empty still come from the record");
}

#[test]
fn bad_parties_are_refused_by_name_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, case) = workspace(dir.path());
    ws.save_parties(case, &parties()).unwrap();
    let before = ws.case(case).unwrap();
    let history = ws.history(case).unwrap().len();
    let mut bad = parties();
    bad.injured.kind = "Doanh nghiệp".into();
    bad.witness.address = "dòng 1\ndòng 2".into();
    match ws.save_parties(case, &bad).unwrap_err() {
        AppError::Invalid(report) => {
            let fields: Vec<_> = report.errors().map(|p| p.field.clone()).collect();
            assert_eq!(fields, ["parties.witness.address", "parties.injured.kind"]);
            assert!(report.errors().all(|p| !p.message_vi.is_empty()));
        }
        other => panic!("expected a refusal, got {other}"),
    }
    assert_eq!(ws.case(case).unwrap(), before);
    assert_eq!(ws.history(case).unwrap().len(), history);

    // The command line: shown, changed with --set, a bad one refused with exit 2.
    drop(ws);
    let anchi = |args: &[&str]| common::anchi(dir.path(), args);
    let id = case.to_string();
    let out = anchi(&["case", "parties", &id, "--set", "witness.name=Đinh Văn Mới", "--set", "commune.name="]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shown = String::from_utf8(out.stdout).unwrap();
    assert!(shown.contains("Người chứng kiến: họ và tên: Đinh Văn Mới"), "{shown}");
    let out = anchi(&["case", "parties", &id, "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["witness"]["name"], "Đinh Văn Mới");
    assert_eq!(json["commune"]["name"], "");
    assert_eq!(json["interpreter"]["name"], "Nông Thị Dịch");
    for args in [["--set", "injured.kind=Hộ gia đình"], ["--set", "nobody.name=x"], ["--set", "witness.name"]] {
        let out = anchi(&["case", "parties", &id, args[0], args[1]]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(!String::from_utf8_lossy(&out.stderr).trim().is_empty());
    }
    let out = anchi(&["case", "parties", &id, "--json"]);
    let after: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(after, json, "nothing stored by a refused change");
}
