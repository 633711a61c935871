//! The document wizard, generated from the form definition: one step per section, a
//! widget per field type, the field's problem beside it, the signatures taken on site, and
//! a summary of every remaining problem before finalising. Edits are kept as typed and
//! saved by the app within [`AUTOSAVE_AFTER`] of the last keystroke.

mod act;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use eframe::egui::{self, RichText};
use uuid::Uuid;

use super::command::Command;
use super::theme;
use super::typing::text_edit;
use crate::app::render::PrintDocument;
use crate::domain::{Case, Document, DocumentState, Member, Signature, SignerRole, SubjectKind, ValidationReport};
use crate::forms::{BlockDef, FieldDef, FieldKind, FormDef, RuleDef};

/// How long after the last keystroke the edits are written.
pub const AUTOSAVE_AFTER: Duration = Duration::from_millis(150);

/// What the wizard keeps between frames.
#[derive(Debug)]
pub struct WizardState {
    pub case: Case,
    pub document: Uuid,
    pub form: FormDef,
    /// The field values as typed.
    pub values: BTreeMap<String, String>,
    pub signatures: Vec<Signature>,
    /// Every problem of the document as it stands (recomputed by the app after an edit).
    pub report: ValidationReport,
    pub needs_check: bool,
    /// Fields edited since the last save, and when the last edit happened.
    pub pending: BTreeSet<String>,
    pub signatures_pending: bool,
    pub last_edit: Option<Instant>,
    /// Shown after a save: "Đã lưu HH:MM:SS".
    pub saved_at: Option<chrono::NaiveTime>,
    pub section: usize,
    /// Every problem is shown, empty required fields included (after a first attempt to finalise).
    show_problems: bool,
    /// "Hoàn tất…" was clicked; decided once the report is fresh (see [`WizardState::checked`]).
    finalise_requested: bool,
    /// The confirmation dialog is open.
    confirming: bool,
    /// The first field of the step takes the keyboard focus (on opening, on changing step).
    focus_first: bool,
    /// The document as it will print, when the preview is asked for (recomputed by the app
    /// after edits): its resolved text, and its pages rasterised from the very PDF.
    pub preview: Option<PrintDocument>,
    pub preview_pages: Option<Result<Vec<crate::app::render::PreviewPage>, String>>,
    /// The pages as textures, made from `preview_pages` when they changed.
    pub(super) preview_textures: super::preview::PageTextures,
    pub(super) preview_stale: bool,
    pub show_preview: bool,
    members: Vec<Member>,
    /// What is known against the subject (repeat offences first), shown above the fields.
    pub warnings: Vec<crate::app::warnings::Warning>,
    /// Why the signed-in member may not finalise this document (a decision, not a leader).
    pub finalise_refused: Option<String>,
    /// Who makes the document unless changed: the signed-in member (else the case's head).
    pub maker: Option<String>,
    /// A draft begun under an older edition of its form: what today's edition changed.
    pub edition_note: Option<String>,
    /// The catalogue of violations of the law in force (the act field's choices).
    pub catalogue: crate::domain::catalogue::Catalogue,
}

impl WizardState {
    /// The document as it will print, and its pages, after an edit.
    pub fn set_preview(&mut self, print: PrintDocument, pages: Result<Vec<crate::app::render::PreviewPage>, String>) {
        self.preview = Some(print);
        self.preview_pages = Some(pages);
        self.preview_stale = true;
    }

    pub fn new(case: Case, document: Uuid, form: FormDef, members: Vec<Member>) -> WizardState {
        let doc = case.document(document).expect("the document is in the case");
        let values = doc.fields.clone();
        let signatures = doc.signatures.clone();
        WizardState {
            document,
            form,
            values,
            signatures,
            report: ValidationReport::default(),
            needs_check: true,
            pending: BTreeSet::new(),
            signatures_pending: false,
            last_edit: None,
            saved_at: None,
            section: 0,
            show_problems: false,
            maker: None,
            edition_note: None,
            finalise_requested: false,
            confirming: false,
            focus_first: true,
            preview: None,
            preview_pages: None,
            preview_textures: super::preview::PageTextures::default(),
            preview_stale: false,
            show_preview: false,
            members,
            case,
            warnings: Vec::new(),
            finalise_refused: None,
            catalogue: crate::domain::catalogue::Catalogue::default(),
        }
    }

