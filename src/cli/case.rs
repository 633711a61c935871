//! `anchi case …` and `anchi doc render`: the case list, a case, its file, parties and
//! attachments, and its documents as PDFs.

use std::path::PathBuf;

use uuid::Uuid;

use super::CaseCommand;
use crate::app::case_json::CaseListItem;
use crate::app::{AppError, Workspace};
use crate::domain::text::format_vnd;

pub(super) fn case(ws: &Workspace, command: CaseCommand) -> Result<(), AppError> {
    match command {
        CaseCommand::List { json } => print_list(ws, json)?,
        CaseCommand::Show { id, json } => print_case(ws, id, json)?,
        CaseCommand::Export { id } => emit!("{}", ws.export_case(id)?),
        CaseCommand::Import { file } => {
            let text = std::fs::read_to_string(&file).map_err(|e| {
                let mut report = crate::domain::ValidationReport::default();
                report
                    .error(file.display().to_string(), &crate::app::case_json::ImportProblem::Structure(e.to_string()));
                AppError::Invalid(report)
            })?;
            let id = ws.import_case(&text)?;
            emit!("{id}");
        }
        CaseCommand::Parties { id, set, json } => {
            let mut parties = ws.case(id)?.parties;
            if !set.is_empty() {
                parties = crate::app::parties::assign(&parties, &set)?;
                ws.save_parties(id, &parties)?;
                parties = ws.case(id)?.parties;
            }
            if json {
                emit!("{}", serde_json::to_string_pretty(&parties).expect("parties serialise"));
            } else {
                for (path, label, get, _) in crate::domain::parties::SLOTS {
                    emit!("{path:<24} {label}: {}", get(&parties));
                }
            }
        }
        CaseCommand::Attach { id, files } => {
            for file in files {
                let attachment = ws.attach(id, &file)?;
                emit!("{}  {}", attachment.sha256, attachment.file_name);
            }
        }
    }
    Ok(())
}

/// Renders one document to `out`, or every document of the case into the folder `out`.
pub(super) fn render(
    ws: &Workspace,
    case_id: Uuid,
    document_id: Option<Uuid>,
    out: &std::path::Path,
) -> Result<Vec<PathBuf>, AppError> {
    // Through a temporary name and a rename: a file under its final name is whole, and one
    // that was there stays as it was until the new one is (not synced: the PDF is made again
    // from the store at any time, `app::write_replacing`).
    let write = |path: &std::path::Path, bytes: &[u8]| {
        crate::app::write_replacing(path, bytes).map_err(|e| AppError::Render(format!("{}: {e}", path.display())))
    };
    if let Some(id) = document_id {
        write(out, &ws.render_document(case_id, id)?)?;
        return Ok(vec![out.to_path_buf()]);
    }
    let case = ws.case(case_id)?;
    // Each document is made ready and rendered on one of the cores, and every one is
    // rendered before any is written: a document that cannot be printed leaves the folder
    // as it was, not a set missing one (nor a new, empty folder: writing the first file makes
    // it). The files are written on the cores too (one after
    // another on this thread was a twentieth of a run).
    let render = |doc: &crate::domain::Document| {
        Ok((out.join(Workspace::document_file_name(doc)), ws.pdf_job_of(&case, doc).render()?))
    };
    let rendered: Vec<(PathBuf, Vec<u8>)> =
        crate::app::on_every_core(&case.documents, render).into_iter().collect::<Result<_, AppError>>()?;
    let each = |(path, bytes): &(PathBuf, Vec<u8>)| write(path, bytes).map(|()| path.clone());
    crate::app::on_every_core(&rendered, each).into_iter().collect()
}

fn print_list(ws: &Workspace, json: bool) -> Result<(), AppError> {
    let list = ws.list_cases()?;
    if json {
        let items: Vec<CaseListItem> = list.iter().map(CaseListItem::from).collect();
        emit!("{}", serde_json::to_string_pretty(&items).expect("list serialises"));
        return Ok(());
    }
    for s in &list {
        emit!(
            "{}  {:<26}  {:<40}  {:<14}  {:<22}  {}",
            s.opened_at.format("%d/%m/%Y"),
            s.stage.vi(),
            s.subject_name,
            s.subject_identifier.as_deref().unwrap_or("—"),
            s.latest_number.as_deref().unwrap_or("—"),
            s.id
        );
    }
    emit!("{} vụ việc", list.len());
    Ok(())
}

fn print_case(ws: &Workspace, id: Uuid, json: bool) -> Result<(), AppError> {
    let mut view = ws.case_view(id)?;
    super::load_index_or_warn(ws);
    view.warnings = Some(ws.case_warnings(id)?);
    if json {
        emit!("{}", serde_json::to_string_pretty(&view).expect("view serialises"));
        return Ok(());
    }
    let case = &view.case;
    emit!("Vụ việc {}  ({})", case.id, view.stage.vi());
    emit!("Đối tượng: {} — {}", case.subject.name, case.subject.address.display(&ws.reference.admin_units));
    emit!("Lĩnh vực: {}", ws.reference.field_name(&case.field).unwrap_or(&case.field));
    if let Some(fine) = case.fine_vnd {
        emit!("Mức phạt: {} đồng", format_vnd(fine));
    }
    for (_, label, get, _) in crate::domain::parties::SLOTS {
        if !get(&case.parties).is_empty() {
            emit!("{label}: {}", get(&case.parties));
        }
    }
    emit!("Văn bản:");
    for d in &case.documents {
        let number = d.number.as_ref().map(ToString::to_string).unwrap_or_else(|| "—".into());
        emit!("  {:<48} {:<12} {}", d.kind.title_vi(), d.state.vi(), number);
    }
    if !view.packages.is_empty() {
        emit!("Gói hồ sơ:");
        for p in &view.packages {
            let how = if p.imported { "nhận" } else { "xuất" };
            let hub = if p.received_by_hub { ", Chi cục đã nhận" } else { "" };
            emit!("  phiên bản {} ({how} {}{hub})  {}", p.version, p.created.format("%Y-%m-%d %H:%M"), p.sha256);
        }
    }
    if !view.deadlines.is_empty() {
        emit!("Thời hạn:");
        for d in &view.deadlines {
            let state = match d.met_on {
                Some(on) => format!("đã xong {}", on.format("%d/%m/%Y")),
                None if d.informational => "để biết".to_string(),
                None => d.state.vi().to_lowercase(),
            };
            let why = [d.why.clone(), d.extended.as_ref().map(|e| format!("đã gia hạn: {e}"))];
            let why: Vec<String> = why.into_iter().flatten().collect();
            let why = if why.is_empty() { String::new() } else { format!("  — {}", why.join("; ")) };
            emit!(
                "  {:<44} hạn {}  ({}, từ {})  {state}{why}",
                d.title,
                d.due.format("%d/%m/%Y"),
                d.length_vi,
                d.start.format("%d/%m/%Y")
            );
        }
    }
    if let Some(report) = &view.warnings {
        emit!("Cảnh báo về đối tượng:");
        super::subject::print_report(report);
    }
    emit!("Lịch sử:");
    for line in crate::app::history::history_lines(&view.case, &view.history) {
        emit!("  {}  {}", line.at.with_timezone(&chrono::Local).format("%d/%m/%Y %H:%M"), line.text);
    }
    Ok(())
}
