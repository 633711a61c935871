//! Reports out of the laptop: the Excel workbook (case register and summary tables, with
//! Vietnamese headers and number formats), the case register as CSV, and the sanction
//! decisions in the terms of the national database on administrative violations
//! (domain brief §6; `docs/national-db-export.md`).

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{Workbook, XlsxError};
use serde::Serialize;

use super::stats::xlsx::{Formats, excel_date, table};
use super::stats::{Dimension, Query, Stats, compute, counted};
use super::{AppError, Workspace};
use crate::domain::summary::CaseFacts;
use crate::domain::{CaseSummary, DocumentKind, DocumentState, Gender, Member, SubjectKind};

/// The columns of the case register.
pub const REGISTER_HEADERS: [&str; 12] = [
    "Ngày mở",
    "Đối tượng",
    "Loại đối tượng",
    "MST / Số định danh",
    "Lĩnh vực",
    "Trạng thái",
    "Số văn bản mới nhất",
    "Trưởng đoàn",
    "Điều khoản vi phạm",
    "Tiền phạt (đồng)",
    "Đã thu (đồng)",
    "Mã vụ việc",
];

fn xlsx_error(e: XlsxError) -> AppError {
    AppError::Files(format!("Excel: {e}"))
}

/// One row of the register as text cells (CSV) — the workbook writes the same with types.
fn register_cells(row: &CaseSummary, facts: &CaseFacts, ws: &Workspace, members: &[Member]) -> [String; 12] {
    let lead = row.lead_member.as_deref().unwrap_or_default();
    let lead = members.iter().find(|m| m.card_number == lead).map_or(lead.to_string(), |m| m.full_name.clone());
    let provisions: Vec<&str> = facts.sanctions.iter().map(|s| s.provision.as_str()).collect();
    [
        row.opened_at.format("%d/%m/%Y").to_string(),
        row.subject_name.clone(),
        row.subject_kind.vi().to_string(),
        row.subject_identifier.clone().unwrap_or_default(),
        ws.reference.field_name(&row.field).unwrap_or(&row.field).to_string(),
        row.stage.vi().to_string(),
        row.latest_number.clone().unwrap_or_default(),
        lead,
        provisions.join("; "),
        if row.sanction_marks.is_empty() { String::new() } else { row.fine_vnd.unwrap_or(0).to_string() },
        if row.paid_vnd > 0 { row.paid_vnd.to_string() } else { String::new() },
        row.id.to_string(),
    ]
}

impl Workspace {
    /// Where the window writes a report: `~/Documents/anchi-bao-cao/thong-ke-<now>.xlsx|csv`.
    pub fn default_report_path(&self, csv: bool) -> std::path::PathBuf {
        let stamp = super::now().format("%Y%m%d-%H%M%S");
        let ext = if csv { "csv" } else { "xlsx" };
        self.documents_dir().join("anchi-bao-cao").join(format!("thong-ke-{stamp}.{ext}"))
    }

    /// The rows counted by `query`, oldest first (the register's order).
    fn register_rows(&self, query: &Query) -> Result<Vec<(CaseSummary, CaseFacts)>, AppError> {
        let mut rows: Vec<_> = self.rows_with_facts()?.into_iter().filter(|(r, _)| counted(r, query)).collect();
        rows.sort_by_key(|(r, _)| r.opened_at);
        Ok(rows)
    }

    /// The Excel workbook of `query`: "Tổng hợp" (totals by period), one sheet per
    /// breakdown, and "Sổ vụ việc" (one row per case). Returns the statistics written.
    pub fn export_xlsx(&self, query: &Query, out: &Path) -> Result<Stats, AppError> {
        let rows = self.register_rows(query)?;
        let members = self.unit().map(|u| u.members.clone()).unwrap_or_default();
        let stats = compute(rows.iter().map(|(r, f)| (r, f)), &self.reference, &members, query);
        let bytes = self.xlsx_bytes(&stats, &rows, &members).map_err(xlsx_error)?;
        super::write_file_atomically(out, &bytes)?;
        Ok(stats)
    }

