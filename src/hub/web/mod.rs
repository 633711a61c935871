//! The province view: server-rendered pages behind a staff login (argon2 passwords, a
//! session cookie that ends after a working day or half an hour unused), by role: the
//! morning page (`morning.rs`), the cases, a case and its documents, repeat offenders
//! (`cases.rs`), statistics with charts and a workbook (`stats.rs`), accounts, teams and the
//! access log (`admin.rs`). No JavaScript; dates dd/mm/yyyy whatever the browser's language.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::store::{HubRow, Role};
use super::{ApiError, HubState, Shared};
use crate::domain::deadlines::{Deadline, DeadlineState, deadlines_of};

mod admin;
mod cases;
pub(crate) use cases::{under_way, week_start};
mod login;
mod morning;
mod stats;

pub use login::LoginGuard;
pub(crate) use login::{Attempter, DUMMY_HASH, busy, login_form, same_origin};

pub(crate) const COOKIE: &str = "anchi_session";
/// A session lasts a working day at most…
pub(crate) const SESSION_SECS: i64 = 10 * 3600;
/// …and ends after half an hour without a page asked for (a screen left open in an office).
pub(crate) const IDLE_SECS: i64 = 30 * 60;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(morning::morning_page))
        .route("/login", get(login::login_page).post(login::login))
        .route("/logout", axum::routing::post(login::logout))
        .route("/cases", get(cases::cases_page))
        .route("/cases/{id}", get(cases::case_page))
        .route("/cases/{id}/documents/{n}", get(cases::document_pdf))
        .route("/offenders", get(cases::offenders_page))
        .route("/stats", get(stats::stats_page))
        .route("/stats.xlsx", get(stats::stats_workbook))
        .route("/admin", get(admin::admin_page))
        .route("/access", get(admin::access_page))
}

/// The pages' requests are small forms: a body larger than this is refused.
const MAX_FORM_BYTES: usize = 16 * 1024;

/// Reads a page request's body whole before its handler, within [`MAX_FORM_BYTES`] and the
/// hub's body time, so that a slow or endless form cannot hold a connection and a task.
pub async fn bounded_body(
    State(state): State<Shared>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    bounded(state.limits.body.min(state.limits.idle), request, next).await
}

/// Reads a page request's body whole within [`MAX_FORM_BYTES`] and `time` (the national
/// pages too), then runs its handler.
pub async fn bounded(
    time: std::time::Duration,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let (parts, body) = request.into_parts();
    match tokio::time::timeout(time, axum::body::to_bytes(body, MAX_FORM_BYTES)).await {
        Ok(Ok(bytes)) => next.run(axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes))).await,
        Ok(Err(_)) => (StatusCode::PAYLOAD_TOO_LARGE, "Yêu cầu quá lớn").into_response(),
        Err(_) => (StatusCode::REQUEST_TIMEOUT, "Yêu cầu gửi quá chậm").into_response(),
    }
}

/// Headers every answer carries: no framing, no other origin's scripts or styles (the
/// pages have none of their own), HTTPS only, nothing kept in caches (personal data).
pub async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    let set = |h: &mut HeaderMap, name: header::HeaderName, value: &'static str| {
        h.insert(name, header::HeaderValue::from_static(value));
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::STRICT_TRANSPORT_SECURITY, "max-age=31536000");
    set(h, header::CACHE_CONTROL, "no-store");
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "no-referrer");
    response
}

/// Percent-encodes a query value.
pub(crate) fn urlencoded(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect()
}

