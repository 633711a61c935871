//! The province view: server-rendered pages behind a staff login (argon2 passwords, a
//! session cookie). Cases by team, state and period; one case's documents (PDF download)
//! and versions; counts and fines by team and field. No JavaScript.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use axum::Router;
use axum::extract::{ConnectInfo, Form, Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::store::IndexedCase;
use super::{HubState, Shared};
use crate::domain::text::format_vnd;
use crate::package;

const COOKIE: &str = "anchi_session";
/// A session lasts a working day.
const SESSION_SECS: i64 = 10 * 3600;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(cases_page))
        .route("/login", get(login_page).post(login))
        .route("/logout", axum::routing::post(logout))
        .route("/cases/{id}", get(case_page))
        .route("/cases/{id}/documents/{n}", get(document_pdf))
        .route("/stats", get(stats_page))
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
    let (parts, body) = request.into_parts();
    match tokio::time::timeout(state.limits.body.min(state.limits.idle), axum::body::to_bytes(body, MAX_FORM_BYTES))
        .await
    {
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
fn urlencoded(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect()
}

/// Escapes text for HTML.
fn esc(text: &str) -> String {
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

fn page(title: &str, user: Option<&Staff>, body: &str) -> Html<String> {
    let nav = match user {
        Some(u) => format!(
            "<nav><a href=\"/\">Vụ việc</a> · <a href=\"/stats\">Thống kê</a> · {} \
             <form method=\"post\" action=\"/logout\" style=\"display:inline\">{}<button>Đăng xuất</button></form></nav>",
            esc(&u.name),
            u.csrf_field()
        ),
        None => String::new(),
    };
    Html(format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>{} — anchi-hub</title>\
         <style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}\
         td,th{{border:1px solid #bbb;padding:4px 8px;text-align:left}}th{{background:#eee}}\
         .num{{text-align:right}}</style></head><body>{nav}<h1>{}</h1>{body}</body></html>",
        esc(title),
        esc(title)
    ))
}

/// The session token in the request's cookie, if any.
fn session_token(headers: &HeaderMap) -> Option<&str> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    cookies.split(';').find_map(|c| c.trim().strip_prefix(COOKIE)?.strip_prefix('='))
}

/// A logged-in staff member, and the token their forms carry against cross-site requests.
struct Staff {
    name: String,
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
fn csrf_of(session: &str) -> String {
    hex::encode(&Sha256::digest(format!("anchi-hub csrf\0{session}").as_bytes())[..16])
}

/// The logged-in user, from the session cookie.
fn user_of(state: &HubState, headers: &HeaderMap) -> Option<Staff> {
    let token = session_token(headers)?;
    let now = chrono::Utc::now().timestamp();
    let mut sessions = state.sessions.lock().expect("sessions");
    sessions.retain(|_, (_, expires)| *expires > now);
    sessions.get(token).map(|(user, _)| Staff { name: user.clone(), csrf: csrf_of(token) })
}

/// Everything but the login page sends a visitor without a session there.
fn to_login() -> Response {
    Redirect::to("/login").into_response()
}

async fn login_page() -> Html<String> {
    login_form("")
}

fn login_form(problem: &str) -> Html<String> {
    let problem =
        if problem.is_empty() { String::new() } else { format!("<p style=\"color:#b00\">{}</p>", esc(problem)) };
    page(
        "Đăng nhập",
        None,
        &format!(
            "{problem}<form method=\"post\" action=\"/login\">\
             <p><label>Tên đăng nhập <input name=\"user\" autofocus></label></p>\
             <p><label>Mật khẩu <input name=\"password\" type=\"password\"></label></p>\
             <p><button>Đăng nhập</button></p></form>"
        ),
    )
}

#[derive(Deserialize)]
struct LoginForm {
    user: String,
    password: String,
}

/// What bounds the password checks of the login form: argon2 costs about 19 MiB and tens of
/// milliseconds, so at most [`LOGIN_SLOTS`] run at once (a storm of logins is answered
/// "busy", not with gigabytes); a name with five wrong passwords waits 30 s, doubling, at
/// most 15 minutes (as on the laptops), and so does an address with twenty (several names
/// tried from one place: an office shares an address, so it is allowed more).
pub struct LoginGuard {
    slots: tokio::sync::Semaphore,
    /// Per user name (known or not) and per address: wrong passwords in a row, and until
    /// when it waits.
    failures: std::sync::Mutex<std::collections::HashMap<Attempter, (u32, i64)>>,
}

/// Who tries a password: the name typed, or the address it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Attempter {
    Name(String),
    Address(std::net::IpAddr),
}

impl Attempter {
    /// Wrong passwords in a row before it must wait.
    fn free_tries(&self) -> u32 {
        match self {
            Attempter::Name(_) => 5,
            Attempter::Address(_) => 20,
        }
    }
}

/// Password checks running at once.
const LOGIN_SLOTS: usize = 2;
/// Names and addresses remembered for their failures at most (then only the waiting ones).
const MAX_REMEMBERED: usize = 10_000;

impl Default for LoginGuard {
    fn default() -> Self {
        LoginGuard { slots: tokio::sync::Semaphore::new(LOGIN_SLOTS), failures: Default::default() }
    }
}

impl LoginGuard {
    /// Seconds the longest-waiting of `who` must still wait, if any.
    fn waiting(&self, who: &[Attempter], now: i64) -> Option<i64> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        who.iter().filter_map(|w| failures.get(w)).map(|(_, until)| until - now).filter(|s| *s > 0).max()
    }

    fn record(&self, who: &[Attempter], ok: bool, now: i64) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for w in who {
            if ok {
                failures.remove(w);
                continue;
            }
            if failures.len() >= MAX_REMEMBERED {
                failures.retain(|_, (_, until)| *until > now);
            }
            if failures.len() >= MAX_REMEMBERED && !failures.contains_key(w) {
                continue;
            }
            let entry = failures.entry(w.clone()).or_insert((0, 0));
            entry.0 += 1;
            let free = w.free_tries();
            if entry.0 >= free {
                entry.1 = now + (30i64 << (entry.0 - free).min(5)).min(900);
            }
        }
    }
}

