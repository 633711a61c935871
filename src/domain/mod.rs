//! The domain core: values in, values out. No I/O, no GUI, no storage here;
//! a test in `tests/architecture.rs` keeps it that way.

pub mod admin;
pub mod case;
pub mod catalogue;
pub mod ceilings;
pub mod compact_dates;
pub mod deadlines;
pub mod delegation;
pub mod document;
pub mod ids;
pub mod matching;
pub mod parties;
pub mod subject;
pub mod summary;
pub mod text;
pub mod unit;
pub mod validation;
pub mod workflow;

pub use admin::{Address, AdminUnits};
pub use case::{Attachment, Case, Closure, GoodsLine};
pub use document::{Document, DocumentKind, DocumentNumber, DocumentState, Signature, SignerRole};
pub use ids::{Gender, OldIdCard, PersonalId, PhoneNumber, TaxCode};
pub use parties::Parties;
pub use subject::{Subject, SubjectKind};
pub use summary::CaseSummary;
pub use unit::{Member, Role, Unit, UnitNames};
pub use validation::{Bilingual, Problem, Severity, ValidationReport};
pub use workflow::{Effect, Event, Prerequisites, Stage, WorkflowError, apply, stage};