/// A horizontal bar chart of (label, count), drawn as SVG on the server (no script).
pub(crate) fn bar_chart(bars: &[(&str, u64)], what: &str) -> String {
    use std::fmt::Write as _;
    let Some(max) = bars.iter().map(|(_, n)| *n).max().filter(|m| *m > 0) else { return String::new() };
    let (label_w, bar_w, row_h) = (330.0, 420.0, 22.0);
    let height = row_h * bars.len() as f64 + 8.0;
    let mut svg = format!(
        "<svg role=\"img\" aria-label=\"Biểu đồ {}\" width=\"{}\" height=\"{height}\" \
         xmlns=\"http://www.w3.org/2000/svg\" font-family=\"sans-serif\" font-size=\"12\">",
        esc(what),
        label_w + bar_w + 60.0
    );
    for (i, (label, n)) in bars.iter().enumerate() {
        let y = i as f64 * row_h + 4.0;
        let w = bar_w * *n as f64 / max as f64;
        let label: String = label.chars().take(48).collect();
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{w:.1}\" \
             height=\"{}\" fill=\"#2e75b6\"/><text x=\"{}\" y=\"{}\">{n}</text>",
            label_w - 6.0,
            y + 14.0,
            esc(&label),
            row_h - 6.0,
            label_w + w + 4.0,
            y + 14.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Escapes text for HTML.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The pages' style: readable at 1366×768, printed on A4 without the menus and forms.
pub(crate) const STYLE: &str = "body{font-family:'Noto Sans','DejaVu Sans',Arial,sans-serif;margin:0;color:#222;font-size:15px}\
main{padding:0 1.5em 1.5em}nav{background:#1f4e79;color:#fff;padding:.5em 1.5em}\
nav a{color:#fff;margin-right:1.2em;text-decoration:none}nav a.on{font-weight:bold;text-decoration:underline}\
nav .who{float:right}nav button{margin-left:.6em}h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.4em}\
table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #bbb;padding:3px 7px;text-align:left;vertical-align:top}\
th{background:#e8eef7}.num{text-align:right}.late{color:#b00000;font-weight:bold}.soon{color:#a65e00}\
.problem{color:#b00000;font-weight:bold}form.filters{margin:.6em 0;line-height:2.2}form.filters label{margin-right:.8em}\
.muted{color:#666}svg{display:block;margin:.4em 0}\
@media print{nav,form,.noprint{display:none}body{font-size:11pt}main{padding:0}@page{size:A4;margin:15mm}a{color:#000;text-decoration:none}}";

fn page(title: &str, user: Option<&Staff>, body: &str) -> Html<String> {
    let nav = match user {
        Some(u) => {
            let mut links: Vec<(&str, &str)> = Vec::new();
            if u.role.sees_cases() {
                links.extend([
                    ("/", "Sáng nay"),
                    ("/cases", "Vụ việc"),
                    ("/offenders", "Tái phạm"),
                    ("/stats", "Thống kê"),
                ]);
            }
            if u.role == Role::Leader {
                links.push(("/access", "Nhật ký truy cập"));
            }
            if u.role != Role::Officer {
                links.push(("/admin", "Tài khoản, đội"));
            }
            let links: String = links.iter().map(|(href, label)| format!("<a href=\"{href}\">{label}</a>")).collect();
            format!(
                "<nav>{links}<span class=\"who\">{} ({}) <form method=\"post\" action=\"/logout\" style=\"display:inline\">{}\
                 <button>Đăng xuất</button></form></span></nav>",
                esc(&u.name),
                u.role.vi(),
                u.csrf_field()
            )
        }
        None => String::new(),
    };
    Html(format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{} — anchi-hub</title>\
         <style>{STYLE}</style></head><body>{nav}<main><h1>{}</h1>{body}</main></body></html>",
        esc(title),
        esc(title)
    ))
}

/// The session token in the request's cookie, if any.
pub(crate) fn session_token(headers: &HeaderMap) -> Option<&str> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    cookies.split(';').find_map(|c| c.trim().strip_prefix(COOKIE)?.strip_prefix('='))
}

/// A logged-in session: who, in which role, until when.
pub struct Session {
    user: String,
    role: Role,
    /// The account's password hash when it logged in: a new password ends the session.
    password_hash: String,
    /// The end of the working day it was opened for.
    expires: i64,
    /// The end of its idle time, moved on by every page.
    idle_until: i64,
}

/// A logged-in staff member, and the token their forms carry against cross-site requests.
struct Staff {
    name: String,
    role: Role,
    csrf: String,
}

impl Staff {
    /// The hidden field every state-changing form of the pages carries.
    fn csrf_field(&self) -> String {
        format!("<input type=\"hidden\" name=\"csrf\" value=\"{}\">", self.csrf)
    }
}

/// A session's form token: derived from the session's secret cookie, which another site can
/// neither read nor guess, so a form posted from elsewhere cannot carry it.
pub(crate) fn csrf_of(session: &str) -> String {
    hex::encode(&Sha256::digest(format!("anchi-hub csrf\0{session}").as_bytes())[..16])
}

