//! Printing a document: the form's layout filled from the case, the document and the unit,
//! handed to [`crate::pdf`].

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{AppError, Workspace};
use crate::domain::text::{amount_in_words, date_in_words, format_vnd};
use crate::domain::{Case, Document, DocumentKind, DocumentState, Subject};
use crate::forms::layout::{TextAlign, TextStyle, fill, placeholders};
use crate::forms::{BlockDef, FieldKind, FormDef, value};
use crate::pdf::{Align, Column, Header, SealLabel, SignatureBlock, Style};
pub use crate::pdf::{Block, PrintDocument};

pub use super::pdf_job::PdfJob;

/// One page of a document as it will print, in pixels (RGBA, on white).
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewPage {
    pub width: usize,
    pub height: usize,
    pub rgba: Vec<u8>,
}

/// At most this many pages are shown in the wizard's preview (a record runs to two or three
/// pages with its receipt on the back; the goods annex may run longer).
pub const PREVIEW_PAGES: usize = 6;

/// The pages of `print` as the PDF will print them: rendered to PDF, then rasterised at
/// `scale` (1.0 = 72 pixels per inch) — the preview shows the very page the printer gets.
#[cfg(feature = "gui")]
pub fn preview_pages(print: &PrintDocument, scale: f32) -> Result<Vec<PreviewPage>, AppError> {
    use hayro::hayro_interpret::InterpreterSettings;
    use hayro::hayro_syntax::Pdf;
    use hayro::{RenderCache, RenderSettings, render};
    let bytes = crate::pdf::render(print)?;
    let pdf = Pdf::new(bytes).map_err(|e| AppError::Render(format!("preview: {e:?}")))?;
    let cache = RenderCache::new();
    let settings = InterpreterSettings::default();
    let white = hayro::vello_cpu::color::palette::css::WHITE;
    let scaled = RenderSettings { x_scale: scale, y_scale: scale, bg_color: white, ..Default::default() };
    let pages = pdf.pages();
    Ok(pages
        .iter()
        .take(PREVIEW_PAGES)
        .map(|page| {
            let pixmap = render(page, &cache, &settings, &scaled);
            let (width, height) = (usize::from(pixmap.width()), usize::from(pixmap.height()));
            // On a white background every pixel is opaque: premultiplied is straight RGBA.
            PreviewPage { width, height, rgba: pixmap.data_as_u8_slice().to_vec() }
        })
        .collect())
}

/// Whether field values are wanted as printed on paper or as stored (to copy into a prefill).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueStyle {
    Printed,
    Stored,
}

/// What an empty value prints as: a line to fill by hand.
const BLANK: &str = "……………";

impl Workspace {
    /// The printable form of a document as it stands (the wizard's preview, before saving).
    pub fn print_of(&self, case: &Case, doc: &Document) -> PrintDocument {
        let form = self.form_of(doc);
        let values = self.placeholder_values(case, doc, form, ValueStyle::Printed, |_| true);
        compose(case, doc, form, &values)
    }

    /// A document as PDF bytes.
    pub fn render_document(&self, case_id: Uuid, document_id: Uuid) -> Result<Vec<u8>, AppError> {
        self.pdf_job(case_id, document_id)?.render()
    }

    /// What printing a document needs, taken from the store now so that the slow part
    /// ([`PdfJob::run`] writes it to `<data dir>/pdf/<case id>/`) can go on another thread.
    pub fn pdf_job(&self, case_id: Uuid, document_id: Uuid) -> Result<PdfJob, AppError> {
        let case = self.case(case_id)?;
        let doc =
            case.document(document_id).ok_or(crate::domain::WorkflowError::UnknownDocument { id: document_id })?;
        Ok(self.pdf_job_of(&case, doc))
    }

    /// [`Workspace::pdf_job`] of a document of a case already read.
    pub fn pdf_job_of(&self, case: &Case, doc: &Document) -> PdfJob {
        let path = self.data_dir().join("pdf").join(case.id.to_string()).join(Workspace::document_file_name(doc));
        PdfJob { print: self.print_of(case, doc), path }
    }

