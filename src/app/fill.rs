//! Filling and checking a document against its form: the prefill of a new draft from the
//! case and earlier documents, and the check the wizard shows and finalising enforces.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use super::Workspace;
use super::render::ValueStyle;
use crate::domain::{Case, Document, ValidationReport};
use crate::forms::layout::fill;
use crate::forms::{Context, check};

impl Workspace {
    /// Every problem of `doc` against its form, as if made at `at`.
    pub fn check_document(&self, case: &Case, doc: &Document, at: NaiveDateTime) -> ValidationReport {
        let form = self.catalog.form(doc.kind, at.date());
        let members = self.unit().map(|u| u.members.iter().map(|m| m.card_number.as_str()).collect());
        let list = |name: &str| match name {
            "linh_vuc" => self.reference.fields.iter().map(|f| f.name.clone()).collect(),
            _ => Vec::new(),
        };
        let ctx = Context { case, at, members: members.unwrap_or_default(), list: &list };
        check(form, doc, &ctx)
    }

    /// The values a new draft starts with: each field's `prefill` template filled from the
    /// case, the unit and the earlier documents; fields whose template comes out empty are left out.
    pub fn prefill(&self, case: &Case, doc: &Document) -> BTreeMap<String, String> {
        let form = self.catalog.form(doc.kind, doc.created_at.date());
        if form.fields.iter().all(|f| f.prefill.is_none()) {
            return BTreeMap::new();
        }
        let values = self.placeholder_values(case, doc, form, ValueStyle::Stored);
        form.fields
            .iter()
            .filter_map(|f| {
                let template = f.prefill.as_deref()?;
                let text = fill(template, &|name| values.get(name).cloned().unwrap_or_default());
                (!text.trim().is_empty()).then(|| (f.id.clone(), text))
            })
            .collect()
    }
}
