//! The case workflow as one transition table (domain brief §3).
//!
//! `apply(&Case, Event)` returns the new case and the effects the shell must carry out
//! (record a used number, render a PDF …), or a [`WorkflowError`] saying in Vietnamese
//! what is missing. The case's [`Stage`] is never stored: it is derived from the
//! finalised documents and the closure, so it cannot disagree with them.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

use super::case::{Case, Closure};
use super::document::{Cancellation, Document, DocumentKind, DocumentNumber, DocumentState};
use super::validation::Bilingual;
use DocumentKind as K;

/// Where a case stands, in process order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Opened, no inspection decision yet.
    Moi,
    /// QĐ kiểm tra finalised.
    DaCoQuyetDinh,
    /// BB kiểm tra finalised.
    DaKiemTra,
    /// BB vi phạm hành chính finalised.
    DaLapBienBanViPham,
    /// Closed: inspected, no violation.
    KhongViPham,
    /// Closed: sanction decided.
    DaXuPhat,
    /// Closed: the case was cancelled.
    DaHuy,
}

impl Stage {
    pub const ALL: [Stage; 7] = [
        Stage::Moi,
        Stage::DaCoQuyetDinh,
        Stage::DaKiemTra,
        Stage::DaLapBienBanViPham,
        Stage::KhongViPham,
        Stage::DaXuPhat,
        Stage::DaHuy,
    ];

    pub fn vi(self) -> &'static str {
        match self {
            Stage::Moi => "Mới",
            Stage::DaCoQuyetDinh => "Đã có quyết định kiểm tra",
            Stage::DaKiemTra => "Đã kiểm tra",
            Stage::DaLapBienBanViPham => "Đã lập biên bản vi phạm",
            Stage::KhongViPham => "Không vi phạm",
            Stage::DaXuPhat => "Đã xử phạt",
            Stage::DaHuy => "Đã hủy",
        }
    }

    pub fn is_closed(self) -> bool {
        matches!(self, Stage::KhongViPham | Stage::DaXuPhat | Stage::DaHuy)
    }
}

/// One row of the table: a document kind may be started and finalised in the stages
/// `from` when its [`Prerequisites`] are finalised; finalising it moves the case to
/// `leads_to`, if set.
#[derive(Debug, Clone, Copy)]
pub struct StepRule {
    pub kind: DocumentKind,
    pub from: &'static [Stage],
    pub leads_to: Option<Stage>,
}

/// Which finalised documents each kind needs before it. They are part of the legal form
/// (the `requires` of each form file), so the workflow is given them rather than owning them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prerequisites(BTreeMap<DocumentKind, Vec<DocumentKind>>);

impl Prerequisites {
    /// Builds the table, refusing a cycle (a kind that would, through its prerequisites,
    /// need itself): the error is the cycle, starting and ending at the same kind.
    pub fn new(
        pairs: impl IntoIterator<Item = (DocumentKind, Vec<DocumentKind>)>,
    ) -> Result<Prerequisites, Vec<DocumentKind>> {
        let table = Prerequisites(pairs.into_iter().collect());
        for start in table.0.keys() {
            if let Some(cycle) = table.cycle_from(*start, &mut vec![*start]) {
                return Err(cycle);
            }
        }
        Ok(table)
    }

    fn cycle_from(&self, kind: DocumentKind, path: &mut Vec<DocumentKind>) -> Option<Vec<DocumentKind>> {
        for &next in self.of(kind) {
            if next == path[0] {
                let mut cycle = path.clone();
                cycle.push(next);
                return Some(cycle);
            }
            if path.contains(&next) {
                continue; // a cycle that does not pass through the start is found from its own kinds
            }
            path.push(next);
            if let Some(cycle) = self.cycle_from(next, path) {
                return Some(cycle);
            }
            path.pop();
        }
        None
    }

    /// The kinds that must be finalised before `kind`.
    pub fn of(&self, kind: DocumentKind) -> &[DocumentKind] {
        self.0.get(&kind).map_or(&[], Vec::as_slice)
    }
}

use Stage as S;
const OPEN_AFTER_DECISION: &[Stage] = &[S::DaCoQuyetDinh, S::DaKiemTra, S::DaLapBienBanViPham];

