//! The statistics' tables as Excel sheets (Vietnamese headers, number formats): the
//! laptop's workbook (`app::report`) and the province's (`hub`) write them alike.

use chrono::NaiveDate;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Worksheet, XlsxError};

use super::{Line, Totals};

/// The columns of the summary tables, after the first.
pub const TOTAL_HEADERS: [&str; 7] = [
    "Số cuộc kiểm tra",
    "Số vụ có vi phạm",
    "Không vi phạm",
    "Số quyết định xử phạt",
    "Tiền phạt (đồng)",
    "Đã thu (đồng)",
    "Giá trị hàng tạm giữ (đồng)",
];

pub fn values(t: &Totals) -> [u64; 7] {
    [
        t.inspections,
        t.violations,
        t.no_violation,
        t.sanctions,
        t.fines_imposed_vnd,
        t.fines_collected_vnd,
        t.seized_goods_vnd,
    ]
}

pub struct Formats {
    pub header: Format,
    pub money: Format,
    pub count: Format,
    pub date: Format,
    pub bold_money: Format,
}

impl Default for Formats {
    fn default() -> Self {
        Formats::new()
    }
}

impl Formats {
    pub fn new() -> Formats {
        let header =
            Format::new().set_bold().set_text_wrap().set_align(FormatAlign::Center).set_background_color("#E8EEF7");
        Formats {
            header,
            money: Format::new().set_num_format("#,##0"),
            count: Format::new().set_num_format("0"),
            date: Format::new().set_num_format("dd/mm/yyyy"),
            bold_money: Format::new().set_bold().set_num_format("#,##0"),
        }
    }
}

/// One summary table: a line per group, then the total.
pub fn table(
    ws: &mut Worksheet,
    f: &Formats,
    first_header: &str,
    lines: &[Line],
    total: &Totals,
) -> Result<(), XlsxError> {
    ws.write_string_with_format(0, 0, first_header, &f.header)?;
    for (c, h) in TOTAL_HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16 + 1, *h, &f.header)?;
    }
    ws.set_column_width(0, 48)?;
    for c in 1..=TOTAL_HEADERS.len() as u16 {
        ws.set_column_width(c, 16)?;
    }
    for (r, line) in lines.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_string(r, 0, &line.label)?;
        for (c, v) in values(&line.totals).iter().enumerate() {
            let format = if c >= 4 { &f.money } else { &f.count };
            ws.write_number_with_format(r, c as u16 + 1, *v as f64, format)?;
        }
    }
    let r = lines.len() as u32 + 1;
    ws.write_string_with_format(r, 0, "Tổng cộng", &f.header)?;
    for (c, v) in values(total).iter().enumerate() {
        ws.write_number_with_format(r, c as u16 + 1, *v as f64, &f.bold_money)?;
    }
    ws.set_freeze_panes(1, 1)?;
    Ok(())
}

pub fn excel_date(day: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    use chrono::Datelike;
    ExcelDateTime::from_ymd(day.year() as u16, day.month() as u8, day.day() as u8)
}
