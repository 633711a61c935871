//! The use cases: open a workspace, list and show cases, apply a workflow event, import
//! and export a case, verify the journal, make demo data. The command line and the window
//! both call these; neither touches the store directly.

mod acts;
pub mod attachments;
pub mod backup;
pub mod case_json;
pub mod case_list;
mod cores;
pub(crate) use cores::on_every_core;
pub mod deadlines;
pub mod delegations;
pub mod demo;
mod error;
mod fill;
pub mod goods;
pub mod history;
pub mod index_copy;
pub mod keys;
pub mod law;
pub mod live;
pub mod new_case;
pub mod offenders;
pub mod packages;
pub mod parties;
pub use crate::reference;
mod pdf_job;
pub mod printable;
pub mod render;
pub mod report;
pub mod setup;
pub mod stats;
pub mod sync;
pub mod users;
pub mod warnings;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Local, NaiveDateTime};
use uuid::Uuid;

use crate::domain::{
    Case, CaseSummary, Document, DocumentNumber, DocumentState, Effect, Event, Signature, Unit, WorkflowError, apply,
    text::nfc,
};
use crate::forms::Catalog;
use crate::store::{AuditReport, DB_FILE, JournalEntry, NumberUse, Store, Writer};
pub use error::AppError;
pub use new_case::NewCase;
pub use reference::Reference;

/// The meta key of the unit record.
const UNIT_KEY: &str = "unit";

/// The meta key of the window's settings on this laptop.
const WINDOW_KEY: &str = "window";
/// The meta key of the window's size and whether it was maximised (its own record: the
/// settings' postcard layout stays as it was).
const GEOMETRY_KEY: &str = "window.geometry";

/// The window's size when it was last closed (restored size, in points) and whether it
/// was maximised; the next start opens the same way.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WindowGeometry {
    pub width: f32,
    pub height: f32,
    pub maximized: bool,
}

impl WindowGeometry {
    /// The smallest size the window opens at (its minimum size), and a bound no screen reaches.
    pub const MIN: (f32, f32) = (800.0, 500.0);
    const MAX: f32 = 8192.0;

    /// The geometry if it is one a window can open at (a damaged record is not).
    pub fn sane(self) -> Option<WindowGeometry> {
        let fits = |v: f32, min: f32| v.is_finite() && (min..=Self::MAX).contains(&v);
        (fits(self.width, Self::MIN.0) && fits(self.height, Self::MIN.1)).then_some(self)
    }
}

/// What the window remembers between runs on this laptop (typing method, look). Plain
/// values: the window maps them to its own types.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WindowSettings {
    /// "off", "telex" or "vni".
    pub typing_method: String,
    /// "old" (hòa) or "new" (hoà).
    pub tone_style: String,
    pub dark: bool,
    pub large_text: bool,
}

/// The folder in a data directory whose form files override the embedded ones.
pub const FORMS_DIR: &str = "forms";

/// One form in force on this laptop, as `anchi forms list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormSummary {
    pub id: String,
    /// The gazetted form's code (MQĐ01, MBB26…), when it is one.
    pub gazetted: Option<String>,
    pub ky_hieu: String,
    pub title: String,
    pub source: String,
    pub valid_from: chrono::NaiveDate,
}

/// The forms of this laptop (embedded, with the data directory's `forms/` overrides), every
/// one checked: the list, or the first problem with its file and line.
pub fn forms_in_use(data_dir: &Path) -> Result<Vec<FormSummary>, AppError> {
    let catalog = Catalog::with_overrides(&data_dir.join(FORMS_DIR))?;
    // The unit's own document (MQĐ34, printed from the register of delegations) after the
    // case documents.
    let unit_form = crate::forms::delegation_form()?;
    Ok(catalog
        .all()
        .chain(std::iter::once(&unit_form))
        .map(|f| {
            let i = &f.identity;
            FormSummary {
                id: i.id.clone(),
                gazetted: i.gazetted.clone(),
                ky_hieu: i.ky_hieu.clone(),
                title: i.title.clone(),
                source: i.source.clone(),
                valid_from: i.valid_from,
            }
        })
        .collect())
}

/// Who the journal names when nobody is signed in (the demo unit, settings of the laptop,
/// a script without `--user`).
pub const LOCAL_ACTOR: &str = "may-tram";

