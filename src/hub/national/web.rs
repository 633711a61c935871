//! The national view's frame: staff login (argon2 passwords in PostgreSQL, the province
//! view's login bounds and form), a session cookie that ends after a working day or half an
//! hour unused, the pages' shell and menu. The pages themselves are in `pages.rs`.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::Router;
use axum::extract::{ConnectInfo, Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{NationalState, Shared};
use crate::hub::web::{
    Attempter, COOKIE, DUMMY_HASH, IDLE_SECS, LoginGuard, SESSION_SECS, STYLE, busy, csrf_of, esc, login_form,
    same_origin, session_token,
};

/// The logged-in national staff, by session token.
#[derive(Default)]
pub struct Sessions {
    open: Mutex<HashMap<String, Session>>,
    pub(super) login: LoginGuard,
}

struct Session {
    user: String,
    /// The password hash it was opened with: a new password ends the session.
    password_hash: String,
    expires: i64,
    idle_until: i64,
}

/// A logged-in national staff member and their forms' token.
pub struct Staff {
    pub name: String,
    csrf: String,
}

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(super::pages::dashboard))
        .route("/login", get(|| async { login_form("") }).post(login))
        .route("/logout", post(logout))
        .route("/cases", get(super::pages::cases_page))
        .route("/cases/{id}", get(super::pages::case_page))
        .route("/cases/{id}/documents/{n}", get(super::pages::document_pdf))
        .route("/offenders", get(super::pages::offenders_page))
}

/// A national page: the menu, the title, the body.
pub fn page(title: &str, user: Option<&Staff>, body: &str) -> Html<String> {
    let nav = match user {
        Some(u) => format!(
            "<nav><a href=\"/\">Toàn quốc</a><a href=\"/cases\">Đang xử lý</a><a href=\"/offenders\">Tái phạm liên tỉnh</a>\
             <span class=\"who\">{} (Cục QLTT) <form method=\"post\" action=\"/logout\" style=\"display:inline\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\"><button>Đăng xuất</button></form></span></nav>",
            esc(&u.name),
            u.csrf
        ),
        None => String::new(),
    };
    Html(format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{} — anchi quốc gia</title>\
         <style>{STYLE}</style></head><body>{nav}<main><h1>{}</h1>{body}</main></body></html>",
        esc(title),
        esc(title)
    ))
}

/// The staff member asking, after the session cookie and the account as it is now; a
/// visitor without a session is sent to the login page.
pub async fn staff(state: &NationalState, headers: &HeaderMap) -> Result<Staff, Box<Response>> {
    let to_login = || Box::new(Redirect::to("/login").into_response());
    let token = session_token(headers).ok_or_else(to_login)?.to_string();
    let now = chrono::Utc::now().timestamp();
    let (user, hash) = {
        let mut open = state.sessions.open.lock().expect("sessions");
        open.retain(|_, s| s.expires > now && s.idle_until > now);
        let session = open.get(&token).ok_or_else(to_login)?;
        (session.user.clone(), session.password_hash.clone())
    };
    let current = state.db.password_hash(&user).await.ok().flatten();
    let mut open = state.sessions.open.lock().expect("sessions");
    if current.as_deref() != Some(hash.as_str()) {
        open.remove(&token);
        return Err(to_login());
    }
    if let Some(session) = open.get_mut(&token) {
        session.idle_until = now + IDLE_SECS;
    }
    Ok(Staff { name: user, csrf: csrf_of(&token) })
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    user: String,
    password: String,
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
    let guard = &state.sessions.login;
    let now = chrono::Utc::now().timestamp();
    let who = [Attempter::Name(form.user.clone()), Attempter::Address(from.ip())];
    if let Some(seconds) = guard.waiting(&who, now) {
        return busy(seconds, &format!("Sai mật khẩu nhiều lần: thử lại sau {seconds} giây"));
    }
    let Ok(permit) = guard.slots.try_acquire() else {
        return busy(2, "Máy chủ đang bận kiểm tra đăng nhập: thử lại sau vài giây");
    };
    let stored = state.db.password_hash(&form.user).await.ok().flatten();
    let checked = stored.clone();
    let password = form.password;
    let ok = tokio::task::spawn_blocking(move || {
        let hash = checked.as_deref().unwrap_or(DUMMY_HASH.as_str());
        crate::password::verify(hash, &password) && checked.is_some()
    })
    .await
    .unwrap_or(false);
    drop(permit);
    guard.record(&who, ok, now);
    let (true, Some(password_hash)) = (ok, stored) else {
        return (StatusCode::UNAUTHORIZED, login_form("Sai tên đăng nhập hoặc mật khẩu")).into_response();
    };
    let token = hex::encode(uuid::Uuid::new_v4().as_bytes()) + &hex::encode(uuid::Uuid::new_v4().as_bytes());
    let session = Session { user: form.user, password_hash, expires: now + SESSION_SECS, idle_until: now + IDLE_SECS };
    state.sessions.open.lock().expect("sessions").insert(token.clone(), session);
    let cookie = format!("{COOKIE}={token}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age={SESSION_SECS}");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(State(state): State<Shared>, headers: HeaderMap, Form(form): Form<CsrfForm>) -> Response {
    let token = session_token(&headers);
    if !same_origin(&headers) || token.is_none_or(|t| csrf_of(t) != form.csrf) {
        return (StatusCode::FORBIDDEN, "Yêu cầu không đến từ trang của máy chủ này").into_response();
    }
    if let Some(token) = token {
        state.sessions.open.lock().expect("sessions").remove(token);
    }
    let cookie = format!("{COOKIE}=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response()
}