/// Opens a session for `user`; its token.
fn open_session(state: &HubState, user: String, role: Role, password_hash: String) -> String {
    let token = hex::encode(uuid::Uuid::new_v4().as_bytes()) + &hex::encode(uuid::Uuid::new_v4().as_bytes());
    let now = chrono::Utc::now().timestamp();
    let session = Session { user, role, password_hash, expires: now + SESSION_SECS, idle_until: now + IDLE_SECS };
    state.sessions.lock().expect("sessions").insert(token.clone(), session);
    token
}

/// The logged-in user, from the session cookie; the session's idle time starts again.
fn user_of(state: &HubState, headers: &HeaderMap) -> Option<Staff> {
    let token = session_token(headers)?;
    let now = chrono::Utc::now().timestamp();
    let mut sessions = state.sessions.lock().expect("sessions");
    sessions.retain(|_, s| s.expires > now && s.idle_until > now);
    let session = sessions.get_mut(token)?;
    // The account as it is now: a new password (a reset on the command line) ends the
    // session; a changed role counts at once.
    let current = state.store.user(&session.user).ok().flatten();
    if current.is_none_or(|u| u.password_hash != session.password_hash) {
        sessions.remove(token);
        return None;
    }
    session.idle_until = now + IDLE_SECS;
    if let Ok(role) = state.store.role(&session.user) {
        session.role = role;
    }
    Some(Staff { name: session.user.clone(), role: session.role, csrf: csrf_of(token) })
}

/// The staff member asking, when their role may see the page: a visitor without a session
/// is sent to the login page, a role without the right is refused (403) with a page saying so.
fn allowed(state: &HubState, headers: &HeaderMap, may: impl Fn(Role) -> bool) -> Result<Staff, Box<Response>> {
    let Some(user) = user_of(state, headers) else {
        return Err(Box::new(Redirect::to("/login").into_response()));
    };
    if may(user.role) {
        return Ok(user);
    }
    let body = format!(
        "<p class=\"problem\">Tài khoản {} ({}) không được xem trang này.</p>",
        esc(&user.name),
        user.role.vi()
    );
    Err(Box::new((StatusCode::FORBIDDEN, page("Không được phép", Some(&user), &body)).into_response()))
}

/// The staff member asking and the rows, for a page that reads case data.
fn reader(state: &HubState, headers: &HeaderMap) -> Result<(Staff, Arc<Snapshot>), Box<Response>> {
    let user = allowed(state, headers, Role::sees_cases)?;
    let snap = snapshot(state).map_err(|e| Box::new(failed(e)))?;
    Ok((user, snap))
}

/// A store failure as a page.
fn failed(e: ApiError) -> Response {
    e.into_response()
}

/// What the pages read, made once per change of the rows (and per day, for the deadlines'
/// states): the rows newest first, and the deadlines not yet met of each. A package
/// received here patches it in place ([`patch_snapshot`]); a change made by another process
/// (a transfer on the command line) has it read again.
pub struct Snapshot {
    generation: u64,
    day: NaiveDate,
    rows: Vec<Arc<HubRow>>,
    /// Parallel to `rows`: the deadlines not met.
    deadlines: Vec<Arc<[Deadline]>>,
}

impl Snapshot {
    fn overdue(&self, i: usize) -> bool {
        self.deadlines[i].iter().any(|d| d.state == DeadlineState::Overdue)
    }
}

/// Today, where the hub runs (the province's day).
pub(crate) fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The snapshot's order: newest opened first, then by id.
fn order(a: &HubRow, b: &HubRow) -> std::cmp::Ordering {
    b.summary.opened_at.cmp(&a.summary.opened_at).then(a.summary.id.cmp(&b.summary.id))
}

fn open_deadlines(state: &HubState, row: &HubRow, day: NaiveDate) -> Arc<[Deadline]> {
    let r = &state.reference;
    let mut d = deadlines_of(&row.summary, &r.deadline_rules, &r.calendar, day);
    d.retain(|d| d.state != DeadlineState::Met);
    d.into()
}