/// Whether `data_dir` (or its demo folder) holds a database: false only on the very first
/// start of the program on this laptop.
pub fn data_exists(data_dir: &Path) -> bool {
    data_dir.join(DB_FILE).exists() || data_dir.join("demo").join(DB_FILE).exists()
}

/// Where the data lives when neither `--data-dir` nor `ANCHI_DATA_DIR` says.
pub fn default_data_dir() -> PathBuf {
    directories::ProjectDirs::from("vn", "anchi", "anchi")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("anchi-data"))
}

/// An open data directory: the store and the reference data the use cases need.
#[derive(Debug)]
pub struct Workspace {
    data_dir: PathBuf,
    store: Store,
    unit: Option<Unit>,
    /// The forms in force: the law's, shared (or its files with this laptop's overrides).
    pub catalog: Arc<Catalog>,
    /// The law's reference data, shared with it.
    pub reference: Arc<Reference>,
    /// The subject lookups warnings read (the laptop's cases, the province's index).
    subjects: warnings::SubjectCache,
    /// The member signed in (the journal's actor, the role checked before decisions).
    session: users::Session,
    /// Documents finalised before this moment were made before forms had editions, with
    /// the first version of each form (`store` schema 6); none on a file made since.
    legacy_forms_before: Option<NaiveDateTime>,
    /// The law in force: built in, or the newer law pack applied (`law.rs`); `catalog` and
    /// `reference` come from it.
    law: law::Law,
}

impl Workspace {
    /// Opens the database in `data_dir`, creating it if needed.
    pub fn open(data_dir: &Path) -> Result<Workspace, AppError> {
        Workspace::on(data_dir, Store::open(&data_dir.join(DB_FILE))?)
    }

    /// Opens the data directory for a command that only reads: the database is opened
    /// read-only when it can be ([`Store::open_for_reading`]), which neither writes to the
    /// file nor waits for the disk. Anything that would change it is refused.
    pub fn open_for_reading(data_dir: &Path) -> Result<Workspace, AppError> {
        Workspace::on(data_dir, Store::open_for_reading(&data_dir.join(DB_FILE))?)
    }

    fn on(data_dir: &Path, store: Store) -> Result<Workspace, AppError> {
        let unit = store.meta::<Unit>(UNIT_KEY)?;
        let law = law::active_law(&store);
        let overrides = data_dir.join(FORMS_DIR);
        let catalog = if overrides.is_dir() {
            Arc::new(Catalog::with_overrides_on(law.form_files(), &overrides)?)
        } else {
            Arc::clone(&law.catalog)
        };
        let legacy_forms_before = store.meta::<NaiveDateTime>(crate::store::LEGACY_FORMS_BEFORE_KEY)?;
        Ok(Workspace {
            data_dir: data_dir.to_path_buf(),
            store,
            unit,
            catalog,
            reference: Arc::clone(&law.reference),
            subjects: Default::default(),
            session: Default::default(),
            legacy_forms_before,
            law,
        })
    }

    /// Where files for people go by default: the user's Documents folder (the home folder
    /// without one, the data directory without either).
    pub fn documents_dir(&self) -> PathBuf {
        directories::UserDirs::new()
            .and_then(|d| d.document_dir().map(|p| p.to_path_buf()).or_else(|| Some(d.home_dir().to_path_buf())))
            .unwrap_or_else(|| self.data_dir().to_path_buf())
    }

    /// Whether the database was opened read-only ([`Workspace::open_for_reading`]).
    pub fn is_read_only(&self) -> bool {
        self.store.is_read_only()
    }

    /// The data directory this workspace was opened on.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The unit set up in this data directory, if any.
    pub fn unit(&self) -> Option<&Unit> {
        self.unit.as_ref()
    }

    /// Writes the unit inside a transaction of the caller's (the set-up); the caller then
    /// keeps it with [`Workspace::unit_stored`].
    pub(crate) fn put_unit(w: &mut Writer, unit: &Unit) -> Result<(), AppError> {
        Ok(w.put_meta(UNIT_KEY, unit, "unit.set")?)
    }

    pub(crate) fn unit_stored(&mut self, unit: Unit) {
        self.unit = Some(unit);
    }

    /// Records the unit (set-up, or the demo unit).
    pub fn set_unit(&mut self, unit: Unit) -> Result<(), AppError> {
        self.store.write(&self.actor(), |w| w.put_meta(UNIT_KEY, &unit, "unit.set"))?;
        self.unit = Some(unit);
        Ok(())
    }

