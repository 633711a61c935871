//! The province's cases: the list with its filters and search, one case (documents as
//! PDF, deadlines, the subject's other cases, package history, transfers; each view
//! recorded in the access log), and the repeat offenders across teams.

use std::collections::HashMap;
use std::fmt::Write as _;

use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Duration, NaiveDate};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    Snapshot, Staff, allowed, day_input, esc, failed, field_name, name_of, page, reader, snapshot, team_names,
};
use super::{typed_day, urlencoded};
use crate::domain::deadlines::DeadlineState;
use crate::domain::text::{fold, format_vnd};
use crate::domain::{CaseSummary, Stage, SubjectKind};
use crate::hub::store::{AccessEntry, HubRow, Role};
use crate::hub::{HubState, Shared};

/// The list's filters, as the query string carries them.
#[derive(Deserialize, Default, Clone)]
pub(super) struct Filters {
    pub team: Option<String>,
    pub field: Option<String>,
    pub stage: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Subject name (accents optional), tax code or ID number.
    pub q: Option<String>,
    /// A morning page's number: today, week, open, overdue, awaiting, seizure.
    pub view: Option<String>,
    /// Page of the list, from 1.
    pub page: Option<usize>,
}

impl Filters {
    fn query(&self, page: usize) -> String {
        let v = |o: &Option<String>| urlencoded(o.as_deref().unwrap_or(""));
        format!(
            "/cases?team={}&field={}&stage={}&from={}&to={}&q={}&view={}&page={page}",
            v(&self.team),
            v(&self.field),
            v(&self.stage),
            v(&self.from),
            v(&self.to),
            v(&self.q),
            v(&self.view)
        )
    }
}

/// Cases per page of the list.
const PAGE: usize = 50;
/// How many days ahead a seizure's term counts as near.
pub(super) const SEIZURE_NEAR_DAYS: i64 = 3;

