//! The national pages: the whole country today, this week and this month by province (with
//! an SVG chart), by field and goods group, sanctions and fines; the cases under way; the
//! subjects sanctioned in two provinces; a case with its documents (PDF from the stored
//! package), versions and national receipts. Every view of a case's data is logged.

use std::fmt::Write as _;

use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Datelike as _;
use serde::Deserialize;
use uuid::Uuid;

use super::Shared;
use super::db::CaseRow;
use super::web::{Staff, page, staff};
use crate::domain::Stage;
use crate::domain::text::format_vnd;
use crate::hub::web::{bar_chart, esc, today, urlencoded, week_start};

/// Cases per page of the list.
const PAGE: i64 = 50;

fn failed(user: &Staff, e: impl std::fmt::Display) -> Response {
    eprintln!("anchi-hub national: {e}");
    let body = "<p class=\"problem\">Máy chủ không đọc được dữ liệu; thử lại sau.</p>";
    (StatusCode::INTERNAL_SERVER_ERROR, page("Lỗi", Some(user), body)).into_response()
}

macro_rules! signed_in {
    ($state:expr, $headers:expr) => {
        match staff(&$state, &$headers).await {
            Ok(user) => user,
            Err(r) => return *r,
        }
    };
}

fn stage_vi(code: &str) -> String {
    serde_json::from_value::<Stage>(serde_json::Value::String(code.to_string()))
        .map_or_else(|_| code.to_string(), |s| s.vi().to_string())
}

pub(super) async fn dashboard(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let user = signed_in!(state, headers);
    let day = today();
    let (week, month) = (week_start(day), day.with_day0(0).expect("the first of a month exists"));
    let lines = match state.db.by_province(day, week, month).await {
        Ok(lines) => lines,
        Err(e) => return failed(&user, e),
    };
    let (fields, groups) = match (state.db.by_field(month).await, state.db.by_goods_group(month).await) {
        (Ok(f), Ok(g)) => (f, g),
        (Err(e), _) | (_, Err(e)) => return failed(&user, e),
    };
    let mut body = format!(
        "<p>Ngày {} — tuần từ {}, tháng từ {}. Số vụ việc theo ngày mở; quyết định xử phạt và tiền phạt theo ngày ra quyết định.</p>\
         <table id=\"provinces\"><tr><th>Tỉnh, thành phố</th><th class=\"num\">Mở hôm nay</th><th class=\"num\">Tuần này</th>\
         <th class=\"num\">Tháng này</th><th class=\"num\">Đang xử lý</th><th class=\"num\">Đang kiểm tra (báo trực tiếp hôm nay)</th>\
         <th class=\"num\">QĐ xử phạt tháng này</th>\
         <th class=\"num\">Tiền phạt tháng này (đồng)</th></tr>",
        day.format("%d/%m/%Y"),
        week.format("%d/%m/%Y"),
        month.format("%d/%m/%Y")
    );
    let mut total = super::views::ProvinceLine { name: "Toàn quốc".into(), ..Default::default() };
    for l in &lines {
        let _ = write!(
            body,
            "<tr data-province=\"{}\"><td>{} — {}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\"><a href=\"/cases?province={}\">{}</a></td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td></tr>",
            esc(&l.code),
            esc(&l.code),
            esc(&l.name),
            l.today,
            l.week,
            l.month,
            urlencoded(&l.code),
            l.under_way,
            l.live,
            l.decisions,
            format_vnd(u64::try_from(l.fines_vnd).unwrap_or_default())
        );
        total.today += l.today;
        total.week += l.week;
        total.month += l.month;
        total.under_way += l.under_way;
        total.live += l.live;
        total.decisions += l.decisions;
        total.fines_vnd += l.fines_vnd;
    }
    let _ = write!(
        body,
        "<tr id=\"total\"><th>Toàn quốc</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>\
         <th class=\"num\"><a href=\"/cases\">{}</a></th><th class=\"num\">{}</th><th class=\"num\">{}</th>\
         <th class=\"num\">{}</th></tr></table>",
        total.today,
        total.week,
        total.month,
        total.under_way,
        total.live,
        total.decisions,
        format_vnd(u64::try_from(total.fines_vnd).unwrap_or_default())
    );
    let mut by_month: Vec<(&str, u64)> = lines.iter().map(|l| (l.name.as_str(), l.month.unsigned_abs())).collect();
    by_month.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    body.push_str("<h2>Vụ việc mở trong tháng, theo tỉnh</h2>");
    body.push_str(&bar_chart(&by_month, "số vụ việc mở trong tháng theo tỉnh"));
    let field_names: Vec<(String, i64)> =
        fields.iter().map(|(code, n)| (state.reference.field_name(code).unwrap_or(code).to_string(), *n)).collect();
    body.push_str(&breakdown("Theo lĩnh vực (tháng này)", "Lĩnh vực", &field_names));
    let group_names: Vec<(String, i64)> = groups
        .iter()
        .map(|(code, n)| {
            let name = state
                .reference
                .goods_groups
                .iter()
                .find(|g| &g.code == code)
                .map_or(code.as_str(), |g| g.name.as_str());
            (name.to_string(), *n)
        })
        .collect();
    body.push_str(&breakdown("Theo nhóm hàng (tháng này)", "Nhóm hàng", &group_names));
    page("Toàn quốc: vụ việc hôm nay, tuần này, tháng này", Some(&user), &body).into_response()
}