    /// The window's settings as last saved (defaults when never saved or unreadable).
    pub fn window_settings(&self) -> WindowSettings {
        self.store.meta::<WindowSettings>(WINDOW_KEY).ok().flatten().unwrap_or_default()
    }

    /// Remembers the window's settings for the next run.
    pub fn save_window_settings(&self, settings: &WindowSettings) -> Result<(), AppError> {
        self.store.write(&self.actor(), |w| w.put_meta(WINDOW_KEY, settings, "window.settings"))?;
        Ok(())
    }

    /// The window's size and state when it was last closed, if known and sane.
    pub fn window_geometry(&self) -> Option<WindowGeometry> {
        self.store.meta::<WindowGeometry>(GEOMETRY_KEY).ok().flatten().and_then(WindowGeometry::sane)
    }

    /// Remembers the window's size and state for the next start.
    pub fn save_window_geometry(&self, geometry: &WindowGeometry) -> Result<(), AppError> {
        self.store.write(&self.actor(), |w| w.put_meta(GEOMETRY_KEY, geometry, "window.geometry"))?;
        Ok(())
    }

    /// Every case's summary, newest first.
    pub fn list_cases(&self) -> Result<Vec<CaseSummary>, AppError> {
        let mut list = self.store.summaries()?;
        list.sort_by(|a, b| b.opened_at.cmp(&a.opened_at).then(b.id.cmp(&a.id)));
        Ok(list)
    }

    pub fn case_count(&self) -> Result<u64, AppError> {
        Ok(self.store.case_count()?)
    }

    /// One case.
    pub fn case(&self, id: Uuid) -> Result<Case, AppError> {
        self.store.case(id)?.ok_or(AppError::CaseNotFound(id))
    }

    /// The journal entries about one case, oldest first.
    pub fn history(&self, id: Uuid) -> Result<Vec<JournalEntry>, AppError> {
        Ok(self.store.history(id)?)
    }

    /// How a document number was used, if it was.
    pub fn number_use(&self, number: &DocumentNumber) -> Result<Option<NumberUse>, AppError> {
        Ok(self.store.number_use(number)?)
    }

    /// The last `count` changes made on this laptop, whoever and whatever they were about.
    pub fn journal_tail(&self, count: usize) -> Result<Vec<JournalEntry>, AppError> {
        Ok(self.store.journal_tail(count)?)
    }

    /// Walks the journal hash chain.
    pub fn audit_verify(&self) -> Result<AuditReport, AppError> {
        Ok(self.store.verify_journal()?)
    }

    /// Stores a new case (already validated by the caller's face or by import).
    pub fn create_case(&self, case: &Case) -> Result<(), AppError> {
        self.require_member()?;
        self.store.write(&self.actor(), |w| w.put_case(case, "case.create"))?;
        Ok(())
    }

    /// Applies a workflow event to a stored case in one transaction: numbers are reserved,
    /// the case stored and the change journaled together, or nothing happens.
    pub fn apply_event(&self, case_id: Uuid, event: Event) -> Result<(Case, Vec<Effect>), AppError> {
        self.require_member()?;
        self.store.write(&self.actor(), |w| {
            let case = w.case(case_id)?.ok_or(AppError::CaseNotFound(case_id))?;
            self.apply_in(w, &case, event)
        })
    }

    /// Saves one field of a draft document (the autosave path of the wizard). The value is
    /// kept as typed (NFC); it is checked against its type when the document is checked.
    pub fn save_field(&self, case_id: Uuid, document_id: Uuid, field: &str, value: &str) -> Result<(), AppError> {
        self.edit_draft(case_id, document_id, "document.save_field", |doc| {
            doc.fields.insert(field.to_string(), nfc(value));
        })
    }

    /// Records who signed and who refused, on a draft (signatures are taken on site before
    /// the document is finalised).
    pub fn save_signatures(
        &self,
        case_id: Uuid,
        document_id: Uuid,
        signatures: Vec<Signature>,
    ) -> Result<(), AppError> {
        self.edit_draft(case_id, document_id, "document.save_signatures", |doc| {
            doc.signatures = signatures.into_iter().map(|s| Signature { name: nfc(&s.name), ..s }).collect();
        })
    }

