//! The catalog's checks of the form files: ids, placeholders, prefills, rules, cycles.

use super::*;

#[test]
fn embedded_forms_cover_every_kind() {
    let catalog = Catalog::embedded().unwrap();
    let date = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    assert_eq!(catalog.form(DocumentKind::QdKiemTra, date).identity.ky_hieu, "QĐ-KT");
    assert_eq!(catalog.form(DocumentKind::BbViPham, date).identity.ky_hieu, "BB-VPHC");
}

/// The built-in forms read from copies of their texts: parsed and checked like any others.
fn checked_copies() -> Catalog {
    let copies: Vec<(String, String)> = Catalog::embedded_files().map(|(f, t)| (f, t.to_string())).collect();
    Catalog::from_files(copies.iter().map(|(f, t)| (f.clone(), t.as_str()))).unwrap()
}

/// The built-in catalog skips the checks at each start (every file the very text compiled
/// in): here they run, on copies of the same texts, and give the same catalog.
#[test]
fn the_built_in_forms_pass_the_checks_of_any_other() {
    let checked = checked_copies();
    assert_eq!(format!("{checked:?}"), format!("{:?}", Catalog::embedded().unwrap()));
    // One form's copy changed, the others still the compiled texts: all are checked.
    let text = EMBEDDED.iter().find(|(stem, _)| *stem == "bb-kiem-tra").unwrap().1;
    let edited = text.replacen("{subject.address}", "{nowhere.address}", 1);
    assert_ne!(edited, text);
    let mut mixed: Vec<(String, &str)> =
        Catalog::embedded_files().filter(|(f, _)| f != "forms/bb-kiem-tra.toml").collect();
    mixed.push(("forms/bb-kiem-tra.toml".to_string(), edited.as_str()));
    let err = Catalog::from_files(mixed).unwrap_err();
    assert!(err.to_string().contains("nowhere."), "{err}");
}

/// The built-in catalog reads a form's definition when it is first used, and the one it
/// reads is the one its text parses to.
#[test]
fn the_built_in_catalog_reads_a_form_when_it_is_first_used() {
    let catalog = Catalog::embedded().unwrap();
    assert!(catalog.forms.iter().all(|(_, v)| !v.is_read()), "no form read at start");
    let date = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let form = catalog.form(DocumentKind::BbViPham, date);
    let read: Vec<&str> =
        catalog.forms.iter().filter(|(_, v)| v.is_read()).map(|(_, v)| v.identity().id.as_str()).collect();
    assert_eq!(read, ["bb-vi-pham"]);
    let path = format!("forms/2025-07-01/{}.toml", form.identity.id);
    let text = Catalog::embedded_files().find(|(f, _)| *f == path).unwrap().1;
    assert_eq!(*form, toml::from_str::<FormDef>(text).unwrap());
    let checked = checked_copies();
    for day in ["2022-01-01", "2025-06-30", "2025-07-01", "2026-11-30"] {
        let day = day.parse().unwrap();
        assert_eq!(catalog.prerequisites(day), checked.prerequisites(day), "{day}");
    }
}

#[test]
fn unknown_keys_and_ids_are_refused() {
    let bad = "[form]\nid = \"qd-kiem-tra\"\ntitle = \"x\"\nky_hieu = \"A\"\nsource = \"s\"\nvalid_from = \"2022-02-01\"\ncolour = 1\n";
    let err = Catalog::from_files([("forms/qd-kiem-tra.toml".to_string(), bad)]).unwrap_err();
    assert!(err.to_string().contains("colour"), "{err}");
    let wrong = "[form]\nid = \"nope\"\ntitle = \"x\"\nky_hieu = \"A\"\nsource = \"s\"\nvalid_from = \"2022-02-01\"\nrequires = []\n";
    let err = Catalog::from_files([("forms/nope.toml".to_string(), wrong)]).unwrap_err();
    assert!(matches!(err, FormError::UnknownKind { .. }));
}

