//! A document ready to print, away from the store: rendered alone, or with others on every
//! core, and written under the data folder.

use super::{AppError, Workspace};
use crate::domain::{Document, DocumentState};
use crate::pdf::{self, PrintDocument};

/// A document ready to be rendered and written: no store access left, so it can be sent
/// to a background thread.
#[derive(Debug, Clone)]
pub struct PdfJob {
    pub print: PrintDocument,
    /// `<data dir>/pdf/<case id>/<year>-<number>-<ký hiệu>-<kind>.pdf`
    pub path: std::path::PathBuf,
}

impl PdfJob {
    /// The PDF's bytes.
    pub fn render(&self) -> Result<Vec<u8>, AppError> {
        Ok(pdf::render(&self.print)?)
    }

    /// The PDFs of several jobs, in their order, rendered on every core (each document is
    /// independent; a worker takes the next job when it is done, so a long goods list does
    /// not hold the others back). The first failure is returned.
    pub fn render_all(jobs: &[&PdfJob]) -> Result<Vec<Vec<u8>>, AppError> {
        super::cores::on_every_core(jobs, |job| job.render()).into_iter().collect()
    }

    /// Renders the document and writes it to `path`, through a temporary name
    /// ([`super::write_replacing`]): a viewer that has the earlier file open keeps reading
    /// it whole, and a crash never leaves half a PDF under the name.
    pub fn run(&self) -> Result<std::path::PathBuf, AppError> {
        let bytes = self.render()?;
        super::write_replacing(&self.path, &bytes)
            .map_err(|e| AppError::Files(format!("{}: {e}", self.path.display())))?;
        Ok(self.path.clone())
    }
}

impl Workspace {
    /// The file name a rendered document gets: number with its ký hiệu (or "nhap") and
    /// kind, e.g. `2026-3-qd-xphc-qd-xu-phat.pdf`. The ký hiệu is in the name because the
    /// sequence is counted per ký hiệu, and a kind's changed between editions (QĐ-XPVPHC,
    /// then QĐ-XPHC): two decisions of one year could share `2026-1` and the later file
    /// replace the earlier in `doc render --all`'s folder.
    pub fn document_file_name(doc: &Document) -> String {
        let short_id = || doc.id.simple().to_string()[24..].to_string();
        let number = match (&doc.number, doc.state) {
            (Some(n), _) => match file_name_part(&n.ky_hieu) {
                ky_hieu if ky_hieu.is_empty() => format!("{}-{}", n.year, n.seq),
                ky_hieu => format!("{}-{}-{ky_hieu}", n.year, n.seq),
            },
            (None, DocumentState::Draft) => format!("nhap-{}", short_id()),
            // Unnumbered kinds (the seal label sheet) are told apart by their id.
            (None, _) => format!("khong-so-{}", short_id()),
        };
        let state = if doc.state == DocumentState::Cancelled { "-huy" } else { "" };
        format!("{number}-{}{state}.pdf", doc.kind.code())
    }
}

/// `text` as a part of a file name on any system: folded to ASCII lower case (Đ → d), each
/// run of anything but letters and digits one `-` ("QĐ-XPHC" → "qd-xphc", "a/b" → "a-b").
fn file_name_part(text: &str) -> String {
    let folded = crate::domain::text::fold(text);
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{DocumentKind, DocumentNumber};

    fn decision(seq: u32, ky_hieu: &str) -> Document {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap().and_hms_opt(9, 0, 0).unwrap();
        let mut doc = Document::draft(uuid::Uuid::new_v4(), DocumentKind::QdXuPhat, at);
        doc.state = DocumentState::Finalised;
        doc.number =
            Some(DocumentNumber { seq, year: 2026, ky_hieu: ky_hieu.into(), unit_abbreviation: "ĐQLTT1".into() });
        doc
    }

    /// A document printed again while a viewer has the earlier file open: the viewer reads
    /// the earlier file whole, not the new one's first bytes over it (`fs::write` truncated
    /// the file it had open).
    #[test]
    fn printing_again_leaves_an_open_earlier_file_whole() {
        use std::io::Read;
        let dir = tempfile::tempdir().unwrap();
        let mut ws = Workspace::open(dir.path()).unwrap();
        ws.make_demo(3, 5).unwrap();
        let case = ws.case(ws.list_cases().unwrap()[0].id).unwrap();
        let job = ws.pdf_job_of(&case, &case.documents[0]);
        job.run().unwrap();
        let earlier = std::fs::read(&job.path).unwrap();
        std::fs::write(&job.path, b"an earlier file").unwrap();
        let mut open = std::fs::File::open(&job.path).unwrap();
        job.run().unwrap();
        let mut read = Vec::new();
        open.read_to_end(&mut read).unwrap();
        assert!(read == b"an earlier file", "the open file changed under its reader: {} bytes", read.len());
        assert!(std::fs::read(&job.path).unwrap() == earlier, "the new file is the document");
        let left: Vec<_> = std::fs::read_dir(job.path.parent().unwrap()).unwrap().flatten().collect();
        assert_eq!(left.len(), 1, "no temporary file left: {left:?}");
    }

    /// The register counts per ký hiệu, and qd-xu-phat's changed between editions: the
    /// first decision under each is number 1 of its year. Their files must not share a name.
    #[test]
    fn documents_numbered_under_two_ky_hieu_get_two_file_names() {
        let old = Workspace::document_file_name(&decision(1, "QĐ-XPVPHC"));
        let new = Workspace::document_file_name(&decision(1, "QĐ-XPHC"));
        assert_ne!(old, new);
        assert_eq!(new, "2026-1-qd-xphc-qd-xu-phat.pdf");
        assert_eq!(old, "2026-1-qd-xpvphc-qd-xu-phat.pdf");
        // A ký hiệu from a law pack names no folder and needs no quoting.
        assert_eq!(Workspace::document_file_name(&decision(7, " QĐ/ KT..")), "2026-7-qd-kt-qd-xu-phat.pdf");
        assert_eq!(Workspace::document_file_name(&decision(7, "")), "2026-7-qd-xu-phat.pdf");
    }
}