/// A hash to check unknown names against, so that a wrong name takes as long as a wrong
/// password (the answer time does not tell who has an account).
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crate::password::hash("anchi-hub: no such user"));

/// Whether a form POST comes from this site: its Origin (or, without one, its Referer) is
/// the host it was sent to. A page elsewhere cannot post a login or a logout here.
fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let from = headers.get(header::ORIGIN).or_else(|| headers.get(header::REFERER)).and_then(|h| h.to_str().ok());
    match from {
        None => true,
        Some(from) => {
            let rest = from.strip_prefix("https://").unwrap_or_default();
            rest == host || rest.strip_prefix(host).is_some_and(|path| path.starts_with('/'))
        }
    }
}

fn busy(seconds: i64, message: &str) -> Response {
    let retry = [(header::RETRY_AFTER, seconds.max(1).to_string())];
    (StatusCode::TOO_MANY_REQUESTS, retry, login_form(message)).into_response()
}

async fn login(
    State(state): State<Shared>,
    ConnectInfo(from): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    if !same_origin(&headers) {
        return (StatusCode::FORBIDDEN, login_form("Yêu cầu không đến từ trang của máy chủ này")).into_response();
    }
    let now = chrono::Utc::now().timestamp();
    let who = [Attempter::Name(form.user.clone()), Attempter::Address(from.ip())];
    if let Some(seconds) = state.login.waiting(&who, now) {
        return busy(seconds, &format!("Sai mật khẩu nhiều lần: thử lại sau {seconds} giây"));
    }
    let Ok(permit) = state.login.slots.try_acquire() else {
        return busy(2, "Máy chủ đang bận kiểm tra đăng nhập: thử lại sau vài giây");
    };
    let state2 = state.clone();
    let user = form.user.clone();
    let ok = tokio::task::spawn_blocking(move || {
        let stored = state2.store.user(&user).ok().flatten();
        let hash = stored.as_ref().map_or(DUMMY_HASH.as_str(), |u| u.password_hash.as_str());
        crate::password::verify(hash, &form.password) && stored.is_some()
    })
    .await
    .unwrap_or(false);
    drop(permit);
    state.login.record(&who, ok, now);
    if !ok {
        return (StatusCode::UNAUTHORIZED, login_form("Sai tên đăng nhập hoặc mật khẩu")).into_response();
    }
    let token = hex::encode(Uuid::new_v4().as_bytes()) + &hex::encode(Uuid::new_v4().as_bytes());
    let expires = chrono::Utc::now().timestamp() + SESSION_SECS;
    state.sessions.lock().expect("sessions").insert(token.clone(), (form.user, expires));
    let cookie = format!("{COOKIE}={token}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age={SESSION_SECS}");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(State(state): State<Shared>, headers: HeaderMap, Form(form): Form<CsrfForm>) -> Response {
    // Both the origin and the form's token: a page elsewhere cannot end a session.
    let token = session_token(&headers);
    if !same_origin(&headers) || token.is_none_or(|t| csrf_of(t) != form.csrf) {
        return (StatusCode::FORBIDDEN, "Yêu cầu không đến từ trang của máy chủ này").into_response();
    }
    if let Some(token) = token {
        state.sessions.lock().expect("sessions").remove(token);
    }
    let cookie = format!("{COOKIE}=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response()
}

#[derive(Deserialize, Default)]
struct Filters {
    team: Option<String>,
    stage: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// Page of the case list, from 1.
    page: Option<usize>,
}

/// Cases per page of the list.
const PAGE: usize = 200;

fn cases_matching(state: &HubState, f: &Filters) -> Result<Vec<IndexedCase>, super::ApiError> {
    let date =
        |s: &Option<String>| s.as_deref().filter(|s| !s.is_empty()).and_then(|s| s.parse::<chrono::NaiveDate>().ok());
    let (from, to) = (date(&f.from), date(&f.to));
    let mut cases = state.store.cases()?;
    cases.retain(|c| {
        f.team.as_deref().is_none_or(|t| t.is_empty() || c.team_id == t)
            && f.stage.as_deref().is_none_or(|s| s.is_empty() || c.stage.vi() == s)
            && from.is_none_or(|d| c.opened_at.date() >= d)
            && to.is_none_or(|d| c.opened_at.date() <= d)
    });
    cases.sort_by_key(|c| std::cmp::Reverse(c.opened_at));
    Ok(cases)
}

async fn cases_page(State(state): State<Shared>, headers: HeaderMap, Query(f): Query<Filters>) -> Response {
    let Some(user) = user_of(&state, &headers) else { return to_login() };
    let cases = match cases_matching(&state, &f) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let teams = state.store.teams().unwrap_or_default();
    let mut body = String::from(
        "<form method=\"get\" action=\"/\"><label>Đội <select name=\"team\"><option value=\"\">Tất cả</option>",
    );
    for t in &teams {
        let selected = if f.team.as_deref() == Some(&t.team_id) { " selected" } else { "" };
        let _ = write!(body, "<option value=\"{}\"{selected}>{}</option>", esc(&t.team_id), esc(&t.name));
    }
    body.push_str("</select></label> <label>Trạng thái <select name=\"stage\"><option value=\"\">Tất cả</option>");
    for stage in crate::domain::Stage::ALL {
        let selected = if f.stage.as_deref() == Some(stage.vi()) { " selected" } else { "" };
        let _ = write!(body, "<option{selected}>{}</option>", stage.vi());
    }
    let _ = write!(
        body,
        "</select></label> <label>Từ ngày <input type=\"date\" name=\"from\" value=\"{}\"></label> \
         <label>đến ngày <input type=\"date\" name=\"to\" value=\"{}\"></label> <button>Lọc</button></form>\
         <p>{} vụ việc</p><table><tr><th>Ngày mở</th><th>Đội</th><th>Đối tượng</th><th>Mã số</th><th>Lĩnh vực</th>\
         <th>Trạng thái</th><th>Mức phạt (đồng)</th><th>Phiên bản</th></tr>",
        esc(f.from.as_deref().unwrap_or("")),
        esc(f.to.as_deref().unwrap_or("")),
        cases.len()
    );
    let pages = cases.len().div_ceil(PAGE).max(1);
    let shown = f.page.unwrap_or(1).clamp(1, pages);
    for c in cases.iter().skip((shown - 1) * PAGE).take(PAGE) {
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td><a href=\"/cases/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            c.opened_at.format("%d/%m/%Y"),
            esc(&c.team_id),
            c.case_id,
            esc(&c.subject_name),
            esc(c.subject_identifier.as_deref().unwrap_or("")),
            esc(&c.field),
            c.stage.vi(),
            c.fine_vnd.map(format_vnd).unwrap_or_default(),
            c.version
        );
    }
    body.push_str("</table>");
    if pages > 1 {
        let query = |p: usize| {
            let v = |o: &Option<String>| urlencoded(o.as_deref().unwrap_or(""));
            format!("?team={}&stage={}&from={}&to={}&page={p}", v(&f.team), v(&f.stage), v(&f.from), v(&f.to))
        };
        let _ = write!(body, "<p>Trang {shown}/{pages} ");
        if shown > 1 {
            let _ = write!(body, "<a href=\"/{}\">Trang trước</a> ", esc(&query(shown - 1)));
        }
        if shown < pages {
            let _ = write!(body, "<a href=\"/{}\">Trang sau</a>", esc(&query(shown + 1)));
        }
        body.push_str("</p>");
    }
    page("Vụ việc của tỉnh", Some(&user), &body).into_response()
}

async fn case_page(State(state): State<Shared>, headers: HeaderMap, UrlPath(id): UrlPath<Uuid>) -> Response {
    let Some(user) = user_of(&state, &headers) else { return to_login() };
    let Ok(Some(c)) = state.store.case(id) else {
        return (StatusCode::NOT_FOUND, page("Không tìm thấy vụ việc", Some(&user), "")).into_response();
    };
    let mut body = format!(
        "<p>Đội {} · {} · {} · mở ngày {} · {}</p><h2>Văn bản</h2><table><tr><th>Văn bản</th><th>Số</th>\
         <th>Trạng thái</th><th>Thời điểm</th><th>PDF</th></tr>",
        esc(&c.team_id),
        esc(c.subject_identifier.as_deref().unwrap_or("")),
        esc(&c.field),
        c.opened_at.format("%d/%m/%Y"),
        c.stage.vi()
    );
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
    body.push_str("</table><h2>Lịch sử các phiên bản gói hồ sơ</h2><table><tr><th>Phiên bản</th><th>Nhận lúc</th><th>SHA-256</th></tr>");
    for (version, sha, at) in &c.versions {
        let _ = write!(
            body,
            "<tr><td>{version}</td><td>{}</td><td><code>{}</code></td></tr>",
            at.format("%d/%m/%Y %H:%M:%S"),
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
                t.at.format("%d/%m/%Y %H:%M"),
                esc(&t.from_team),
                esc(&t.to_team),
                t.version,
                esc(&t.by),
                esc(&t.reason)
            );
        }
        body.push_str("</table>");
    }
    page(&c.subject_name, Some(&user), &body).into_response()
}