    /// Changes a draft document in one transaction; refuses any other state.
    fn edit_draft(
        &self,
        case_id: Uuid,
        document_id: Uuid,
        action: &str,
        change: impl FnOnce(&mut Document),
    ) -> Result<(), AppError> {
        self.require_member()?;
        self.store.write(&self.actor(), |w| {
            let mut case = w.case(case_id)?.ok_or(AppError::CaseNotFound(case_id))?;
            let doc = case
                .documents
                .iter_mut()
                .find(|d| d.id == document_id)
                .ok_or(WorkflowError::UnknownDocument { id: document_id })?;
            if doc.state != DocumentState::Draft {
                return Err(WorkflowError::NotDraft { state: doc.state }.into());
            }
            change(doc);
            // The journal names the document, so the history can say which one.
            w.put_case(&case, &format!("{action} {document_id}"))?;
            Ok(())
        })
    }
}

/// Writes a file through a temporary name in the same folder and a rename, so a crash
/// never leaves a half-written file under the final name.
pub(crate) fn write_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_through_temporary(target, bytes, true)
}

/// [`write_atomically`] without waiting for the disk, for a file made again from the store
/// at any time (a document's PDF): neither a reader nor a crash of the program ever sees it
/// half-written, but a power cut just after the write can lose it (never the record it is
/// made from). Waiting for the disk on each of a case's ten PDFs cost about as much as
/// rendering them had been made faster by in stop 43 (1–1.7 ms of 21).
pub(crate) fn write_replacing(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_through_temporary(target, bytes, false)
}

