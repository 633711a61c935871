//! The unit's register of quyết định giao quyền (`domain::delegation`): a leader records
//! them; a decision whose signer is a deputy is refused without one in force on its date,
//! and, when finalised, cites it in its căn cứ (NĐ 118/2021 Điều 10 khoản 1).

use chrono::NaiveDate;

use super::users::Permission;
use super::{AppError, Workspace};
use crate::domain::delegation::{Delegation, DelegationScope, is_deputy_title};
use crate::domain::text::nfc;
use crate::domain::{Bilingual, Case, Document, Member, ValidationReport};

/// The meta key of the register.
const DELEGATIONS_KEY: &str = "delegations";

/// A delegation that cannot be recorded, or a decision a deputy may not sign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DelegationProblem {
    #[error("no member with card number {0}")]
    UnknownMember(String),
    #[error("{0} is not a deputy (its title does not start with \"Phó\")")]
    NotDeputy(String),
    #[error("the number is empty or already recorded: {0:?}")]
    Number(String),
    #[error("the term ends before it starts")]
    Term,
    #[error("no delegation numbered {0:?}")]
    Unknown(String),
    #[error("--scope must be xu-phat or kiem-tra, not {0:?}")]
    Scope(String),
    #[error("{name} is a deputy and no delegation ({scope}) is in force on {date}")]
    NotInForce { name: String, scope: &'static str, date: NaiveDate },
}

impl Bilingual for DelegationProblem {
    fn vi(&self) -> String {
        match self {
            DelegationProblem::UnknownMember(card) => format!("Không có thành viên số hiệu “{card}”"),
            DelegationProblem::NotDeputy(name) => {
                format!("{name} không phải cấp phó (chức vụ không bắt đầu bằng “Phó”): chỉ giao quyền cho cấp phó")
            }
            DelegationProblem::Number(n) => format!("Số quyết định giao quyền “{n}” trống hoặc đã có trong sổ"),
            DelegationProblem::Term => "Thời hạn giao quyền kết thúc trước khi bắt đầu".into(),
            DelegationProblem::Unknown(n) => format!("Không có quyết định giao quyền số “{n}” trong sổ"),
            DelegationProblem::Scope(s) => format!("Phạm vi giao quyền “{s}” không hợp lệ: xu-phat hoặc kiem-tra"),
            DelegationProblem::NotInForce { name, scope, date } => format!(
                "{name} là cấp phó: cần quyết định {scope} còn hiệu lực ngày {} (khoản 1 Điều 54 Luật Xử lý vi phạm hành chính; Điều 10 Nghị định 118/2021/NĐ-CP) — chưa có trong sổ giao quyền của đơn vị",
                date.format("%d/%m/%Y")
            ),
        }
    }
}

impl Workspace {
    /// Every delegation recorded, in the order recorded.
    pub fn delegations(&self) -> Result<Vec<Delegation>, AppError> {
        Ok(self.store.meta::<Vec<Delegation>>(DELEGATIONS_KEY)?.unwrap_or_default())
    }

    /// Records a delegation (a leader only): the deputy is a member whose title is a
    /// deputy's, the number is new, the term runs forward.
    pub fn add_delegation(&self, mut delegation: Delegation) -> Result<(), AppError> {
        self.require(Permission::Delegate)?;
        delegation.number = nfc(delegation.number.trim());
        let refuse = |p: DelegationProblem| AppError::Delegation(p);
        let member = self
            .unit()
            .and_then(|u| u.member(delegation.deputy_card.trim()))
            .ok_or_else(|| refuse(DelegationProblem::UnknownMember(delegation.deputy_card.clone())))?;
        if !is_deputy_title(&member.title) {
            return Err(refuse(DelegationProblem::NotDeputy(member.full_name.clone())));
        }
        let mut all = self.delegations()?;
        if delegation.number.is_empty() || all.iter().any(|d| d.number == delegation.number) {
            return Err(refuse(DelegationProblem::Number(delegation.number)));
        }
        if delegation.valid_to.is_some_and(|to| to < delegation.valid_from) {
            return Err(refuse(DelegationProblem::Term));
        }
        all.push(delegation);
        self.store.write(&self.actor(), |w| w.put_meta(DELEGATIONS_KEY, &all, "delegation.add"))?;
        Ok(())
    }

    /// Ends a delegation from `on` (a leader's decision ending it, Điều 10 khoản 4 điểm c).
    pub fn end_delegation(&self, number: &str, on: NaiveDate) -> Result<(), AppError> {
        self.require(Permission::Delegate)?;
        let mut all = self.delegations()?;
        let found = all
            .iter_mut()
            .find(|d| d.number == nfc(number.trim()))
            .ok_or_else(|| AppError::Delegation(DelegationProblem::Unknown(number.to_string())))?;
        found.ended_on = Some(on);
        self.store.write(&self.actor(), |w| w.put_meta(DELEGATIONS_KEY, &all, "delegation.end"))?;
        Ok(())
    }

    /// The member who signs a document: the one its form's `nguoi_ky` names.
    pub(crate) fn named_signer(&self, doc: &Document) -> Option<&Member> {
        let card = doc.fields.get(super::render::SIGNER_FIELD)?;
        self.unit()?.member(card.trim())
    }

    /// The delegation a decision signed by a deputy rests on, on `date`: `Ok(None)` when
    /// the signer is not a deputy (or the document is no decision), an error when the
    /// deputy has none in force.
    pub(crate) fn delegation_for(
        &self,
        doc: &Document,
        date: NaiveDate,
    ) -> Result<Option<Delegation>, DelegationProblem> {
        let (Some(scope), Some(signer)) = (DelegationScope::of(doc.kind), self.named_signer(doc)) else {
            return Ok(None);
        };
        if !is_deputy_title(&signer.title) {
            return Ok(None);
        }
        let register = self.delegations().unwrap_or_default();
        match register.into_iter().rev().find(|d| d.covers(&signer.card_number, scope, date)) {
            Some(d) => Ok(Some(d)),
            None => Err(DelegationProblem::NotInForce { name: signer.full_name.clone(), scope: scope.vi(), date }),
        }
    }

    /// The check the wizard shows beside the signer and finalising enforces.
    pub(crate) fn check_delegation(&self, doc: &Document, date: NaiveDate, report: &mut ValidationReport) {
        if let Err(problem) = self.delegation_for(doc, date) {
            report.error(format!("field.{}", super::render::SIGNER_FIELD), &problem);
        }
    }

    /// Writes the delegation's number and date into the căn cứ fields of a decision a
    /// deputy signs, where the member left them empty (done as it is finalised, so the
    /// signed text never changes with the register).
    pub(crate) fn cite_delegation(&self, case: &mut Case, id: uuid::Uuid, date: NaiveDate) {
        let Some(doc) = case.documents.iter_mut().find(|d| d.id == id) else { return };
        let Ok(Some(delegation)) = self.delegation_for(doc, date) else { return };
        let form = self.catalog.form(doc.kind, date);
        let mut fill = |field: &str, value: String| {
            if form.field(field).is_some() && doc.fields.get(field).is_none_or(|v| v.trim().is_empty()) {
                doc.fields.insert(field.to_string(), value);
            }
        };
        fill("so_qd_giao_quyen", delegation.number.clone());
        fill("ngay_qd_giao_quyen", delegation.signed_on.format("%d/%m/%Y").to_string());
        fill("giao_quyen", format!("Quyết định số {}", delegation.citation()));
    }
}