/// The Monday of `day`'s week.
pub(crate) fn week_start(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Whether the case is under way: not closed, not cancelled.
pub(crate) fn under_way(row: &CaseSummary) -> bool {
    row.closed_on.is_none() && !row.stage.is_closed() && row.stage != Stage::DaHuy
}

/// Whether a decision drafted on the case waits for the leader to sign it.
pub(super) fn awaiting_leader(row: &CaseSummary) -> bool {
    row.draft_kinds.iter().any(|k| k.is_decision())
}

/// Whether the case's seizure ends within [`SEIZURE_NEAR_DAYS`] (or is past its term).
pub(super) fn seizure_near(snap: &Snapshot, i: usize) -> bool {
    let limit = snap.day + Duration::days(SEIZURE_NEAR_DAYS);
    snap.deadlines[i].iter().any(|d| d.rule == "tam-giu" && d.due <= limit)
}

/// Whether row `i` is behind one of the morning page's numbers.
pub(super) fn in_view(snap: &Snapshot, i: usize, view: &str) -> bool {
    let row = &snap.rows[i].summary;
    let opened = row.opened_at.date();
    match view {
        "today" => opened == snap.day,
        "week" => opened >= week_start(snap.day) && opened <= snap.day,
        "open" => under_way(row),
        "overdue" => snap.overdue(i),
        "awaiting" => awaiting_leader(row),
        "seizure" => seizure_near(snap, i),
        _ => true,
    }
}

/// The fine of a case: only that of a finalised sanction decision.
fn fine(row: &CaseSummary) -> Option<u64> {
    (!row.sanction_marks.is_empty()).then_some(row.fine_vnd.unwrap_or(0))
}

/// A subject's identifier as a list shows it: a tax code whole, a person's ID number with
/// its middle hidden (the case page shows it whole, and records who looked).
fn masked(row: &CaseSummary) -> String {
    let Some(id) = row.subject_identifier.as_deref() else { return String::new() };
    if row.subject_kind == SubjectKind::Organisation || id.chars().count() < 8 {
        return id.to_string();
    }
    let chars: Vec<char> = id.chars().collect();
    let n = chars.len();
    chars.iter().enumerate().map(|(i, c)| if i < 3 || i >= n - 2 { *c } else { '•' }).collect()
}

pub(super) async fn cases_page(State(state): State<Shared>, headers: HeaderMap, Query(f): Query<Filters>) -> Response {
    let (user, snap) = match reader(&state, &headers) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let names = team_names(&state);
    let mut body = filter_form(&state, &f, &names);
    let (from, to) = match (typed_day("Từ ngày", f.from.as_deref()), typed_day("Đến ngày", f.to.as_deref())) {
        (Ok(from), Ok(to)) => (from, to),
        (Err(e), _) | (_, Err(e)) => {
            let _ = write!(body, "<p class=\"problem\">{}</p>", esc(&e));
            return (StatusCode::BAD_REQUEST, page("Vụ việc của tỉnh", Some(&user), &body)).into_response();
        }
    };
    let query = fold(f.q.as_deref().unwrap_or("").trim());
    let digits: String = query.chars().filter(char::is_ascii_digit).collect();
    fn set(o: &Option<String>) -> Option<&str> {
        o.as_deref().filter(|s| !s.is_empty())
    }
    let matching: Vec<usize> = (0..snap.rows.len())
        .filter(|&i| {
            let HubRow { team_id, summary: row, .. } = &*snap.rows[i];
            let day = row.opened_at.date();
            set(&f.team).is_none_or(|t| team_id == t)
                && set(&f.field).is_none_or(|x| row.field == x)
                && set(&f.stage).is_none_or(|s| row.stage.vi() == s)
                && from.is_none_or(|d| day >= d)
                && to.is_none_or(|d| day <= d)
                && set(&f.view).is_none_or(|v| in_view(&snap, i, v))
                && (query.is_empty()
                    || row.matches(&query)
                    || (digits.len() >= 6 && row.subject_identifier.as_deref().is_some_and(|id| id.contains(&digits))))
        })
        .collect();
    let pages = matching.len().div_ceil(PAGE).max(1);
    let shown = f.page.unwrap_or(1).clamp(1, pages);
    let _ = write!(
        body,
        "<p>{} vụ việc{}</p><table><tr><th>Ngày mở</th><th>Đội</th><th>Đối tượng</th><th>MST / Số định danh</th>\
         <th>Lĩnh vực</th><th>Trạng thái</th><th>Thời hạn</th><th class=\"num\">Tiền phạt (đồng)</th></tr>",
        matching.len(),
        if pages > 1 { format!(" — trang {shown}/{pages}") } else { String::new() }
    );
    for &i in matching.iter().skip((shown - 1) * PAGE).take(PAGE) {
        let HubRow { team_id, summary: row, .. } = &*snap.rows[i];
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td><a href=\"/cases/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td class=\"num\">{}</td></tr>",
            row.opened_at.format("%d/%m/%Y"),
            esc(name_of(&names, team_id)),
            row.id,
            esc(&row.subject_name),
            esc(&masked(row)),
            esc(field_name(&state, &row.field)),
            row.stage.vi(),
            deadline_cell(&snap, i),
            fine(row).map(format_vnd).unwrap_or_default()
        );
    }
    body.push_str("</table>");
    if pages > 1 {
        let _ = write!(body, "<p class=\"noprint\">Trang {shown}/{pages} ");
        if shown > 1 {
            let _ = write!(body, "<a href=\"{}\">« Trang trước</a> ", esc(&f.query(shown - 1)));
        }
        if shown < pages {
            let _ = write!(body, "<a href=\"{}\">Trang sau »</a>", esc(&f.query(shown + 1)));
        }
        body.push_str("</p>");
    }
    page("Vụ việc của tỉnh", Some(&user), &body).into_response()
}

