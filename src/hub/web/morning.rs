//! The morning page: what a Chi cục trưởng opens first — by team, the cases opened today
//! and this week, under way, with a deadline past, with a decision waiting for the leader,
//! with a seizure near its term; each number a link to the cases behind it; then every
//! deadline past, in red, with its team and case.

use std::fmt::Write as _;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::cases::{VIEWS, in_view};
use super::{esc, name_of, page, reader, team_names};
use crate::domain::deadlines::DeadlineState;
use crate::hub::Shared;

/// The page's counts: per team (sorted by name) and in all, one per [`VIEWS`] entry.
pub(crate) fn counts(snap: &super::Snapshot) -> Vec<(String, [usize; 6])> {
    let mut by_team: std::collections::BTreeMap<&str, [usize; 6]> = std::collections::BTreeMap::new();
    for (i, row) in snap.rows.iter().enumerate() {
        let counts = by_team.entry(row.team_id.as_str()).or_default();
        for (k, (view, _)) in VIEWS.iter().enumerate() {
            if in_view(snap, i, view) {
                counts[k] += 1;
            }
        }
    }
    by_team.into_iter().map(|(t, c)| (t.to_string(), c)).collect()
}

pub(super) async fn morning_page(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let (user, snap) = match reader(&state, &headers) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let names = team_names(&state);
    let mut teams = counts(&snap);
    teams.sort_by(|a, b| name_of(&names, &a.0).cmp(name_of(&names, &b.0)));
    let mut body = format!(
        "<p>Ngày {} · {} vụ việc trong tỉnh</p><table><tr><th>Đội</th>",
        snap.day.format("%d/%m/%Y"),
        snap.rows.len()
    );
    for (_, label) in VIEWS {
        let _ = write!(body, "<th class=\"num\">{label}</th>");
    }
    body.push_str("</tr>");
    let mut total = [0usize; 6];
    let cell = |team: &str, k: usize, n: usize| {
        let class = if n > 0 && matches!(VIEWS[k].0, "overdue" | "seizure") { " late" } else { "" };
        format!(
            "<td class=\"num{class}\"><a href=\"/cases?team={}&amp;view={}\">{n}</a></td>",
            super::urlencoded(team),
            VIEWS[k].0
        )
    };
    for (team, counts) in &teams {
        let _ = write!(body, "<tr><td>{}</td>", esc(name_of(&names, team)));
        for (k, n) in counts.iter().enumerate() {
            total[k] += n;
            body.push_str(&cell(team, k, *n));
        }
        body.push_str("</tr>");
    }
    body.push_str("<tr><th>Cả tỉnh</th>");
    for (k, n) in total.iter().enumerate() {
        body.push_str(&cell("", k, *n));
    }
    body.push_str("</tr></table>");
    body.push_str(&live_now(&state, &snap, &names));

    // Every deadline past, the longest overdue first.
    let mut late: Vec<(usize, &crate::domain::deadlines::Deadline)> = snap
        .deadlines
        .iter()
        .enumerate()
        .flat_map(|(i, ds)| ds.iter().filter(|d| d.state == DeadlineState::Overdue).map(move |d| (i, d)))
        .collect();
    late.sort_by_key(|(i, d)| (d.due, *i));
    let _ = write!(body, "<h2>Thời hạn đã quá ({})</h2>", late.len());
    if !late.is_empty() {
        body.push_str(
            "<table><tr><th>Hạn</th><th>Quá</th><th>Việc</th><th>Đội</th><th>Vụ việc</th><th>Căn cứ</th></tr>",
        );
        for (i, d) in late.iter().take(200) {
            let row = &snap.rows[*i];
            let _ = write!(
                body,
                "<tr class=\"late\"><td>{}</td><td class=\"num\">{} ngày</td><td>{}</td><td>{}</td>\
                 <td><a href=\"/cases/{}\">{}</a></td><td>{}</td></tr>",
                d.due.format("%d/%m/%Y"),
                (snap.day - d.due).num_days(),
                esc(&d.title),
                esc(name_of(&names, &row.team_id)),
                row.summary.id,
                esc(&row.summary.subject_name),
                esc(&d.basis)
            );
        }
        body.push_str("</table>");
        if late.len() > 200 {
            let _ = write!(
                body,
                "<p><a href=\"/cases?view=overdue\">Xem cả {} vụ việc có thời hạn đã quá</a></p>",
                total[3]
            );
        }
    }
    page("Tình hình vụ việc sáng nay", Some(&user), &body).into_response()
}

/// The cases the teams' laptops report under way today (live status), newest first: known
/// before their package arrives.
fn live_now(
    state: &crate::hub::HubState,
    snap: &super::Snapshot,
    names: &std::collections::HashMap<String, String>,
) -> String {
    let mut live: Vec<crate::hub::store::Live> = state
        .store
        .live()
        .unwrap_or_default()
        .into_iter()
        .filter(|l| l.event.at.with_timezone(&chrono::Local).date_naive() == snap.day)
        .filter(|l| !l.event.stage.is_closed() && l.event.stage != crate::domain::Stage::DaHuy)
        .collect();
    live.sort_by_key(|l| std::cmp::Reverse(l.event.at));
    let mut out = format!(
        "<h2 id=\"live\" data-count=\"{}\">Đang kiểm tra hôm nay (máy của đội báo trực tiếp): {}</h2>",
        live.len(),
        live.len()
    );
    if live.is_empty() {
        return out;
    }
    out.push_str("<table><tr><th>Lúc</th><th>Đội</th><th>Trạng thái</th><th>Vụ việc</th></tr>");
    for l in live.iter().take(50) {
        let known = snap.rows.iter().any(|r| r.summary.id == l.event.case_id);
        let case = if known {
            format!("<a href=\"/cases/{}\">đã gửi hồ sơ</a>", l.event.case_id)
        } else {
            "chưa gửi hồ sơ".to_string()
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{case}</td></tr>",
            l.event.at.with_timezone(&chrono::Local).format("%H:%M"),
            esc(name_of(names, &l.event.team_id)),
            l.event.stage.vi()
        );
    }
    out.push_str("</table>");
    out
}