    /// Every value a layout may name, for this document (a prefill also the case's parties:
    /// `Workspace::prefill_values`); of the earlier documents' and the form's fields only
    /// those under a prefix `wants` (e.g. "prior.bb-kiem-tra.", "field.").
    pub fn placeholder_values(
        &self,
        case: &Case,
        doc: &Document,
        form: &FormDef,
        style: ValueStyle,
        wants: impl Fn(&str) -> bool,
    ) -> BTreeMap<String, String> {
        let field_text = |def: &crate::forms::FieldDef, raw: &str| match style {
            ValueStyle::Stored => raw.to_string(),
            ValueStyle::Printed if def.kind == FieldKind::Signer => self
                .unit()
                .and_then(|u| u.member(raw.trim()))
                .map_or_else(|| raw.to_string(), |m| format!("{}, {}", m.full_name, m.title)),
            ValueStyle::Printed => value::print(def.kind, raw),
        };
        let mut v = Values { map: BTreeMap::new(), wants: &wants };
        let at = doc.finalised_at.unwrap_or(doc.created_at);
        let names = self.unit().and_then(|u| u.names_on(at.date()));
        v.put("unit.parent_body", || names.map(|n| n.chi_cuc.clone()).unwrap_or_default());
        v.put("unit.chi_cuc", || names.map(|n| n.chi_cuc.clone()).unwrap_or_default());
        v.put("unit.doi", || names.map(|n| n.doi.clone()).unwrap_or_default());
        v.put("unit.place", || self.unit_place());
        // Decisions are signed by the team's leader (the first member with that role) unless
        // the form names its signer (`nguoi_ky`).
        let leader = self.unit().and_then(|u| u.leader());
        v.put("unit.leader_name", || leader.map(|m| m.full_name.clone()).unwrap_or_default());
        v.put("unit.leader_title", || leader.map(|m| m.title.clone()).unwrap_or_default());
        v.put("unit.leader_card", || leader.map(|m| m.card_number.clone()).unwrap_or_default());
        // Who makes the document: the member signed in, else (a script, the demo) the
        // head of the case's đoàn.
        let maker = self.signed_in().map(|m| m.card_number).or_else(|| case.members.first().cloned());
        v.put("user.card", || maker.unwrap_or_default());
        // Who signs a decision by default: the member signed in when a leader (the head or a
        // deputy), else the unit's leader.
        let decider = self.signed_in().filter(|m| m.role == crate::domain::Role::Leader).map(|m| m.card_number);
        v.put("user.decision_card", || decider.or_else(|| leader.map(|m| m.card_number.clone())).unwrap_or_default());
        let signer = self.signer_of(doc);
        let doi = names.map(|n| n.doi.clone()).unwrap_or_default();
        let signing = || signer.map(|m| signing_titles(&m.title, &doi));
        v.put("doc.signer_name", || signer.map(|m| m.full_name.clone()).unwrap_or_default());
        v.put("doc.signer_title", || signing().map(|t| t.signature).unwrap_or_default());
        v.put("doc.authority", || signing().map(|t| t.authority).unwrap_or_default());
        v.put("case.id", || case.id.to_string());
        v.put("case.field", || self.reference.field_name(&case.field).unwrap_or(&case.field).to_string());
        // A sanction decision prints its own fine; other documents the case's.
        let fine = doc.fine_vnd().or(case.fine_vnd);
        v.put("case.fine", || fine.map(|f| format!("{} đồng", format_vnd(f))).unwrap_or_default());
        v.put("case.fine_words", || fine.map(amount_in_words).unwrap_or_default());
        let value = case.goods_value_vnd();
        v.put("case.goods_value", || if value > 0 { format!("{} đồng", format_vnd(value)) } else { String::new() });
        v.put("case.goods_value_words", || if value > 0 { amount_in_words(value) } else { String::new() });
        v.put("case.goods_count", || case.goods.len().to_string());
        // Whether the document's own "Số GCN …" line holds a number (it is prefilled with the
        // registration number since stop 44).
        let gcn_line = doc.fields.get("so_gcn").is_some_and(|n| !n.trim().is_empty());
        subject_values(&case.subject, &self.reference.admin_units, gcn_line, &mut v);
        let members: Vec<_> = case.members.iter().filter_map(|c| self.unit().and_then(|u| u.member(c))).collect();
        let lead = members.first();
        v.put("members.lead_name", || lead.map(|m| m.full_name.clone()).unwrap_or_default());
        v.put("members.lead_title", || lead.map(|m| m.title.clone()).unwrap_or_default());
        v.put("members.lead_card", || lead.map(|m| m.card_number.clone()).unwrap_or_default());
        v.put("members.list", || {
            let list: Vec<String> =
                members.iter().map(|m| format!("{}, {}, số hiệu {}", m.full_name, m.title, m.card_number)).collect();
            list.join("; ")
        });
        v.put("doc.number", || {
            doc.number.as_ref().map(ToString::to_string).unwrap_or_else(|| format!("……/{}", form.identity.ky_hieu))
        });
        v.put("doc.date_words", || date_in_words(at.date()));
        v.put("doc.time_words", || at.format("%H giờ %M phút").to_string());
        v.put("doc.title", || form.identity.title.clone());
        v.put("doc.date", || at.format("%d/%m/%Y").to_string());
        // The decision an MQĐ38/39/40 acts on (or the document an amendment amends).
        let amended = doc.amends.and_then(|id| case.document(id));
        let amended_at = amended.map(|a| a.finalised_at.unwrap_or(a.created_at));
        v.put("amended.number", || {
            amended.and_then(|a| a.number.as_ref()).map(ToString::to_string).unwrap_or_default()
        });
        v.put("amended.date", || amended_at.map(|t| t.format("%d/%m/%Y").to_string()).unwrap_or_default());
        v.put("amended.date_words", || amended_at.map(|t| date_in_words(t.date())).unwrap_or_default());
        v.put("amended.title", || amended.map(|a| self.form_of(a).identity.title.clone()).unwrap_or_default());
        let amended_signer = amended.and_then(|a| self.signer_of(a));
        v.put("amended.signer", || amended_signer.map(|m| format!("{}, {}", m.full_name, m.title)).unwrap_or_default());
        v.put("amended.authority", || {
            amended_signer.map(|m| signing_titles(&m.title, &doi).authority).unwrap_or_default()
        });
        for field in form.fields.iter().filter(|_| wants("field.")) {
            v.put(&format!("field.{}", field.id), || {
                field_text(field, doc.fields.get(&field.id).map_or("", String::as_str))
            });
        }
        let priors = if wants("prior.") { DocumentKind::ALL.as_slice() } else { &[] };
        for &kind in priors {
            let code = kind.code();
            if !wants(&format!("prior.{code}.")) {
                continue;
            }
            let Some(p) = prior_of(case, doc, kind) else { continue };
            let when = |format: &str| p.finalised_at.map(|t| t.format(format).to_string()).unwrap_or_default();
            v.put(&format!("prior.{code}.number"), || p.number.as_ref().map(ToString::to_string).unwrap_or_default());
            v.put(&format!("prior.{code}.date_words"), || {
                p.finalised_at.map(|t| date_in_words(t.date())).unwrap_or_default()
            });
            v.put(&format!("prior.{code}.date"), || when("%d/%m/%Y"));
            v.put(&format!("prior.{code}.time_words"), || when("%H giờ %M phút"));
            for def in &self.form_of(p).fields {
                let raw = p.fields.get(&def.id).map_or("", String::as_str);
                v.put(&format!("prior.{code}.field.{}", def.id), || field_text(def, raw));
            }
        }
        v.map
    }
}

