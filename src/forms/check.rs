//! Checking a document against its form: every field by its type and limits, then the
//! form's cross-field rules. The wizard shows the report beside the fields; finalising
//! refuses while it holds an error.

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::FormDef;
use super::layout::{FieldDef, FieldKind};
use super::value::{FieldValue, parse};
use crate::domain::text::format_vnd;
use crate::domain::{Bilingual, Case, Document, DocumentKind, SignerRole, SubjectKind, ValidationReport};

/// The reference lists a `choice` field may name with `list`.
pub const LISTS: &[&str] = &["linh_vuc"];

/// A rule between fields, written `[[rule]]` in a form file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleDef {
    /// The date or date-time `field` is not after `limit`: another date field of the form,
    /// or `doc.at` (when the document is made).
    NotAfter { field: String, limit: String },
    /// When the violator (or representative) refuses to sign, at least `confirmers`
    /// signatures from `roles` confirm the refusal, or, when the form has one,
    /// `reason_field` says why nobody could.
    Refusal { confirmers: u32, roles: Vec<SignerRole>, reason_field: Option<String> },
    /// The money `field` may not exceed `individual` for an individual or a household
    /// business, `organisation` for an organisation (the law's cap of a procedure, e.g.
    /// MQĐ01 without a record); `source` names the provision in the message.
    MaxForSubject { field: String, individual: u64, organisation: u64, source: String },
    /// A warning (the law sets a duty, not the decision's validity) when the document is
    /// made more than `hours` after the latest finalised document of kind `after`: the
    /// seizure record is reported to the competent person within 24 hours "để xem xét ra
    /// quyết định tạm giữ"; `source` names the provision.
    WithinHours { after: DocumentKind, hours: u32, source: String },
    /// `field` is required when the choice `when` holds `equals` (the fine and where to pay
    /// it when the penalty is "Phạt tiền", not "Cảnh cáo").
    RequiredWhen { field: String, when: String, equals: String },
    /// `field` stays empty unless the choice `when` holds `equals` (no fine on a warning).
    OnlyWhen { field: String, when: String, equals: String },
    /// At least one of `fields` is filled: MQĐ38's item 3 has "a)" (amend) or "b)" (annul
    /// a part), or both, never neither.
    OneOf { fields: Vec<String> },
}

/// What a check needs besides the document.
pub struct Context<'a> {
    pub case: &'a Case,
    /// When the document is made (its finalisation time, or now for a draft).
    pub at: NaiveDateTime,
    /// Inspection-card numbers of the unit's members (the values a `signer` may take).
    pub members: Vec<&'a str>,
    /// The values of a reference list named in [`LISTS`].
    pub list: &'a dyn Fn(&str) -> Vec<String>,
}

