//! Staff login and logout: argon2 passwords checked a few at a time, wrong passwords
//! slowing a name and an address down, forms accepted only from this site.

use axum::extract::{ConnectInfo, Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{COOKIE, SESSION_SECS, csrf_of, esc, open_session, page, session_token};
use crate::hub::Shared;

pub(super) async fn login_page() -> Html<String> {
    login_form("")
}

pub(crate) fn login_form(problem: &str) -> Html<String> {
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
pub(super) struct LoginForm {
    user: String,
    password: String,
}

/// What bounds the password checks of the login form: argon2 costs about 19 MiB and tens of
/// milliseconds, so at most [`LOGIN_SLOTS`] run at once (a storm of logins is answered
/// "busy", not with gigabytes); a name with five wrong passwords waits 30 s, doubling, at
/// most 15 minutes (as on the laptops), and so does an address with twenty (several names
/// tried from one place: an office shares an address, so it is allowed more).
pub struct LoginGuard {
    pub(crate) slots: tokio::sync::Semaphore,
    /// Per user name (known or not) and per address: wrong passwords in a row, and until
    /// when it waits.
    failures: std::sync::Mutex<std::collections::HashMap<Attempter, (u32, i64)>>,
}

/// Who tries a password: the name typed, or the address it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Attempter {
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
    pub(crate) fn waiting(&self, who: &[Attempter], now: i64) -> Option<i64> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        who.iter().filter_map(|w| failures.get(w)).map(|(_, until)| until - now).filter(|s| *s > 0).max()
    }

    pub(crate) fn record(&self, who: &[Attempter], ok: bool, now: i64) {
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
pub(crate) static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crate::password::hash("anchi-hub: no such user"));

/// Whether a form POST comes from this site: its Origin (or, without one, its Referer) is
/// the host it was sent to. A page elsewhere cannot post a login or a logout here.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
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

pub(crate) fn busy(seconds: i64, message: &str) -> Response {
    let retry = [(header::RETRY_AFTER, seconds.max(1).to_string())];
    (StatusCode::TOO_MANY_REQUESTS, retry, login_form(message)).into_response()
}

pub(super) async fn login(
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
    let role = tokio::task::spawn_blocking(move || {
        let stored = state2.store.user(&user).ok().flatten();
        let hash = stored.as_ref().map_or(DUMMY_HASH.as_str(), |u| u.password_hash.as_str());
        let ok = crate::password::verify(hash, &form.password) && stored.is_some();
        // The role and the password the session is opened with (`user_of` checks both anew).
        let role = ok.then(|| state2.store.role(&user).ok()).flatten()?;
        Some((role, stored?.password_hash))
    })
    .await
    .unwrap_or(None);
    drop(permit);
    state.login.record(&who, role.is_some(), now);
    let Some((role, password_hash)) = role else {
        return (StatusCode::UNAUTHORIZED, login_form("Sai tên đăng nhập hoặc mật khẩu")).into_response();
    };
    let token = open_session(&state, form.user, role, password_hash);
    let cookie = format!("{COOKIE}={token}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age={SESSION_SECS}");
    // The administrator has no case data: their first page is the accounts'.
    let first = if role.sees_cases() { "/" } else { "/admin" };
    ([(header::SET_COOKIE, cookie)], Redirect::to(first)).into_response()
}

#[derive(Deserialize)]
pub(super) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub(super) async fn logout(State(state): State<Shared>, headers: HeaderMap, Form(form): Form<CsrfForm>) -> Response {
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