/// The nearest deadline not met: red when past, amber when due soon.
fn deadline_cell(snap: &Snapshot, i: usize) -> String {
    let Some(d) = snap.deadlines[i].iter().min_by_key(|d| d.due) else { return String::new() };
    let class = match d.state {
        DeadlineState::Overdue => "late",
        DeadlineState::DueSoon => "soon",
        _ => "",
    };
    format!("<span class=\"{class}\">{}: {}</span>", esc(&d.title), d.due.format("%d/%m/%Y"))
}

fn filter_form(state: &HubState, f: &Filters, names: &HashMap<String, String>) -> String {
    let mut teams: Vec<(&String, &String)> = names.iter().collect();
    teams.sort_by(|a, b| a.1.cmp(b.1));
    let selected =
        |value: &str, chosen: &Option<String>| if chosen.as_deref() == Some(value) { " selected" } else { "" };
    let mut out = String::from(
        "<form class=\"filters\" method=\"get\" action=\"/cases\"><label>Đội <select name=\"team\"><option value=\"\">Tất cả</option>",
    );
    for (id, name) in teams {
        let _ = write!(out, "<option value=\"{}\"{}>{}</option>", esc(id), selected(id, &f.team), esc(name));
    }
    out.push_str("</select></label><label>Lĩnh vực <select name=\"field\"><option value=\"\">Tất cả</option>");
    for field in &state.reference.fields {
        let _ = write!(
            out,
            "<option value=\"{}\"{}>{}</option>",
            esc(&field.code),
            selected(&field.code, &f.field),
            esc(&field.name)
        );
    }
    out.push_str("</select></label><label>Trạng thái <select name=\"stage\"><option value=\"\">Tất cả</option>");
    for stage in Stage::ALL {
        let _ = write!(out, "<option{}>{}</option>", selected(stage.vi(), &f.stage), stage.vi());
    }
    out.push_str("</select></label><label>Xem <select name=\"view\"><option value=\"\">Tất cả</option>");
    for (value, label) in VIEWS {
        let _ = write!(out, "<option value=\"{value}\"{}>{label}</option>", selected(value, &f.view));
    }
    let _ = write!(
        out,
        "</select></label><br>{}{}<label>Tìm <input name=\"q\" value=\"{}\" size=\"28\" \
         placeholder=\"tên (có hoặc không dấu), MST, số CCCD\"></label><button>Lọc</button> <a href=\"/cases\">Bỏ lọc</a></form>",
        day_input("from", "Mở từ ngày", f.from.as_deref()),
        day_input("to", "đến ngày", f.to.as_deref()),
        esc(f.q.as_deref().unwrap_or(""))
    );
    out
}

/// The morning page's numbers, as the list's "Xem" choices.
pub(super) const VIEWS: [(&str, &str); 6] = [
    ("today", "Mở hôm nay"),
    ("week", "Mở tuần này"),
    ("open", "Đang xử lý"),
    ("overdue", "Quá hạn"),
    ("awaiting", "Chờ lãnh đạo ký"),
    ("seizure", "Tạm giữ sắp hết hạn"),
];

/// Records that `user` opened `what` of a case; a failure to record refuses the view.
fn record_view(state: &HubState, user: &Staff, case_id: Uuid, what: String) -> Result<(), Box<Response>> {
    let entry = AccessEntry { at: chrono::Utc::now(), user: user.name.clone(), case_id, what };
    state.store.log_access(&entry).map_err(|e| Box::new(failed(e.into())))
}

