//! Documents: starting, editing, finalising, cancelling and amending them; PDFs.

use super::super::*;
use crate::domain::{DocumentKind, Signature};

impl AnchiApp {
    pub(in crate::ui) fn start_document(&mut self, case: Uuid, kind: DocumentKind) -> Result<(), AppError> {
        let now = crate::app::now();
        let id = Uuid::now_v7();
        self.ws.apply_event(case, Event::StartDocument { id, kind, at: now })?;
        self.open_document(case, id)?;
        Ok(())
    }

    pub(in crate::ui) fn save_fields(
        &mut self,
        case: Uuid,
        document: Uuid,
        fields: Vec<(String, String)>,
    ) -> Result<(), AppError> {
        let now = crate::app::now();
        for (field, value) in fields {
            self.ws.save_field(case, document, &field, &value)?;
        }
        self.saved(now);
        Ok(())
    }

    pub(in crate::ui) fn save_signatures(
        &mut self,
        case: Uuid,
        document: Uuid,
        signatures: Vec<Signature>,
    ) -> Result<(), AppError> {
        let now = crate::app::now();
        self.ws.save_signatures(case, document, signatures)?;
        self.saved(now);
        Ok(())
    }

    pub(in crate::ui) fn finalise(&mut self, case: Uuid, document: Uuid) -> Result<(), AppError> {
        let now = crate::app::now();
        self.ws.apply_event(case, Event::FinaliseDocument { id: document, number: None, at: now })?;
        let job = self.ws.pdf_job(case, document)?;
        self.spawn("in-van-ban", PRINTING, move || Some(job.run().map(JobDone::Pdf).map_err(|e| e.vi())))?;
        self.try_execute(Command::OpenCase(case))?;
        Ok(())
    }

    pub(in crate::ui) fn cancel_document(
        &mut self,
        case: Uuid,
        document: Uuid,
        reason: String,
    ) -> Result<(), AppError> {
        let now = crate::app::now();
        self.ws.apply_event(case, Event::CancelDocument { id: document, reason, at: now })?;
        self.try_execute(Command::OpenCase(case))?;
        Ok(())
    }

    pub(in crate::ui) fn amend(
        &mut self,
        case: Uuid,
        document: Uuid,
        with: Option<crate::domain::DocumentKind>,
    ) -> Result<(), AppError> {
        let now = crate::app::now();
        let id = Uuid::now_v7();
        self.ws.apply_event(case, Event::AmendDocument { original: document, id, at: now, with })?;
        self.open_document(case, id)?;
        Ok(())
    }

    pub(in crate::ui) fn save_pdf(&mut self, case: Uuid, document: Uuid) -> Result<(), AppError> {
        let job = self.ws.pdf_job(case, document)?;
        // The dialog blocks until the user answers: it waits off the window's thread.
        self.spawn("luu-pdf", PRINTING, move || {
            let name = job.path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            let chosen = rfd::FileDialog::new().set_file_name(name).add_filter("PDF", &["pdf"]).save_file()?;
            let written = job.render().map_err(|e| e.vi()).and_then(|bytes| {
                std::fs::write(&chosen, bytes).map_err(|e| format!("Không lưu được {}: {e}", chosen.display()))
            });
            Some(written.map(|()| JobDone::Pdf(chosen)))
        })?;
        Ok(())
    }

    pub(in crate::ui) fn print(&mut self, case: Uuid, document: Uuid) -> Result<(), AppError> {
        let job = self.ws.pdf_job(case, document)?;
        let open_viewer = self.open_viewer;
        self.spawn("in-van-ban", PRINTING, move || {
            let printed = job.run().map_err(|e| e.vi()).and_then(|path| {
                if open_viewer {
                    open::that_detached(&path).map_err(|e| format!("Không mở được {}: {e}", path.display()))?;
                }
                Ok(JobDone::Pdf(path))
            });
            Some(printed)
        })?;
        Ok(())
    }

    pub(in crate::ui) fn open_document(&mut self, case: Uuid, document: Uuid) -> Result<(), AppError> {
        if !self.leave_screen()? {
            return Ok(());
        }
        let case = self.ws.case(case)?;
        let doc = case.document(document).ok_or(crate::domain::WorkflowError::UnknownDocument { id: document })?;
        // A draft is shown with the form it will be finalised with (today's).
        let form = if doc.state == DocumentState::Draft {
            self.ws.catalog.form(doc.kind, crate::app::now().date()).clone()
        } else {
            self.ws.form_of(doc).clone()
        };
        let members = self.ws.unit().map(|u| u.members.clone()).unwrap_or_default();
        let warnings = self.subject_warnings(case.id).map(|r| r.warnings).unwrap_or_default();
        let kind = doc.kind;
        let edition_note = self.ws.edition_change(doc);
        // The maker of a new signature: the member at the laptop, else the case's head.
        let head = case.members.first().and_then(|card| members.iter().find(|m| &m.card_number == card)).cloned();
        let maker = self.ws.signed_in().or(head).map(|m| m.full_name);
        let mut wizard = WizardState::new(case, document, form, members);
        wizard.maker = maker;
        wizard.warnings = warnings;
        wizard.finalise_refused = self.finalise_refusal(kind);
        wizard.edition_note = edition_note;
        wizard.catalogue = self.ws.reference.catalogue().clone();
        self.screen = Screen::Wizard(Box::new(wizard));
        Ok(())
    }

    /// Why the signed-in member may not finalise a document of `kind`, if they may not.
    pub(in crate::ui) fn finalise_refusal(&self, kind: crate::domain::DocumentKind) -> Option<String> {
        self.ws.require(Permission::Finalise(kind)).err().map(|e| e.vi())
    }

    /// Writes what the wizard still holds before the screen changes.
    pub(in crate::ui) fn leave_wizard(&mut self) {
        if let Screen::Wizard(w) = &mut self.screen {
            let pending = w.flush(None);
            for command in pending {
                self.execute(command);
            }
        }
    }

    pub(in crate::ui) fn saved(&mut self, now: chrono::NaiveDateTime) {
        if let Screen::Wizard(w) = &mut self.screen {
            w.saved_at = Some(now.time());
        }
    }
}
