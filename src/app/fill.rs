//! Filling and checking a document against its form: the prefill of a new draft from the
//! case and earlier documents, and the check the wizard shows and finalising enforces.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use super::Workspace;
use super::render::ValueStyle;
use crate::domain::ceilings::{Ceiling, NoCeiling};
use crate::domain::{Case, Document, ValidationReport};
use crate::forms::layout::fill;
use crate::forms::{Context, check};

impl Workspace {
    /// The version of its form a document is printed and read with: a finalised (or
    /// cancelled) document keeps the version in force when it was finalised — the first
    /// version for one finalised before forms had editions —, a draft the version in force
    /// today, the one it will be checked and finalised with (a draft begun before an edition
    /// came into force used to preview with the old one). Every place that picks a
    /// document's form asks here.
    pub fn form_of(&self, doc: &Document) -> &crate::forms::FormDef {
        match doc.finalised_at {
            Some(at) if self.legacy_forms_before.is_some_and(|cut| at < cut) => self.catalog.oldest(doc.kind),
            Some(at) => self.catalog.form(doc.kind, at.date()),
            None => self.catalog.form(doc.kind, super::now().date().max(doc.created_at.date())),
        }
    }

    /// Every problem of `doc` against its form, as if made at `at`.
    pub fn check_document(&self, case: &Case, doc: &Document, at: NaiveDateTime) -> ValidationReport {
        let form = self.catalog.form(doc.kind, at.date());
        let members = self.unit().map(|u| u.members.iter().map(|m| m.card_number.as_str()).collect());
        let list = |name: &str| match name {
            "linh_vuc" => self.reference.fields.iter().map(|f| f.name.clone()).collect(),
            _ => Vec::new(),
        };
        let ctx = Context { case, at, members: members.unwrap_or_default(), list: &list };
        let mut report = check(form, doc, &ctx);
        self.check_act(case, doc, form, &mut report);
        self.check_ceiling(case, doc, at, &mut report);
        self.check_delegation(doc, at.date(), &mut report);
        super::printable::check_document(&mut report, form, case, doc);
        report
    }

    /// Warns (never blocks) when a sanction decision's fine exceeds what its signer — the
    /// team's leader, printed on it — may impose in the case's field on the decision's date
    /// (`assets/law/ceilings.toml`), or when the table cannot say (title or field unknown).
    fn check_ceiling(&self, case: &Case, doc: &Document, at: NaiveDateTime, report: &mut ValidationReport) {
        self.check_confiscation(case, doc, at, report);
        let Some(fine) = doc.fine_vnd() else { return };
        let Some(signer) = self.signer_of(doc) else { return };
        let organisation = case.subject.kind == crate::domain::SubjectKind::Organisation;
        let field = self.reference.field_name(&case.field).unwrap_or(&case.field).to_owned();
        let mut act = doc.fields.get("hanh_vi").map(|a| a.trim().to_owned()).filter(|a| !a.is_empty());
        // Competence is judged against the top of the act's bracket (khoản 2 Điều 52 of the
        // Law) when the act was chosen from the catalogue; else against the fine written.
        // Competence is judged against the top of each act's bracket (khoản 2 Điều 52 of the
        // Law) when the acts were chosen from the catalogue; else against the fine written.
        let acts = self.acts_of(case, doc);
        let top = acts.iter().filter_map(|(s, _)| s.as_ref().ok()).max_by_key(|s| s.bracket(organisation).max_vnd);
        let (judged, bracket) = match top {
            Some(s) if acts.iter().all(|(s, _)| s.is_ok()) => {
                act = Some(s.act.act.text.clone());
                (s.bracket(organisation).max_vnd, Some(format!("{} {}", s.points_vi(), s.act.decree.short)))
            }
            _ => (fine, None),
        };
        let problem = match self.reference.ceilings.of(&signer.title, &case.field, at.date(), organisation) {
            Ok(c) if judged > c.amount_vnd => CeilingProblem::Above {
                fine: judged,
                bracket,
                signer: signer.full_name.clone(),
                act,
                ceiling: Box::new(c),
            },
            Ok(_) => return,
            Err(NoCeiling::Title) => CeilingProblem::UnknownTitle { title: signer.title.clone() },
            Err(NoCeiling::Field { valid_from }) => CeilingProblem::UnknownField { field, valid_from },
        };
        report.warning(format!("field.{}", crate::domain::document::FINE_FIELD), &problem);
    }
}

