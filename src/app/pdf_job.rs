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
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(jobs.len());
        if workers <= 1 {
            return jobs.iter().map(|job| job.render()).collect();
        }
        let next = std::sync::atomic::AtomicUsize::new(0);
        let mut rendered: Vec<Option<Result<Vec<u8>, AppError>>> = jobs.iter().map(|_| None).collect();
        std::thread::scope(|scope| {
            let worker = || {
                let mut done = Vec::new();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { return done };
                    done.push((i, job.render()));
                }
            };
            let workers: Vec<_> = (0..workers).map(|_| scope.spawn(worker)).collect();
            for w in workers {
                for (i, result) in w.join().expect("a PDF worker does not panic") {
                    rendered[i] = Some(result);
                }
            }
        });
        rendered.into_iter().map(|r| r.expect("every job was taken by a worker")).collect()
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
