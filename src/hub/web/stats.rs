//! The province's statistics for a month, a quarter, a year or any period: by team, field,
//! goods group, provision and month, each table with a bar chart drawn here as SVG, and the
//! same tables as an Excel workbook (`crate::stats`, as the laptop counts them).

use std::fmt::Write as _;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::{allowed, day_input, esc, failed, name_of, page, snapshot, team_names, typed_day, urlencoded};
use crate::domain::text::format_vnd;
use crate::hub::Shared;
use crate::hub::store::Role;
use crate::stats::{Dimension, Line, Period, Stats, Totals, compute};

#[derive(Deserialize, Default)]
pub(super) struct Ask {
    /// month, quarter, year or custom.
    kind: Option<String>,
    /// Numbers as typed (the form sends empty fields): read by [`number`].
    year: Option<String>,
    /// The month (1–12) or the quarter (1–4).
    part: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// The period asked for: its first and last day, its name, and how the months group.
struct Chosen {
    from: NaiveDate,
    to: NaiveDate,
    name: String,
    period: Period,
}

/// A number typed in the form: empty is none; anything else but digits is refused, named.
fn number<T: std::str::FromStr>(label: &str, text: Option<&str>) -> Result<Option<T>, String> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => t.parse().map(Some).map_err(|_| format!("{label}: “{t}” không phải số")),
    }
}

fn chosen(ask: &Ask, today: NaiveDate) -> Result<Chosen, String> {
    let year = number::<i32>("Năm", ask.year.as_deref())?.unwrap_or(today.year());
    let part = number::<u32>("Tháng/quý", ask.part.as_deref())?;
    if !(2000..=2100).contains(&year) {
        return Err(format!("Năm: {year} không hợp lệ"));
    }
    let day = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| "Ngày không hợp lệ".to_string());
    let end_of_month = |y: i32, m: u32| -> Result<NaiveDate, String> {
        let next = if m == 12 { day(y + 1, 1, 1)? } else { day(y, m + 1, 1)? };
        Ok(next.pred_opt().unwrap_or(next))
    };
    match ask.kind.as_deref().filter(|k| !k.is_empty()).unwrap_or("month") {
        "month" => {
            let m = part.unwrap_or(today.month());
            if !(1..=12).contains(&m) {
                return Err(format!("Tháng: {m} không hợp lệ (1–12)"));
            }
            Ok(Chosen {
                from: day(year, m, 1)?,
                to: end_of_month(year, m)?,
                name: format!("tháng {m:02}/{year}"),
                period: Period::Month,
            })
        }
        "quarter" => {
            let q = part.unwrap_or((today.month() - 1) / 3 + 1);
            if !(1..=4).contains(&q) {
                return Err(format!("Quý: {q} không hợp lệ (1–4)"));
            }
            let first = (q - 1) * 3 + 1;
            Ok(Chosen {
                from: day(year, first, 1)?,
                to: end_of_month(year, first + 2)?,
                name: format!("quý {q}/{year}"),
                period: Period::Month,
            })
        }
        "year" => Ok(Chosen {
            from: day(year, 1, 1)?,
            to: day(year, 12, 31)?,
            name: format!("năm {year}"),
            period: Period::Month,
        }),
        "custom" => {
            let from = typed_day("Từ ngày", ask.from.as_deref())?.ok_or("Từ ngày: chưa nhập")?;
            let to = typed_day("Đến ngày", ask.to.as_deref())?.ok_or("Đến ngày: chưa nhập")?;
            if to < from {
                return Err("Đến ngày: trước “Từ ngày”".into());
            }
            let period = if (to - from).num_days() > 731 { Period::Year } else { Period::Month };
            let name = format!("từ {} đến {}", from.format("%d/%m/%Y"), to.format("%d/%m/%Y"));
            Ok(Chosen { from, to, name, period })
        }
        other => Err(format!("Kỳ: “{other}” không có (tháng, quý, năm hoặc tùy chọn)")),
    }
}

