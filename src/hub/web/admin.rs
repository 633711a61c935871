//! The administrator's page (accounts and their roles, enrolled teams and their keys: no
//! case data) and the leader's access log (who opened which case's personal data, when —
//! Nghị định 13/2023/NĐ-CP on personal data). Accounts and teams are changed with the
//! `anchi-hub user` and `team` commands on the server.

use std::fmt::Write as _;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::{allowed, esc, failed, name_of, page, team_names};
use crate::hub::Shared;
use crate::hub::store::Role;

pub(super) async fn admin_page(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let user = match allowed(&state, &headers, |r| r != Role::Officer) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let users = match state.store.users_with_roles() {
        Ok(u) => u,
        Err(e) => return failed(e.into()),
    };
    let mut body = String::from("<h2>Tài khoản</h2><table><tr><th>Tên đăng nhập</th><th>Vai trò</th></tr>");
    for (name, role) in &users {
        let _ = write!(body, "<tr><td>{}</td><td>{}</td></tr>", esc(name), role.vi());
    }
    body.push_str(
        "</table><p class=\"muted\">Thêm tài khoản, đặt lại mật khẩu, đổi vai trò: <code>anchi-hub user add --name … \
         --role leader|officer|admin</code> trên máy chủ.</p><h2>Đội đã đăng ký</h2><table><tr><th>Mã đội</th>\
         <th>Tên đội</th><th>Khóa thiết bị đang dùng</th><th>Khóa đã thu hồi</th></tr>",
    );
    for team in state.store.teams().unwrap_or_default() {
        let active = team.keys.iter().filter(|k| k.revoked_at.is_none()).count();
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{active}</td><td class=\"num\">{}</td></tr>",
            esc(&team.team_id),
            esc(&team.name),
            team.keys.len() - active
        );
    }
    body.push_str("</table>");
    page("Tài khoản và đội", Some(&user), &body).into_response()
}

/// Entries shown on the access log page (the newest).
const SHOWN: usize = 500;

pub(super) async fn access_page(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let user = match allowed(&state, &headers, |r| r == Role::Leader) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let (entries, total) = match state.store.access_log(SHOWN) {
        Ok(x) => x,
        Err(e) => return failed(e.into()),
    };
    let names = team_names(&state);
    let mut body = format!(
        "<p>{total} lượt xem dữ liệu cá nhân của đối tượng (trang vụ việc, văn bản PDF); {} lượt mới nhất:</p>\
         <table><tr><th>Lúc</th><th>Người xem</th><th>Xem gì</th><th>Vụ việc</th><th>Đội</th></tr>",
        entries.len()
    );
    for e in &entries {
        let case = state.store.case(e.case_id).ok().flatten();
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><a href=\"/cases/{}\">{}</a></td><td>{}</td></tr>",
            e.at.with_timezone(&chrono::Local).format("%d/%m/%Y %H:%M:%S"),
            esc(&e.user),
            esc(&e.what),
            e.case_id,
            esc(case.as_ref().map_or("(không còn)", |c| c.subject_name.as_str())),
            esc(case.as_ref().map_or("", |c| name_of(&names, &c.team_id)))
        );
    }
    body.push_str("</table>");
    page("Nhật ký truy cập dữ liệu cá nhân", Some(&user), &body).into_response()
}