/// A table and a chart of (label, count).
fn breakdown(title: &str, first: &str, lines: &[(String, i64)]) -> String {
    let mut out = format!("<h2>{}</h2>", esc(title));
    if lines.is_empty() {
        out.push_str("<p class=\"muted\">Chưa có vụ việc.</p>");
        return out;
    }
    let bars: Vec<(&str, u64)> = lines.iter().take(12).map(|(l, n)| (l.as_str(), n.unsigned_abs())).collect();
    out.push_str(&bar_chart(&bars, title));
    let _ = write!(out, "<table><tr><th>{}</th><th class=\"num\">Vụ việc</th></tr>", esc(first));
    for (label, n) in lines {
        let _ = write!(out, "<tr><td>{}</td><td class=\"num\">{n}</td></tr>", esc(label));
    }
    out.push_str("</table>");
    out
}

#[derive(Deserialize)]
pub(super) struct CasesAsk {
    province: Option<String>,
    page: Option<String>,
}

fn case_line(c: &CaseRow) -> String {
    format!(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td><a href=\"/cases/{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
        esc(&c.province_code),
        esc(&c.team_id),
        c.opened_at.format("%d/%m/%Y"),
        c.case_id,
        esc(&c.subject_name),
        esc(&c.field),
        stage_vi(&c.stage)
    )
}

pub(super) async fn cases_page(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(ask): Query<CasesAsk>,
) -> Response {
    let user = signed_in!(state, headers);
    let province = ask.province.filter(|p| !p.is_empty());
    let number = match page_number(&user, ask.page.as_deref()) {
        Ok(n) => n,
        Err(r) => return *r,
    };
    let (rows, total) = match state.db.under_way(province.as_deref(), (number - 1) * PAGE, PAGE).await {
        Ok(found) => found,
        Err(e) => return failed(&user, e),
    };
    let mut body = format!(
        "<p id=\"count\" data-count=\"{total}\">{total} vụ việc đang xử lý{}.</p>\
         <table><tr><th>Tỉnh</th><th>Đội</th><th>Mở ngày</th><th>Đối tượng</th><th>Lĩnh vực</th><th>Trạng thái</th></tr>",
        province.as_deref().map(|p| format!(" ở tỉnh {}", esc(p))).unwrap_or_default()
    );
    for c in &rows {
        body.push_str(&case_line(c));
    }
    body.push_str("</table>");
    if number * PAGE < total {
        let _ = write!(
            body,
            "<p><a href=\"/cases?province={}&page={}\">Trang sau</a></p>",
            urlencoded(province.as_deref().unwrap_or("")),
            number + 1
        );
    }
    page("Vụ việc đang xử lý", Some(&user), &body).into_response()
}