/// The values a layout is filled from, as they are gathered: each is worked out only when
/// the layout names it (a prefill names a few of the hundred or so).
struct Values<'w> {
    map: BTreeMap<String, String>,
    wants: &'w dyn Fn(&str) -> bool,
}

impl Values<'_> {
    fn put(&mut self, key: &str, value: impl FnOnce() -> String) {
        if (self.wants)(key) {
            self.map.insert(key.to_string(), value());
        }
    }
}

/// The earlier document of `kind` that `doc` cites: the latest one in force when `doc` was
/// finalised (a later one, or the cancelling of the one it cited, never changes what a
/// finalised document cites); for a draft, the latest one in force now.
fn prior_of<'c>(case: &'c Case, doc: &Document, kind: DocumentKind) -> Option<&'c Document> {
    case.documents
        .iter()
        .filter(|d| d.kind == kind && d.id != doc.id)
        .filter(|d| match doc.finalised_at {
            None => d.state == DocumentState::Finalised,
            Some(mine) => d.finalised_at.is_some_and(|t| t <= mine) && in_force_at(d, mine),
        })
        .max_by_key(|d| d.finalised_at)
}

impl Workspace {
    /// The place name a document's date line starts with: the unit's province, without
    /// "Thành phố" ("Hà Nội, ngày …").
    pub(crate) fn unit_place(&self) -> String {
        self.unit()
            .and_then(|u| self.reference.admin_units.province(u.province_code))
            .map(|p| p.name.trim_start_matches("Thành phố ").to_string())
            .unwrap_or_default()
    }
}

