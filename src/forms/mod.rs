//! Legal form definitions, kept as data in `forms/*.toml` and embedded in the binary.
//!
//! A definition carries the form's identity (title, ký hiệu, legal source, the date it is
//! in force from), the fields the wizard asks for, and the print layout as blocks with
//! `{placeholders}`, the cross-field rules (`check`), and the typed values (`value`).

pub mod check;
pub mod layout;
mod parsed;
pub mod value;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::domain::{DocumentKind, Prerequisites};
pub use check::{Context, RuleDef, check, field_path};
pub use layout::{BlockDef, FieldDef, FieldKind, SignerDef};

/// The placeholders every layout may use, besides `{field.<id>}` for the form's own fields
/// and `{prior.<kind>.number}` / `{prior.<kind>.date_words}` / `{prior.<kind>.field.<id>}`
/// for the latest finalised document of a kind in the case, and — in a field's `prefill`
/// only — `{party.<path>}` for the case's parties (`Parties::paths`). The renderer in `app` provides each of them (a test holds it to that).
pub const PLACEHOLDERS: &[&str] = &[
    "unit.parent_body",
    "unit.chi_cuc",
    "unit.doi",
    "unit.place",
    "unit.leader_name",
    "unit.leader_title",
    "case.id",
    "case.field",
    "case.fine",
    "case.fine_words",
    "case.goods_value",
    "case.goods_value_words",
    "case.goods_count",
    "subject.kind",
    "subject.name",
    "subject.address",
    "subject.identifiers",
    "subject.personal_id",
    "subject.enterprise_code",
    "subject.gcn_number",
    "subject.representative",
    "subject.representative_title",
    "subject.phone",
    "subject.date_of_birth",
    "subject.gender",
    "members.lead_name",
    "members.lead_title",
    "members.lead_card",
    "members.list",
    "doc.number",
    "doc.date_words",
    "doc.time_words",
    "doc.title",
    "doc.date",
    "doc.authority",
    "doc.signer_name",
    "doc.signer_title",
    "subject.is_individual",
    "subject.is_organisation",
    "subject.ref",
    "subject.ref_cap",
    "subject.person_ref",
    "subject.signer_name",
    "subject.party_name",
    "subject.occupation",
    "subject.nationality",
    "unit.leader_card",
    "user.card",
    "user.decision_card",
    "amended.number",
    "amended.date",
    "amended.date_words",
    "amended.title",
    "amended.signer",
    "amended.authority",
];

/// The identity part of a form definition.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FormIdentity {
    pub id: String,
    pub title: String,
    /// The ký hiệu printed after the number, e.g. "QĐ-KT"; empty for unnumbered forms.
    pub ky_hieu: String,
    pub source: String,
    /// The code of the gazetted form this one reproduces (MQĐ02, MBB26 …), when there is one.
    #[serde(default)]
    pub gazetted: Option<String>,
    pub valid_from: NaiveDate,
    /// The kinds that must be finalised before this one; the workflow reads these.
    pub requires: Vec<DocumentKind>,
}

/// A whole form definition file.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FormDef {
    #[serde(rename = "form")]
    pub identity: FormIdentity,
    #[serde(default, rename = "field")]
    pub fields: Vec<FieldDef>,
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleDef>,
    #[serde(default, rename = "block")]
    pub blocks: Vec<BlockDef>,
}

impl FormDef {
    /// The field with this id.
    pub fn field(&self, id: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.id == id)
    }

    /// The fields in wizard order, grouped by section (sections in order of first use).
    pub fn sections(&self) -> Vec<(&str, Vec<&FieldDef>)> {
        let mut out: Vec<(&str, Vec<&FieldDef>)> = Vec::new();
        for field in &self.fields {
            match out.iter_mut().find(|(s, _)| *s == field.section()) {
                Some((_, list)) => list.push(field),
                None => out.push((field.section(), vec![field])),
            }
        }
        out
    }
}

/// What is wrong in one form file, before the file and line are known.
enum Detail {
    UnknownPlaceholder(String),
    Field { id: String, detail: String },
    Rule(String),
}

impl Detail {
    fn at(self, file: String, line: usize) -> FormError {
        match self {
            Detail::UnknownPlaceholder(name) => FormError::UnknownPlaceholder { file, line, name },
            Detail::Field { id, detail } => FormError::BadField { file, line, id, detail },
            Detail::Rule(detail) => FormError::BadRule { file, line, detail },
        }
    }
}

