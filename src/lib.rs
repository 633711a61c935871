//! `anchi`: the electronic case-handling workstation of a Vietnamese market-surveillance team.
//!
//! The map of the crate, inner layers first. Dependencies point inward only
//! (`tests/architecture.rs` checks it):
//!
//! - [`domain`]: cases, documents, subjects, identifiers, the workflow table, Vietnamese
//!   text. Pure: no I/O, no GUI, no storage.
//! - [`forms`]: the legal form definitions kept as data in `forms/`.
//! - [`store`]: the redb database with its tamper-evident journal.
//! - [`pdf`], [`package`]: printing, signed packages; [`password`]: password hashes;
//!   [`case_file`]: the case file inside every package, read once for laptop and hub.
//! - [`protocol`]: what laptop and provincial server say to each other; [`sync`] is the
//!   laptop's side of it.
//! - [`app`]: the use cases. Both faces call these and nothing below them.
//! - [`cli`] and `ui` (feature `gui`): the two faces.
//! - `hub` (feature `hub`): the provincial server `anchi-hub`.

pub mod app;
pub mod case_file;
pub mod cli;
pub mod domain;
pub mod forms;
#[cfg(feature = "hub")]
pub mod hub;
pub mod package;
pub mod password;
pub mod pdf;
pub mod protocol;
pub mod reference;
pub mod stats;
pub mod store;
pub mod sync;
#[cfg(feature = "gui")]
pub mod ui;
