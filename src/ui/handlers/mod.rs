//! The window's commands carried out, one file per area. Each method is the whole of one
//! command; [`super::AnchiApp::try_execute`] only maps a command to its method.

mod accounts;
mod backups;
mod cases;
mod documents;
pub(in crate::ui) mod sending;