fn write_through_temporary(target: &Path, bytes: &[u8], durable: bool) -> std::io::Result<()> {
    use std::io::Write;
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let temp = dir.join(format!(".{}.tmp", Uuid::now_v7().simple()));
    let written = (|| {
        let mut f = std::fs::File::create(&temp)?;
        // Backups, packages and PDFs hold personal data: their owner alone reads them.
        crate::store::owner_only(&temp, 0o600)?;
        f.write_all(bytes)?;
        if durable {
            f.sync_all()?;
        }
        std::fs::rename(&temp, target)
    })();
    if written.is_err() {
        // A full disk, say: the part written is not left behind.
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// [`write_atomically`], a failure naming the file.
pub(crate) fn write_file_atomically(target: &Path, bytes: &[u8]) -> Result<(), AppError> {
    write_atomically(target, bytes).map_err(|e| AppError::Files(format!("{}: {e}", target.display())))
}

/// The current local time, to the second, as recorded on documents.
pub fn now() -> NaiveDateTime {
    use chrono::Timelike;
    Local::now().naive_local().with_nanosecond(0).expect("zero nanoseconds is valid")
}

/// What an event does to a case, worked out before anything is stored ([`Workspace::advance`]).
pub(crate) struct Step {
    /// The case after the event.
    pub next: Case,
    pub effects: Vec<Effect>,
    /// What the journal says was done ("document.finalise <id>").
    pub action: String,
    /// The numbers the event used or cancelled, for the register of numbers.
    pub numbers: Vec<(DocumentNumber, NumberUse)>,
}

impl Workspace {
    /// Applies an event inside an open transaction: fills in the document number for a
    /// finalisation ([`Workspace::number_for`]), works the event out
    /// ([`Workspace::advance`]), records the numbers it names and stores the case.
    pub(crate) fn apply_in(&self, w: &mut Writer, case: &Case, event: Event) -> Result<(Case, Vec<Effect>), AppError> {
        let event = match event {
            Event::FinaliseDocument { id, number: None, at } => {
                Event::FinaliseDocument { id, number: self.number_for(w, case.document(id).map(|d| d.kind), at)?, at }
            }
            other => other,
        };
        let step = self.advance(&self.permits(), case, event)?;
        w.record_numbers(&step.numbers)?;
        w.put_case(&step.next, &step.action)?;
        Ok((step.next, step.effects))
    }

    /// The next number of the register for a document of `kind` finalised at `at`, taken
    /// inside the transaction (a refusal aborts it, so the number is not used up); none for
    /// a kind that is not numbered.
    pub(crate) fn number_for(
        &self,
        w: &mut Writer,
        kind: Option<crate::domain::DocumentKind>,
        at: NaiveDateTime,
    ) -> Result<Option<DocumentNumber>, AppError> {
        let Some(kind) = kind.filter(|k| k.is_numbered()) else { return Ok(None) };
        let ky_hieu = self.catalog.form(kind, at.date()).identity.ky_hieu.clone();
        let year = crate::domain::Document::number_year(at);
        let seq = w.next_number(&ky_hieu, year)?;
        let unit_abbreviation =
            self.unit.as_ref().and_then(|u| u.names_on(at.date())).map(|n| n.abbreviation.clone()).unwrap_or_default();
        Ok(Some(DocumentNumber { seq, year, ky_hieu, unit_abbreviation }))
    }

    /// Works out an event without storing anything: checks the member may do it (as
    /// `permits` say), applies the workflow, checks a finalised document against its form,
    /// prefills a new draft and names the numbers its effects use. A finalisation's number
    /// is already in the event. Shared by the interactive path ([`Workspace::apply_in`]) and
    /// the demo generator.
    pub(crate) fn advance(&self, permits: &users::Permits<'_>, case: &Case, event: Event) -> Result<Step, AppError> {
        if let Event::FinaliseDocument { id, .. } = &event
            && let Some(doc) = case.document(*id)
        {
            permits.require(users::Permission::Finalise(doc.kind))?;
        }
        let action = match &event {
            Event::StartDocument { .. } => "document.start",
            Event::FinaliseDocument { .. } => "document.finalise",
            Event::CancelDocument { .. } => "document.cancel",
            Event::AmendDocument { .. } => "document.amend",
            Event::CloseNoViolation { .. } => "case.close_no_violation",
            Event::CancelCase { .. } => "case.cancel",
        };
        let document_id = match &event {
            Event::FinaliseDocument { id, .. } | Event::CancelDocument { id, .. } => Some(*id),
            _ => None,
        };
        // A new draft is prefilled from its form: a started document, and a decision made on
        // another (MQĐ38/39/40), which starts empty; other amendments copy their original.
        let started = match &event {
            Event::StartDocument { id, .. } => Some(*id),
            Event::AmendDocument { id, with: Some(kind), .. } if kind.acts_on_decision() => Some(*id),
            _ => None,
        };
        let finalising = match &event {
            Event::FinaliseDocument { id, at, .. } => case.document(*id).map(|doc| (doc, *at)),
            _ => None,
        };
        // The journal names the document acted on, so the history can say which one.
        let acted_on = match &event {
            Event::StartDocument { id, .. }
            | Event::FinaliseDocument { id, .. }
            | Event::CancelDocument { id, .. }
            | Event::AmendDocument { id, .. } => Some(*id),
            Event::CloseNoViolation { .. } | Event::CancelCase { .. } => None,
        };
        let action = match acted_on {
            Some(id) => format!("{action} {id}"),
            None => action.to_string(),
        };
        let (mut next, effects) = apply(self.catalog.prerequisites(event.at().date()), case, event)?;
        // The workflow said yes; now the content must be complete. A refusal (as any refusal
        // here, the member's permission included) aborts the caller's transaction, so a
        // number `number_for` took is not used up.
        if let Some((doc, at)) = finalising {
            let report = self.check_document(case, doc, at);
            if !report.is_ok() {
                return Err(AppError::Invalid(report));
            }
        }
        // A decision a deputy signs cites the delegation it rests on, frozen in its fields.
        if let Some((doc, at)) = finalising {
            self.cite_delegation(&mut next, doc.id, at.date());
        }
        // A finalised sanction decision fixes the case's fine (lists, statistics, reports);
        // when one is annulled (MQĐ40), the fine is the newest decision's still in force.
        if let Some((doc, _)) = finalising {
            if let Some(fine) = doc.fine_vnd() {
                next.fine_vnd = Some(fine);
            } else if doc.kind == crate::domain::DocumentKind::QdHuyBo {
                next.fine_vnd = next
                    .documents
                    .iter()
                    .filter(|d| d.state == DocumentState::Finalised && d.kind.is_sanction_decision())
                    .filter_map(|d| d.fine_vnd().map(|f| (d.finalised_at, f)))
                    .max()
                    .map(|(_, f)| f);
            }
        }
        if let Some(id) = started {
            let fields = self.prefill(&next, next.document(id).expect("just started"));
            next.documents.iter_mut().find(|d| d.id == id).expect("just started").fields = fields;
        }
        let numbers = effects
            .iter()
            .filter_map(|effect| match effect {
                Effect::NumberUsed(n) => Some((n, false)),
                Effect::NumberCancelled(n) => Some((n, true)),
                _ => None,
            })
            .map(|(number, cancelled)| {
                let document_id = document_id.expect("number effects come from document events");
                (number.clone(), NumberUse { document_id, cancelled })
            })
            .collect();
        Ok(Step { next, effects, action, numbers })
    }
}