    pub fn doc(&self) -> &Document {
        self.case.document(self.document).expect("the document is in the case")
    }

    /// The document with the values and signatures as they stand on screen.
    pub fn current(&self) -> Document {
        Document { fields: self.values.clone(), signatures: self.signatures.clone(), ..self.doc().clone() }
    }

    /// Called with a fresh report: a pending request to finalise opens the confirmation
    /// when nothing blocks, and otherwise shows every problem.
    pub fn checked(&mut self) {
        if std::mem::take(&mut self.finalise_requested) {
            self.show_problems = true;
            self.confirming = self.report.is_ok();
        }
    }

    pub(super) fn editable(&self) -> bool {
        self.doc().state == DocumentState::Draft
    }

    /// The commands that write the pending edits, if any (all of them when `now` is `None`).
    pub fn flush(&mut self, now: Option<Instant>) -> Vec<Command> {
        let due = match (now, self.last_edit) {
            (Some(now), Some(last)) => now.duration_since(last) >= AUTOSAVE_AFTER,
            _ => true,
        };
        let mut out = Vec::new();
        if !due {
            return out;
        }
        let (case, document) = (self.case.id, self.document);
        if !self.pending.is_empty() {
            let fields = std::mem::take(&mut self.pending)
                .into_iter()
                .map(|f| {
                    let value = self.values.get(&f).cloned().unwrap_or_default();
                    (f, value)
                })
                .collect();
            out.push(Command::SaveFields { case, document, fields });
        }
        if std::mem::take(&mut self.signatures_pending) {
            out.push(Command::SaveSignatures { case, document, signatures: self.signatures.clone() });
        }
        out
    }

    pub(super) fn edited(&mut self, field: &str) {
        self.pending.insert(field.to_string());
        self.last_edit = Some(Instant::now());
        self.needs_check = true;
    }

    /// The roles that sign this form, in the order of its signature blocks, plus those a
    /// refusal rule may call for.
    fn signer_roles(&self) -> Vec<SignerRole> {
        let mut roles = Vec::new();
        for block in &self.form.blocks {
            if let BlockDef::Signatures { signers } = block {
                roles.extend(signers.iter().map(|s| s.role));
            }
        }
        for rule in &self.form.rules {
            if let RuleDef::Refusal { roles: r, .. } = rule {
                roles.extend(r.iter().copied());
            }
        }
        let mut seen = std::collections::HashSet::new();
        roles.retain(|r| seen.insert(*r));
        roles
    }
}

/// Draws the wizard; what the user asks for goes into `out`.
pub fn wizard_ui(ui: &mut egui::Ui, w: &mut WizardState, out: &mut Vec<Command>) {
    let (case_id, document) = (w.case.id, w.document);
    let doc_state = w.doc().state;
    ui.horizontal(|ui| {
        if ui.button("Về vụ việc").on_hover_text("Esc").clicked() {
            out.push(Command::OpenCase(case_id));
        }
        ui.separator();
        ui.heading(theme::bold(&w.form.identity.title));
        let number = w.doc().number.as_ref().map(|n| format!("Số {n}")).unwrap_or_default();
        ui.label(format!("{} {number}", doc_state.vi()));
        ui.separator();
        ui.label(RichText::new(&w.case.subject.name).italics());
    });
    if let Some(note) = &w.edition_note {
        ui.label(RichText::new(note).color(theme::WARNING_FG));
    }
    aggravating_ui(ui, w);
    ui.separator();
    let sections = w.form.sections();
    let names: Vec<String> = sections.iter().map(|(s, _)| s.to_string()).chain(["Chữ ký".to_string()]).collect();
    ui.horizontal_wrapped(|ui| {
        for (i, name) in names.iter().enumerate() {
            let errors = if i < sections.len() {
                sections[i].1.iter().filter(|f| w.report.errors().any(|p| p.field == format!("field.{}", f.id))).count()
            } else {
                w.report.errors().filter(|p| p.field == "signatures").count()
            };
            let text = if errors > 0 && w.show_problems {
                format!("{}. {name} ({errors})", i + 1)
            } else {
                format!("{}. {name}", i + 1)
            };
            if ui.selectable_value(&mut w.section, i, text).clicked() {
                w.focus_first = true;
            }
        }
    });
    ui.separator();
    let editable = w.editable();
    let field_ids: Vec<String> =
        sections.get(w.section).map(|(_, fields)| fields.iter().map(|f| f.id.clone()).collect()).unwrap_or_default();
    drop(sections);
    // Bottom-up, so the buttons and the remaining problems keep their place at the foot and
    // the fields scroll in what is left.
    ui.with_layout(egui::Layout::bottom_up(egui::Align::Min), |ui| {
        footer_ui(ui, w, case_id, document, editable, out);
        ui.separator();
        ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
            let fields = |ui: &mut egui::Ui, w: &mut WizardState| {
                egui::ScrollArea::vertical().id_salt("fields").auto_shrink(false).show(ui, |ui| {
                    ui.add_enabled_ui(editable, |ui| {
                        if w.section < names.len() - 1 {
                            for id in &field_ids {
                                let def = w.form.field(id).expect("listed from the form").clone();
                                field_ui(ui, w, &def);
                                ui.add_space(6.0);
                            }
                        } else {
                            signatures_ui(ui, w);
                        }
                    });
                });
            };
            if w.show_preview {
                ui.columns(2, |cols| {
                    fields(&mut cols[0], w);
                    super::preview::pages_ui(&mut cols[1], w);
                });
            } else {
                fields(ui, w);
            }
        });
    });
}

