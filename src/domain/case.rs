//! A case (vụ việc): one subject, one inspection, its goods and its linked documents.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::document::{Document, DocumentKind, DocumentState};
use super::parties::Parties;
use super::subject::Subject;

/// A line of goods, shared by every document that lists goods (Bảng kê, BB tạm giữ …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoodsLine {
    pub id: Uuid,
    /// Tên hàng hóa, nhãn hiệu.
    pub name: String,
    /// Đơn vị tính.
    pub unit: String,
    pub quantity: f64,
    /// Xuất xứ.
    #[serde(default)]
    pub origin: String,
    /// Tình trạng.
    #[serde(default)]
    pub condition: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub unit_price_vnd: Option<u64>,
}

impl GoodsLine {
    /// Quantity × unit price, rounded to the dong, when a price is known.
    pub fn value_vnd(&self) -> Option<u64> {
        self.unit_price_vnd.map(|p| (p as f64 * self.quantity).round() as u64)
    }
}

/// A photo or scan, stored content-addressed by its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub sha256: String,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: u64,
    pub added_at: NaiveDateTime,
}

/// How a case ended other than by a sanction decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Closure {
    /// Inspected, no violation found.
    NoViolation { at: NaiveDateTime },
    /// The case was abandoned, with a reason.
    Cancelled { at: NaiveDateTime, reason: String },
}

/// A case: the unit of work of the team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub id: Uuid,
    pub unit_code: String,
    pub opened_at: NaiveDateTime,
    /// Lĩnh vực code from the reference list (`hang-gia`, `nhan-hang-hoa` …).
    pub field: String,
    pub subject: Subject,
    /// Card numbers of the members on the case; the first is the head of the team.
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    pub goods: Vec<GoodsLine>,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    #[serde(default)]
    pub documents: Vec<Document>,
    #[serde(default)]
    pub closure: Option<Closure>,
    /// The proposed or imposed fine, when one is known (for the list and statistics).
    #[serde(default)]
    pub fine_vnd: Option<u64>,
    /// The witness, the commune's representative, the injured party and the interpreter,
    /// entered once and offered to each document (stored records before it: version 1).
    #[serde(default)]
    pub parties: Parties,
}

impl Case {
    /// An empty case for a subject.
    pub fn open(id: Uuid, unit_code: &str, at: NaiveDateTime, field: &str, subject: Subject) -> Case {
        Case {
            id,
            unit_code: unit_code.to_string(),
            opened_at: at,
            field: field.to_string(),
            subject,
            members: Vec::new(),
            goods: Vec::new(),
            attachments: Vec::new(),
            documents: Vec::new(),
            closure: None,
            fine_vnd: None,
            parties: Parties::default(),
        }
    }

    pub fn document(&self, id: Uuid) -> Option<&Document> {
        self.documents.iter().find(|d| d.id == id)
    }

    /// True when a finalised, not cancelled document of `kind` exists.
    pub fn has_finalised(&self, kind: DocumentKind) -> bool {
        self.documents.iter().any(|d| d.kind == kind && d.state == DocumentState::Finalised)
    }

    /// The finalised documents that stand for a document of `kind`: those of the kind, and
    /// for a seizure record (MBB15) also the violation records that seized the goods as they
    /// were made (điểm b khoản 4 Điều 125 Luật XLVPHC as amended by Luật 88/2025: no seizure
    /// record is then made). The workflow's prerequisites and the forms' time rules ask here.
    pub fn finalised_as(&self, kind: DocumentKind) -> impl Iterator<Item = &Document> {
        self.documents.iter().filter(|d| d.state == DocumentState::Finalised).filter(move |d| {
            d.kind == kind
                || kind == DocumentKind::BbTamGiu
                    && d.kind == DocumentKind::BbViPham
                    && d.fields.get(super::document::SEIZED_IN_RECORD_FIELD).is_some_and(|v| !v.trim().is_empty())
        })
    }

    /// Whether a prerequisite of `kind` is met ([`Case::finalised_as`]).
    pub fn has_prerequisite(&self, kind: DocumentKind) -> bool {
        self.finalised_as(kind).next().is_some()
    }

    /// The total value of goods with a known price.
    pub fn goods_value_vnd(&self) -> u64 {
        self.goods.iter().filter_map(GoodsLine::value_vnd).sum()
    }
}