/// A problem message in both languages.
struct Message {
    vi: String,
    en: String,
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

impl Bilingual for Message {
    fn vi(&self) -> String {
        self.vi.clone()
    }
}

fn message(field: &FieldDef, vi: impl Into<String>, en: impl Into<String>) -> Message {
    Message { vi: format!("{}: {}", field.label, vi.into()), en: format!("{}: {}", field.id, en.into()) }
}

/// The report path of a field.
pub fn field_path(id: &str) -> String {
    format!("field.{id}")
}

/// Checks every field and rule of `form` on `doc`.
pub fn check(form: &FormDef, doc: &Document, ctx: &Context) -> ValidationReport {
    let mut report = ValidationReport::default();
    for field in &form.fields {
        check_field(field, doc.fields.get(&field.id).map_or("", String::as_str), ctx, &mut report);
    }
    for rule in &form.rules {
        check_rule(form, rule, doc, ctx, &mut report);
    }
    report
}

/// Whether `text` matches the field pattern whole. Each pattern is compiled when first met
/// and kept for the process (a form is checked at every finalisation; two threads meeting
/// it at once may both compile it, and the first kept serves after); one that does not
/// compile matches nothing. The lock is held only to find the compiled pattern, not while
/// it matches: the demo checks documents on every core at once.
fn matches_whole(pattern: &str, text: &str) -> bool {
    type Compiled = HashMap<String, Option<std::sync::Arc<regex_lite::Regex>>>;
    static COMPILED: std::sync::LazyLock<std::sync::RwLock<Compiled>> = std::sync::LazyLock::new(Default::default);
    let found = COMPILED.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(pattern).cloned();
    let regex = found.unwrap_or_else(|| {
        let regex = regex_lite::Regex::new(&format!("^(?:{pattern})$")).ok().map(std::sync::Arc::new);
        let mut compiled = COMPILED.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        compiled.entry(pattern.to_string()).or_insert(regex).clone()
    });
    regex.is_some_and(|re| re.is_match(text))
}

/// Checks one field's value (what the wizard does as the user leaves the field).
pub fn check_field(field: &FieldDef, raw: &str, ctx: &Context, report: &mut ValidationReport) {
    let mut error = |vi: String, en: String| report.error(field_path(&field.id), &message(field, vi, en));
    match field.kind {
        FieldKind::Subject => {
            if field.required && ctx.case.subject.name.trim().is_empty() {
                error("chưa có tên đối tượng".into(), "the case's subject has no name".into());
            }
            return;
        }
        FieldKind::Goods => {
            if field.required && ctx.case.goods.is_empty() {
                error("chưa có hàng hóa nào trong vụ việc".into(), "the case has no goods lines".into());
            }
            return;
        }
        _ => {}
    }
    let value = match parse(field.kind, raw) {
        Ok(Some(value)) => value,
        Ok(None) => {
            if field.required {
                error("bắt buộc phải nhập".into(), "required".into());
            }
            return;
        }
        Err(e) => return error(e.vi().into(), e.to_string()),
    };
    let text = value.canonical();
    if let Some(max) = field.max_len.filter(|&m| text.chars().count() > m) {
        error(format!("dài quá {max} ký tự"), format!("longer than {max} characters"));
    }
    if let Some(n) = value.number() {
        if let Some(min) = field.min.filter(|&m| n < i128::from(m)) {
            error(format!("không được nhỏ hơn {min}"), format!("less than {min}"));
        }
        if let Some(max) = field.max.filter(|&m| n > i128::from(m)) {
            error(format!("không được lớn hơn {max}"), format!("greater than {max}"));
        }
    }
    if let Some(pattern) = &field.pattern {
        let matches = matches_whole(pattern, &text);
        if !matches {
            let help = if field.pattern_help.is_empty() {
                "không đúng mẫu".to_string()
            } else {
                field.pattern_help.clone()
            };
            error(help, format!("does not match {pattern}"));
        }
    }
    match (&value, field.kind) {
        (FieldValue::Text(t), FieldKind::Choice) => {
            let allowed = match &field.list {
                Some(list) => (ctx.list)(list),
                None => field.options.clone(),
            };
            if !allowed.iter().any(|o| o == t) {
                error(format!("“{t}” không có trong danh sách"), format!("{t:?} is not one of the options"));
            }
        }
        (FieldValue::Text(t), FieldKind::Signer) if !ctx.members.contains(&t.as_str()) => {
            error(
                format!("số hiệu “{t}” không phải thành viên của đơn vị"),
                format!("card {t:?} is not a member of the unit"),
            );
        }
        (FieldValue::Witnesses(lines), _) => {
            for (i, line) in lines.iter().enumerate() {
                let name = line.split([',', ';']).next().unwrap_or("").trim();
                if name.chars().filter(|c| c.is_alphabetic()).count() < 2 {
                    error(
                        format!("dòng {} chưa có họ tên người chứng kiến", i + 1),
                        format!("line {} has no witness name", i + 1),
                    );
                }
            }
        }
        _ => {}
    }
}

fn check_rule(form: &FormDef, rule: &RuleDef, doc: &Document, ctx: &Context, report: &mut ValidationReport) {
    match rule {
        RuleDef::NotAfter { field, limit } => {
            let Some(def) = form.field(field) else { return };
            let moment_of = |def: &FieldDef| {
                parse(def.kind, doc.fields.get(&def.id).map_or("", String::as_str)).ok().flatten()?.moment()
            };
            let Some(moment) = moment_of(def) else { return };
            let (bound, bound_vi, bound_en) = if limit == "doc.at" {
                (Some(ctx.at), "thời điểm lập văn bản".to_string(), "the time of the document".to_string())
            } else {
                let Some(limit_def) = form.field(limit) else { return };
                (moment_of(limit_def), format!("“{}”", limit_def.label), limit.clone())
            };
            if bound.is_some_and(|b| moment > b) {
                let m = message(def, format!("không được sau {bound_vi}"), format!("is after {bound_en}"));
                report.error(field_path(field), &m);
            }
        }
        RuleDef::Refusal { confirmers, roles, reason_field } => {
            let refused = doc.signatures.iter().any(|s| s.role == SignerRole::Violator && !s.signed);
            if !refused {
                return;
            }
            let confirmed =
                doc.signatures.iter().filter(|s| s.signed && roles.contains(&s.role)).count() as u32 >= *confirmers;
            let reason = reason_field.as_ref().and_then(|f| doc.fields.get(f)).is_some_and(|r| !r.trim().is_empty());
            if confirmed || reason {
                return;
            }
            let who = roles.iter().map(|r| r.vi().to_lowercase()).collect::<Vec<_>>().join(" hoặc ");
            let mut vi = format!("Người vi phạm từ chối ký: cần chữ ký xác nhận của {confirmers} {who}");
            if let Some(f) = reason_field.as_ref().and_then(|f| form.field(f)) {
                vi.push_str(&format!(", hoặc ghi rõ “{}”", f.label));
            }
            let en = format!("the violator refused to sign: {confirmers} confirming signature(s) needed");
            report.error("signatures", &Message { vi, en });
        }
        RuleDef::MaxForSubject { field, individual, organisation, source } => {
            let Some(def) = form.field(field) else { return };
            let raw = doc.fields.get(field).map_or("", String::as_str);
            let Some(amount) = parse(def.kind, raw).ok().flatten().and_then(|v| v.number()) else { return };
            let (cap, whom) = match ctx.case.subject.kind {
                SubjectKind::Organisation => (*organisation, "tổ chức"),
                SubjectKind::Individual | SubjectKind::HouseholdBusiness => (*individual, "cá nhân"),
            };
            if amount > i128::from(cap) {
                let m = message(
                    def,
                    format!("không được quá {} đồng đối với {whom} ({source})", format_vnd(cap)),
                    format!("exceeds {cap} VND for this kind of subject ({source})"),
                );
                report.error(field_path(field), &m);
            }
        }
        RuleDef::WithinHours { after, hours, source } => {
            // A seizure made in the violation record starts the 24 hours as its record would.
            let latest = ctx.case.finalised_as(*after).filter_map(|d| d.finalised_at).max();
            let Some(start) = latest else { return };
            if ctx.at > start + chrono::Duration::hours(i64::from(*hours)) {
                let vi = format!(
                    "Đã quá {hours} giờ kể từ khi lập {} (lúc {}): việc báo cáo người có thẩm quyền để xem xét ra {} phải trong {hours} giờ ({source}); nếu không ra quyết định thì phải trả lại ngay tang vật",
                    after.title_vi(),
                    start.format("%H giờ %M phút, ngày %d/%m/%Y"),
                    doc.kind.title_vi().to_lowercase(),
                );
                let en = format!("more than {hours} hours after the {} ({source})", after);
                report.warning("doc.at", &Message { vi, en });
            }
        }
        RuleDef::OneOf { fields } => {
            let defs: Vec<&FieldDef> = fields.iter().filter_map(|f| form.field(f)).collect();
            let filled = defs.iter().any(|d| doc.fields.get(&d.id).is_some_and(|v| !v.trim().is_empty()));
            let Some(first) = defs.first().filter(|_| !filled) else { return };
            let labels = defs.iter().map(|d| format!("“{}”", d.label)).collect::<Vec<_>>();
            let vi = format!("Cần ghi ít nhất một trong các mục: {}", labels.join(" hoặc "));
            let en = format!("at least one of {} is required", fields.join(", "));
            report.error(field_path(&first.id), &Message { vi, en });
        }
        RuleDef::OnlyWhen { field, when, equals } | RuleDef::RequiredWhen { field, when, equals } => {
            let (Some(def), Some(cond)) = (form.field(field), form.field(when)) else { return };
            let chosen = doc.fields.get(when).is_some_and(|v| v.trim() == equals);
            let filled = doc.fields.get(field).is_some_and(|v| !v.trim().is_empty());
            let (wrong, vi, en) = if matches!(rule, RuleDef::OnlyWhen { .. }) {
                (
                    filled && !chosen,
                    format!("chỉ nhập khi “{}” là “{equals}”; xóa nội dung này", cond.label),
                    "only allowed",
                )
            } else {
                (chosen && !filled, format!("bắt buộc phải nhập khi “{}” là “{equals}”", cond.label), "required")
            };
            if wrong {
                report.error(field_path(field), &message(def, vi, format!("{en} when {when} is {equals:?}")));
            }
        }
    }
}