#[derive(Deserialize)]
pub(super) struct PageAsk {
    page: Option<String>,
}

/// The page number asked for (1 when none), or a page saying what is wrong.
fn page_number(user: &Staff, text: Option<&str>) -> Result<i64, Box<Response>> {
    text.map_or(Some(1), |p| p.parse::<i64>().ok().filter(|n| (1..=1_000_000).contains(n))).ok_or_else(|| {
        let body = "<p class=\"problem\">Trang: phải là số từ 1 trở lên.</p>";
        Box::new((StatusCode::BAD_REQUEST, page("Yêu cầu không hợp lệ", Some(user), body)).into_response())
    })
}

pub(super) async fn offenders_page(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(ask): Query<PageAsk>,
) -> Response {
    let user = signed_in!(state, headers);
    let number = match page_number(&user, ask.page.as_deref()) {
        Ok(n) => n,
        Err(r) => return *r,
    };
    let (found, total) = match state.db.cross_province_offenders((number - 1) * PAGE, PAGE).await {
        Ok(found) => found,
        Err(e) => return failed(&user, e),
    };
    // Names and identifiers of the subjects of these cases: each case shown is logged.
    let mut shown: Vec<uuid::Uuid> = found.iter().flat_map(|o| [o.earlier.case_id, o.later.case_id]).collect();
    shown.sort();
    shown.dedup();
    if let Err(e) = state.db.log_access_many(&user.name, &shown, "danh sách tái phạm liên tỉnh").await {
        return failed(&user, e);
    }
    let mut body = format!(
        "<p id=\"count\" data-count=\"{total}\">Đối tượng bị xử phạt ở hai tỉnh trở lên, quyết định sau trong vòng một năm \
         kể từ quyết định trước (khoản 1 Điều 7 Luật Xử lý vi phạm hành chính): {total} trường hợp, mới nhất trước.</p>\
         <table><tr><th>MST / Số định danh</th><th>Đối tượng</th><th>Xử phạt trước</th><th>Xử phạt sau</th></tr>"
    );
    for o in &found {
        let side = |s: &super::views::Sanction| {
            format!(
                "tỉnh {} ngày {}: <a href=\"/cases/{}\">{}</a>",
                esc(&s.province_code),
                s.decided_on.format("%d/%m/%Y"),
                s.case_id,
                esc(&s.act)
            )
        };
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&o.identifier),
            esc(&o.name),
            side(&o.earlier),
            side(&o.later)
        );
    }
    body.push_str("</table>");
    if number * PAGE < total {
        let _ = write!(body, "<p><a href=\"/offenders?page={}\">Trang sau</a></p>", number + 1);
    }
    page("Tái phạm liên tỉnh", Some(&user), &body).into_response()
}

/// The case file of a case's newest package, read within bounds.
async fn case_file(state: &Shared, id: Uuid) -> Option<(crate::package::Opened, crate::domain::Case)> {
    let bytes = state.db.newest_package(id).await.ok().flatten()?;
    let limits = crate::package::Limits { max_total_bytes: state.limits.max_package_bytes, ..Default::default() };
    tokio::task::spawn_blocking(move || {
        let opened = crate::package::open(&bytes, &limits).ok()?;
        let case = crate::case_file::read(opened.case_json().ok()?).ok()?.case;
        Some((opened, case))
    })
    .await
    .ok()
    .flatten()
}

