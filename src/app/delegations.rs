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
    #[error("{0} may not record or end a delegation: only the head of the unit, for a deputy")]
    NotHead(String),
    #[error("{0} (inspector) has no competence to sign a decision")]
    NoCompetence(String),
    #[error("only the decision's signer, {0}, may finalise it")]
    NotSigner(String),
    #[error("{0} gives the competence to issue inspection decisions: MQĐ34 is the form of a delegation to sanction")]
    NotMqd34(String),
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
            DelegationProblem::NotMqd34(n) => format!(
                "Quyết định số “{n}” giao quyền ban hành quyết định kiểm tra: Mẫu quyết định số 34 (Nghị định 118/2021/NĐ-CP) chỉ dùng cho giao quyền xử phạt vi phạm hành chính"
            ),
            DelegationProblem::Scope(s) => format!("Phạm vi giao quyền “{s}” không hợp lệ: xu-phat hoặc kiem-tra"),
            DelegationProblem::NotHead(name) => format!(
                "{name} không ghi hoặc chấm dứt được quyết định giao quyền: chỉ cấp trưởng giao quyền cho cấp phó (khoản 1 Điều 54 Luật Xử lý vi phạm hành chính)"
            ),
            DelegationProblem::NoCompetence(name) => {
                format!("{name} không có thẩm quyền ký quyết định: người ký là cấp trưởng hoặc cấp phó được giao quyền")
            }
            DelegationProblem::NotSigner(name) => {
                format!("Chỉ người ký quyết định ({name}) mới hoàn tất được quyết định này")
            }
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
        self.require_head(Some(delegation.deputy_card.trim()))?;
        delegation.number = nfc(delegation.number.trim());
        delegation.deputy_card = delegation.deputy_card.trim().to_string();
        // The number is printed on every decision the deputy signs under it.
        let mut report = crate::domain::ValidationReport::default();
        super::printable::check(&mut report, &delegation.number, || {
            ("delegation.number".into(), "Số quyết định giao quyền".into())
        });
        if !report.is_ok() {
            return Err(AppError::Invalid(report));
        }
        let refuse = |p: DelegationProblem| AppError::Delegation(p);
        let member = self
            .unit()
            .and_then(|u| u.member(&delegation.deputy_card))
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
        self.require_head(None)?;
        let mut all = self.delegations()?;
        let found = all
            .iter_mut()
            .find(|d| d.number == nfc(number.trim()))
            .ok_or_else(|| AppError::Delegation(DelegationProblem::Unknown(number.to_string())))?;
        found.ended_on = Some(on);
        self.store.write(&self.actor(), |w| w.put_meta(DELEGATIONS_KEY, &all, "delegation.end"))?;
        Ok(())
    }

    /// Only the head of the unit gives or ends a delegation, never to himself: a leader by
    /// role whose title is not a deputy's (without accounts, the demo, anyone).
    fn require_head(&self, deputy: Option<&str>) -> Result<(), AppError> {
        self.require(Permission::Delegate)?;
        match self.signed_in() {
            Some(m) if is_deputy_title(&m.title) || deputy == Some(m.card_number.as_str()) => {
                Err(AppError::Delegation(DelegationProblem::NotHead(m.full_name)))
            }
            _ => Ok(()),
        }
    }

    /// The member who signs a document: the one its form's `nguoi_ky` names.
    pub(crate) fn named_signer(&self, doc: &Document) -> Option<&Member> {
        let card = doc.fields.get(super::render::SIGNER_FIELD)?;
        self.unit()?.member(card.trim())
    }

    /// Who signs a decision: the member it names, else the unit's leader (forms without
    /// `nguoi_ky`). The printed signature and the ceiling check both ask here.
    pub(crate) fn signer_of(&self, doc: &Document) -> Option<&Member> {
        self.named_signer(doc).or_else(|| self.unit()?.leader())
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

    /// The check the wizard shows beside the signer and finalising enforces: a decision's
    /// signer is a leader (the head, or a deputy under a delegation in force), and the
    /// member who finalises it — signs it — is that signer.
    pub(crate) fn check_delegation(&self, doc: &Document, date: NaiveDate, report: &mut ValidationReport) {
        let path = format!("field.{}", super::render::SIGNER_FIELD);
        let Some(signer) = self.named_signer(doc).filter(|_| DelegationScope::of(doc.kind).is_some()) else {
            return;
        };
        if signer.role != crate::domain::Role::Leader {
            report.error(path, &DelegationProblem::NoCompetence(signer.full_name.clone()));
            return;
        }
        if let Err(problem) = self.delegation_for(doc, date) {
            report.error(path.clone(), &problem);
        }
        if self.signed_in().is_some_and(|m| m.card_number != signer.card_number) {
            report.error(path, &DelegationProblem::NotSigner(signer.full_name.clone()));
        }
    }

    /// Writes into the căn cứ fields of a decision, as it is finalised, the delegation its
    /// deputy signer rests on — or nothing when the head signs (an amendment copies the
    /// fields of the decision it amends, whose citation may not be this one's). Frozen in
    /// the document, the signed text never changes with the register.
    pub(crate) fn cite_delegation(&self, case: &mut Case, id: uuid::Uuid, date: NaiveDate) {
        let Some(doc) = case.documents.iter_mut().find(|d| d.id == id) else { return };
        if DelegationScope::of(doc.kind).is_none() {
            return;
        }
        let delegation = self.delegation_for(doc, date).ok().flatten();
        let form = self.catalog.form(doc.kind, date);
        let mut set = |field: &str, value: Option<String>| {
            if form.field(field).is_some() {
                doc.fields.insert(field.to_string(), value.unwrap_or_default());
            }
        };
        set("so_qd_giao_quyen", delegation.as_ref().map(|d| d.number.clone()));
        set("ngay_qd_giao_quyen", delegation.as_ref().map(|d| d.signed_on.format("%d/%m/%Y").to_string()));
        set("giao_quyen", delegation.as_ref().map(|d| format!("Quyết định số {}", d.citation())));
    }
}

