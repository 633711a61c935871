//! Validation reports: every problem at once, each tied to the field it belongs to,
//! with a Vietnamese message for the user and an English one for logs.

use serde::{Deserialize, Serialize};

/// Whether a problem blocks saving or finalising, or only deserves attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in user input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The field path, e.g. `subject.tax_code` or `$.documents[2].state`.
    pub field: String,
    pub severity: Severity,
    pub message_vi: String,
    pub message_en: String,
}

/// A message in both languages, as produced by a failed parse.
pub trait Bilingual: std::fmt::Display {
    /// The Vietnamese text shown to the user.
    fn vi(&self) -> String;
}

/// All the problems found in one piece of input.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationReport {
    pub problems: Vec<Problem>,
}

impl ValidationReport {
    pub fn error(&mut self, field: impl Into<String>, message: &dyn Bilingual) {
        self.push(field, Severity::Error, message);
    }

    pub fn warning(&mut self, field: impl Into<String>, message: &dyn Bilingual) {
        self.push(field, Severity::Warning, message);
    }

    fn push(&mut self, field: impl Into<String>, severity: Severity, message: &dyn Bilingual) {
        self.problems.push(Problem {
            field: field.into(),
            severity,
            message_vi: message.vi(),
            message_en: message.to_string(),
        });
    }

    /// True when nothing blocks: warnings alone do not.
    pub fn is_ok(&self) -> bool {
        self.errors().next().is_none()
    }

    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.severity == Severity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.severity == Severity::Warning)
    }
}

impl std::fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            let tag = match p.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            write!(f, "{tag}: {}: {}", p.field, p.message_en)?;
        }
        Ok(())
    }
}