impl Workspace {
    /// Warns when a sanction decision confiscates goods (its additional penalty names
    /// "tịch thu") worth more than its signer may confiscate: twice the fine ceiling for a
    /// team leader or an inspector since 1/7/2025 (điểm c khoản 1, 2 Điều 12 NĐ 189/2025),
    /// the decree's figure before; an inspector could not confiscate before.
    fn check_confiscation(&self, case: &Case, doc: &Document, at: NaiveDateTime, report: &mut ValidationReport) {
        let penalty = doc.fields.get("xu_phat_bo_sung").map(|t| crate::domain::text::fold(t)).unwrap_or_default();
        let value = case.goods_value_vnd();
        let Some(signer) = self.signer_of(doc) else { return };
        if !penalty.contains("tich thu") || value == 0 {
            return;
        }
        let organisation = case.subject.kind == crate::domain::SubjectKind::Organisation;
        let Ok(c) = self.reference.ceilings.of(&signer.title, &case.field, at.date(), organisation) else { return };
        let Some(limit) = c.confiscation_limit_vnd.filter(|limit| value > *limit) else { return };
        report.warning(
            "field.xu_phat_bo_sung",
            &Confiscation { value, signer: signer.full_name.clone(), limit, ceiling: c },
        );
    }
}

/// Goods confiscated beyond what the signer may confiscate.
#[derive(Debug, thiserror::Error)]
#[error("goods worth {value} VND exceed what {signer} may confiscate ({limit} VND)")]
struct Confiscation {
    value: u64,
    signer: String,
    limit: u64,
    ceiling: Ceiling,
}

impl crate::domain::Bilingual for Confiscation {
    fn vi(&self) -> String {
        use crate::domain::text::format_vnd;
        let c = &self.ceiling;
        let may = if self.limit == 0 {
            "không có quyền tịch thu".to_string()
        } else {
            format!("chỉ được tịch thu tang vật, phương tiện trị giá đến {} đồng", format_vnd(self.limit))
        };
        format!(
            "Tang vật trị giá {} đồng (theo bảng kê hàng hóa): {} — {} {may} (theo {}, từ {}). Cần chuyển người có thẩm quyền cao hơn.",
            format_vnd(self.value),
            self.signer,
            c.title,
            c.source,
            c.valid_from.format("%d/%m/%Y")
        )
    }
}

/// A fine beyond the signer's sanctioning ceiling, or one the table cannot judge.
#[derive(Debug, thiserror::Error)]
enum CeilingProblem {
    /// `fine`: the top of the act's bracket (`bracket` names it) or, without one, the fine.
    #[error("fine {fine} VND exceeds the ceiling of {signer} ({}, {} VND)", ceiling.title, ceiling.amount_vnd)]
    Above { fine: u64, bracket: Option<String>, signer: String, act: Option<String>, ceiling: Box<Ceiling> },
    #[error("the signer's title {title:?} has no sanctioning ceiling in the table")]
    UnknownTitle { title: String },
    #[error("the ceilings table has no maximum fine for the field {field:?} (period from {valid_from})")]
    UnknownField { field: String, valid_from: chrono::NaiveDate },
}

