//! Legal form definitions, kept as data in `forms/*.toml` and embedded in the binary.
//!
//! For now a definition carries the form's identity (title, ký hiệu, legal source, the date
//! it is in force from); fields, prefill and print layout arrive with the forms issue.

use chrono::NaiveDate;
use serde::Deserialize;
use thiserror::Error;

use crate::domain::DocumentKind;

/// The identity part of a form definition.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormIdentity {
    pub id: String,
    pub title: String,
    /// The ký hiệu printed after the number, e.g. "QĐ-KT"; empty for unnumbered forms.
    pub ky_hieu: String,
    pub source: String,
    pub valid_from: NaiveDate,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FormFile {
    form: FormIdentity,
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
}

macro_rules! embedded_forms {
    ($($code:literal),* $(,)?) => {
        &[$(($code, include_str!(concat!("../../forms/", $code, ".toml")))),*]
    };
}

/// The form files compiled into the binary: (file stem, contents).
const EMBEDDED: &[(&str, &str)] = embedded_forms![
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
];

/// Every form definition, one or more versions per document kind.
#[derive(Debug, Clone)]
pub struct Catalog {
    forms: Vec<(DocumentKind, FormIdentity)>,
}

impl Catalog {
    /// The definitions compiled into this build.
    pub fn embedded() -> Result<Catalog, FormError> {
        Catalog::from_files(EMBEDDED.iter().map(|(stem, text)| (format!("forms/{stem}.toml"), *text)))
    }

    /// Parses and checks definition files given as (file name, contents).
    pub fn from_files<'a>(files: impl IntoIterator<Item = (String, &'a str)>) -> Result<Catalog, FormError> {
        let mut forms = Vec::new();
        for (file, text) in files {
            let parsed: FormFile =
                toml::from_str(text).map_err(|e| FormError::Parse { file: file.clone(), detail: e.to_string() })?;
            let id = parsed.form.id.clone();
            let kind =
                DocumentKind::from_code(&id).ok_or(FormError::UnknownKind { file: file.clone(), id: id.clone() })?;
            if !file.ends_with(&format!("{id}.toml")) {
                return Err(FormError::IdMismatch { file, id });
            }
            if kind.is_numbered() && parsed.form.ky_hieu.trim().is_empty() {
                return Err(FormError::NoKyHieu { file, kind });
            }
            forms.push((kind, parsed.form));
        }
        if let Some(kind) = DocumentKind::ALL.into_iter().find(|k| !forms.iter().any(|(f, _)| f == k)) {
            return Err(FormError::Missing(kind));
        }
        Ok(Catalog { forms })
    }

    /// How many definition files (versions) the catalog holds.
    pub fn len(&self) -> usize {
        self.forms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.forms.is_empty()
    }

    /// The version of a form in force on `date` (the oldest for a date before every version).
    pub fn form(&self, kind: DocumentKind, date: NaiveDate) -> &FormIdentity {
        let mut versions: Vec<&FormIdentity> = self.forms.iter().filter(|(k, _)| *k == kind).map(|(_, f)| f).collect();
        versions.sort_by_key(|f| f.valid_from);
        let oldest = versions[0];
        versions.into_iter().rev().find(|f| f.valid_from <= date).unwrap_or(oldest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_forms_cover_every_kind() {
        let catalog = Catalog::embedded().unwrap();
        let date = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(catalog.form(DocumentKind::QdKiemTra, date).ky_hieu, "QĐ-KT");
        assert_eq!(catalog.form(DocumentKind::BbViPham, date).ky_hieu, "BB-VPHC");
    }

    #[test]
    fn unknown_keys_and_ids_are_refused() {
        let bad = "[form]\nid = \"qd-kiem-tra\"\ntitle = \"x\"\nky_hieu = \"A\"\nsource = \"s\"\nvalid_from = \"2022-02-01\"\ncolour = 1\n";
        let err = Catalog::from_files([("forms/qd-kiem-tra.toml".to_string(), bad)]).unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
        let wrong =
            "[form]\nid = \"nope\"\ntitle = \"x\"\nky_hieu = \"A\"\nsource = \"s\"\nvalid_from = \"2022-02-01\"\n";
        let err = Catalog::from_files([("forms/nope.toml".to_string(), wrong)]).unwrap_err();
        assert!(matches!(err, FormError::UnknownKind { .. }));
    }
}