    fn xlsx_bytes(
        &self,
        stats: &Stats,
        rows: &[(CaseSummary, CaseFacts)],
        members: &[Member],
    ) -> Result<Vec<u8>, XlsxError> {
        let f = Formats::new();
        let mut book = Workbook::new();
        let sheets = [
            ("Tổng hợp", Dimension::Period, "Thời gian"),
            ("Lĩnh vực", Dimension::Field, "Lĩnh vực"),
            ("Nhóm hàng", Dimension::GoodsGroup, "Nhóm hàng"),
            ("Hành vi vi phạm", Dimension::Provision, "Điều khoản vi phạm"),
            ("Trưởng đoàn", Dimension::Inspector, "Trưởng đoàn kiểm tra"),
        ];
        for (name, dimension, header) in sheets {
            let ws = book.add_worksheet();
            ws.set_name(name)?;
            table(ws, &f, header, stats.lines(dimension), &stats.totals)?;
        }
        let ws = book.add_worksheet();
        ws.set_name("Sổ vụ việc")?;
        for (c, h) in REGISTER_HEADERS.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &f.header)?;
        }
        for (c, width) in [12, 40, 16, 18, 28, 22, 22, 24, 40, 16, 16, 38].iter().enumerate() {
            ws.set_column_width(c as u16, *width)?;
        }
        for (r, (row, facts)) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            let cells = register_cells(row, facts, self, members);
            ws.write_datetime_with_format(r, 0, excel_date(row.opened_at.date())?, &f.date)?;
            for c in [1, 2, 3, 4, 5, 6, 7, 8, 11] {
                if !cells[c].is_empty() {
                    ws.write_string(r, c as u16, &cells[c])?;
                }
            }
            if !row.sanction_marks.is_empty() {
                ws.write_number_with_format(r, 9, row.fine_vnd.unwrap_or(0) as f64, &f.money)?;
            }
            if row.paid_vnd > 0 {
                ws.write_number_with_format(r, 10, row.paid_vnd as f64, &f.money)?;
            }
        }
        ws.set_freeze_panes(1, 2)?;
        ws.autofilter(0, 0, rows.len() as u32, REGISTER_HEADERS.len() as u16 - 1)?;
        book.save_to_buffer()
    }

    /// The case register of `query` as CSV (UTF-8 with a byte-order mark, so Excel reads
    /// the Vietnamese right), one row per case.
    pub fn export_csv(&self, query: &Query, out: &Path) -> Result<usize, AppError> {
        let rows = self.register_rows(query)?;
        let members = self.unit().map(|u| u.members.clone()).unwrap_or_default();
        let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        let csv_error = |e: csv::Error| AppError::Files(format!("CSV: {e}"));
        writer.write_record(REGISTER_HEADERS).map_err(csv_error)?;
        for (row, facts) in &rows {
            writer.write_record(register_cells(row, facts, self, &members)).map_err(csv_error)?;
        }
        let bytes = writer.into_inner().map_err(|e| AppError::Files(format!("CSV: {e}")))?;
        super::write_file_atomically(out, &bytes)?;
        Ok(rows.len())
    }

    /// The finalised sanction decisions of cases opened in `query`'s period, in the terms
    /// of the national database on administrative violations (NĐ 20/2016).
    pub fn national_export(&self, query: &Query) -> Result<NationalExport, AppError> {
        let unit = self.unit().cloned();
        let mut decisions = Vec::new();
        for (row, _) in self.register_rows(query)?.iter().filter(|(r, _)| !r.sanction_marks.is_empty()) {
            let case = self.case(row.id)?;
            let s = &case.subject;
            let violator = match s.kind {
                SubjectKind::Organisation => Violator::Organisation {
                    name: s.name.clone(),
                    address: s.address.display(&self.reference.admin_units),
                    enterprise_code: s.tax_code.as_ref().map(|t| t.as_str().to_string()),
                    legal_representative: s.representative.clone(),
                },
                SubjectKind::Individual | SubjectKind::HouseholdBusiness => Violator::Individual {
                    name: if s.kind == SubjectKind::HouseholdBusiness {
                        s.representative.clone().unwrap_or_else(|| s.name.clone())
                    } else {
                        s.name.clone()
                    },
                    household_business: (s.kind == SubjectKind::HouseholdBusiness).then(|| s.name.clone()),
                    date_of_birth: s.date_of_birth,
                    id_number: s
                        .personal_id
                        .as_ref()
                        .map(|p| p.as_str().to_string())
                        .or(s.old_id_card.as_ref().map(|c| c.as_str().to_string())),
                    gender: s.gender.map(|g| match g {
                        Gender::Male => "Nam",
                        Gender::Female => "Nữ",
                    }),
                    address: s.address.display(&self.reference.admin_units),
                },
            };
            let payments: Vec<ExecutionEvent> = case
                .documents
                .iter()
                .filter(|d| d.kind == DocumentKind::XacNhanNopPhat && d.state == DocumentState::Finalised)
                .map(|d| ExecutionEvent {
                    event: "hoan_thanh",
                    description: format!(
                        "Đã nộp tiền phạt {} theo chứng từ số {}",
                        d.fields.get("so_tien").cloned().unwrap_or_default(),
                        d.fields.get("so_bien_lai").cloned().unwrap_or_default()
                    ),
                    on: d.finalised_at.unwrap_or(d.created_at),
                })
                .collect();
            for d in case.documents.iter().filter(|d| {
                matches!(d.kind, DocumentKind::QdXuPhat | DocumentKind::QdXuPhatKhongLapBienBan)
                    && d.state == DocumentState::Finalised
            }) {
                let field = |id: &str| d.fields.get(id).cloned().filter(|v| !v.trim().is_empty());
                let at = d.finalised_at.unwrap_or(d.created_at);
                let names = unit.as_ref().and_then(|u| u.names_on(at.date()));
                decisions.push(NationalDecision {
                    case_id: case.id,
                    violator: violator.clone(),
                    decision_number: d.number.as_ref().map(ToString::to_string).unwrap_or_default(),
                    decision_date: at.date(),
                    act: field("hanh_vi").unwrap_or_default(),
                    provision: field("dieu_khoan").unwrap_or_default(),
                    acts: self.national_acts(&case, d),
                    penalty: if case.fine_vnd.unwrap_or(0) > 0 { "Phạt tiền" } else { "Cảnh cáo" },
                    fine_vnd: case.fine_vnd.filter(|f| *f > 0),
                    additional_penalties: field("xu_phat_bo_sung"),
                    remedial_measures: field("bien_phap_khac_phuc"),
                    issuing_body: names.map(|n| n.doi.clone()).unwrap_or_default(),
                    signer_title: unit
                        .as_ref()
                        .and_then(|u| u.leader())
                        .map(|m| m.title.clone())
                        .unwrap_or_else(|| "Đội trưởng".into()),
                    execution: payments.clone(),
                });
            }
        }
        Ok(NationalExport {
            format: "anchi-csdl-quoc-gia-xlvphc/1",
            unit: unit.as_ref().map(|u| u.code.clone()).unwrap_or_default(),
            from: query.from,
            to: query.to,
            decisions,
        })
    }
}