impl crate::domain::Bilingual for CeilingProblem {
    fn vi(&self) -> String {
        use crate::domain::text::format_vnd;
        match self {
            CeilingProblem::Above { fine, bracket, signer, act, ceiling: c } => {
                let whom = if c.organisation { "tổ chức (gấp đôi cá nhân)" } else { "cá nhân" };
                let act = act.as_ref().map(|a| format!(" cho hành vi “{a}”")).unwrap_or_default();
                let how = if c.formula.is_empty() { String::new() } else { format!(" = {}", c.formula) };
                let caveat = if c.caveat.is_empty() { String::new() } else { format!(" Lưu ý: {}.", c.caveat) };
                let what = match bracket {
                    Some(p) => format!("Mức tối đa của khung tiền phạt ({p}) {} đồng", format_vnd(*fine)),
                    None => format!("Mức phạt {} đồng", format_vnd(*fine)),
                };
                format!(
                    "{what}{act} vượt thẩm quyền của {signer} — {}: tối đa {} đồng đối với {whom}{how} \
                     (theo {}, từ {}; xét theo {}). Cần chuyển người có thẩm quyền cao hơn ra quyết định.{caveat}",
                    c.title,
                    format_vnd(c.amount_vnd),
                    c.source,
                    c.valid_from.format("%d/%m/%Y"),
                    c.judged_against,
                )
            }
            CeilingProblem::UnknownTitle { title } => {
                format!(
                    "Chức vụ “{title}” của người ký không có trong bảng thẩm quyền xử phạt; kiểm tra lại người ký quyết định"
                )
            }
            CeilingProblem::UnknownField { field, valid_from } => format!(
                "Bảng thẩm quyền (từ {}) chưa có mức phạt tối đa của lĩnh vực “{field}”: tự đối chiếu thẩm quyền của người ký",
                valid_from.format("%d/%m/%Y")
            ),
        }
    }
}

impl Workspace {
    /// The case's parties as a new document is offered them: each entry as given on the case,
    /// else as the latest finalised document named it in a field that takes it from the case
    /// (`prefill = "{party.witness.name}"`), so a witness typed into the seizure record is
    /// offered to the seal record without being entered twice.
    pub fn parties_of(&self, case: &Case) -> crate::domain::Parties {
        let mut parties = case.parties.clone();
        let mut finalised: Vec<&Document> =
            case.documents.iter().filter(|d| d.state == crate::domain::DocumentState::Finalised).collect();
        finalised.sort_by_key(|d| std::cmp::Reverse(d.finalised_at));
        for doc in finalised {
            let named = self.form_of(doc).fields.iter().filter_map(|f| {
                let path = f.prefill.as_deref()?.strip_prefix("{party.")?.strip_suffix('}')?;
                Some((path, doc.fields.get(&f.id)?.as_str()))
            });
            parties.adopt(named);
        }
        parties
    }

    /// What a prefill may name: the values of a layout, as stored, and the case's parties
    /// (only here: a layout may not print them, so a finalised document never changes with
    /// them, and printing does not look them up).
    /// Of the earlier documents', the form's fields and the parties, only those under a prefix
    /// `wants` are made (a prefill names a few of the many).
    pub(crate) fn prefill_values(
        &self,
        case: &Case,
        doc: &Document,
        form: &crate::forms::FormDef,
        wants: impl Fn(&str) -> bool,
    ) -> BTreeMap<String, String> {
        let mut values = self.placeholder_values(case, doc, form, ValueStyle::Stored, &wants);
        if wants("party.") {
            let parties = self.parties_of(case);
            for path in crate::domain::Parties::paths() {
                values.insert(format!("party.{path}"), parties.get(path).unwrap_or_default());
            }
        }
        values
    }

    /// The values a new draft starts with: each field's `prefill` template filled from the
    /// case, the unit and the earlier documents; fields whose template comes out empty are left out.
    pub fn prefill(&self, case: &Case, doc: &Document) -> BTreeMap<String, String> {
        let form = self.form_of(doc);
        if form.fields.iter().all(|f| f.prefill.is_none()) {
            return BTreeMap::new();
        }
        let named: Vec<&str> = form
            .fields
            .iter()
            .filter_map(|f| f.prefill.as_deref())
            .flat_map(crate::forms::layout::placeholders)
            .collect();
        let values = self.prefill_values(case, doc, form, |prefix| named.iter().any(|n| n.starts_with(prefix)));
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