pub(super) async fn case_page(State(state): State<Shared>, headers: HeaderMap, UrlPath(id): UrlPath<Uuid>) -> Response {
    let user = match allowed(&state, &headers, Role::sees_cases) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let (Ok(Some(c)), Ok(snap)) = (state.store.case(id), snapshot(&state)) else {
        return (StatusCode::NOT_FOUND, page("Không tìm thấy vụ việc", Some(&user), "")).into_response();
    };
    if let Err(r) = record_view(&state, &user, id, "vụ việc".into()) {
        return *r;
    }
    let names = team_names(&state);
    let at = snap.rows.iter().position(|r| r.summary.id == id);
    let mut body = format!(
        "<table><tr><th>Đội</th><td>{}</td></tr><tr><th>Đối tượng</th><td>{}</td></tr>\
         <tr><th>MST / Số định danh</th><td>{}</td></tr><tr><th>Lĩnh vực</th><td>{}</td></tr>\
         <tr><th>Mở ngày</th><td>{}</td></tr><tr><th>Trạng thái</th><td>{}</td></tr>",
        esc(name_of(&names, &c.team_id)),
        esc(&c.subject_name),
        esc(c.subject_identifier.as_deref().unwrap_or("")),
        esc(field_name(&state, &c.field)),
        c.opened_at.format("%d/%m/%Y %H:%M"),
        c.stage.vi()
    );
    if let Some(fine) = at.and_then(|i| fine(&snap.rows[i].summary)) {
        let _ = write!(body, "<tr><th>Tiền phạt theo quyết định</th><td>{} đồng</td></tr>", format_vnd(fine));
    }
    body.push_str("</table><h2>Văn bản</h2><table><tr><th>Văn bản</th><th>Số</th><th>Trạng thái</th><th>Thời điểm</th><th>PDF</th></tr>");
    for (i, d) in c.documents.iter().enumerate() {
        let link = match &d.pdf {
            Some(_) => format!("<a href=\"/cases/{}/documents/{i}\">Tải PDF</a>", c.case_id),
            None => String::new(),
        };
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{link}</td></tr>",
            esc(&d.title),
            esc(d.number.as_deref().unwrap_or("")),
            esc(&d.state),
            d.at.format("%d/%m/%Y %H:%M")
        );
    }
    body.push_str("</table>");
    if let Some(i) = at {
        body.push_str(&deadlines_table(&snap, i));
        body.push_str(&other_cases(&snap, i, &names));
    }
    body.push_str(
        "<h2>Lịch sử các phiên bản gói hồ sơ</h2><table><tr><th>Phiên bản</th><th>Nhận lúc</th><th>SHA-256</th></tr>",
    );
    for (version, sha, at) in &c.versions {
        let _ = write!(
            body,
            "<tr><td>{version}</td><td>{}</td><td><code>{}</code></td></tr>",
            at.with_timezone(&chrono::Local).format("%d/%m/%Y %H:%M:%S"),
            esc(sha)
        );
    }
    body.push_str("</table>");
    let transfers = state.store.transfers(c.case_id).unwrap_or_default();
    if !transfers.is_empty() {
        body.push_str(
            "<h2>Chuyển giao giữa các đội</h2><table><tr><th>Lúc</th><th>Từ đội</th><th>Sang đội</th>\
             <th>Phiên bản</th><th>Người quyết định</th><th>Lý do</th></tr>",
        );
        for (t, _) in &transfers {
            let _ = write!(
                body,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                t.at.with_timezone(&chrono::Local).format("%d/%m/%Y %H:%M"),
                esc(name_of(&names, &t.from_team)),
                esc(name_of(&names, &t.to_team)),
                t.version,
                esc(&t.by),
                esc(&t.reason)
            );
        }
        body.push_str("</table>");
    }
    page(&c.subject_name, Some(&user), &body).into_response()
}

fn deadlines_table(snap: &Snapshot, i: usize) -> String {
    if snap.deadlines[i].is_empty() {
        return "<h2>Thời hạn</h2><p class=\"muted\">Không còn thời hạn nào đang chạy.</p>".into();
    }
    let mut out = String::from(
        "<h2>Thời hạn</h2><table><tr><th>Việc</th><th>Căn cứ</th><th>Từ ngày</th><th>Hạn</th><th>Tình trạng</th></tr>",
    );
    for d in snap.deadlines[i].iter() {
        let class = if d.state == DeadlineState::Overdue { "late" } else { "" };
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{class}\">{}</td><td class=\"{class}\">{}</td></tr>",
            esc(&d.title),
            esc(&d.basis),
            d.start.format("%d/%m/%Y"),
            d.due.format("%d/%m/%Y"),
            d.state.vi()
        );
    }
    out.push_str("</table>");
    out
}

