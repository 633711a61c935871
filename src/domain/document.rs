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
    // The 2025 edition's further NĐ 118 forms.
    /// MQĐ21 kéo dài thời hạn tạm giữ.
    QdKeoDaiTamGiu,
    /// MQĐ24 trả lại tang vật, phương tiện bị tạm giữ.
    QdTraLai,
    /// MBB17 biên bản trả lại (after MQĐ24).
    BbTraLai,
    /// MBB16 biên bản trả lại when no seizure decision follows the record.
    BbTraLaiKhongQd,
    /// MBB03 phiên giải trình trực tiếp.
    BbGiaiTrinh,
    /// MBB04 xác định giá trị tang vật.
    BbXacDinhGiaTri,
    /// MBB05 xác minh tình tiết.
    BbXacMinh,
    /// MQĐ41 trưng cầu giám định.
    QdTrungCauGiamDinh,
    /// MQĐ14 tịch thu when no sanction decision is made.
    QdTichThu,
    /// MQĐ15 buộc khắc phục hậu quả when no sanction decision is made.
    QdKhacPhuc,
    /// MBB20 biên bản tịch thu.
    BbTichThu,
    /// MBB21 biên bản tiêu hủy.
    BbTieuHuy,
    /// MQĐ38 sửa đổi, bổ sung, hủy bỏ một phần một quyết định trong xử phạt.
    QdSuaDoiBoSung,
    /// MQĐ39 đính chính một quyết định trong xử phạt.
    QdDinhChinh,
    /// MQĐ40 hủy bỏ (toàn bộ) một quyết định trong xử phạt.
    QdHuyBo,
}

impl DocumentKind {
    /// Every kind, in process order.
    pub const ALL: [DocumentKind; 31] = [
        DocumentKind::QdKiemTra,
        DocumentKind::QdSuaDoiKiemTra,
        DocumentKind::BbKiemTra,
        DocumentKind::PhuLuc,
        DocumentKind::BangKe,
        DocumentKind::BbLamViec,
        DocumentKind::BbTamGiu,
        DocumentKind::QdTamGiu,
        DocumentKind::BbTraLaiKhongQd,
        DocumentKind::BbNiemPhong,
        DocumentKind::TemNiemPhong,
        DocumentKind::BbMoNiemPhong,
        DocumentKind::BbXacDinhGiaTri,
        DocumentKind::QdTrungCauGiamDinh,
        DocumentKind::QdKeoDaiTamGiu,
        DocumentKind::BbViPham,
        DocumentKind::BbGiaiTrinh,
        DocumentKind::BbXacMinh,
        DocumentKind::GiaHan,
        DocumentKind::QdXuPhat,
        DocumentKind::QdXuPhatKhongLapBienBan,
        DocumentKind::QdTichThu,
        DocumentKind::QdKhacPhuc,
        DocumentKind::QdTraLai,
        DocumentKind::BbTraLai,
        DocumentKind::BbTichThu,
        DocumentKind::BbTieuHuy,
        DocumentKind::XacNhanNopPhat,
        DocumentKind::QdSuaDoiBoSung,
        DocumentKind::QdDinhChinh,
        DocumentKind::QdHuyBo,
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
            DocumentKind::QdKeoDaiTamGiu => "qd-keo-dai-tam-giu",
            DocumentKind::QdTraLai => "qd-tra-lai",
            DocumentKind::BbTraLai => "bb-tra-lai",
            DocumentKind::BbTraLaiKhongQd => "bb-tra-lai-khong-qd",
            DocumentKind::BbGiaiTrinh => "bb-giai-trinh",
            DocumentKind::BbXacDinhGiaTri => "bb-xac-dinh-gia-tri",
            DocumentKind::BbXacMinh => "bb-xac-minh",
            DocumentKind::QdTrungCauGiamDinh => "qd-trung-cau-giam-dinh",
            DocumentKind::QdTichThu => "qd-tich-thu",
            DocumentKind::QdKhacPhuc => "qd-khac-phuc",
            DocumentKind::BbTichThu => "bb-tich-thu",
            DocumentKind::BbTieuHuy => "bb-tieu-huy",
            DocumentKind::QdSuaDoiBoSung => "qd-sua-doi-bo-sung",
            DocumentKind::QdDinhChinh => "qd-dinh-chinh",
            DocumentKind::QdHuyBo => "qd-huy-bo",
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
            DocumentKind::QdKeoDaiTamGiu => "Quyết định kéo dài thời hạn tạm giữ",
            DocumentKind::QdTraLai => "Quyết định trả lại tang vật, phương tiện bị tạm giữ",
            DocumentKind::BbTraLai => "Biên bản trả lại tang vật, phương tiện bị tạm giữ",
            DocumentKind::BbTraLaiKhongQd => "Biên bản trả lại khi không ra quyết định tạm giữ",
            DocumentKind::BbGiaiTrinh => "Biên bản phiên giải trình trực tiếp",
            DocumentKind::BbXacDinhGiaTri => "Biên bản xác định giá trị tang vật",
            DocumentKind::BbXacMinh => "Biên bản xác minh tình tiết",
            DocumentKind::QdTrungCauGiamDinh => "Quyết định trưng cầu giám định",
            DocumentKind::QdTichThu => "Quyết định tịch thu tang vật (không ra quyết định xử phạt)",
            DocumentKind::QdKhacPhuc => "Quyết định buộc khắc phục hậu quả (không ra quyết định xử phạt)",
            DocumentKind::BbTichThu => "Biên bản tịch thu tang vật, phương tiện",
            DocumentKind::BbTieuHuy => "Biên bản tiêu hủy tang vật, phương tiện",
            DocumentKind::QdSuaDoiBoSung => "Quyết định sửa đổi, bổ sung, hủy bỏ một phần quyết định",
            DocumentKind::QdDinhChinh => "Quyết định đính chính quyết định",
            DocumentKind::QdHuyBo => "Quyết định hủy bỏ quyết định",
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
                | DocumentKind::QdKeoDaiTamGiu
                | DocumentKind::QdTraLai
                | DocumentKind::QdTrungCauGiamDinh
                | DocumentKind::QdTichThu
                | DocumentKind::QdKhacPhuc
                | DocumentKind::QdSuaDoiBoSung
                | DocumentKind::QdDinhChinh
                | DocumentKind::QdHuyBo
        )
    }

    /// A decision in sanctioning (NĐ 118 forms): once issued it is changed only by a
    /// decision of its own — amended (MQĐ38), corrected (MQĐ39) or annulled (MQĐ40):
    /// khoản 3 Điều 18 Luật XLVPHC, Điều 13 and 14 NĐ 118/2021 — never by a new copy or a
    /// plain cancellation. The inspection
    /// decision has its own amending decision; the legacy "gia hạn" letter is no decision form.
    pub fn is_sanction_decision(self) -> bool {
        self.is_decision()
            && !matches!(self, DocumentKind::QdKiemTra | DocumentKind::QdSuaDoiKiemTra | DocumentKind::GiaHan)
    }

    /// The decisions that act on another decision (MQĐ38, MQĐ39, MQĐ40).
    pub fn acts_on_decision(self) -> bool {
        matches!(self, DocumentKind::QdSuaDoiBoSung | DocumentKind::QdDinhChinh | DocumentKind::QdHuyBo)
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

/// The field of the violation record (MBB01) that says the goods were seized as it was made,
/// with no seizure record of their own (điểm b khoản 4 Điều 125 Luật XLVPHC as amended by Luật
/// 88/2025): the record then stands for the seizure record.
pub const SEIZED_IN_RECORD_FIELD: &str = "tam_giu";