/// The transition table, in process order.
pub const STEPS: &[StepRule] = &[
    StepRule { kind: K::QdKiemTra, from: &[S::Moi], leads_to: Some(S::DaCoQuyetDinh) },
    StepRule { kind: K::QdSuaDoiKiemTra, from: &[S::DaCoQuyetDinh], leads_to: None },
    StepRule { kind: K::BbKiemTra, from: &[S::DaCoQuyetDinh], leads_to: Some(S::DaKiemTra) },
    StepRule { kind: K::PhuLuc, from: OPEN_AFTER_DECISION, leads_to: None },
    StepRule { kind: K::BangKe, from: OPEN_AFTER_DECISION, leads_to: None },
    StepRule { kind: K::BbLamViec, from: OPEN_AFTER_DECISION, leads_to: None },
    StepRule { kind: K::QdTamGiu, from: OPEN_AFTER_DECISION, leads_to: None },
    StepRule { kind: K::BbTamGiu, from: OPEN_AFTER_DECISION, leads_to: None },
    StepRule { kind: K::BbNiemPhong, from: OPEN_AFTER_DECISION, leads_to: None },
    StepRule { kind: K::TemNiemPhong, from: OPEN_AFTER_DECISION, leads_to: None },
    // Goods stay sealed past the sanction decision, so unsealing is allowed after it.
    StepRule {
        kind: K::BbMoNiemPhong,
        from: &[S::DaCoQuyetDinh, S::DaKiemTra, S::DaLapBienBanViPham, S::DaXuPhat],

        leads_to: None,
    },
    StepRule { kind: K::BbViPham, from: &[S::DaKiemTra], leads_to: Some(S::DaLapBienBanViPham) },
    // The superior's extension of the time to decide the sanction (khoản 1 Điều 66), after the
    // record; a seizure is extended by MQĐ21 (qd-keo-dai-tam-giu) since 1/7/2025.
    StepRule { kind: K::GiaHan, from: &[S::DaLapBienBanViPham], leads_to: None },
    StepRule { kind: K::QdXuPhat, from: &[S::DaLapBienBanViPham], leads_to: Some(S::DaXuPhat) },
    // A warning or small fine on the spot needs no record and may come with or without an inspection decision.
    StepRule {
        kind: K::QdXuPhatKhongLapBienBan,
        from: &[S::Moi, S::DaCoQuyetDinh, S::DaKiemTra],

        leads_to: Some(S::DaXuPhat),
    },
    // The fine was paid: recorded after the sanction decision, the case being closed.
    StepRule { kind: K::XacNhanNopPhat, from: &[S::DaXuPhat], leads_to: None },
    // The seizure's follow-ups (NĐ 118 MQĐ21, MBB16, MBB04, MQĐ41): while the case is open.
    StepRule { kind: K::QdKeoDaiTamGiu, from: OPEN_AFTER_DECISION, leads_to: None },
    StepRule { kind: K::BbTraLaiKhongQd, from: OPEN_AFTER_DECISION, leads_to: None },
    StepRule { kind: K::BbXacDinhGiaTri, from: OPEN_AFTER_DECISION, leads_to: None },
    StepRule { kind: K::QdTrungCauGiamDinh, from: OPEN_AFTER_DECISION, leads_to: None },
    // Seized goods go back (MQĐ24, MBB17) while the case is open, or once it closed with
    // no violation or a sanction that did not confiscate them.
    StepRule { kind: K::QdTraLai, from: RETURN_STAGES, leads_to: None },
    StepRule { kind: K::BbTraLai, from: RETURN_STAGES, leads_to: None },
    // The hearing and the verification follow the violation record (MBB03, MBB05).
    StepRule { kind: K::BbGiaiTrinh, from: &[S::DaLapBienBanViPham], leads_to: None },
    StepRule { kind: K::BbXacMinh, from: &[S::DaLapBienBanViPham], leads_to: None },
    // Without a sanction decision: confiscation (MQĐ14) and remedies (MQĐ15).
    StepRule { kind: K::QdTichThu, from: &[S::DaKiemTra, S::DaLapBienBanViPham], leads_to: None },
    StepRule { kind: K::QdKhacPhuc, from: &[S::DaKiemTra, S::DaLapBienBanViPham], leads_to: None },
    // Confiscation and destruction carry out a sanction decision or an MQĐ14.
    StepRule { kind: K::BbTichThu, from: &[S::DaKiemTra, S::DaLapBienBanViPham, S::DaXuPhat], leads_to: None },
    StepRule { kind: K::BbTieuHuy, from: &[S::DaKiemTra, S::DaLapBienBanViPham, S::DaXuPhat], leads_to: None },
    // Made only on a decision ("Sửa đổi, bổ sung", "Đính chính", "Hủy bỏ" on it), in any
    // stage but a cancelled case: never started on their own.
    StepRule { kind: K::QdSuaDoiBoSung, from: &[], leads_to: None },
    StepRule { kind: K::QdDinhChinh, from: &[], leads_to: None },
    StepRule { kind: K::QdHuyBo, from: &[], leads_to: None },
];