impl super::Workspace {
    /// The acts of a decision chosen from the catalogue of violations, as the export names
    /// them (none when the act was typed by hand).
    fn national_acts(&self, case: &crate::domain::Case, d: &crate::domain::Document) -> Vec<NationalAct> {
        self.acts_of(case, d)
            .into_iter()
            .filter_map(|(s, c)| {
                let s = s.ok()?;
                Some(NationalAct {
                    id: s.act.id(),
                    key: c.key.to_string(),
                    decree: s.act.decree.short.clone(),
                    article: s.act.article.article.clone(),
                    points: s.points_vi(),
                    text: s.act.act.text.clone(),
                    fine_vnd: c.fine_vnd(),
                })
            })
            .collect()
    }
}

/// An act of the catalogue of violations a decision sanctions.
#[derive(Debug, Clone, Serialize)]
pub struct NationalAct {
    /// The catalogue's act ("ND98-15-1").
    pub id: String,
    /// As chosen, with the multiplying case ("ND98-15-1+2-c").
    pub key: String,
    pub decree: String,
    pub article: String,
    /// "điểm b khoản 1 Điều 15".
    pub points: String,
    pub text: String,
    /// The act's own fine, on a decision of several acts.
    pub fine_vnd: Option<u64>,
}

/// The export for the national database (`docs/national-db-export.md`).
#[derive(Debug, Clone, Serialize)]
pub struct NationalExport {
    pub format: &'static str,
    pub unit: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub decisions: Vec<NationalDecision>,
}

/// One sanction decision as the national database records it.
#[derive(Debug, Clone, Serialize)]
pub struct NationalDecision {
    pub case_id: uuid::Uuid,
    pub violator: Violator,
    pub decision_number: String,
    pub decision_date: NaiveDate,
    pub act: String,
    pub provision: String,
    /// The acts chosen from the catalogue of violations; empty when typed by hand.
    pub acts: Vec<NationalAct>,
    /// "Phạt tiền" or "Cảnh cáo".
    pub penalty: &'static str,
    pub fine_vnd: Option<u64>,
    pub additional_penalties: Option<String>,
    pub remedial_measures: Option<String>,
    pub issuing_body: String,
    pub signer_title: String,
    /// What happened after: for now, fines paid (completion).
    pub execution: Vec<ExecutionEvent>,
}

/// The violator: an individual or an organisation, with what the database asks of each.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Violator {
    Individual {
        name: String,
        /// The household business's name, when the individual acts as one.
        household_business: Option<String>,
        date_of_birth: Option<NaiveDate>,
        id_number: Option<String>,
        gender: Option<&'static str>,
        address: String,
    },
    Organisation {
        name: String,
        address: String,
        enterprise_code: Option<String>,
        legal_representative: Option<String>,
    },
}

/// An execution event of a decision.
#[derive(Debug, Clone, Serialize)]
pub struct ExecutionEvent {
    /// "hoan_thanh" (completed).
    pub event: &'static str,
    pub description: String,
    pub on: NaiveDateTime,
}