pub(super) async fn case_page(State(state): State<Shared>, headers: HeaderMap, UrlPath(id): UrlPath<Uuid>) -> Response {
    let user = signed_in!(state, headers);
    let (Ok(Some((c, province_name, under_way))), Some((opened, case))) =
        (state.db.case(id).await, case_file(&state, id).await)
    else {
        return (StatusCode::NOT_FOUND, page("Không tìm thấy vụ việc", Some(&user), "")).into_response();
    };
    if let Err(e) = state.db.log_access(&user.name, id, "vụ việc").await {
        return failed(&user, e);
    }
    let mut body = format!(
        "<table><tr><th>Tỉnh, thành phố</th><td>{} — {}</td></tr><tr><th>Đội</th><td>{}</td></tr>\
         <tr><th>Đối tượng</th><td>{}</td></tr><tr><th>MST / Số định danh</th><td>{}</td></tr>\
         <tr><th>Lĩnh vực</th><td>{}</td></tr><tr><th>Mở ngày</th><td>{}</td></tr><tr><th>Trạng thái</th><td>{}{}</td></tr>",
        esc(&c.province_code),
        esc(&province_name),
        esc(&c.team_id),
        esc(&c.subject_name),
        esc(c.subject_identifier.as_deref().unwrap_or("")),
        esc(state.reference.field_name(&c.field).unwrap_or(&c.field)),
        c.opened_at.format("%d/%m/%Y %H:%M"),
        stage_vi(&c.stage),
        if under_way { " (đang xử lý)" } else { "" }
    );
    if let Some(fine) = c.fine_vnd {
        let _ = write!(body, "<tr><th>Tiền phạt theo quyết định</th><td>{} đồng</td></tr>", format_vnd(fine));
    }
    body.push_str("</table><h2>Văn bản</h2><table><tr><th>Văn bản</th><th>Số</th><th>Trạng thái</th><th>Thời điểm</th><th>PDF</th></tr>");
    for (i, d) in case.documents.iter().enumerate() {
        let prefix = format!("data/documents/{:02}-", i + 1);
        let link = if opened.payload.iter().any(|(p, _)| p.starts_with(&prefix)) {
            format!("<a href=\"/cases/{id}/documents/{i}\">Tải PDF</a>")
        } else {
            String::new()
        };
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{link}</td></tr>",
            esc(d.kind.title_vi()),
            esc(&d.number.as_ref().map(ToString::to_string).unwrap_or_default()),
            esc(d.state.vi()),
            d.finalised_at.unwrap_or(d.created_at).format("%d/%m/%Y %H:%M")
        );
    }
    body.push_str("</table><h2>Các phiên bản gói hồ sơ và biên nhận của máy chủ quốc gia</h2><table><tr><th>Phiên bản</th>\
                   <th>Đội gửi</th><th>Nhận lúc</th><th>SHA-256</th><th>Mã gói</th><th>Biên nhận ký bằng khóa</th></tr>");
    for v in state.db.versions(id).await.unwrap_or_default() {
        let signer =
            serde_json::from_str::<crate::protocol::Receipt>(&v.receipt).map(|r| r.hub_key_id).unwrap_or_default();
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td></tr>",
            v.version,
            esc(&v.team_id),
            v.received_at.with_timezone(&chrono::Local).format("%d/%m/%Y %H:%M:%S"),
            esc(&v.sha256),
            esc(&v.package_id),
            esc(&signer)
        );
    }
    body.push_str("</table>");
    page(&c.subject_name, Some(&user), &body).into_response()
}

pub(super) async fn document_pdf(
    State(state): State<Shared>,
    headers: HeaderMap,
    UrlPath((id, n)): UrlPath<(Uuid, usize)>,
) -> Response {
    let user = signed_in!(state, headers);
    let not_found = || (StatusCode::NOT_FOUND, "no such document").into_response();
    let Some((opened, case)) = case_file(&state, id).await else { return not_found() };
    let Some(doc) = case.documents.get(n) else { return not_found() };
    let prefix = format!("data/documents/{:02}-", n + 1);
    let Some((path, _)) = opened.payload.iter().find(|(p, _)| p.starts_with(&prefix)) else { return not_found() };
    let Some(bytes) = opened.file(path).map(<[u8]>::to_vec) else { return not_found() };
    if let Err(e) = state.db.log_access(&user.name, id, &format!("PDF: {}", doc.kind.title_vi())).await {
        return failed(&user, e);
    }
    ([(header::CONTENT_TYPE, "application/pdf")], bytes).into_response()
}