/// The key a subject is recognised by across the province's cases: its identifier, else its
/// folded name with its province.
fn subject_key(row: &CaseSummary) -> String {
    match &row.subject_identifier {
        Some(id) => format!("id:{id}"),
        None => format!("name:{}:{:?}", fold(&row.subject_name), row.subject_province),
    }
}

/// Whether two rows are the same subject by [`subject_key`], without making the keys of
/// rows that cannot match.
fn same_subject(a: &CaseSummary, folded_a: &str, b: &CaseSummary) -> bool {
    match (&a.subject_identifier, &b.subject_identifier) {
        (Some(x), Some(y)) => x == y,
        (None, None) => a.subject_province == b.subject_province && fold(&b.subject_name) == folded_a,
        _ => false,
    }
}

/// The subject's other cases in the province (the warnings a case page gives).
fn other_cases(snap: &Snapshot, i: usize, names: &HashMap<String, String>) -> String {
    let this = &snap.rows[i].summary;
    let folded = fold(&this.subject_name);
    let others: Vec<&HubRow> = snap
        .rows
        .iter()
        .enumerate()
        .filter(|(j, r)| *j != i && r.summary.stage != Stage::DaHuy && same_subject(this, &folded, &r.summary))
        .map(|(_, r)| &**r)
        .collect();
    if others.is_empty() {
        return "<h2>Cảnh báo</h2><p class=\"muted\">Đối tượng chưa có vụ việc nào khác trong tỉnh.</p>".into();
    }
    let mut out = format!(
        "<h2>Cảnh báo</h2><p class=\"problem\">Đối tượng có {} vụ việc khác trong tỉnh.</p><table><tr><th>Ngày mở</th>\
         <th>Đội</th><th>Trạng thái</th><th>Xử phạt</th></tr>",
        others.len()
    );
    for r in others {
        let sanctioned = match r.summary.sanction_marks.iter().map(|m| m.on).max() {
            Some(on) => format!("Quyết định xử phạt ngày {}", on.format("%d/%m/%Y")),
            None => String::new(),
        };
        let _ = write!(
            out,
            "<tr><td><a href=\"/cases/{}\">{}</a></td><td>{}</td><td>{}</td><td>{sanctioned}</td></tr>",
            r.summary.id,
            r.summary.opened_at.format("%d/%m/%Y"),
            esc(name_of(names, &r.team_id)),
            r.summary.stage.vi()
        );
    }
    out.push_str("</table>");
    out
}

pub(super) async fn document_pdf(
    State(state): State<Shared>,
    headers: HeaderMap,
    UrlPath((id, n)): UrlPath<(Uuid, usize)>,
) -> Response {
    let user = match allowed(&state, &headers, Role::sees_cases) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let not_found = || (StatusCode::NOT_FOUND, "no such document").into_response();
    let Ok(Some(c)) = state.store.case(id) else { return not_found() };
    let Some(doc) = c.documents.get(n).cloned() else { return not_found() };
    let Some(path) = doc.pdf.clone() else { return not_found() };
    if let Err(r) = record_view(&state, &user, id, format!("PDF: {}", doc.title)) {
        return *r;
    }
    let state2 = state.clone();
    let pdf = tokio::task::spawn_blocking(move || -> Option<Vec<u8>> {
        let opened = crate::hub::ingest::open_stored(&state2, &c.package_sha256).ok()?;
        opened.file(&path).map(<[u8]>::to_vec)
    })
    .await
    .ok()
    .flatten();
    match pdf {
        Some(bytes) => ([(header::CONTENT_TYPE, "application/pdf")], bytes).into_response(),
        None => not_found(),
    }
}