/// The statistics of the period, and its lines by team.
fn figures(state: &crate::hub::HubState, c: &Chosen) -> Result<(Stats, Vec<Line>), crate::hub::ApiError> {
    let snap = snapshot(state)?;
    let query = crate::stats::Query { from: Some(c.from), to: Some(c.to), period: c.period };
    // One pass over the rows, borrowed; each team's totals added case by case alike.
    let counted = || snap.rows.iter().filter(|r| crate::stats::counted(&r.summary, &query));
    let stats = compute(counted().map(|r| (&r.summary, &r.facts)), &state.reference, &[], &query);
    let names = team_names(state);
    let mut teams: std::collections::BTreeMap<&str, Totals> = std::collections::BTreeMap::new();
    for r in counted() {
        teams.entry(r.team_id.as_str()).or_default().add_case(&r.summary, &r.facts);
    }
    let mut by_team: Vec<Line> = teams
        .into_iter()
        .map(|(id, totals)| Line { key: id.to_string(), label: name_of(&names, id).to_string(), totals })
        .collect();
    by_team.sort_by(|a, b| b.totals.inspections.cmp(&a.totals.inspections).then(a.label.cmp(&b.label)));
    Ok((stats, by_team))
}

/// A horizontal bar chart of the lines' inspections (the first twelve), drawn as SVG.
fn chart(lines: &[Line], what: &str) -> String {
    let bars: Vec<(&str, u64)> = lines.iter().take(12).map(|l| (l.label.as_str(), l.totals.inspections)).collect();
    super::bar_chart(&bars, &format!("số cuộc kiểm tra theo {what}"))
}

fn table(lines: &[Line], first: &str, total: &Totals) -> String {
    let mut out = format!("<table><tr><th>{}</th>", esc(first));
    for h in crate::stats::xlsx::TOTAL_HEADERS {
        let _ = write!(out, "<th class=\"num\">{h}</th>");
    }
    out.push_str("</tr>");
    let mut line = |label: &str, t: &Totals, tag: &str| {
        let _ = write!(out, "<tr><{tag}>{}</{tag}>", esc(label));
        for (k, v) in crate::stats::xlsx::values(t).iter().enumerate() {
            let v = if k >= 4 { format_vnd(*v) } else { v.to_string() };
            let _ = write!(out, "<{tag} class=\"num\">{v}</{tag}>");
        }
        out.push_str("</tr>");
    };
    for l in lines {
        line(&l.label, &l.totals, "td");
    }
    line("Tổng cộng", total, "th");
    out.push_str("</table>");
    out
}

/// The breakdowns shown and exported: (sheet name, heading, lines).
fn breakdowns<'a>(stats: &'a Stats, by_team: &'a [Line]) -> [(&'static str, &'static str, &'a [Line]); 5] {
    [
        ("Đội", "Đội", by_team),
        ("Lĩnh vực", "Lĩnh vực", stats.lines(Dimension::Field)),
        ("Nhóm hàng", "Nhóm hàng", stats.lines(Dimension::GoodsGroup)),
        ("Hành vi vi phạm", "Hành vi vi phạm (điều khoản)", stats.lines(Dimension::Provision)),
        ("Thời gian", "Thời gian", stats.lines(Dimension::Period)),
    ]
}

fn form(ask: &Ask, today: NaiveDate) -> String {
    let kind = ask.kind.as_deref().filter(|k| !k.is_empty()).unwrap_or("month");
    let mut out =
        String::from("<form class=\"filters\" method=\"get\" action=\"/stats\"><label>Kỳ <select name=\"kind\">");
    for (value, label) in
        [("month", "Tháng"), ("quarter", "Quý"), ("year", "Năm"), ("custom", "Tùy chọn (từ ngày … đến ngày)")]
    {
        let selected = if kind == value { " selected" } else { "" };
        let _ = write!(out, "<option value=\"{value}\"{selected}>{label}</option>");
    }
    let _ = write!(
        out,
        "</select></label><label>Tháng/quý <input name=\"part\" size=\"3\" value=\"{}\"></label>\
         <label>Năm <input name=\"year\" size=\"5\" value=\"{}\"></label>{}{}<button>Xem</button></form>",
        esc(ask.part.as_deref().unwrap_or("")),
        esc(&ask.year.clone().unwrap_or_else(|| today.year().to_string())),
        day_input("from", "Từ ngày", ask.from.as_deref()),
        day_input("to", "đến ngày", ask.to.as_deref())
    );
    out
}