/// The embedded catalog with one file's text changed by `edit`: the error, and the changed text.
fn load_with(stem: &str, edit: impl Fn(&str) -> String) -> (FormError, String) {
    let mut files: Vec<(String, String)> =
        EMBEDDED.iter().map(|(stem, text)| (format!("forms/{stem}.toml"), text.to_string())).collect();
    let target = files.iter_mut().find(|(f, _)| *f == format!("forms/{stem}.toml")).unwrap();
    target.1 = edit(&target.1);
    let changed = target.1.clone();
    let err = Catalog::from_files(files.iter().map(|(f, t)| (f.clone(), t.as_str()))).unwrap_err();
    (err, changed)
}

#[test]
fn a_prerequisite_cycle_is_refused_with_its_file_and_line() {
    let (err, text) = load_with("qd-kiem-tra", |t| t.replace("requires = []", "requires = [\"bb-vi-pham\"]"));
    match err {
        FormError::Cycle { file, line, cycle } => {
            assert_eq!(file, "forms/qd-kiem-tra.toml");
            assert_eq!(line, line_of(&text, "requires"));
            assert!(line > 0);
            assert_eq!(cycle, "qd-kiem-tra → bb-vi-pham → bb-kiem-tra → qd-kiem-tra");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn a_later_version_takes_over_from_its_date() {
    let mut files: Vec<(String, String)> =
        EMBEDDED.iter().map(|(stem, text)| (format!("forms/{stem}.toml"), text.to_string())).collect();
    let newer = files[0].1.replace("valid_from = \"2022-02-01\"", "valid_from = \"2027-01-01\"");
    let newer = newer.replace("ky_hieu = \"QĐ-KT\"", "ky_hieu = \"QĐ-KTr\"");
    let newer = newer.replace("requires = []", "requires = [\"qd-xu-phat-khong-lap-bien-ban\"]");
    files.push(("2027/qd-kiem-tra.toml".into(), newer));
    let catalog = Catalog::from_files(files.iter().map(|(f, t)| (f.clone(), t.as_str()))).unwrap();
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let kind = DocumentKind::QdKiemTra;
    assert_eq!(catalog.form(kind, day(2026, 12, 31)).identity.ky_hieu, "QĐ-KT");
    assert_eq!(catalog.form(kind, day(2027, 1, 1)).identity.ky_hieu, "QĐ-KTr");
    assert_eq!(catalog.form(kind, day(2020, 1, 1)).identity.ky_hieu, "QĐ-KT", "before every version: the oldest");
    assert!(catalog.prerequisites(day(2026, 6, 1)).of(kind).is_empty());
    assert_eq!(catalog.prerequisites(day(2027, 6, 1)).of(kind), &[DocumentKind::QdXuPhatKhongLapBienBan]);
}

#[test]
fn the_workflow_reads_prerequisites_from_the_forms() {
    let catalog = Catalog::embedded().unwrap();
    let table = catalog.prerequisites(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
    assert_eq!(table.of(DocumentKind::QdXuPhat), &[DocumentKind::BbViPham]);
    assert_eq!(table.of(DocumentKind::BbNiemPhong), &[DocumentKind::BbTamGiu]);
    assert!(table.of(DocumentKind::QdKiemTra).is_empty());
}

#[test]
fn unknown_placeholders_and_prefills_are_refused_with_their_line() {
    let (err, text) =
        load_with("bang-ke", |t| format!("{t}\n[[block]]\ntype = \"paragraph\"\ntext = \"{{field.khong_co}}\"\n"));
    match err {
        FormError::UnknownPlaceholder { line, name, .. } => {
            assert_eq!((line, name.as_str()), (line_of(&text, "{field.khong_co}"), "field.khong_co"));
            assert!(line > 10);
        }
        other => panic!("{other}"),
    }
    // A prefill from a field the earlier form does not have.
    let (err, _) =
        load_with("qd-xu-phat", |t| t.replace("prior.bb-vi-pham.field.hanh_vi", "prior.bb-vi-pham.field.hanh_dong"));
    assert!(
        matches!(&err, FormError::UnknownPlaceholder { name, .. } if name == "prior.bb-vi-pham.field.hanh_dong"),
        "{err}"
    );
}

#[test]
fn the_delegation_decision_reads_and_names_only_what_its_register_gives() {
    let form = delegation_form().unwrap();
    assert_eq!(form.identity.gazetted.as_deref(), Some("MQĐ34"));
    assert_eq!(form.identity.ky_hieu, "QĐ-GQXP");
}

#[test]
fn the_case_parties_may_start_a_field_but_never_print_by_themselves() {
    // A layout printing the case's witness would change a finalised record when the
    // case's parties change later: refused.
    let (err, _) = load_with("2025-07-01/bb-tam-giu", |t| {
        format!("{t}\n[[block]]\ntype = \"paragraph\"\ntext = \"{{party.witness.name}}\"\n")
    });
    assert!(matches!(&err, FormError::UnknownPlaceholder { name, .. } if name == "party.witness.name"), "{err}");
    let (err, _) = load_with("2025-07-01/bb-tam-giu", |t| t.replace("{party.witness.name}", "{party.nobody.name}"));
    assert!(matches!(&err, FormError::UnknownPlaceholder { name, .. } if name == "party.nobody.name"), "{err}");
}

#[test]
fn bad_field_limits_and_rules_are_refused() {
    let (err, _) = load_with("bb-niem-phong", |t| t.replace("type = \"integer\"", "type = \"text\""));
    assert!(err.to_string().contains("so_tem") && err.to_string().contains("min and max"), "{err}");
    let (err, _) = load_with("bb-vi-pham", |t| t.replace("[Đđ]iều", "[Đđiều"));
    assert!(err.to_string().contains("pattern does not compile"), "{err}");
    let (err, _) = load_with("bb-vi-pham", |t| t.replace("limit = \"doc.at\"", "limit = \"hanh_vi\""));
    assert!(matches!(err, FormError::BadRule { line, .. } if line > 0), "{err}");
    let (err, _) =
        load_with("bb-vi-pham", |t| t.replace("reason_field = \"ly_do_khong_ky\"", "reason_field = \"ly_do\""));
    assert!(err.to_string().contains("reason_field \"ly_do\""), "{err}");
}

#[test]
fn no_form_prints_the_labelled_identifiers_after_a_label_of_its_own() {
    // `{subject.identifiers}` prints each number with its label ("Mã số thuế: …"): after the
    // form's own label ("Mã số doanh nghiệp:") a document would read "Mã số doanh nghiệp: Mã
    // số thuế: …". Such a label takes a bare number (`subject.personal_id`, `.enterprise_code`).
    let after_label = regex_lite::Regex::new(r":\s*\{subject\.identifiers\}").unwrap();
    for (stem, text) in EMBEDDED {
        for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
            assert!(!after_label.is_match(line), "{stem}: {line}");
        }
    }
}

#[test]
fn no_form_writes_ngay_before_a_date_that_prints_its_own() {
    // A date prints as "ngày 05 tháng 3 năm 2026" (`value::FieldValue::print`): "ngày" before
    // its placeholder prints "ngày ngày".
    let before = regex_lite::Regex::new(r"ngày\s+\{field\.(\w+)\}").unwrap();
    for (stem, text) in EMBEDDED {
        let form: FormDef = toml::from_str(text).unwrap();
        for found in before.captures_iter(text) {
            let field = form.fields.iter().find(|f| f.id == found[1]);
            let dated = field.is_some_and(|f| matches!(f.kind, FieldKind::Date));
            assert!(!dated, "{stem}: \"{}\" prints \"ngày ngày\"", &found[0]);
        }
    }
}