/// The subject's warnings; where the form has "tình tiết tăng nặng" and a warning is one
/// (tái phạm, vi phạm nhiều lần), a button adds it to the field.
fn aggravating_ui(ui: &mut egui::Ui, w: &mut WizardState) {
    const FIELD: &str = "tinh_tiet_tang_nang";
    if w.warnings.is_empty() {
        return;
    }
    super::warnings::warnings_ui(ui, &w.warnings, None, None);
    if w.form.field(FIELD).is_none() || !w.editable() {
        return;
    }
    let mut texts: Vec<String> = w.warnings.iter().filter_map(|x| x.aggravating_text()).collect();
    texts.dedup();
    for text in texts {
        let current = w.values.get(FIELD).cloned().unwrap_or_default();
        if current.contains(&text) {
            continue;
        }
        if ui.button(format!("Thêm “{text}” vào tình tiết tăng nặng")).clicked() {
            let joined = if current.trim().is_empty() { text } else { format!("{}; {text}", current.trim_end()) };
            w.values.insert(FIELD.to_string(), joined);
            w.edited(FIELD);
        }
    }
}

/// Who signs in `role` unless changed: the maker is the member at the laptop; the subject
/// signs by its representative or owner, a person in person; anyone else is typed.
fn default_signer(w: &WizardState, role: SignerRole) -> String {
    let subject = &w.case.subject;
    match role {
        SignerRole::Maker => w.maker.clone().unwrap_or_default(),
        SignerRole::Violator => match (&subject.representative, subject.kind) {
            (Some(r), _) if !r.trim().is_empty() => r.clone(),
            (_, SubjectKind::Individual) => subject.name.clone(),
            _ => String::new(),
        },
        _ => String::new(),
    }
}

/// The identity of a wizard's text field, from what it is, not where it is drawn.
fn field_id(name: &str) -> egui::Id {
    egui::Id::unique(("wizard-field", name))
}

