//! Documents of a case: their kinds (the legal forms), states and numbers.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDateTime};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The kinds of document of domain brief §2. The Rust name keeps the Vietnamese term;
/// the stable code (`qd-kiem-tra` …) names the form file in `forms/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentKind {
    QdKiemTra,
    QdSuaDoiKiemTra,
    BbKiemTra,
    PhuLuc,
    BangKe,
    BbLamViec,
    QdTamGiu,
    BbTamGiu,
    BbNiemPhong,
    BbMoNiemPhong,
    TemNiemPhong,
    BbViPham,
    QdXuPhat,
    QdXuPhatKhongLapBienBan,
    // Added later: stored records number the kinds by their place here, so new kinds go last.
    GiaHan,
    XacNhanNopPhat,
}

impl DocumentKind {
    /// Every kind, in process order.
    pub const ALL: [DocumentKind; 16] = [
        DocumentKind::QdKiemTra,
        DocumentKind::QdSuaDoiKiemTra,
        DocumentKind::BbKiemTra,
        DocumentKind::PhuLuc,
        DocumentKind::BangKe,
        DocumentKind::BbLamViec,
        DocumentKind::QdTamGiu,
        DocumentKind::BbTamGiu,
        DocumentKind::BbNiemPhong,
        DocumentKind::TemNiemPhong,
        DocumentKind::BbMoNiemPhong,
        DocumentKind::BbViPham,
        DocumentKind::GiaHan,
        DocumentKind::QdXuPhat,
        DocumentKind::QdXuPhatKhongLapBienBan,
        DocumentKind::XacNhanNopPhat,
    ];

    /// The stable code used in files and JSON.
    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::QdKiemTra => "qd-kiem-tra",
            DocumentKind::QdSuaDoiKiemTra => "qd-sua-doi-kiem-tra",
            DocumentKind::BbKiemTra => "bb-kiem-tra",
            DocumentKind::PhuLuc => "phu-luc",
            DocumentKind::BangKe => "bang-ke",
            DocumentKind::BbLamViec => "bb-lam-viec",
            DocumentKind::QdTamGiu => "qd-tam-giu",
            DocumentKind::BbTamGiu => "bb-tam-giu",
            DocumentKind::BbNiemPhong => "bb-niem-phong",
            DocumentKind::BbMoNiemPhong => "bb-mo-niem-phong",
            DocumentKind::TemNiemPhong => "tem-niem-phong",
            DocumentKind::BbViPham => "bb-vi-pham",
            DocumentKind::QdXuPhat => "qd-xu-phat",
            DocumentKind::QdXuPhatKhongLapBienBan => "qd-xu-phat-khong-lap-bien-ban",
            DocumentKind::GiaHan => "gia-han",
            DocumentKind::XacNhanNopPhat => "xac-nhan-nop-phat",
        }
    }

    pub fn from_code(code: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The Vietnamese name, as used in messages ("Cần có … đã hoàn tất").
    pub fn title_vi(self) -> &'static str {
        match self {
            DocumentKind::QdKiemTra => "Quyết định kiểm tra",
            DocumentKind::QdSuaDoiKiemTra => "Quyết định sửa đổi, bổ sung quyết định kiểm tra",
            DocumentKind::BbKiemTra => "Biên bản kiểm tra",
            DocumentKind::PhuLuc => "Phụ lục",
            DocumentKind::BangKe => "Bảng kê",
            DocumentKind::BbLamViec => "Biên bản làm việc",
            DocumentKind::QdTamGiu => "Quyết định tạm giữ tang vật, phương tiện",
            DocumentKind::BbTamGiu => "Biên bản tạm giữ tang vật, phương tiện",
            DocumentKind::BbNiemPhong => "Biên bản niêm phong",
            DocumentKind::BbMoNiemPhong => "Biên bản mở niêm phong",
            DocumentKind::TemNiemPhong => "Tem niêm phong",
            DocumentKind::BbViPham => "Biên bản vi phạm hành chính",
            DocumentKind::QdXuPhat => "Quyết định xử phạt vi phạm hành chính",
            DocumentKind::QdXuPhatKhongLapBienBan => "Quyết định xử phạt không lập biên bản",
            DocumentKind::GiaHan => "Văn bản gia hạn thời hạn",
            DocumentKind::XacNhanNopPhat => "Xác nhận nộp tiền phạt",
        }
    }

    /// Whether finalising the document consumes a number: the seal label is numbered by the
    /// sealing record it belongs to, and a payment confirmation cites the receipt's number,
    /// so they take none of their own.
    pub fn is_numbered(self) -> bool {
        !matches!(self, DocumentKind::TemNiemPhong | DocumentKind::XacNhanNopPhat)
    }

    /// Whether the document is a decision of the competent person (Đội trưởng or the one
    /// delegated), which only a leader finalises.
    pub fn is_decision(self) -> bool {
        matches!(
            self,
            DocumentKind::QdKiemTra
                | DocumentKind::QdSuaDoiKiemTra
                | DocumentKind::QdTamGiu
                | DocumentKind::QdXuPhat
                | DocumentKind::QdXuPhatKhongLapBienBan
                | DocumentKind::GiaHan
        )
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The life of a document: a draft is edited; a finalised one is locked for ever;
/// a cancelled one keeps its number recorded as cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentState {
    Draft,
    Finalised,
    Cancelled,
}

