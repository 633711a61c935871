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