fn ask_query(ask: &Ask) -> String {
    let v = |o: &Option<String>| urlencoded(o.as_deref().unwrap_or(""));
    format!("kind={}&year={}&part={}&from={}&to={}", v(&ask.kind), v(&ask.year), v(&ask.part), v(&ask.from), v(&ask.to))
}

pub(super) async fn stats_page(State(state): State<Shared>, headers: HeaderMap, Query(ask): Query<Ask>) -> Response {
    let user = match allowed(&state, &headers, Role::sees_cases) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let today = super::today();
    let mut body = form(&ask, today);
    let c = match chosen(&ask, today) {
        Ok(c) => c,
        Err(e) => {
            let _ = write!(body, "<p class=\"problem\">{}</p>", esc(&e));
            return (StatusCode::BAD_REQUEST, page("Thống kê", Some(&user), &body)).into_response();
        }
    };
    let (stats, by_team) = match figures(&state, &c) {
        Ok(x) => x,
        Err(e) => return failed(e),
    };
    let _ = write!(
        body,
        "<p>Các vụ việc mở {} ({} – {}), trừ vụ việc đã hủy. <a class=\"noprint\" href=\"/stats.xlsx?{}\">Tải bảng Excel</a></p>",
        esc(&c.name),
        c.from.format("%d/%m/%Y"),
        c.to.format("%d/%m/%Y"),
        esc(&ask_query(&ask))
    );
    for (_, heading, lines) in breakdowns(&stats, &by_team) {
        let _ = write!(body, "<h2>Theo {}</h2>", esc(&heading.to_lowercase()));
        body.push_str(&chart(lines, heading));
        body.push_str(&table(lines, heading, &stats.totals));
    }
    body.push_str(
        "<p class=\"muted\">Một vụ việc có hàng thuộc nhiều nhóm hàng, hoặc nhiều hành vi, được tính ở mỗi nhóm, mỗi \
         hành vi: các dòng của hai bảng đó có thể cộng lại nhiều hơn tổng.</p>",
    );
    page(&format!("Thống kê {}", c.name), Some(&user), &body).into_response()
}

pub(super) async fn stats_workbook(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(ask): Query<Ask>,
) -> Response {
    if let Err(r) = allowed(&state, &headers, Role::sees_cases) {
        return *r;
    }
    let c = match chosen(&ask, super::today()) {
        Ok(c) => c,
        Err(e) => return (StatusCode::BAD_REQUEST, e).into_response(),
    };
    let (stats, by_team) = match figures(&state, &c) {
        Ok(x) => x,
        Err(e) => return failed(e),
    };
    let book = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let f = crate::stats::xlsx::Formats::new();
        let mut book = rust_xlsxwriter::Workbook::new();
        for (sheet, heading, lines) in breakdowns(&stats, &by_team) {
            let ws = book.add_worksheet();
            ws.set_name(sheet)?;
            crate::stats::xlsx::table(ws, &f, heading, lines, &stats.totals)?;
        }
        book.save_to_buffer()
    };
    match book() {
        Ok(bytes) => {
            let name = format!("thong-ke-{}-{}.xlsx", c.from.format("%Y%m%d"), c.to.format("%Y%m%d"));
            let disposition = format!("attachment; filename=\"{name}\"");
            (
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
                    ),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("workbook: {e}")).into_response(),
    }
}