impl DocumentState {
    pub fn vi(self) -> &'static str {
        match self {
            DocumentState::Draft => "Bản nháp",
            DocumentState::Finalised => "Đã hoàn tất",
            DocumentState::Cancelled => "Đã hủy",
        }
    }
}

/// "Số: 12/QĐ-KT-QLTTLS": a running number per unit, kind and year, assigned at finalisation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DocumentNumber {
    pub seq: u32,
    pub year: i32,
    /// The ký hiệu of the kind in force (from `forms/`), e.g. "QĐ-KT".
    pub ky_hieu: String,
    /// The unit's abbreviation, may be empty.
    pub unit_abbreviation: String,
}

impl fmt::Display for DocumentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.seq, self.ky_hieu)?;
        if !self.unit_abbreviation.is_empty() {
            write!(f, "-{}", self.unit_abbreviation)?;
        }
        Ok(())
    }
}

/// Who signs, in which capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignerRole {
    /// Người lập biên bản / người ra quyết định.
    Maker,
    /// Người vi phạm or the organisation's representative.
    Violator,
    Witness,
    /// Đại diện chính quyền cấp xã.
    CommuneRepresentative,
    // Added with the 2025-07-01 forms: stored records number the roles by their place, so new ones go last.
    /// Người bị thiệt hại (MBB01).
    InjuredParty,
    /// Người phiên dịch (MBB01).
    Interpreter,
    /// Người có trách nhiệm bảo quản tang vật (MBB26).
    Custodian,
    /// Người nhận quyết định (the receipt on the back of a decision).
    Recipient,
}

impl SignerRole {
    /// The capacity in words, as the wizard shows it beside the signature.
    pub fn vi(self) -> &'static str {
        match self {
            SignerRole::Maker => "Người lập / người ra quyết định",
            SignerRole::Violator => "Người vi phạm hoặc đại diện",
            SignerRole::Witness => "Người chứng kiến",
            SignerRole::CommuneRepresentative => "Đại diện chính quyền cấp xã",
            SignerRole::InjuredParty => "Người bị thiệt hại",
            SignerRole::Interpreter => "Người phiên dịch",
            SignerRole::Custodian => "Người bảo quản tang vật",
            SignerRole::Recipient => "Người nhận quyết định",
        }
    }
}

/// A signature taken on site: signed, or refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub role: SignerRole,
    pub name: String,
    pub signed: bool,
}

/// Why and when a document was cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cancellation {
    pub at: NaiveDateTime,
    pub reason: String,
}

/// One document of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub id: Uuid,
    pub kind: DocumentKind,
    pub state: DocumentState,
    #[serde(default)]
    pub number: Option<DocumentNumber>,
    pub created_at: NaiveDateTime,
    #[serde(default)]
    pub finalised_at: Option<NaiveDateTime>,
    #[serde(default)]
    pub cancellation: Option<Cancellation>,
    /// The finalised document this one amends (sửa đổi, bổ sung).
    #[serde(default)]
    pub amends: Option<Uuid>,
    /// Field values by the field ids of the form definition, as typed (NFC).
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    #[serde(default)]
    pub signatures: Vec<Signature>,
}

impl Document {
    /// A new draft.
    pub fn draft(id: Uuid, kind: DocumentKind, at: NaiveDateTime) -> Document {
        Document {
            id,
            kind,
            state: DocumentState::Draft,
            number: None,
            created_at: at,
            finalised_at: None,
            cancellation: None,
            amends: None,
            fields: BTreeMap::new(),
            signatures: Vec::new(),
        }
    }

    /// The year a number for this document counts in: the finalisation year.
    pub fn number_year(at: NaiveDateTime) -> i32 {
        at.year()
    }

    /// Not cancelled.
    pub fn is_active(&self) -> bool {
        self.state != DocumentState::Cancelled
    }

    /// The fine a sanction decision imposes, as typed in its field [`FINE_FIELD`].
    pub fn fine_vnd(&self) -> Option<u64> {
        self.fields.get(FINE_FIELD).and_then(|v| super::text::parse_money(v))
    }
}

/// The sanction decisions' field holding the fine ("Mức phạt tiền", `forms/qd-xu-phat*.toml`).
pub const FINE_FIELD: &str = "muc_phat";