/// Whether a document once finalised was still in force at `at`: not cancelled, or
/// cancelled only after.
fn in_force_at(d: &Document, at: chrono::NaiveDateTime) -> bool {
    match d.state {
        DocumentState::Finalised => true,
        DocumentState::Cancelled => d.cancellation.as_ref().is_some_and(|c| c.at > at),
        DocumentState::Draft => false,
    }
}

/// The form field naming who signs a decision (a member's inspection-card number).
pub const SIGNER_FIELD: &str = "nguoi_ky";

/// How a signer's title prints: `authority` is the heading THẨM QUYỀN BAN HÀNH (the
/// competent title and the body, "ĐỘI TRƯỞNG ĐỘI QUẢN LÝ THỊ TRƯỜNG SỐ 1"); `signature` the
/// chức vụ over the signature, with "KT." before the competent title when a deputy signs
/// (NĐ 118/2021, MQĐ02 footnote 25; NĐ 30/2020).
pub(crate) struct SigningTitles {
    pub authority: String,
    pub signature: String,
}

pub(crate) fn signing_titles(title: &str, body: &str) -> SigningTitles {
    let title = crate::domain::text::nfc(title.trim());
    let upper = title.to_uppercase();
    let head = crate::domain::delegation::head_title(&title).map(str::to_uppercase);
    let competent = head.clone().unwrap_or_else(|| upper.clone());
    let authority = format!("{competent} {}", body.to_uppercase()).trim().to_string();
    let signature = match head {
        Some(head) => format!("KT. {head}\n{upper}"),
        None => upper.clone(),
    };
    SigningTitles { authority, signature }
}

fn subject_values(s: &Subject, units: &crate::domain::AdminUnits, gcn_line: bool, v: &mut Values) {
    v.put("subject.kind", || s.kind.vi().to_string());
    let organisation = s.kind == crate::domain::SubjectKind::Organisation;
    let yes = |b: bool| if b { "có".to_string() } else { String::new() };
    v.put("subject.is_individual", || yes(!organisation));
    v.put("subject.is_organisation", || yes(organisation));
    v.put("subject.ref", || if organisation { "tổ chức" } else { "ông (bà)" }.to_string());
    v.put("subject.ref_cap", || if organisation { "Tổ chức" } else { "Ông (bà)" }.to_string());
    v.put("subject.person_ref", || if organisation { "người đại diện của tổ chức" } else { "cá nhân" }.to_string());
    // An organisation signs through its representative; a household business through its
    // owner (the representative recorded), an individual in person.
    let signer = match s.kind {
        crate::domain::SubjectKind::Individual => s.name.clone(),
        _ => s.representative.clone().filter(|r| !r.trim().is_empty()).unwrap_or_else(|| s.name.clone()),
    };
    // A household business "bị xử phạt như đối với cá nhân vi phạm" (NĐ 98/2020/NĐ-CP,
    // khoản 2 Điều 2): its owner is the person the NĐ 118 forms name.
    let party = match s.kind {
        crate::domain::SubjectKind::HouseholdBusiness => signer.clone(),
        _ => s.name.clone(),
    };
    v.put("subject.party_name", || party);
    v.put("subject.signer_name", || signer);
    v.put("subject.occupation", String::new);
    v.put("subject.nationality", || "Việt Nam".to_string());
    v.put("subject.name", || s.name.clone());
    v.put("subject.address", || s.address.display(units));
    v.put("subject.identifiers", || {
        let mut ids = Vec::new();
        if let Some(t) = &s.tax_code {
            ids.push(format!("Mã số thuế: {}", t.as_str()));
        }
        if let Some(r) = &s.registration_number {
            ids.push(format!("Số đăng ký kinh doanh: {r}"));
        }
        if let Some(p) = &s.personal_id {
            ids.push(format!("Số định danh cá nhân: {}", p.as_str()));
        }
        if let Some(o) = &s.old_id_card {
            ids.push(format!("Số CMND: {}", o.as_str()));
        }
        ids.join("; ")
    });
    v.put("subject.personal_id", || personal_id(s));
    v.put("subject.enterprise_code", || enterprise_code(s, gcn_line));
    // The 2025 forms' "Số GCN đăng ký đầu tư/doanh nghiệp hoặc GP thành lập/đăng ký hoạt
    // động" line, printed for an organisation only: the number it is registered under.
    v.put("subject.gcn_number", || match s.kind {
        crate::domain::SubjectKind::Organisation => s.registration_number.clone().unwrap_or_default(),
        _ => String::new(),
    });
    v.put("subject.representative", || s.representative.clone().unwrap_or_default());
    v.put("subject.representative_title", || s.representative_title.clone().unwrap_or_default());
    v.put("subject.phone", || s.phone.as_ref().map(|p| p.as_str().to_string()).unwrap_or_default());
    v.put("subject.date_of_birth", || s.date_of_birth.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default());
    v.put("subject.gender", || s.gender.map(|g| g.vi().to_string()).unwrap_or_default());
}

