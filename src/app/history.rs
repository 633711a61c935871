//! A case's history in sentences for people: who did what to which document
//! ("Vi Văn Hùng sửa Biên bản vi phạm hành chính số 12/BB-VPHC-QLTTLS"), the autosaves of one
//! editing session told once ("… (14 lần lưu, đến 10:42)"). The window and `case show`
//! print these; the journal keeps the codes (`case show --json`).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::case_json::HistoryItem;
use crate::domain::Case;

/// Edits of one document by one person this close together are one session.
const SESSION_GAP_MINUTES: i64 = 30;

/// One line of the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryLine {
    pub at: DateTime<Utc>,
    pub text: String,
}

/// The history of `case` from its journal entries (oldest first), in sentences.
pub fn history_lines(case: &Case, items: &[HistoryItem]) -> Vec<HistoryLine> {
    let mut lines: Vec<HistoryLine> = Vec::new();
    // The last line, when it is an edit session that the next entry may extend: who, what
    // and which document; its sentence; its last entry's time; its entries.
    let mut session: Option<(String, String, DateTime<Utc>, u32)> = None;
    for item in items {
        let (verb, detail) = item.action.split_once(' ').unwrap_or((item.action.as_str(), ""));
        let editing = matches!(
            verb,
            "document.save_field" | "document.save_signatures" | "case.save_goods" | "case.save_parties"
        );
        let key = format!("{}|{verb}|{detail}", item.actor);
        if editing && let Some((open_key, base, last, count)) = &mut session {
            let close = (item.at - *last).num_minutes() <= SESSION_GAP_MINUTES;
            if *open_key == key && close {
                *last = item.at;
                *count += 1;
                let line = lines.last_mut().expect("the session's line");
                line.text = format!("{base} ({count} lần lưu, đến {})", local_time(item.at));
                continue;
            }
        }
        let text = sentence(case, &item.actor, verb, detail);
        session = editing.then(|| (key, text.clone(), item.at, 1));
        lines.push(HistoryLine { at: item.at, text });
    }
    lines
}

fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono::Local).format("%H:%M").to_string()
}

/// The person of a journal entry: "LS-0101 Hoàng Văn Thắng" → "Hoàng Văn Thắng".
fn who(actor: &str) -> String {
    match actor {
        "may-tram" | "" => "Máy trạm".into(),
        _ => actor.split_once(' ').map_or(actor, |(_, name)| name).to_string(),
    }
}

/// The document an entry names, as a person calls it: its title, and its number once it
/// has one.
fn document(case: &Case, detail: &str) -> String {
    let Some(doc) = detail.split(' ').next().and_then(|id| Uuid::parse_str(id).ok()).and_then(|id| case.document(id))
    else {
        return "văn bản".into();
    };
    match &doc.number {
        Some(number) => format!("{} số {number}", doc.kind.title_vi()),
        None => doc.kind.title_vi().to_string(),
    }
}

fn sentence(case: &Case, actor: &str, verb: &str, detail: &str) -> String {
    let who = who(actor);
    let version = detail.split(' ').next().and_then(|v| v.strip_prefix('v')).unwrap_or("?");
    match verb {
        "case.create" => format!("{who} mở vụ việc"),
        "case.import" => format!("{who} nhập vụ việc từ tệp"),
        "document.start" => format!("{who} bắt đầu soạn {}", document(case, detail)),
        "document.save_field" => format!("{who} sửa {}", document(case, detail)),
        "document.save_signatures" => format!("{who} ghi nhận chữ ký của {}", document(case, detail)),
        "document.finalise" => format!("{who} hoàn tất {}", document(case, detail)),
        "document.cancel" => format!("{who} hủy {}", document(case, detail)),
        "document.amend" => format!("{who} lập {}", document(case, detail)),
        "case.save_goods" => format!("{who} sửa danh sách hàng hóa"),
        "case.save_parties" => format!("{who} ghi người chứng kiến, người liên quan của vụ việc"),
        "case.attach" => format!("{who} đính kèm ảnh, tài liệu"),
        "case.close_no_violation" => format!("{who} kết thúc vụ việc: không vi phạm"),
        "case.cancel" => format!("{who} hủy vụ việc"),
        "demo.create" => "Tạo vụ việc mẫu".into(),
        "package.export" => format!("{who} xuất gói hồ sơ phiên bản {version}"),
        "package.import" => format!("{who} nhận gói hồ sơ phiên bản {version}"),
        other => format!("{who}: {other}"),
    }
}