impl Workspace {
    /// The delegation numbered `number` printed from its gazetted form (MQĐ34, Quyết định về
    /// việc giao quyền xử phạt vi phạm hành chính), signed by the unit's head. `basis` is the
    /// act on the unit's functions and organisation the decision cites (căn cứ (4)); without
    /// it the line is left to fill by hand.
    pub fn delegation_print(&self, number: &str, basis: Option<&str>) -> Result<crate::pdf::PrintDocument, AppError> {
        use crate::domain::text::date_in_words;
        let number = nfc(number.trim());
        let delegation = self
            .delegations()?
            .into_iter()
            .find(|d| d.number == number)
            .ok_or_else(|| AppError::Delegation(DelegationProblem::Unknown(number.clone())))?;
        if delegation.scope != DelegationScope::Sanction {
            return Err(AppError::Delegation(DelegationProblem::NotMqd34(number)));
        }
        let form = crate::forms::delegation_form().map_err(|e| AppError::Render(e.to_string()))?;
        let unit = self.unit();
        let names = unit.and_then(|u| u.names_on(delegation.signed_on));
        let doi = names.map(|n| n.doi.clone()).unwrap_or_default();
        let head = unit.and_then(|u| u.leader());
        let deputy = unit.and_then(|u| u.member(&delegation.deputy_card));
        let signing = head.map(|h| super::render::signing_titles(&h.title, &doi));
        let day = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
        let mut values = std::collections::BTreeMap::new();
        let mut put = |k: &str, v: String| {
            values.insert(k.to_string(), v);
        };
        put("unit.doi", doi.clone());
        put("doc.authority", signing.as_ref().map(|t| t.authority.clone()).unwrap_or_default());
        put("doc.signer_title", signing.as_ref().map(|t| t.signature.clone()).unwrap_or_default());
        put("doc.signer_name", head.map(|h| h.full_name.clone()).unwrap_or_default());
        put("field.can_cu_chuc_nang", basis.map(|b| nfc(b.trim())).unwrap_or_default());
        put("field.nguoi_duoc_giao", deputy.map(|m| m.full_name.clone()).unwrap_or_default());
        put("field.chuc_vu_nguoi_duoc_giao", deputy.map(|m| m.title.clone()).unwrap_or_default());
        let (scope, term) = match delegation.valid_to {
            Some(to) => ("Thường xuyên", format!("từ ngày {} đến ngày {}", day(delegation.valid_from), day(to))),
            None => ("Theo vụ việc", String::new()),
        };
        put("field.pham_vi", scope.to_string());
        put("field.thoi_han", term);
        put(
            "field.noi_dung",
            "Thực hiện việc xử phạt vi phạm hành chính, áp dụng các biện pháp ngăn chặn và bảo đảm xử phạt vi phạm hành chính theo quy định tại các khoản 2, 3, 4, 5, 6 và 7 Điều 119 Luật Xử lý vi phạm hành chính".to_string(),
        );
        put("field.tham_quyen_cua", head.map(|h| format!("{} {doi}", nfc(h.title.trim()))).unwrap_or_default());
        put("field.tu_ngay", day(delegation.valid_from));
        let blocks = super::render::layout_blocks(&form, &values, None);
        let place = self.unit_place();
        let fingerprint = {
            use sha2::Digest;
            hex::encode(&sha2::Sha256::digest(format!("{delegation:?}|{basis:?}").as_bytes())[..6])
        };
        Ok(crate::pdf::PrintDocument {
            title: format!("{} {}", form.identity.title, delegation.number),
            header: crate::pdf::Header {
                parent_body: names.map(|n| n.chi_cuc.to_uppercase()).unwrap_or_default(),
                unit: doi.to_uppercase(),
                number_line: format!("Số: {}", delegation.number),
                place_date: format!("{place}, {}", date_in_words(delegation.signed_on)),
            },
            blocks,
            footer: format!("Số {} · Sổ giao quyền · Mã kiểm tra {fingerprint}", delegation.number),
            qr: format!("anchi:giao-quyen:{}:{fingerprint}", delegation.number),
        })
    }

    /// [`Workspace::delegation_print`] rendered to PDF bytes.
    pub fn delegation_pdf(&self, number: &str, basis: Option<&str>) -> Result<Vec<u8>, AppError> {
        let print = self.delegation_print(number, basis)?;
        Ok(crate::pdf::render(&print)?)
    }
}