/// A form definition file failed to load.
#[derive(Debug, Error)]
pub enum FormError {
    #[error("{file}: {detail}")]
    Parse { file: String, detail: String },
    #[error("{file}: id {id:?} is not a known document kind")]
    UnknownKind { file: String, id: String },
    #[error("{file}: id {id:?} does not match the file name")]
    IdMismatch { file: String, id: String },
    #[error("no form definition for {0}")]
    Missing(DocumentKind),
    #[error("{file}: {kind} is numbered but has no ký hiệu")]
    NoKyHieu { file: String, kind: DocumentKind },
    #[error("{file}:{line}: unknown placeholder {{{name}}}")]
    UnknownPlaceholder { file: String, line: usize, name: String },
    #[error("{file}:{line}: prerequisites form a cycle: {cycle}")]
    Cycle { file: String, line: usize, cycle: String },
    #[error("{file}:{line}: field {id:?}: {detail}")]
    BadField { file: String, line: usize, id: String, detail: String },
    #[error("{file}:{line}: rule: {detail}")]
    BadRule { file: String, line: usize, detail: String },
    #[error("{file}: field id {id:?} is declared twice")]
    DuplicateField { file: String, id: String },
}

/// The 1-based line where `needle` first occurs in `text` (0 when it does not).
fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle).map_or(0, |at| text[..at].matches('\n').count() + 1)
}

/// The file of the unit's decision giving a deputy the competence to sanction (MQĐ34).
const DELEGATION_FORM: (&str, &str) =
    ("forms/don-vi/qd-giao-quyen.toml", include_str!("../../forms/don-vi/qd-giao-quyen.toml"));

/// The placeholders the delegation decision's layout may use besides its own fields: it is
/// printed from the unit's register, with no case behind it.
pub const DELEGATION_PLACEHOLDERS: &[&str] = &["unit.doi", "doc.authority", "doc.signer_title", "doc.signer_name"];

/// The unit's decision giving a deputy the competence to sanction (MQĐ34): a document of the
/// unit, printed from its register of delegations, not of a case, and so outside the
/// catalog of case documents and their workflow.
pub fn delegation_form() -> Result<FormDef, FormError> {
    let (file, text) = DELEGATION_FORM;
    let form: FormDef =
        toml::from_str(text).map_err(|e| FormError::Parse { file: file.into(), detail: e.to_string() })?;
    let templates = form.blocks.iter().flat_map(BlockDef::templates);
    for name in templates.flat_map(layout::placeholders) {
        let own = name.strip_prefix("field.").is_some_and(|id| form.field(id).is_some());
        if !own && !DELEGATION_PLACEHOLDERS.contains(&name) {
            let line = line_of(text, &format!("{{{name}}}"));
            return Err(FormError::UnknownPlaceholder { file: file.into(), line, name: name.into() });
        }
    }
    Ok(form)
}

macro_rules! embedded_forms {
    ($($code:literal),* $(,)?) => {
        &[$(($code, include_str!(concat!("../../forms/", $code, ".toml")))),*]
    };
}

