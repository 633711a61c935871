use super::*;

#[test]
fn every_known_placeholder_has_a_value() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(dir.path()).unwrap();
    ws.make_demo(40, 11).unwrap();
    let list = ws.list_cases().unwrap();
    let case = ws.case(list[0].id).unwrap();
    let doc = &case.documents[0];
    let form = ws.catalog.form(doc.kind, doc.created_at.date());
    let values = ws.placeholder_values(&case, doc, form, ValueStyle::Printed, |_| true);
    for name in crate::forms::PLACEHOLDERS {
        assert!(values.contains_key(*name), "renderer gives no value for {{{name}}}");
    }
    // The case's parties only start fields (a layout may not name them): the prefill has them.
    let values = ws.prefill_values(&case, doc, form, |_| true);
    for path in crate::domain::Parties::paths() {
        assert!(values.contains_key(&format!("party.{path}")), "prefill gives no value for {{party.{path}}}");
    }
}

/// A prefill works out only the values its form's templates name: it fills every
/// document of every demo case exactly as it would from all the values.
#[test]
fn a_prefill_from_the_values_it_names_is_the_prefill_from_all_of_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(dir.path()).unwrap();
    ws.make_demo(40, 12).unwrap();
    let mut compared = 0;
    for row in ws.list_cases().unwrap() {
        let case = ws.case(row.id).unwrap();
        for doc in &case.documents {
            let form = ws.form_of(doc);
            let all = ws.prefill_values(&case, doc, form, |_| true);
            let from_all: BTreeMap<String, String> = form
                .fields
                .iter()
                .filter_map(|f| {
                    let text = crate::forms::layout::fill(f.prefill.as_deref()?, &|name| {
                        all.get(name).cloned().unwrap_or_default()
                    });
                    (!text.trim().is_empty()).then(|| (f.id.clone(), text))
                })
                .collect();
            assert_eq!(ws.prefill(&case, doc), from_all, "{:?}", doc.kind);
            compared += usize::from(!from_all.is_empty());
        }
    }
    assert!(compared > 40, "{compared}");
}

#[test]
fn the_forms_identifier_labels_print_bare_numbers_and_every_number_recorded() {
    use crate::domain::{Address, PersonalId, Subject, SubjectKind, TaxCode};
    let subject = |kind, tax: Option<&str>, id: Option<&str>, registered: Option<&str>| Subject {
        tax_code: tax.map(|t| TaxCode::try_from(t.to_string()).unwrap()),
        personal_id: id.map(|p| PersonalId::try_from(p.to_string()).unwrap()),
        registration_number: registered.map(str::to_string),
        ..Subject::new(
            kind,
            "Hộ kinh doanh Bà Tư",
            Address::Coded { street: "Chợ".into(), commune_code: 7001, province_code: 20 },
        )
    };
    let (tax, id) = (Some("0100109106"), Some("001085012345"));
    let household = SubjectKind::HouseholdBusiness;
    // The owner's number alone, bare; with the household's tax code after it; the tax code
    // alone after the line to fill by hand (it printed nothing in stop 43's first version).
    assert_eq!(personal_id(&subject(household, None, id, None)), "001085012345");
    assert_eq!(personal_id(&subject(household, tax, id, None)), "001085012345 (Mã số thuế: 0100109106)");
    assert_eq!(
        personal_id(&subject(household, tax, None, Some("14A8000123"))),
        format!("{BLANK} (Mã số thuế: 0100109106; Số đăng ký kinh doanh: 14A8000123)")
    );
    assert_eq!(personal_id(&subject(household, None, None, None)), "");
    let company = SubjectKind::Organisation;
    for gcn_line in [false, true] {
        assert_eq!(enterprise_code(&subject(company, tax, None, None), gcn_line), "0100109106");
        assert_eq!(enterprise_code(&subject(company, tax, None, Some("0100109106")), gcn_line), "0100109106");
    }
    // The registration number goes on the forms' "Số GCN …" line (so_gcn) when it holds it;
    // a document whose line is empty (made before) keeps it after the code, or as the code.
    let registered = subject(company, tax, None, Some("0103000123"));
    assert_eq!(enterprise_code(&registered, true), "0100109106");
    assert_eq!(enterprise_code(&registered, false), "0100109106 (Số đăng ký kinh doanh: 0103000123)");
    let licensed = subject(company, None, None, Some("123/GP-UBND"));
    assert_eq!(enterprise_code(&licensed, true), "");
    assert_eq!(enterprise_code(&licensed, false), "123/GP-UBND");
}
