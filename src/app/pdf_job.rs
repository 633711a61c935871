//! A document ready to print, away from the store: rendered alone, or with others on every
//! core, and written under the data folder.

use super::AppError;
use crate::pdf::{self, PrintDocument};

/// A document ready to be rendered and written: no store access left, so it can be sent
/// to a background thread.
#[derive(Debug, Clone)]
pub struct PdfJob {
    pub print: PrintDocument,
    /// `<data dir>/pdf/<case id>/<number>-<kind>.pdf`
    pub path: std::path::PathBuf,
}

impl PdfJob {
    /// The PDF's bytes.
    pub fn render(&self) -> Result<Vec<u8>, AppError> {
        pdf::render(&self.print).map_err(|e| AppError::Render(e.to_string()))
    }

    /// The PDFs of several jobs, in their order, rendered on every core (each document is
    /// independent; a worker takes the next job when it is done, so a long goods list does
    /// not hold the others back). The first failure is returned.
    pub fn render_all(jobs: &[&PdfJob]) -> Result<Vec<Vec<u8>>, AppError> {
        super::cores::on_every_core(jobs, |job| job.render()).into_iter().collect()
    }

    /// Renders the document and writes it to `path`.
    pub fn run(&self) -> Result<std::path::PathBuf, AppError> {
        let bytes = self.render()?;
        let dir = self.path.parent().expect("PDF paths have a folder");
        std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&self.path, bytes))
            .map_err(|e| AppError::Files(format!("{}: {e}", self.path.display())))?;
        Ok(self.path.clone())
    }
}