/// The form files compiled into the binary: (path under `forms/` without `.toml`, contents).
/// A later edition of a form lives in a folder named by the date it comes into force. A
/// static, not a constant, so that each text has one address (`parsed` knows them by it).
static EMBEDDED: &[(&str, &str)] = embedded_forms![
    "qd-kiem-tra",
    "qd-sua-doi-kiem-tra",
    "bb-kiem-tra",
    "phu-luc",
    "bang-ke",
    "bb-lam-viec",
    "qd-tam-giu",
    "bb-tam-giu",
    "bb-niem-phong",
    "bb-mo-niem-phong",
    "tem-niem-phong",
    "bb-vi-pham",
    "qd-xu-phat",
    "qd-xu-phat-khong-lap-bien-ban",
    "gia-han",
    "xac-nhan-nop-phat",
    // The edition of 1 July 2025 (Luật 88/2025/QH15 in force): the gazetted NĐ 118/2021
    // forms word for word, and the QLTT forms citing the right acts.
    "2025-07-01/qd-kiem-tra",
    "2025-07-01/qd-sua-doi-kiem-tra",
    "2025-07-01/bb-kiem-tra",
    "2025-07-01/bb-tam-giu",
    "2025-07-01/qd-tam-giu",
    "2025-07-01/bb-niem-phong",
    "2025-07-01/bb-mo-niem-phong",
    "2025-07-01/bb-vi-pham",
    "2025-07-01/qd-xu-phat",
    "2025-07-01/qd-xu-phat-khong-lap-bien-ban",
    "2025-07-01/qd-keo-dai-tam-giu",
    "2025-07-01/qd-tra-lai",
    "2025-07-01/bb-tra-lai",
    "2025-07-01/bb-tra-lai-khong-qd",
    "2025-07-01/bb-giai-trinh",
    "2025-07-01/bb-xac-dinh-gia-tri",
    "2025-07-01/bb-xac-minh",
    "2025-07-01/qd-trung-cau-giam-dinh",
    "2025-07-01/qd-tich-thu",
    "2025-07-01/qd-khac-phuc",
    "2025-07-01/bb-tich-thu",
    "2025-07-01/bb-tieu-huy",
    "2025-07-01/qd-sua-doi-bo-sung",
    "2025-07-01/qd-dinh-chinh",
    "2025-07-01/qd-huy-bo",
    "2025-07-01/gia-han",
];

/// The compiled-in form file (path under `forms/` without `.toml`, contents) whose text
/// `text` is: the very string, by its address, not an equal one.
fn compiled(text: &str) -> Option<&'static (&'static str, &'static str)> {
    EMBEDDED.iter().find(|(_, compiled)| std::ptr::eq(*compiled, text))
}

/// Every form definition, one or more versions per document kind.
#[derive(Clone)]
pub struct Catalog {
    /// Sorted by kind, then by the date each version comes into force.
    forms: Vec<(DocumentKind, parsed::Version)>,
    /// The prerequisites from each date a version comes into force, oldest first; checked
    /// for cycles once, at load.
    tables: Tables,
}

/// The prerequisites from each date a version comes into force, oldest first.
type Tables = Vec<(NaiveDate, Prerequisites)>;

impl Catalog {
    /// The definitions compiled into this build.
    pub fn embedded() -> Result<Catalog, FormError> {
        Catalog::from_files(EMBEDDED.iter().map(|(stem, text)| (format!("forms/{stem}.toml"), *text)))
    }

    /// The embedded definitions, with any `*.toml` in `dir` (or in a dated edition folder
    /// of it, `dir/2025-07-01/`) taking the place of the embedded file of the same path (a
    /// legal change before a new release); a file with a new path adds a version. A bad
    /// override file is an error, not silently skipped.
    pub fn with_overrides(dir: &std::path::Path) -> Result<Catalog, FormError> {
        Catalog::with_overrides_on(Catalog::embedded_files().map(|(f, t)| (f, t.to_string())).collect(), dir)
    }

    /// The embedded definition files, as (`forms/<path>.toml`, contents): what the built-in
    /// law carries.
    pub fn embedded_files() -> impl Iterator<Item = (String, &'static str)> {
        EMBEDDED.iter().map(|(stem, text)| (format!("forms/{stem}.toml"), *text))
    }