/// Where seized goods may be returned.
const RETURN_STAGES: &[Stage] = &[S::DaCoQuyetDinh, S::DaKiemTra, S::DaLapBienBanViPham, S::KhongViPham, S::DaXuPhat];

/// The row of the table for a kind.
pub fn rule(kind: DocumentKind) -> &'static StepRule {
    STEPS.iter().find(|r| r.kind == kind).expect("every kind has a row")
}

/// The stage of a case, derived from its finalised documents and its closure.
pub fn stage(case: &Case) -> Stage {
    match case.closure {
        Some(Closure::Cancelled { .. }) => return Stage::DaHuy,
        Some(Closure::NoViolation { .. }) => return Stage::KhongViPham,
        None => {}
    }
    case.documents
        .iter()
        .filter(|d| d.state == DocumentState::Finalised)
        .filter_map(|d| rule(d.kind).leads_to)
        .max()
        .unwrap_or(Stage::Moi)
}

/// Something that happens to a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A new draft document of a kind.
    StartDocument { id: Uuid, kind: DocumentKind, at: NaiveDateTime },
    /// A draft is finalised with the number the store reserved for it (none for unnumbered kinds).
    FinaliseDocument { id: Uuid, number: Option<DocumentNumber>, at: NaiveDateTime },
    /// A draft or finalised document is cancelled with a reason.
    CancelDocument { id: Uuid, reason: String, at: NaiveDateTime },
    /// A new draft that amends a finalised document: for a decision in sanctioning, a
    /// decision of kind `with` (MQĐ38 amend, MQĐ39 correct, MQĐ40 annul); otherwise a new
    /// document of the same kind.
    AmendDocument {
        original: Uuid,
        id: Uuid,
        at: NaiveDateTime,
        #[serde(default)]
        with: Option<DocumentKind>,
    },
    /// The inspection found no violation; the case closes.
    CloseNoViolation { at: NaiveDateTime },
    /// The whole case is abandoned.
    CancelCase { reason: String, at: NaiveDateTime },
}

impl Event {
    /// When the event happened.
    pub fn at(&self) -> NaiveDateTime {
        match self {
            Event::StartDocument { at, .. }
            | Event::FinaliseDocument { at, .. }
            | Event::CancelDocument { at, .. }
            | Event::AmendDocument { at, .. }
            | Event::CloseNoViolation { at }
            | Event::CancelCase { at, .. } => *at,
        }
    }
}

/// What the shell must do after a transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    /// Record the number as used (never to be reused).
    NumberUsed(DocumentNumber),
    /// Record the number as cancelled.
    NumberCancelled(DocumentNumber),
    /// Render the finalised document to PDF.
    RenderPdf(Uuid),
    /// The case closed in this stage.
    CaseClosed(Stage),
}

/// Why an event was refused. These are the expected "not allowed now" answers, not failures.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WorkflowError {
    #[error("{kind} requires a finalised {missing}")]
    Missing { kind: DocumentKind, missing: DocumentKind },
    #[error("{kind} cannot be made when the case is {stage:?}")]
    WrongStage { kind: DocumentKind, stage: Stage },
    #[error("the case is closed ({stage:?})")]
    CaseClosed { stage: Stage },
    #[error("no document {id} in this case")]
    UnknownDocument { id: Uuid },
    #[error("document {id} already exists")]
    DuplicateDocument { id: Uuid },
    #[error("document is {state:?}, only a draft can be changed or finalised")]
    NotDraft { state: DocumentState },
    #[error("document is {state:?}, only a finalised document can be amended")]
    NotFinalised { state: DocumentState },
    #[error("{kind} is numbered: a number is needed to finalise it")]
    NumberMissing { kind: DocumentKind },
    #[error("{kind} takes no number of its own")]
    NumberNotExpected { kind: DocumentKind },
    #[error("{dependent} still rests on this document; cancel it first")]
    HasDependent { dependent: DocumentKind },
    #[error("closing without violation needs a finalised inspection record and no violation record")]
    CannotCloseNoViolation,
    #[error("a reason is required")]
    ReasonMissing,
    #[error("a {kind} is changed only by a decision amending (MQĐ38), correcting (MQĐ39) or annulling (MQĐ40) it")]
    DecisionChangedByDecision { kind: DocumentKind },
    #[error("{kind} is made on a decision, not on its own")]
    OnlyOnADecision { kind: DocumentKind },
    #[error("{kind} cannot follow a finalised {by}")]
    ExcludedBy { kind: DocumentKind, by: DocumentKind },
    #[error("a draft {kind} is already open; continue it or cancel it first")]
    DraftOpen { kind: DocumentKind },
}