/// The number after the forms' "Số định danh cá nhân/CMND/Hộ chiếu:": the personal
/// identification number, else the old identity card's, bare (the label names it). A
/// person or a household business may be recorded by its tax code or business registration
/// alone, or beside the owner's number: those follow in brackets with their labels, after
/// the line to fill by hand when there is no personal number, so that no number the
/// inspector recorded is left out of the document.
fn personal_id(s: &Subject) -> String {
    let own = s.personal_id.as_ref().map(|p| p.as_str()).or(s.old_id_card.as_ref().map(|o| o.as_str()));
    let mut others = Vec::new();
    if let (Some(_), Some(old)) = (&s.personal_id, &s.old_id_card) {
        others.push(format!("Số CMND: {}", old.as_str()));
    }
    if let Some(t) = &s.tax_code {
        others.push(format!("Mã số thuế: {}", t.as_str()));
    }
    if let Some(r) = s.registration_number.as_deref().filter(|r| !r.trim().is_empty()) {
        others.push(format!("Số đăng ký kinh doanh: {r}"));
    }
    match (own, others.is_empty()) {
        (Some(own), true) => own.to_string(),
        (own, false) => format!("{} ({})", own.unwrap_or(BLANK), others.join("; ")),
        (None, true) => String::new(),
    }
}

/// The number after the forms' "Mã số doanh nghiệp:". An enterprise's code is its tax code
/// ("mã số doanh nghiệp đồng thời là mã số thuế", NĐ 168/2025/NĐ-CP khoản 1 Điều 8, as
/// quoted by public sources: the decree is not in `../shared/law`); without one, the number
/// it is registered under. A registration number other than the tax code is printed on the
/// line every form that prints this one has for it, "Số GCN đăng ký … doanh nghiệp hoặc GP
/// …" (field `so_gcn`, prefilled from `{subject.gcn_number}`): without a tax code this line
/// is left to fill by hand (a licence number is no enterprise code). A document whose GCN
/// line is empty (made before stop 44, or emptied) prints as stop 43 did: the registration
/// number follows in brackets, or stands for the code, so that it is not lost.
fn enterprise_code(s: &Subject, gcn_line: bool) -> String {
    let registered = s.registration_number.as_deref().map(str::trim).filter(|r| !r.is_empty());
    match (&s.tax_code, registered) {
        (Some(t), Some(r)) if r != t.as_str() && !gcn_line => format!("{} (Số đăng ký kinh doanh: {r})", t.as_str()),
        (Some(t), _) => t.as_str().to_string(),
        (None, Some(r)) if !gcn_line => r.to_string(),
        (None, _) => String::new(),
    }
}

/// A short hash of the document's content, printed in the footer and the QR code so a
/// paper copy can be matched to the record.
pub fn content_hash(case_id: Uuid, doc: &Document) -> String {
    let mut hasher = Sha256::new();
    hasher.update(case_id.as_bytes());
    hasher.update(postcard::to_stdvec(doc).expect("documents serialise"));
    hex::encode(&hasher.finalize()[..6])
}