async fn document_pdf(
    State(state): State<Shared>,
    headers: HeaderMap,
    UrlPath((id, n)): UrlPath<(Uuid, usize)>,
) -> Response {
    if user_of(&state, &headers).is_none() {
        return to_login();
    }
    let not_found = || (StatusCode::NOT_FOUND, "no such document").into_response();
    let Ok(Some(c)) = state.store.case(id) else { return not_found() };
    let Some(path) = c.documents.get(n).and_then(|d| d.pdf.clone()) else { return not_found() };
    let state2 = state.clone();
    let pdf = tokio::task::spawn_blocking(move || -> Option<Vec<u8>> {
        let bytes = super::ingest::package_file(&state2.store, &c.package_sha256).ok()?;
        let plain =
            if package::is_sealed(&bytes) { package::unseal(&bytes, &state2.keys.age_identity).ok()? } else { bytes };
        let opened = package::open(
            &plain,
            &package::Limits { max_total_bytes: state2.limits.max_package_bytes, ..Default::default() },
        )
        .ok()?;
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

async fn stats_page(State(state): State<Shared>, headers: HeaderMap, Query(f): Query<Filters>) -> Response {
    let Some(user) = user_of(&state, &headers) else { return to_login() };
    let cases = match cases_matching(&state, &f) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let mut by: BTreeMap<(String, String), (u32, u32, u64)> = BTreeMap::new();
    for c in &cases {
        let row = by.entry((c.team_id.clone(), c.field.clone())).or_default();
        row.0 += 1;
        if c.fine_vnd.is_some() {
            row.1 += 1;
        }
        row.2 += c.fine_vnd.unwrap_or(0);
    }
    let mut body = String::from(
        "<table><tr><th>Đội</th><th>Lĩnh vực</th><th>Số vụ việc</th><th>Số vụ xử phạt</th><th>Tiền phạt (đồng)</th></tr>",
    );
    for ((team, field), (count, fined, total)) in &by {
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{count}</td><td class=\"num\">{fined}</td><td class=\"num\">{}</td></tr>",
            esc(team),
            esc(field),
            format_vnd(*total)
        );
    }
    body.push_str("</table>");
    page("Thống kê theo đội và lĩnh vực", Some(&user), &body).into_response()
}