impl Bilingual for WorkflowError {
    fn vi(&self) -> String {
        match self {
            WorkflowError::Missing { missing, .. } => format!("Cần có {} đã hoàn tất", missing.title_vi()),
            WorkflowError::WrongStage { kind, stage } => {
                format!("Không thể lập {} khi vụ việc ở trạng thái “{}”", kind.title_vi(), stage.vi())
            }
            WorkflowError::CaseClosed { stage } => format!("Vụ việc đã kết thúc ({})", stage.vi()),
            WorkflowError::UnknownDocument { .. } => "Không tìm thấy văn bản trong vụ việc".into(),
            WorkflowError::DuplicateDocument { .. } => "Văn bản đã tồn tại".into(),
            WorkflowError::NotDraft { state } => {
                format!("Văn bản {} — chỉ bản nháp mới được sửa hoặc hoàn tất", state.vi().to_lowercase())
            }
            WorkflowError::NotFinalised { .. } => "Chỉ văn bản đã hoàn tất mới được sửa đổi, bổ sung".into(),
            WorkflowError::NumberMissing { kind } => format!("{} cần được cấp số khi hoàn tất", kind.title_vi()),
            WorkflowError::NumberNotExpected { kind } => format!("{} không có số riêng", kind.title_vi()),
            WorkflowError::HasDependent { dependent } => {
                format!("{} đang dựa trên văn bản này; cần hủy văn bản đó trước", dependent.title_vi())
            }
            WorkflowError::CannotCloseNoViolation => {
                "Chỉ kết thúc “không vi phạm” khi đã có Biên bản kiểm tra và chưa có Biên bản vi phạm hành chính".into()
            }
            WorkflowError::ReasonMissing => "Cần ghi lý do".into(),
            WorkflowError::DecisionChangedByDecision { kind } => format!(
                "{} đã ban hành chỉ được sửa đổi, bổ sung, hủy bỏ một phần (MQĐ38), đính chính (MQĐ39) hoặc hủy bỏ (MQĐ40) bằng quyết định (khoản 3 Điều 18 Luật Xử lý vi phạm hành chính; Điều 13, 14 Nghị định 118/2021/NĐ-CP)",
                kind.title_vi()
            ),
            WorkflowError::ExcludedBy { kind, by } => match (kind, by) {
                (K::BbTraLaiKhongQd, K::QdTamGiu) => "Đã có Quyết định tạm giữ: tang vật được trả lại bằng Quyết định trả lại (MQĐ24) và Biên bản trả lại (MBB17); Biên bản trả lại (MBB16) chỉ dùng khi không ra quyết định tạm giữ (điểm c khoản 4 Điều 125 Luật Xử lý vi phạm hành chính, sửa đổi năm 2025)".into(),
                _ => format!("Không lập {} sau khi đã có {}", kind.title_vi(), by.title_vi()),
            },
            WorkflowError::DraftOpen { kind } => format!(
                "Đang có một {} chưa hoàn tất: bấm “Tiếp tục soạn” ở danh sách văn bản, hoặc hủy bản nháp đó trước",
                kind.title_vi()
            ),
            WorkflowError::OnlyOnADecision { kind } => {
                format!(
                    "{} được lập từ quyết định cần sửa đổi, đính chính hoặc hủy bỏ (nút trên quyết định đó)",
                    kind.title_vi()
                )
            }
        }
    }
}