/// The kept snapshot, when it is of the rows as stored now and of today.
fn kept(state: &HubState, day: NaiveDate) -> Result<Option<Arc<Snapshot>>, ApiError> {
    let generation = state.store.rows_generation()?;
    let kept = state.snapshot.lock().expect("snapshot");
    Ok(kept.as_ref().filter(|s| s.generation == generation && s.day == day).cloned())
}

fn snapshot(state: &HubState) -> Result<Arc<Snapshot>, ApiError> {
    let day = today();
    if let Some(s) = kept(state, day)? {
        return Ok(s);
    }
    // One request reads every row; the others asking meanwhile wait and take its result.
    let _reading = state.snapshot_reading.lock().expect("snapshot reading");
    if let Some(s) = kept(state, day)? {
        return Ok(s);
    }
    let (generation, rows) = state.store.rows()?;
    let mut rows: Vec<Arc<HubRow>> = rows.into_iter().map(Arc::new).collect();
    rows.sort_by(|a, b| order(a, b));
    let deadlines = rows.iter().map(|row| open_deadlines(state, row, day)).collect();
    let made = Arc::new(Snapshot { generation, day, rows, deadlines });
    *state.snapshot.lock().expect("snapshot") = Some(made.clone());
    Ok(made)
}

/// Reads the rows before the first page is asked for (at start).
pub fn warm(state: &HubState) -> Result<usize, ApiError> {
    Ok(snapshot(state)?.rows.len())
}

/// Takes one case's new row into the kept snapshot when it is the only change since
/// (`generation` is the store's count after it); otherwise the next page reads every row.
pub fn patch_snapshot(state: &HubState, generation: u64, row: HubRow) {
    let day = today();
    let deadlines_of_row = open_deadlines(state, &row, day);
    let mut kept = state.snapshot.lock().expect("snapshot");
    let Some(old) = kept.as_ref() else { return };
    if old.generation + 1 != generation || old.day != day {
        return;
    }
    let (mut rows, mut deadlines) = (old.rows.clone(), old.deadlines.clone());
    if let Some(i) = rows.iter().position(|r| r.summary.id == row.summary.id) {
        rows.remove(i);
        deadlines.remove(i);
    }
    let at = rows.partition_point(|r| order(r, &row) == std::cmp::Ordering::Less);
    deadlines.insert(at, deadlines_of_row);
    rows.insert(at, Arc::new(row));
    *kept = Some(Arc::new(Snapshot { generation, day: old.day, rows, deadlines }));
}

/// Teams' names by id (an id the hub no longer knows shows as itself).
fn team_names(state: &HubState) -> HashMap<String, String> {
    state.store.teams().unwrap_or_default().into_iter().map(|t| (t.team_id, t.name)).collect()
}

fn name_of<'a>(names: &'a HashMap<String, String>, id: &'a str) -> &'a str {
    names.get(id).map_or(id, String::as_str)
}

fn field_name<'a>(state: &'a HubState, code: &'a str) -> &'a str {
    state.reference.field_name(code).unwrap_or(code)
}

/// A date typed as dd/mm/yyyy (or as the browser's yyyy-mm-dd); empty is none; anything
/// else is refused with the field's name.
fn typed_day(label: &str, text: Option<&str>) -> Result<Option<NaiveDate>, String> {
    let text = text.map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Ok(None);
    }
    // A year of four digits: "05/11/26" would be read as the year 26.
    let four_digit_year = text.rsplit(['/', '-', '.']).next().is_some_and(|y| y.len() == 4)
        || text.split('-').next().is_some_and(|y| y.len() == 4);
    crate::domain::text::parse_date(text).filter(|_| four_digit_year).map(Some).ok_or_else(|| {
        format!("{label}: “{text}” không phải ngày hợp lệ (nhập theo dạng ngày/tháng/năm, ví dụ 05/11/2026)")
    })
}

/// A date field that reads and writes dd/mm/yyyy, whatever the browser's language.
fn day_input(name: &str, label: &str, value: Option<&str>) -> String {
    format!(
        "<label>{label} <input name=\"{name}\" value=\"{}\" placeholder=\"dd/mm/yyyy\" size=\"10\" \
         pattern=\"\\d{{1,2}}/\\d{{1,2}}/\\d{{4}}\" title=\"ngày/tháng/năm, ví dụ 05/11/2026\"></label>",
        esc(value.unwrap_or(""))
    )
}