fn field_ui(ui: &mut egui::Ui, w: &mut WizardState, def: &FieldDef) {
    let label_text = if def.required { format!("{} *", def.label) } else { def.label.clone() };
    let label = ui.label(theme::bold(label_text));
    let mut value = w.values.get(&def.id).cloned().unwrap_or_default();
    let hint = match def.kind {
        FieldKind::Date => "dd/mm/yyyy",
        FieldKind::Time => "hh:mm",
        FieldKind::DateTime => "hh:mm dd/mm/yyyy",
        FieldKind::Money => "số tiền, ví dụ 5.000.000",
        FieldKind::Integer => "số",
        FieldKind::Witnesses => "mỗi người một dòng: họ tên, địa chỉ, số định danh",
        _ => "",
    };
    let width = ui.available_width().min(760.0);
    // Each field's identity is its form id, not its place on screen: the problems above and
    // below it come and go as one types, and an identity by place would lose the keyboard
    // focus (and the keys typed after the first) when they do.
    let id = field_id(&def.id);
    let mut response = None;
    let changed = match def.kind {
        FieldKind::LongText | FieldKind::Witnesses => {
            let r = text_edit(ui, &mut value, |v| {
                egui::TextEdit::multiline(v).id(id).hint_text(hint).desired_rows(3).desired_width(width)
            })
            .labelled_by(label.id);
            let changed = r.changed();
            response = Some(r);
            changed
        }
        FieldKind::Signer => {
            // Typed into (a name with or without accents): a unit may have twenty members.
            let options: Vec<(String, String)> =
                w.members.iter().map(|m| (m.card_number.clone(), format!("{}, {}", m.full_name, m.title))).collect();
            let mut chosen = (!value.is_empty()).then(|| value.clone());
            let changed = super::picker::picker(ui, &def.id, label.id, &mut chosen, &options, width.min(420.0));
            if changed {
                value = chosen.unwrap_or_default();
            }
            changed
        }
        FieldKind::Choice => {
            let options: Vec<(String, String)> = def.options.iter().map(|o| (o.clone(), o.clone())).collect();
            let shown =
                options.iter().find(|(v, _)| *v == value).map_or("— chọn —".to_string(), |(_, s)| s.clone());
            let mut changed = false;
            egui::ComboBox::from_id_salt(&def.id)
                .selected_text(shown)
                .width(width.min(420.0))
                .show_ui(ui, |ui| {
                    for (v, shown) in &options {
                        changed |= ui.selectable_value(&mut value, v.clone(), shown).changed();
                    }
                })
                .response
                .labelled_by(label.id);
            changed
        }
        FieldKind::Act => act::act_field(ui, w, def, label.id, &mut value),
        FieldKind::Subject => {
            ui.label(format!("{} — {}", w.case.subject.name, w.case.subject.identifier().unwrap_or("")));
            false
        }
        FieldKind::Goods => {
            ui.label(format!("{} dòng hàng hóa của vụ việc", w.case.goods.len()));
            false
        }
        _ => {
            let r = text_edit(ui, &mut value, |v| {
                egui::TextEdit::singleline(v).id(id).hint_text(hint).desired_width(width)
            })
            .labelled_by(label.id);
            // Enter moves on to the next field, as on a paper form.
            if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                ui.memory_mut(|m| m.move_focus(egui::FocusDirection::Next));
            }
            let changed = r.changed();
            response = Some(r);
            changed
        }
    };
    if let Some(r) = response
        && std::mem::take(&mut w.focus_first)
    {
        r.request_focus();
    }
    if changed {
        w.values.insert(def.id.clone(), value);
        w.edited(&def.id);
    }
    if !def.help.is_empty() {
        ui.weak(&def.help);
    }
    let path = format!("field.{}", def.id);
    let has_value = w.values.get(&def.id).is_some_and(|v| !v.trim().is_empty());
    for problem in w.report.errors().filter(|p| p.field == path) {
        // An empty required field is only pointed out once finalising was asked for.
        if has_value || w.show_problems {
            ui.label(RichText::new(&problem.message_vi).color(theme::ERROR_FG));
        }
    }
    for problem in w.report.warnings().filter(|p| p.field == path) {
        ui.label(RichText::new(format!("Cảnh báo: {}", problem.message_vi)).color(theme::WARNING_FG));
    }
}

fn signatures_ui(ui: &mut egui::Ui, w: &mut WizardState) {
    ui.label("Ghi nhận tại chỗ ai đã ký và ai từ chối ký.");
    for role in w.signer_roles() {
        let index = match w.signatures.iter().position(|s| s.role == role) {
            Some(i) => i,
            None => {
                // Typed once, not on every document: the maker is the member at the laptop,
                // the subject signs by its representative (or in person).
                let name = default_signer(w, role);
                if !name.is_empty() {
                    w.signatures_pending = true;
                    w.last_edit = Some(Instant::now());
                    w.needs_check = true;
                }
                w.signatures.push(Signature { role, name, signed: true });
                w.signatures.len() - 1
            }
        };
        ui.horizontal(|ui| {
            let label = ui.label(theme::bold(role.vi()));
            let sig = &mut w.signatures[index];
            let id = field_id(&format!("signature-{}", role.vi()));
            let mut changed = text_edit(ui, &mut sig.name, |v| {
                egui::TextEdit::singleline(v).id(id).hint_text("họ tên").desired_width(260.0)
            })
            .labelled_by(label.id)
            .changed();
            changed |= ui.radio_value(&mut sig.signed, true, "Đã ký").changed();
            changed |= ui.radio_value(&mut sig.signed, false, "Từ chối ký").changed();
            if changed {
                w.signatures_pending = true;
                w.last_edit = Some(Instant::now());
                w.needs_check = true;
            }
        });
    }
    for problem in w.report.errors().filter(|p| p.field == "signatures") {
        ui.label(RichText::new(&problem.message_vi).color(theme::ERROR_FG));
    }
}