/// Kinds that may not be made once another is finalised: MBB16 returns seized goods when no
/// seizure decision follows the seizure record (the goods of a seizure decision go back by
/// MQĐ24 and MBB17).
const EXCLUDED_BY: &[(DocumentKind, DocumentKind)] = &[(K::BbTraLaiKhongQd, K::QdTamGiu)];

/// Checks that a document of `kind` may be made now, for a new draft or for finalisation.
pub fn check_step(prerequisites: &Prerequisites, case: &Case, kind: DocumentKind) -> Result<(), WorkflowError> {
    let stage = stage(case);
    let row = rule(kind);
    if stage == Stage::DaHuy || (stage.is_closed() && !row.from.contains(&stage)) {
        return Err(WorkflowError::CaseClosed { stage });
    }
    if let Some(&(_, by)) = EXCLUDED_BY.iter().find(|(k, by)| *k == kind && case.has_finalised(*by)) {
        return Err(WorkflowError::ExcludedBy { kind, by });
    }
    if let Some(&missing) = prerequisites.of(kind).iter().find(|&&k| !case.has_prerequisite(k)) {
        return Err(WorkflowError::Missing { kind, missing });
    }
    if !row.from.contains(&stage) {
        return Err(WorkflowError::WrongStage { kind, stage });
    }
    Ok(())
}

/// Applies an event to a case: the new case and the effects, or why not.
/// `prerequisites` come from the form definitions in force (`forms::Catalog::prerequisites`).
pub fn apply(prerequisites: &Prerequisites, case: &Case, event: Event) -> Result<(Case, Vec<Effect>), WorkflowError> {
    let mut next = case.clone();
    let mut effects = Vec::new();
    match event {
        Event::StartDocument { id, kind, at } => {
            ensure_new_id(case, id)?;
            if kind.acts_on_decision() {
                return Err(WorkflowError::OnlyOnADecision { kind });
            }
            check_step(prerequisites, case, kind)?;
            // One draft of a kind at a time: a second one was a slip (the step is offered
            // again while the first is being written).
            if case.documents.iter().any(|d| d.kind == kind && d.state == DocumentState::Draft && d.amends.is_none()) {
                return Err(WorkflowError::DraftOpen { kind });
            }
            next.documents.push(Document::draft(id, kind, at));
        }
        Event::AmendDocument { original, id, at, with } => {
            ensure_new_id(case, id)?;
            let stage = stage(case);
            if stage == Stage::DaHuy {
                return Err(WorkflowError::CaseClosed { stage });
            }
            let source = case.document(original).ok_or(WorkflowError::UnknownDocument { id: original })?;
            if source.state != DocumentState::Finalised {
                return Err(WorkflowError::NotFinalised { state: source.state });
            }
            // A decision in sanctioning is changed by a decision of its own (MQĐ38/39/40), which
            // starts empty; an inspection decision by its amending decision, and every other
            // document by a new document of the same kind, both starting from its content.
            let kind = match (source.kind.is_sanction_decision(), with) {
                (true, Some(k)) if k.acts_on_decision() => k,
                (true, _) => return Err(WorkflowError::DecisionChangedByDecision { kind: source.kind }),
                (false, Some(k)) if k != source.kind => return Err(WorkflowError::OnlyOnADecision { kind: k }),
                (false, _) if source.kind == K::QdKiemTra => K::QdSuaDoiKiemTra,
                (false, _) => source.kind,
            };
            let mut draft = Document::draft(id, kind, at);
            draft.amends = Some(original);
            if !kind.acts_on_decision() {
                draft.fields = source.fields.clone();
            }
            draft.signatures.clear();
            next.documents.push(draft);
        }
        Event::FinaliseDocument { id, number, at } => {
            finalise(prerequisites, case, &mut next, &mut effects, (id, number, at))?;
        }
        Event::CancelDocument { id, reason, at } => {
            if reason.trim().is_empty() {
                return Err(WorkflowError::ReasonMissing);
            }
            let doc = case.document(id).ok_or(WorkflowError::UnknownDocument { id })?;
            if doc.state == DocumentState::Cancelled {
                return Err(WorkflowError::NotDraft { state: doc.state });
            }
            if doc.state == DocumentState::Finalised {
                if doc.kind.is_sanction_decision() {
                    return Err(WorkflowError::DecisionChangedByDecision { kind: doc.kind });
                }
                ensure_no_dependent(prerequisites, case, doc)?;
            }
            let target = next.documents.iter_mut().find(|d| d.id == id).expect("found above");
            target.state = DocumentState::Cancelled;
            target.cancellation = Some(Cancellation { at, reason });
            effects.extend(target.number.clone().map(Effect::NumberCancelled));
        }
        Event::CloseNoViolation { at } => {
            if stage(case) != Stage::DaKiemTra {
                return Err(WorkflowError::CannotCloseNoViolation);
            }
            next.closure = Some(Closure::NoViolation { at });
            effects.push(Effect::CaseClosed(Stage::KhongViPham));
        }
        Event::CancelCase { reason, at } => {
            let stage = stage(case);
            if stage.is_closed() {
                return Err(WorkflowError::CaseClosed { stage });
            }
            if reason.trim().is_empty() {
                return Err(WorkflowError::ReasonMissing);
            }
            next.closure = Some(Closure::Cancelled { at, reason });
            effects.push(Effect::CaseClosed(Stage::DaHuy));
        }
    }
    Ok((next, effects))
}