/// The value of a placeholder, or a line to fill by hand when it has none.
fn value_or_blank(values: &BTreeMap<String, String>, name: &str) -> String {
    values.get(name).filter(|v| !v.is_empty()).cloned().unwrap_or_else(|| BLANK.into())
}

fn compose(case: &Case, doc: &Document, form: &FormDef, values: &BTreeMap<String, String>) -> PrintDocument {
    let text = |template: &str| fill(template, &|name| value_or_blank(values, name));
    let blocks = layout_blocks(form, values, Some((case, doc)));
    let number = values.get("doc.number").cloned().unwrap_or_default();
    let hash = content_hash(case.id, doc);
    let draft = if doc.state == DocumentState::Draft { " · BẢN NHÁP" } else { "" };
    let place = value_or_blank(values, "unit.place");
    PrintDocument {
        title: format!("{} {number}", form.identity.title),
        header: Header {
            parent_body: text("{unit.parent_body}").to_uppercase(),
            unit: text("{unit.doi}").to_uppercase(),
            // The seal label sheet takes no number of its own.
            number_line: if form.identity.ky_hieu.is_empty() { String::new() } else { format!("Số: {number}") },
            place_date: format!("{place}, {}", values.get("doc.date_words").cloned().unwrap_or_default()),
        },
        blocks,
        footer: if form.identity.ky_hieu.is_empty() {
            format!("{} · Vụ việc {} · Mã kiểm tra {hash}{draft}", form.identity.title, case.id)
        } else {
            format!("Số {number} · Vụ việc {} · Mã kiểm tra {hash}{draft}", case.id)
        },
        qr: format!("anchi:{}:{}:{hash}", case.id, doc.id),
    }
}

/// The body of a document: the form's blocks filled from `values`. A case's document also
/// has its goods, seal labels and refused signatures; a document of the unit (MQĐ34) none.
pub(crate) fn layout_blocks(
    form: &FormDef,
    values: &BTreeMap<String, String>,
    of_case: Option<(&Case, &Document)>,
) -> Vec<Block> {
    let text = |template: &str| fill(template, &|name| value_or_blank(values, name));
    let present = |template: &str| placeholders(template).iter().all(|n| values.get(*n).is_some_and(|v| !v.is_empty()));
    let mut blocks = Vec::new();
    for block in &form.blocks {
        match block {
            BlockDef::Title { text: t, subtitle } => {
                blocks.push(Block::Title { text: text(t), subtitle: subtitle.as_deref().map(text) })
            }
            BlockDef::Paragraph { text: t, style, align, indent, when } => {
                if when.as_deref().is_none_or(present) {
                    blocks.push(Block::Paragraph {
                        text: text(t),
                        style: match style {
                            TextStyle::Regular => Style::Regular,
                            TextStyle::Bold => Style::Bold,
                            TextStyle::Italic => Style::Italic,
                        },
                        align: match align {
                            TextAlign::Justify => Align::Justify,
                            TextAlign::Left => Align::Left,
                            TextAlign::Centre => Align::Centre,
                            TextAlign::Right => Align::Right,
                        },
                        indent: *indent,
                    });
                }
            }
            BlockDef::GoodsTable { with_value, when } => {
                if let Some((case, _)) = of_case.filter(|_| when.as_deref().is_none_or(present)) {
                    blocks.push(goods_table(case, *with_value));
                }
            }
            BlockDef::Signatures { signers } => {
                let sigs = signers
                    .iter()
                    .filter(|s| s.when.as_deref().is_none_or(present))
                    .map(|s| {
                        let refused = of_case
                            .is_some_and(|(_, doc)| doc.signatures.iter().any(|g| g.role == s.role && !g.signed));
                        let note = match (&s.note, refused) {
                            (_, true) => "(Từ chối ký)".to_string(),
                            (Some(note), false) => text(note),
                            (None, false) => "(Ký, ghi rõ họ tên)".to_string(),
                        };
                        SignatureBlock { title: text(&s.title), note, name: text(&s.name) }
                    })
                    .collect();
                blocks.push(Block::Signatures(sigs));
            }
            BlockDef::SealLabels { count } => {
                if let Some((case, doc)) = of_case {
                    blocks.push(seal_labels(case, doc, &text(count), values));
                }
            }
            BlockDef::Gap { points } => blocks.push(Block::Gap { points: *points }),
            BlockDef::Closing { recipients, title, note, name } => blocks.push(Block::Closing {
                recipients: recipients.iter().map(|r| text(r)).collect(),
                signer: SignatureBlock { title: text(title), note: text(note), name: text(name) },
            }),
            BlockDef::PageBreak => blocks.push(Block::PageBreak),
        }
    }
    blocks
}