    /// [`Catalog::with_overrides`] over `base` files (`forms/<path>.toml`, contents): the
    /// law in force on the laptop, built in or from a law pack.
    pub fn with_overrides_on(base: Vec<(String, String)>, dir: &std::path::Path) -> Result<Catalog, FormError> {
        let mut files = base;
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Catalog::from_files(files.iter().map(|(f, t)| (f.clone(), t.as_str())));
        };
        let mut paths: Vec<(String, std::path::PathBuf)> = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                let edition = entry.file_name().to_string_lossy().to_string();
                for inner in std::fs::read_dir(&path).into_iter().flatten().flatten() {
                    let stem = inner.path().file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
                    paths.push((format!("{edition}/{stem}"), inner.path()));
                }
            } else {
                let stem = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
                paths.push((stem, path));
            }
        }
        for (relative, path) in paths {
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let name = path.display().to_string();
            let text = std::fs::read_to_string(&path)
                .map_err(|e| FormError::Parse { file: name.clone(), detail: e.to_string() })?;
            match files.iter_mut().find(|(f, _)| *f == format!("forms/{relative}.toml")) {
                Some(slot) => *slot = (name, text),
                None => files.push((name, text)),
            }
        }
        Catalog::from_files(files.iter().map(|(f, t)| (f.clone(), t.as_str())))
    }

    /// Parses and checks definition files given as (file name, contents); the built-in
    /// files themselves (the very texts compiled in) are checked by the tests instead, and
    /// read when first used ([`Catalog::built_in`]).
    pub fn from_files<'a>(files: impl IntoIterator<Item = (String, &'a str)>) -> Result<Catalog, FormError> {
        let files: Vec<(String, &str)> = files.into_iter().collect();
        if let Some(catalog) = Catalog::built_in(&files) {
            return Ok(catalog);
        }
        // Parsing the files is most of opening the law: half of them on another core.
        let parse = |part: &[(String, &str)]| -> Vec<Result<FormDef, toml::de::Error>> {
            part.iter().map(|(_, text)| parsed::form(text)).collect()
        };
        let (first, second) = files.split_at(files.len() / 2);
        let parsed = std::thread::scope(|scope| {
            // Where no thread can be started, this one parses both halves.
            let other = std::thread::Builder::new().spawn_scoped(scope, || parse(second));
            let mut parsed = parse(first);
            parsed.extend(match other {
                Ok(other) => other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(_) => parse(second),
            });
            parsed
        });
        let mut loaded: Vec<(DocumentKind, FormDef, String, &str)> = Vec::new();
        for ((file, text), parsed) in files.into_iter().zip(parsed) {
            let parsed = parsed.map_err(|e| FormError::Parse { file: file.clone(), detail: e.to_string() })?;
            let id = parsed.identity.id.clone();
            let kind =
                DocumentKind::from_code(&id).ok_or(FormError::UnknownKind { file: file.clone(), id: id.clone() })?;
            if !file.ends_with(&format!("{id}.toml")) {
                return Err(FormError::IdMismatch { file, id });
            }
            if kind.is_numbered() && parsed.identity.ky_hieu.trim().is_empty() {
                return Err(FormError::NoKyHieu { file, kind });
            }
            let mut seen = std::collections::HashSet::new();
            if let Some(dup) = parsed.fields.iter().find(|f| !seen.insert(f.id.as_str())) {
                return Err(FormError::DuplicateField { file, id: dup.id.clone() });
            }
            loaded.push((kind, parsed, file, text));
        }
        if let Some(kind) = DocumentKind::ALL.into_iter().find(|k| !loaded.iter().any(|(f, ..)| f == k)) {
            return Err(FormError::Missing(kind));
        }
        let mut forms: Vec<(DocumentKind, parsed::Version)> =
            loaded.iter().map(|(k, f, ..)| (*k, parsed::Version::parsed(f.clone()))).collect();
        forms.sort_by_key(|(k, f)| (*k, f.identity().valid_from));
        let mut catalog = Catalog { forms, tables: Vec::new() };
        for (_, form, file, text) in &loaded {
            catalog.check_form(form, text).map_err(|(line, detail)| detail.at(file.clone(), line))?;
        }
        catalog.tables = catalog.tables().map_err(|(date, cycle)| {
            let in_force = catalog.form(cycle[0], date);
            let (.., file, text) = loaded.iter().find(|(_, f, ..)| f == in_force).expect("loaded");
            let cycle = cycle.iter().map(|k| k.code()).collect::<Vec<_>>().join(" → ");
            FormError::Cycle { file: file.clone(), line: line_of(text, "requires"), cycle }
        })?;
        Ok(catalog)
    }

    /// The built-in catalog, when `files` are the very texts compiled in, each once: every
    /// form's identity read at once, the rest of its definition when it is first used (a
    /// case's documents use a few of the 42). The checks of [`Catalog::from_files`] ran on
    /// the same texts in the tests (`the_built_in_forms_pass_the_checks_of_any_other`):
    /// reading every form and checking it at each start was most of a command's start. The
    /// files' names are not looked at: only `EMBEDDED`'s texts have these addresses.
    fn built_in(files: &[(String, &str)]) -> Option<Catalog> {
        let mut forms = Vec::with_capacity(files.len());
        let mut stems = Vec::with_capacity(files.len());
        for (_, text) in files {
            let (stem, compiled) = compiled(text)?;
            let version = parsed::Version::built_in(compiled)?;
            forms.push((DocumentKind::from_code(&version.identity().id)?, version));
            stems.push(*stem);
        }
        stems.sort_unstable();
        stems.dedup();
        let each_once = stems.len() == files.len() && stems.len() == EMBEDDED.len();
        if !each_once || DocumentKind::ALL.into_iter().any(|k| !forms.iter().any(|(f, _)| *f == k)) {
            return None;
        }
        forms.sort_by_key(|(k, f)| (*k, f.identity().valid_from));
        let mut catalog = Catalog { forms, tables: Vec::new() };
        catalog.tables = catalog.tables().ok()?;
        Some(catalog)
    }

    /// The prerequisites from every date on which some version comes into force; the error
    /// is a date and a cycle of kinds that require each other.
    fn tables(&self) -> Result<Tables, (NaiveDate, Vec<DocumentKind>)> {
        let mut dates: Vec<NaiveDate> = self.forms.iter().map(|(_, f)| f.identity().valid_from).collect();
        dates.sort();
        dates.dedup();
        let table = |date| {
            let requires = DocumentKind::ALL.map(|k| (k, self.version(k, date).identity().requires.clone()));
            Prerequisites::new(requires).map(|table| (date, table)).map_err(|cycle| (date, cycle))
        };
        dates.into_iter().map(table).collect()
    }

    /// Whether `{name}` may appear in `form`'s layout or prefills: a listed placeholder, one
    /// of its own fields, or a number, date or field of an earlier document of the case.
    fn knows(&self, form: &FormDef, name: &str) -> bool {
        if PLACEHOLDERS.contains(&name) {
            return true;
        }
        if let Some(id) = name.strip_prefix("field.") {
            return form.field(id).is_some();
        }
        let Some((kind, what)) = name.strip_prefix("prior.").and_then(|rest| rest.split_once('.')) else {
            return false;
        };
        let Some(kind) = DocumentKind::from_code(kind) else { return false };
        match what.strip_prefix("field.") {
            Some(id) => self.forms.iter().any(|(k, f)| *k == kind && f.def().field(id).is_some()),
            None => matches!(what, "number" | "date_words" | "date" | "time_words"),
        }
    }

    /// The checks of one form that need the whole catalog: placeholders, prefills, field
    /// limits and rules. The error is the line it is about and what is wrong.
    fn check_form(&self, form: &FormDef, text: &str) -> Result<(), (usize, Detail)> {
        let templates = form.blocks.iter().flat_map(BlockDef::templates);
        for name in templates.flat_map(layout::placeholders) {
            if !self.knows(form, name) {
                return Err((line_of(text, &format!("{{{name}}}")), Detail::UnknownPlaceholder(name.to_string())));
            }
        }
        // The case's parties may only start a field's value: the document keeps its own copy,
        // so a finalised document never changes when the case's parties do.
        let prefills = form.fields.iter().filter_map(|f| f.prefill.as_deref());
        for name in prefills.flat_map(layout::placeholders) {
            let party =
                name.strip_prefix("party.").is_some_and(|path| crate::domain::Parties::paths().any(|p| p == path));
            if !party && !self.knows(form, name) {
                return Err((line_of(text, &format!("{{{name}}}")), Detail::UnknownPlaceholder(name.to_string())));
            }
        }
        for field in &form.fields {
            // The line is looked for only when there is something to say about it: found for
            // every field, it was a third of opening a workspace.
            let bad = |detail: String| {
                Err((line_of(text, &format!("id = \"{}\"", field.id)), Detail::Field { id: field.id.clone(), detail }))
            };
            let numeric = matches!(field.kind, FieldKind::Money | FieldKind::Integer);
            if (field.min.is_some() || field.max.is_some()) && !numeric {
                return bad("min and max apply only to money and integer fields".into());
            }
            if let Some(pattern) = &field.pattern
                && let Err(e) = regex_lite::Regex::new(pattern)
            {
                return bad(format!("pattern does not compile: {e}"));
            }
            let is_choice = field.kind == FieldKind::Choice;
            match (&field.list, field.options.is_empty()) {
                (Some(list), _) if !check::LISTS.contains(&list.as_str()) => {
                    return bad(format!("unknown list {list:?} (known: {})", check::LISTS.join(", ")));
                }
                (Some(_), false) => return bad("give options or list, not both".into()),
                (None, true) if is_choice => return bad("a choice needs options or a list".into()),
                (Some(_), _) | (None, false) if !is_choice => {
                    return bad("options and list apply only to choice".into());
                }
                _ => {}
            }
        }
        for rule in &form.rules {
            let field_of_kind = |id: &str, kinds: &[FieldKind]| form.field(id).is_some_and(|f| kinds.contains(&f.kind));
            let dated = [FieldKind::Date, FieldKind::DateTime];
            let problem = match rule {
                RuleDef::NotAfter { field, limit } => (!field_of_kind(field, &dated)
                    || (limit != "doc.at" && !field_of_kind(limit, &dated)))
                .then(|| format!("not_after needs date fields of this form (or doc.at), got {field:?} and {limit:?}")),
                RuleDef::Refusal { reason_field, .. } => reason_field
                    .as_ref()
                    .filter(|f| form.field(f).is_none())
                    .map(|f| format!("reason_field {f:?} is not a field of this form")),
                RuleDef::MaxForSubject { field, source, .. } => (!field_of_kind(field, &[FieldKind::Money])
                    || source.trim().is_empty())
                .then(|| format!("max_for_subject needs a money field of this form and a source, got {field:?}")),
                RuleDef::WithinHours { hours, source, .. } => (*hours == 0 || source.trim().is_empty())
                    .then(|| "within_hours needs a number of hours and a source".to_string()),
                RuleDef::OneOf { fields } => (fields.len() < 2 || fields.iter().any(|f| form.field(f).is_none()))
                    .then(|| format!("one_of needs two or more fields of this form, got {fields:?}")),
                RuleDef::RequiredWhen { field, when, equals } | RuleDef::OnlyWhen { field, when, equals } => {
                    let options = form.field(when).filter(|f| f.kind == FieldKind::Choice).map(|f| &f.options);
                    (form.field(field).is_none() || options.is_none_or(|o| !o.contains(equals))).then(|| {
                        format!("required_when and only_when need a field and a choice field whose options hold {equals:?}, got {field:?} and {when:?}")
                    })
                }
            };
            if let Some(detail) = problem {
                return Err((line_of(text, "[[rule]]"), Detail::Rule(detail)));
            }
        }
        Ok(())
    }

    /// The prerequisites of every kind, from the versions of the forms in force on `date`.
    pub fn prerequisites(&self, date: NaiveDate) -> &Prerequisites {
        let in_force = self.tables.iter().rev().find(|(from, _)| *from <= date);
        &in_force.unwrap_or(&self.tables[0]).1
    }

    /// How many definition files (versions) the catalog holds.
    pub fn len(&self) -> usize {
        self.forms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.forms.is_empty()
    }

    /// The version of a form in force on `date` (the oldest for a date before every version).
    pub fn form(&self, kind: DocumentKind, date: NaiveDate) -> &FormDef {
        self.version(kind, date).def()
    }

    fn version(&self, kind: DocumentKind, date: NaiveDate) -> &parsed::Version {
        let mut versions = self.forms.iter().filter(|(k, _)| *k == kind).map(|(_, f)| f);
        let oldest = versions.next().expect("every kind has a form");
        versions.take_while(|f| f.identity().valid_from <= date).last().unwrap_or(oldest)
    }

    /// The first version of a form: what every document was made with before editions were
    /// told apart (see `Workspace::form_of`).
    pub fn oldest(&self, kind: DocumentKind) -> &FormDef {
        self.forms.iter().find(|(k, _)| *k == kind).map(|(_, f)| f.def()).expect("every kind has a form")
    }

    /// Whether no form's whole definition has been read yet (the built-in catalog at start).
    #[cfg(test)]
    pub(crate) fn nothing_read(&self) -> bool {
        self.forms.iter().all(|(_, v)| !v.is_read())
    }

    /// Every definition, in process order of the kinds.
    pub fn all(&self) -> impl Iterator<Item = &FormDef> {
        let of = move |k| self.forms.iter().filter(move |(f, _)| *f == k).map(|(_, d)| d.def());
        DocumentKind::ALL.into_iter().flat_map(of)
    }
}

/// Every definition (read, where a built-in one was not yet) and the prerequisites.
impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let forms: Vec<(DocumentKind, &FormDef)> = self.forms.iter().map(|(k, v)| (*k, v.def())).collect();
        f.debug_struct("Catalog").field("forms", &forms).field("tables", &self.tables).finish()
    }
}

#[cfg(test)]
mod tests;
