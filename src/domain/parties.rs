//! The people on a case besides the team and the subject — the witness, the commune's
//! representative, the injured party, the interpreter — entered once per case and offered
//! to every document that names them (each document keeps its own copy: what a finalised
//! document printed never changes when the case's parties do).

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::text::nfc;
use super::validation::{Bilingual, ValidationReport};

/// A person named by occupation and address: the witness, the interpreter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyPerson {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub occupation: String,
    #[serde(default)]
    pub address: String,
}

/// A person named by title and body: the commune's representative (đại diện chính quyền cấp xã).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyOfficial {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
}

/// The individual or organisation harmed by the violation (cá nhân, tổ chức bị thiệt hại).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InjuredParty {
    /// "Cá nhân" or "Tổ chức" (the forms' choice), empty when unknown.
    #[serde(default)]
    pub kind: String,
    /// Name and particulars as the record prints them.
    #[serde(default)]
    pub particulars: String,
}

/// The parties of a case. Every part may be empty: a case may have no witness.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parties {
    /// Người chứng kiến.
    #[serde(default)]
    pub witness: PartyPerson,
    /// Đại diện chính quyền cấp xã.
    #[serde(default)]
    pub commune: PartyOfficial,
    /// Cá nhân, tổ chức bị thiệt hại.
    #[serde(default)]
    pub injured: InjuredParty,
    /// Người phiên dịch.
    #[serde(default)]
    pub interpreter: PartyPerson,
}

/// The kinds an injured party may be, as the forms' choice prints them.
pub const INJURED_KINDS: [&str; 2] = ["Cá nhân", "Tổ chức"];

/// The longest a party's entry may be (an address is the longest).
pub const MAX_PARTY_TEXT: usize = 300;

type Get = fn(&Parties) -> &String;
type GetMut = fn(&mut Parties) -> &mut String;

/// Every entry of [`Parties`]: its path (as a form's `{party.<path>}` names it), its
/// Vietnamese label, and how to read and write it.
pub const SLOTS: [(&str, &str, Get, GetMut); 11] = [
    ("witness.name", "Người chứng kiến: họ và tên", |p| &p.witness.name, |p| &mut p.witness.name),
    ("witness.occupation", "Người chứng kiến: nghề nghiệp", |p| &p.witness.occupation, |p| &mut p.witness.occupation),
    ("witness.address", "Người chứng kiến: địa chỉ", |p| &p.witness.address, |p| &mut p.witness.address),
    ("commune.name", "Đại diện chính quyền cấp xã: họ và tên", |p| &p.commune.name, |p| &mut p.commune.name),
    ("commune.title", "Đại diện chính quyền cấp xã: chức vụ", |p| &p.commune.title, |p| &mut p.commune.title),
    ("commune.body", "Đại diện chính quyền cấp xã: cơ quan", |p| &p.commune.body, |p| &mut p.commune.body),
    ("injured.kind", "Bên bị thiệt hại là (Cá nhân/Tổ chức)", |p| &p.injured.kind, |p| &mut p.injured.kind),
    (
        "injured.particulars",
        "Cá nhân, tổ chức bị thiệt hại",
        |p| &p.injured.particulars,
        |p| &mut p.injured.particulars,
    ),
    ("interpreter.name", "Người phiên dịch: họ và tên", |p| &p.interpreter.name, |p| &mut p.interpreter.name),
    (
        "interpreter.occupation",
        "Người phiên dịch: nghề nghiệp",
        |p| &p.interpreter.occupation,
        |p| &mut p.interpreter.occupation,
    ),
    ("interpreter.address", "Người phiên dịch: địa chỉ", |p| &p.interpreter.address, |p| &mut p.interpreter.address),
];

/// Why a party's entry was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PartyProblem {
    #[error("longer than {MAX_PARTY_TEXT} characters")]
    TooLong,
    #[error("holds a control character or a line break")]
    Control,
    #[error("must be one of: Cá nhân, Tổ chức")]
    NotAKind,
}

impl Bilingual for PartyProblem {
    fn vi(&self) -> String {
        match self {
            PartyProblem::TooLong => format!("Dài quá {MAX_PARTY_TEXT} ký tự"),
            PartyProblem::Control => "Có ký tự điều khiển hoặc xuống dòng; ghi trên một dòng".into(),
            PartyProblem::NotAKind => "Chỉ được chọn “Cá nhân” hoặc “Tổ chức”".into(),
        }
    }
}