/// Finalises the draft `id` of `case` into `next` with its number (reserved by the store):
/// the step checked again, the number as the kind requires, an annulment (MQĐ40) ending
/// the decision it annuls.
fn finalise(
    prerequisites: &Prerequisites,
    case: &Case,
    next: &mut Case,
    effects: &mut Vec<Effect>,
    (id, number, at): (Uuid, Option<DocumentNumber>, NaiveDateTime),
) -> Result<(), WorkflowError> {
    let doc = case.document(id).ok_or(WorkflowError::UnknownDocument { id })?;
    if doc.state != DocumentState::Draft {
        return Err(WorkflowError::NotDraft { state: doc.state });
    }
    if doc.amends.is_none() {
        check_step(prerequisites, case, doc.kind)?;
    } else if stage(case) == Stage::DaHuy {
        return Err(WorkflowError::CaseClosed { stage: Stage::DaHuy });
    }
    match (&number, doc.kind.is_numbered()) {
        (None, true) => return Err(WorkflowError::NumberMissing { kind: doc.kind }),
        (Some(_), false) => return Err(WorkflowError::NumberNotExpected { kind: doc.kind }),
        _ => {}
    }
    let before = stage(case);
    let target = next.documents.iter_mut().find(|d| d.id == id).expect("found above");
    target.state = DocumentState::Finalised;
    target.finalised_at = Some(at);
    target.number = number.clone();
    // An annulment (MQĐ40) ends the decision it annuls: kept, with its number used,
    // marked as annulled by this one.
    if let (K::QdHuyBo, Some(annulled)) = (doc.kind, doc.amends) {
        let by = number.as_ref().map(ToString::to_string).unwrap_or_default();
        if let Some(original) = next.documents.iter_mut().find(|d| d.id == annulled) {
            original.state = DocumentState::Cancelled;
            original.cancellation =
                Some(Cancellation { at, reason: format!("Hủy bỏ bởi Quyết định số {by}") });
        }
    }
    effects.extend(number.map(Effect::NumberUsed));
    effects.push(Effect::RenderPdf(id));
    let after = stage(next);
    if after != before && after.is_closed() {
        effects.push(Effect::CaseClosed(after));
    }
    Ok(())
}

fn ensure_new_id(case: &Case, id: Uuid) -> Result<(), WorkflowError> {
    match case.document(id) {
        Some(_) => Err(WorkflowError::DuplicateDocument { id }),
        None => Ok(()),
    }
}

/// A finalised document may be cancelled only when no active document rests on it through
/// the table: a prerequisite it alone meets (another finalised document of the same kind, or
/// another record of the seizure, still meets it).
fn ensure_no_dependent(prerequisites: &Prerequisites, case: &Case, doc: &Document) -> Result<(), WorkflowError> {
    let mut without = case.clone();
    without.documents.retain(|d| d.id != doc.id);
    let met_only_by_it = |k: &DocumentKind| case.has_prerequisite(*k) && !without.has_prerequisite(*k);
    let dependent = case
        .documents
        .iter()
        .filter(|d| d.id != doc.id && d.is_active())
        .find(|d| prerequisites.of(d.kind).iter().any(met_only_by_it));
    match dependent {
        Some(d) => Err(WorkflowError::HasDependent { dependent: d.kind }),
        None => Ok(()),
    }
}