fn goods_table(case: &Case, with_value: bool) -> Block {
    let col = |title: &str, share: f32, align| Column { title: title.into(), share, align };
    let mut columns = vec![
        col("STT", 0.8, Align::Centre),
        col("Tên hàng hóa, nhãn hiệu", 3.2, Align::Left),
        col("Đơn vị tính", 1.0, Align::Centre),
        col("Số lượng", 1.0, Align::Right),
        col("Xuất xứ", 1.3, Align::Left),
        col("Tình trạng", 1.4, Align::Left),
    ];
    if with_value {
        columns.push(col("Đơn giá (đồng)", 1.3, Align::Right));
        columns.push(col("Thành tiền (đồng)", 1.5, Align::Right));
    }
    columns.push(col("Ghi chú", 1.2, Align::Left));
    let quantity = |q: f64| if q.fract() == 0.0 { format_vnd(q as u64) } else { q.to_string().replace('.', ",") };
    let mut rows: Vec<Vec<String>> = case
        .goods
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let mut row = vec![
                (i + 1).to_string(),
                g.name.clone(),
                g.unit.clone(),
                quantity(g.quantity),
                g.origin.clone(),
                g.condition.clone(),
            ];
            if with_value {
                row.push(g.unit_price_vnd.map(format_vnd).unwrap_or_default());
                row.push(g.value_vnd().map(format_vnd).unwrap_or_default());
            }
            row.push(g.note.clone());
            row
        })
        .collect();
    if with_value {
        let mut total = vec![String::new(); columns.len()];
        total[1] = "Tổng cộng".into();
        total[columns.len() - 2] = format_vnd(case.goods_value_vnd());
        rows.push(total);
    }
    Block::Table { columns, rows }
}

/// The most labels one sheet prints (the form's limit on `so_tem`).
const MAX_LABELS: u32 = 500;

/// A sheet of seal labels. Seal numbers run on through the case: a second sheet starts
/// after the labels of the sheets finalised before it, so no two seals of a case share a
/// number. Each label's QR code carries the case, the sheet, the seal number and the
/// sheet's content hash.
fn seal_labels(case: &Case, doc: &Document, count: &str, values: &BTreeMap<String, String>) -> Block {
    let count: u32 = count.trim().parse().unwrap_or(1).clamp(1, MAX_LABELS);
    let made_before = |d: &Document| {
        d.id != doc.id
            && d.kind == doc.kind
            && d.state == DocumentState::Finalised
            && d.finalised_at.is_some_and(|t| doc.finalised_at.is_none_or(|mine| t < mine))
    };
    let earlier: u32 = case
        .documents
        .iter()
        .filter(|d| made_before(d))
        .map(|d| d.fields.get("so_tem").and_then(|n| n.trim().parse::<u32>().ok()).unwrap_or(1))
        .sum();
    let get = |name: &str| value_or_blank(values, name);
    let hash = content_hash(case.id, doc);
    let labels = (earlier + 1..=earlier + count)
        .map(|n| SealLabel {
            heading: format!("TEM NIÊM PHONG — Số {n:03}"),
            lines: vec![
                get("unit.doi").to_uppercase(),
                format!("Biên bản tạm giữ số {}", get("prior.bb-tam-giu.number")),
                format!(
                    "Biên bản niêm phong số {}, {}",
                    get("prior.bb-niem-phong.number"),
                    get("prior.bb-niem-phong.date_words")
                ),
                format!("Đối tượng: {}", get("subject.name")),
                format!("Vụ việc {}", get("case.id")),
            ],
            signers: vec!["Người niêm phong".into(), "Đại diện bên vi phạm".into(), "Người chứng kiến".into()],
            qr: format!("anchi-tem:{}:{}:{n}:{hash}", case.id, doc.id),
        })
        .collect();
    Block::SealLabels(labels)
}

#[cfg(test)]
mod tests;