impl Parties {
    /// The entry at `path` (`witness.name` …), or the line a one-line field prints
    /// (`witness.line`: name, occupation, address; `commune.line`: name, title, body).
    pub fn get(&self, path: &str) -> Option<String> {
        let line = |parts: [&String; 3]| {
            parts.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", ")
        };
        match path {
            "witness.line" => Some(line([&self.witness.name, &self.witness.occupation, &self.witness.address])),
            "commune.line" => Some(line([&self.commune.name, &self.commune.title, &self.commune.body])),
            _ => SLOTS.iter().find(|(p, ..)| *p == path).map(|(_, _, get, _)| get(self).clone()),
        }
    }

    /// Every path a form may name as `{party.<path>}`.
    pub fn paths() -> impl Iterator<Item = &'static str> {
        SLOTS.iter().map(|(p, ..)| *p).chain(["witness.line", "commune.line"])
    }

    /// The same parties, each entry trimmed and in NFC, or every problem named by its path
    /// (`parties.witness.name` …).
    pub fn cleaned(&self) -> Result<Parties, ValidationReport> {
        let mut out = Parties::default();
        for (_, _, get, set) in SLOTS {
            *set(&mut out) = nfc(get(self).trim());
        }
        let mut report = ValidationReport::default();
        out.check("parties", &mut report);
        if report.is_ok() { Ok(out) } else { Err(report) }
    }

    /// Reports each bad entry at `<at>.<path>`: too long, a control character, an injured
    /// party's kind that is not one of the forms' choices.
    pub fn check(&self, at: &str, report: &mut ValidationReport) {
        for (path, _, get, _) in SLOTS {
            let text = get(self);
            let field = format!("{at}.{path}");
            if text.chars().count() > MAX_PARTY_TEXT {
                report.error(field, &PartyProblem::TooLong);
            } else if text.chars().any(char::is_control) {
                report.error(field, &PartyProblem::Control);
            } else if path == "injured.kind" && !text.is_empty() && !INJURED_KINDS.contains(&text.as_str()) {
                report.error(field, &PartyProblem::NotAKind);
            }
        }
    }

    /// Fills the entries still empty here from `found` (path, value) — what a finalised
    /// document named — and says whether anything changed. Entries already given are kept;
    /// paths that are not entries (`witness.line`) are passed over.
    pub fn adopt<'a>(&mut self, found: impl IntoIterator<Item = (&'a str, &'a str)>) -> bool {
        let mut changed = false;
        for (path, value) in found {
            let value = value.trim();
            let Some((_, _, _, set)) = SLOTS.iter().find(|(p, ..)| *p == path) else { continue };
            let slot = set(self);
            if slot.trim().is_empty() && !value.is_empty() && !value.chars().any(char::is_control) {
                *slot = nfc(value).chars().take(MAX_PARTY_TEXT).collect();
                changed = true;
            }
        }
        changed
    }

    pub fn is_empty(&self) -> bool {
        *self == Parties::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_join_only_what_is_given() {
        let mut p = Parties::default();
        p.witness.name = "Trần Văn Bình".into();
        p.witness.address = "12 Hàng Bạc, Hoàn Kiếm".into();
        assert_eq!(p.get("witness.line").unwrap(), "Trần Văn Bình, 12 Hàng Bạc, Hoàn Kiếm");
        assert_eq!(p.get("commune.line").unwrap(), "");
        assert_eq!(p.get("witness.name").unwrap(), "Trần Văn Bình");
        assert_eq!(p.get("nobody.name"), None);
    }

    #[test]
    fn bad_entries_are_named_and_kinds_are_the_forms_choices() {
        let mut p = Parties::default();
        p.injured.kind = "Doanh nghiệp".into();
        p.witness.address = "a\nb".into();
        p.commune.body = "x".repeat(MAX_PARTY_TEXT + 1);
        let report = p.cleaned().unwrap_err();
        let fields: Vec<_> = report.errors().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["parties.witness.address", "parties.commune.body", "parties.injured.kind"]);
        p = Parties::default();
        p.injured.kind = " Tổ chức ".into();
        assert_eq!(p.cleaned().unwrap().injured.kind, "Tổ chức");
    }

    #[test]
    fn adopting_fills_only_empty_entries() {
        let mut p = Parties::default();
        p.witness.name = "Lê Thị Hoa".into();
        assert!(p.adopt([("witness.name", "Someone else"), ("witness.occupation", "Buôn bán"), ("nope", "x")]));
        assert_eq!((p.witness.name.as_str(), p.witness.occupation.as_str()), ("Lê Thị Hoa", "Buôn bán"));
        assert!(!p.adopt([("witness.occupation", "Khác"), ("interpreter.name", "  ")]));
    }
}