fn footer_ui(
    ui: &mut egui::Ui,
    w: &mut WizardState,
    case_id: Uuid,
    document: Uuid,
    editable: bool,
    out: &mut Vec<Command>,
) {
    if w.confirming && editable {
        let modal = egui::Modal::new(egui::Id::unique("confirm-finalise")).show(ui.ctx(), |ui| {
            ui.heading("Hoàn tất văn bản?");
            ui.label(
                "Văn bản sẽ được cấp số và khóa nội dung; muốn thay đổi sau đó phải lập văn bản sửa đổi, bổ sung.",
            );
            ui.horizontal(|ui| {
                if ui.button("Hoàn tất và cấp số").clicked() {
                    out.extend(w.flush(None));
                    out.push(Command::Finalise { case: case_id, document });
                    w.confirming = false;
                }
                if ui.button("Quay lại").clicked() {
                    w.confirming = false;
                }
            });
        });
        if modal.should_close() {
            w.confirming = false;
        }
    }
    ui.horizontal(|ui| {
        if editable {
            let prev = ui.add_enabled(w.section > 0, egui::Button::new("Bước trước"));
            if prev.clicked() {
                w.section -= 1;
                w.focus_first = true;
            }
            let last = w.form.sections().len();
            if ui.add_enabled(w.section < last, egui::Button::new("Bước sau")).clicked() {
                w.section += 1;
                w.focus_first = true;
            }
            ui.separator();
            let finalise = ui
                .add_enabled(w.finalise_refused.is_none(), egui::Button::new(theme::bold("Hoàn tất…")))
                .on_hover_text("Kiểm tra, cấp số và khóa văn bản")
                .on_disabled_hover_text(w.finalise_refused.clone().unwrap_or_default());
            if finalise.clicked() {
                w.finalise_requested = true;
                w.needs_check = true;
                out.extend(w.flush(None));
            }
        }
        if ui
            .selectable_label(w.show_preview, "Xem trước")
            .on_hover_text("Nội dung văn bản khi in, bên cạnh các ô nhập")
            .clicked()
        {
            w.show_preview = !w.show_preview;
            w.needs_check = true;
        }
        if ui.button("In").on_hover_text("Mở bản PDF để in").clicked() {
            out.extend(w.flush(None));
            out.push(Command::Print { case: case_id, document });
        }
        if ui.button("Lưu PDF…").on_hover_text("Lưu một bản PDF vào thư mục hoặc USB").clicked() {
            out.extend(w.flush(None));
            out.push(Command::SavePdf { case: case_id, document });
        }
        ui.separator();
        let status = if !w.pending.is_empty() || w.signatures_pending {
            "Đang lưu…".to_string()
        } else if let Some(t) = w.saved_at {
            format!("Đã lưu {}", t.format("%H:%M:%S"))
        } else {
            String::new()
        };
        ui.weak(status);
    });
    if let Some(reason) = w.finalise_refused.as_ref().filter(|_| editable) {
        ui.label(RichText::new(reason).color(theme::ERROR_FG));
    }
    if w.show_problems && editable && !w.report.is_ok() {
        let errors: Vec<_> = w.report.errors().collect();
        // Drawn bottom-up: the last problem first, the heading last.
        for p in errors.iter().take(6).rev() {
            ui.label(RichText::new(format!("• {}", p.message_vi)).color(theme::ERROR_FG));
        }
        let heading = format!("Còn {} lỗi cần sửa trước khi hoàn tất:", errors.len());
        ui.label(RichText::new(heading).color(theme::ERROR_FG));
    }
}