/// One subject who offended again in the province: its cases, oldest first.
pub(super) struct Repeat<'a> {
    pub rows: Vec<&'a HubRow>,
}

/// Subjects whose later case records an act repeating a sanction of an earlier case (the
/// same act, within one year of it, six months after a warning: khoản 1 Điều 7 Luật
/// XLVPHC, `summary::repeats`, as the laptop marks its list), across teams; newest first.
pub(super) fn repeats(snap: &Snapshot) -> Vec<Repeat<'_>> {
    let mut by_subject: HashMap<String, Vec<&HubRow>> = HashMap::new();
    for row in
        snap.rows.iter().filter(|r| !r.summary.sanction_marks.is_empty() || !r.summary.violation_marks.is_empty())
    {
        by_subject.entry(subject_key(&row.summary)).or_default().push(row);
    }
    let mut out: Vec<(chrono::NaiveDateTime, Repeat<'_>)> = Vec::new();
    for (_, mut rows) in by_subject {
        if rows.len() < 2 {
            continue;
        }
        rows.sort_by_key(|r| r.summary.opened_at);
        let latest = (1..rows.len())
            .filter(|&n| {
                let earlier: Vec<&CaseSummary> = rows[..n].iter().map(|r| &r.summary).collect();
                crate::domain::summary::repeats(&rows[n].summary, &earlier)
            })
            .map(|n| rows[n].summary.opened_at)
            .max();
        if let Some(at) = latest {
            out.push((at, Repeat { rows }));
        }
    }
    out.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    out.into_iter().map(|(_, r)| r).collect()
}

#[derive(Deserialize, Default)]
pub(super) struct Paging {
    page: Option<usize>,
}

pub(super) async fn offenders_page(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(paging): Query<Paging>,
) -> Response {
    let (user, snap) = match reader(&state, &headers) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let names = team_names(&state);
    let found = repeats(&snap);
    let mut body = format!(
        "<p>{} đối tượng tái phạm: vi phạm lại cùng hành vi đã bị xử phạt, trong thời hạn chưa được coi là chưa bị xử \
         phạt (01 năm; 06 tháng nếu là cảnh cáo — khoản 1 Điều 7 Luật Xử lý vi phạm hành chính), ở bất kỳ đội nào của tỉnh.</p>\
         <table><tr><th>Đối tượng</th><th>MST / Số định danh</th><th>Số lần xử phạt</th><th>Các vụ việc</th></tr>",
        found.len()
    );
    let pages = found.len().div_ceil(PAGE).max(1);
    let shown = paging.page.unwrap_or(1).clamp(1, pages);
    for r in found.iter().skip((shown - 1) * PAGE).take(PAGE) {
        let first = &r.rows[0].summary;
        let count: usize = r.rows.iter().map(|x| x.summary.sanction_marks.len()).sum();
        let cases: Vec<String> = r
            .rows
            .iter()
            .map(|x| {
                format!(
                    "<a href=\"/cases/{}\">{}</a> ({})",
                    x.summary.id,
                    x.summary.opened_at.format("%d/%m/%Y"),
                    esc(name_of(&names, &x.team_id))
                )
            })
            .collect();
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{count}</td><td>{}</td></tr>",
            esc(&first.subject_name),
            esc(&masked(first)),
            cases.join("; ")
        );
    }
    body.push_str("</table>");
    if pages > 1 {
        let _ = write!(body, "<p class=\"noprint\">Trang {shown}/{pages} ");
        if shown > 1 {
            let _ = write!(body, "<a href=\"/offenders?page={}\">« Trang trước</a> ", shown - 1);
        }
        if shown < pages {
            let _ = write!(body, "<a href=\"/offenders?page={}\">Trang sau »</a>", shown + 1);
        }
        body.push_str("</p>");
    }
    page("Đối tượng tái phạm", Some(&user), &body).into_response()
}
