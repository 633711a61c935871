//! The case screen: the documents in process order with their state and number, the next
//! steps the workflow allows (the forbidden ones greyed out, the reason on hover), the
//! goods and the history.

use std::collections::HashMap;

use eframe::egui::{self, RichText};
use uuid::Uuid;

use super::command::{Choose, Command};
use super::theme;
use super::typing::{secret_edit, text_edit};
use crate::app::Reference;
use crate::app::case_json::CaseView;
use crate::app::goods::GoodsInput;
use crate::app::packages::PackageRecord;
use crate::domain::{DocumentKind, DocumentState, Stage, ValidationReport};

/// What the case screen keeps between frames.
#[derive(Debug)]
pub struct CaseScreen {
    pub view: CaseView,
    /// An irreversible step being confirmed, and the reason typed so far.
    confirming: Option<(Confirm, String)>,
    /// The goods lines as edited on screen, and whether they differ from the stored ones.
    pub goods: Vec<GoodsInput>,
    pub(super) goods_dirty: bool,
    /// A row was just added: its first cell takes the keyboard on the next frame.
    pub(super) focus_new_row: bool,
    /// Why the goods can no longer be edited (a finalised document prints them).
    pub(super) goods_locked: Option<String>,
    /// Problems of the last attempt to save the goods.
    pub goods_report: ValidationReport,
    /// Text pasted from a spreadsheet, waiting to be added as rows.
    pub pasted: String,
    /// Photo thumbnails: the PNG bytes from the app, then the texture made from them.
    thumbnails: HashMap<String, Thumbnail>,
    /// The signed packages made or received of this case, oldest first.
    pub packages: Vec<PackageRecord>,
    /// The "Xuất gói hồ sơ" dialog, while it is open.
    pub export: Option<ExportDialog>,
    /// Where the export dialog proposes to write the package.
    pub default_package_path: std::path::PathBuf,
    /// Whether the signed-in member may record two subjects as one (a leader's call).
    pub may_merge: bool,
    /// The witness, commune representative, injured party and interpreter as edited.
    pub parties: super::parties::PartiesEditor,
}

/// What the export dialog holds while it is open.
#[derive(Debug, Default)]
pub struct ExportDialog {
    pub passphrase: String,
    pub out: String,
    /// Whether the passphrase field got the keyboard when the dialog opened.
    focused: bool,
}

enum Thumbnail {
    Png(Vec<u8>),
    Texture(egui::TextureHandle),
    Unreadable,
}

impl std::fmt::Debug for Thumbnail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Thumbnail::Png(png) => write!(f, "Png({} bytes)", png.len()),
            Thumbnail::Texture(t) => write!(f, "Texture({:?})", t.size()),
            Thumbnail::Unreadable => f.write_str("Unreadable"),
        }
    }
}

impl CaseScreen {
    /// The goods lines edited on screen and not stored yet, if any.
    pub fn unsaved_goods(&self) -> Option<&[GoodsInput]> {
        self.goods_dirty.then_some(self.goods.as_slice())
    }

    /// The edited goods lines were stored.
    pub fn goods_saved(&mut self) {
        self.goods_dirty = false;
    }

    pub fn new(
        view: CaseView,
        goods_locked: Option<String>,
        thumbnails: Vec<(String, Vec<u8>)>,
        packages: Vec<PackageRecord>,
        default_package_path: std::path::PathBuf,
    ) -> CaseScreen {
        let goods = view.case.goods.iter().map(GoodsInput::of).collect();
        let parties = super::parties::PartiesEditor::new(&view.case.parties);
        CaseScreen {
            parties,
            view,
            confirming: None,
            goods,
            goods_dirty: false,
            focus_new_row: false,
            goods_locked,
            goods_report: ValidationReport::default(),
            pasted: String::new(),
            thumbnails: thumbnails.into_iter().map(|(sha, png)| (sha, Thumbnail::Png(png))).collect(),
            packages,
            export: None,
            default_package_path,
            may_merge: true,
        }
    }
}

/// Draws the case screen; what the user asks for goes into `out`.
/// The case's deadlines: open ones with their state, then those met, then the dates for
/// information (delivery, payment).
fn deadlines_ui(ui: &mut egui::Ui, deadlines: &[crate::domain::deadlines::Deadline]) {
    use crate::domain::deadlines::DeadlineState;
    if deadlines.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(theme::bold("Thời hạn")).id_salt("deadlines").default_open(true).show(ui, |ui| {
        egui::Grid::new("deadline-grid").num_columns(4).spacing([14.0, 4.0]).show(ui, |ui| {
            let mut sorted: Vec<_> = deadlines.iter().collect();
            sorted.sort_by_key(|d| (d.informational, d.state == DeadlineState::Met, d.due));
            for d in sorted {
                ui.label(&d.title).on_hover_text(&d.basis);
                ui.label(format!("từ {} ({})", d.start.format("%d/%m/%Y"), d.length_vi));
                let state = match (d.state, d.met_on) {
                    (DeadlineState::Met, Some(on)) => format!("Đã xong ngày {}", on.format("%d/%m/%Y")),
                    (_, _) if d.informational => format!("Trước ngày {}", d.due.format("%d/%m/%Y")),
                    (state, _) => format!("Hạn {} — {}", d.due.format("%d/%m/%Y"), state.vi()),
                };
                let colour =
                    if d.informational { theme::CLOSED_FG } else { super::case_list::deadline_colour(d.state) };
                ui.label(RichText::new(state).color(colour));
                let mut notes = Vec::new();
                if let Some(why) = &d.why {
                    notes.push(why.clone());
                }
                if let Some(e) = &d.extended {
                    notes.push(format!("đã gia hạn: {e}"));
                }
                if d.capped {
                    notes.push("không quá thời hạn ra quyết định xử phạt".to_string());
                }
                if !d.calendar_official && d.state != DeadlineState::Met {
                    notes.push("lịch nghỉ lễ của năm này là dự kiến".to_string());
                }
                ui.weak(notes.join("; "));
                ui.end_row();
            }
        });
    });
}

pub fn case_view_ui(ui: &mut egui::Ui, screen: &mut CaseScreen, reference: &Reference, out: &mut Vec<Command>) {
    let case = &screen.view.case;
    let case_id = case.id;
    ui.horizontal(|ui| {
        if ui.button("Về danh sách vụ việc").on_hover_text("Esc").clicked() {
            out.push(Command::ShowList);
        }
        ui.separator();
        ui.heading(theme::bold(&case.subject.name));
        ui.label(RichText::new(screen.view.stage.vi()).color(theme::STAGE_FG));
        ui.separator();
        let hint = "Gói hồ sơ có chữ ký số của máy, để gửi Chi cục hoặc chép vào USB";
        if ui.button("Xuất gói hồ sơ…").on_hover_text(hint).clicked() {
            let out = screen.default_package_path.display().to_string();
            screen.export = Some(ExportDialog { out, ..Default::default() });
        }
        if let Some(last) = screen.packages.last() {
            let how = if last.imported { "nhận" } else { "xuất" };
            let when = last.created.with_timezone(&chrono::Local).format("%d/%m/%Y %H:%M");
            let received = if last.receipt.is_some() { " — Chi cục đã nhận" } else { "" };
            ui.weak(format!("Gói đã {how}: phiên bản {}, {when}{received}", last.version));
        }
    });
    let subject = &case.subject;
    let mut facts = vec![subject.kind.vi().to_string(), subject.address.display(&reference.admin_units)];
    facts.extend(subject.identifier().map(str::to_string));
    facts.push(format!("Lĩnh vực: {}", reference.field_name(&case.field).unwrap_or(&case.field)));
    facts.push(format!("Mở ngày {}", case.opened_at.format("%d/%m/%Y %H:%M")));
    ui.label(facts.join(" · "));
    if let Some(report) = &screen.view.warnings {
        let merge_from = screen.may_merge.then_some(case_id);
        super::warnings::warnings_ui(ui, &report.warnings, merge_from, Some(out));
    }
    deadlines_ui(ui, &screen.view.deadlines);
    ui.separator();

    egui::ScrollArea::vertical().auto_shrink(false).show(ui, |ui| {
        documents_ui(ui, screen, case_id, out);
        next_steps_ui(ui, screen, case_id, out);
        super::goods::goods_ui(ui, screen, case_id, out);
        ui.add_space(10.0);

        super::parties::parties_ui(ui, &mut screen.parties, case_id, out);
        ui.add_space(10.0);

        attachments_ui(ui, &screen.view.case, &mut screen.thumbnails, out);
        ui.add_space(10.0);

        ui.label(theme::bold("Lịch sử"));
        let lines = crate::app::history::history_lines(&screen.view.case, &screen.view.history);
        for line in lines.iter().rev() {
            let local = line.at.with_timezone(&chrono::Local);
            ui.label(format!("{} · {}", local.format("%d/%m/%Y %H:%M"), line.text));
        }
    });

    cancel_dialog(ui, screen, case_id, out);
    export_dialog(ui, screen, case_id, out);
}

/// The case's documents in process order: state, number, date, and what may be done to each.
fn documents_ui(ui: &mut egui::Ui, screen: &mut CaseScreen, case_id: Uuid, out: &mut Vec<Command>) {
    let case = &screen.view.case;
    ui.label(theme::bold("Văn bản"));
    if case.documents.is_empty() {
        ui.weak("Chưa có văn bản nào. Bắt đầu bằng một bước bên dưới.");
    }
    egui::Grid::new("documents").striped(true).num_columns(5).spacing([16.0, 6.0]).show(ui, |ui| {
        let mut documents: Vec<_> = case.documents.iter().collect();
        documents.sort_by_key(|d| (DocumentKind::ALL.iter().position(|k| *k == d.kind), d.created_at));
        for doc in documents {
            ui.label(doc.kind.title_vi());
            let state = RichText::new(doc.state.vi());
            ui.label(match doc.state {
                DocumentState::Draft => state.color(theme::DRAFT_FG),
                DocumentState::Cancelled => state.color(theme::CLOSED_FG).strikethrough(),
                DocumentState::Finalised => state,
            });
            ui.label(doc.number.as_ref().map(ToString::to_string).unwrap_or_default());
            let when = doc.finalised_at.unwrap_or(doc.created_at);
            ui.label(when.format("%d/%m/%Y %H:%M").to_string());
            ui.horizontal(|ui| {
                let open = if doc.state == DocumentState::Draft { "Tiếp tục soạn" } else { "Xem" };
                if ui.button(open).clicked() {
                    out.push(Command::OpenDocument { case: case_id, document: doc.id });
                }
                if ui.button("In").on_hover_text("Mở bản PDF để in").clicked() {
                    out.push(Command::Print { case: case_id, document: doc.id });
                }
                let finalised = doc.state == DocumentState::Finalised;
                if finalised && doc.kind.is_sanction_decision() {
                    // A decision is changed only by a decision of its own (khoản 3 Điều 18 Luật XLVPHC).
                    use crate::domain::DocumentKind as K;
                    for (label, hint, with) in [
                        ("Sửa đổi, bổ sung", "Quyết định sửa đổi, bổ sung, hủy bỏ một phần (MQĐ38)", K::QdSuaDoiBoSung),
                        ("Đính chính", "Quyết định đính chính (MQĐ39)", K::QdDinhChinh),
                        ("Hủy bỏ", "Quyết định hủy bỏ (MQĐ40)", K::QdHuyBo),
                    ] {
                        if ui.button(label).on_hover_text(hint).clicked() {
                            out.push(Command::Amend { case: case_id, document: doc.id, with: Some(with) });
                        }
                    }
                } else if finalised
                    && ui.button("Sửa đổi, bổ sung").on_hover_text("Lập văn bản sửa đổi, bổ sung").clicked()
                {
                    out.push(Command::Amend { case: case_id, document: doc.id, with: None });
                }
                let cancellable = doc.state == DocumentState::Draft || (finalised && !doc.kind.is_sanction_decision());
                if cancellable && ui.button("Hủy…").clicked() {
                    screen.confirming = Some((Confirm::CancelDocument(doc.id), String::new()));
                }
            });
            ui.end_row();
        }
    });
    ui.add_space(10.0);
}

/// The steps the workflow allows now (greyed, with the reason, when an earlier document is
/// missing), and closing the case.
fn next_steps_ui(ui: &mut egui::Ui, screen: &mut CaseScreen, case_id: Uuid, out: &mut Vec<Command>) {
    ui.label(theme::bold("Bước tiếp theo"));
    ui.horizontal_wrapped(|ui| {
        for step in &screen.view.next_steps {
            let button = egui::Button::new(step.kind.title_vi());
            let response = ui.add_enabled(step.refused_vi.is_none(), button);
            if let Some(reason) = &step.refused_vi {
                response.on_disabled_hover_text(reason);
            } else if response.clicked() {
                out.push(Command::StartDocument { case: case_id, kind: step.kind });
            }
        }
        if screen.view.stage == Stage::DaKiemTra
            && ui.button("Kết thúc: không vi phạm…").on_hover_text("Đã kiểm tra, không phát hiện vi phạm").clicked()
        {
            screen.confirming = Some((Confirm::CloseNoViolation, String::new()));
        }
        if !screen.view.stage.is_closed()
            && ui.button("Hủy vụ việc…").on_hover_text("Dừng vụ việc, ghi rõ lý do").clicked()
        {
            screen.confirming = Some((Confirm::CancelCase, String::new()));
        }
    });
    ui.add_space(10.0);
}

/// Asks for the key's passphrase and where to write the package.
fn export_dialog(ui: &mut egui::Ui, screen: &mut CaseScreen, case_id: Uuid, out: &mut Vec<Command>) {
    let Some(dialog) = &mut screen.export else { return };
    let mut close = false;
    let modal = egui::Modal::new(egui::Id::unique("export-package")).show(ui.ctx(), |ui| {
        ui.heading("Xuất gói hồ sơ");
        ui.label("Gói gồm nội dung vụ việc, các văn bản đã hoàn tất (PDF) và ảnh, tài liệu đính kèm,");
        ui.label("được ký bằng khóa của máy để Chi cục kiểm tra được nguồn gốc và tính toàn vẹn.");
        ui.add_space(6.0);
        let label = ui.label("Mật khẩu khóa ký");
        let field = secret_edit(ui, &mut dialog.passphrase).labelled_by(label.id);
        if !dialog.focused {
            field.request_focus();
            dialog.focused = true;
        }
        let label = ui.label("Lưu vào (thư mục trên máy hoặc USB)");
        ui.horizontal(|ui| {
            text_edit(ui, &mut dialog.out, |v| egui::TextEdit::singleline(v).desired_width(520.0))
                .labelled_by(label.id);
            if ui.button("Chọn nơi lưu…").clicked() {
                let proposed = std::path::Path::new(dialog.out.trim())
                    .file_name()
                    .map_or_else(|| "ho-so.anchi".into(), |n| n.to_string_lossy().into_owned());
                out.push(Command::Choose(Choose::PackageOut { proposed }));
            }
        });
        let ready = !dialog.passphrase.is_empty() && !dialog.out.trim().is_empty();
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.horizontal(|ui| {
            let button = ui.add_enabled(ready, egui::Button::new("Xuất gói"));
            if ready && (button.clicked() || enter) {
                out.push(Command::ExportPackage {
                    case: case_id,
                    passphrase: std::mem::take(&mut dialog.passphrase),
                    out: dialog.out.trim().into(),
                });
                close = true;
            }
            if ui.button("Quay lại").on_hover_text("Esc").clicked() {
                close = true;
            }
        });
    });
    if close || modal.should_close() {
        screen.export = None;
    }
}

/// Photos and scans of the case; files dropped on the window are added.
fn attachments_ui(
    ui: &mut egui::Ui,
    case: &crate::domain::Case,
    thumbnails: &mut HashMap<String, Thumbnail>,
    out: &mut Vec<Command>,
) {
    ui.label(theme::bold(format!("Ảnh, tài liệu đính kèm ({})", case.attachments.len())));
    ui.horizontal(|ui| {
        if ui.button("Chọn tệp đính kèm…").clicked() {
            out.push(Command::Choose(Choose::Attachments { case: case.id }));
        }
        ui.weak("hoặc kéo thả ảnh chụp, bản quét (JPEG, PNG, PDF…) vào cửa sổ");
    });
    egui::Grid::new("attachments").striped(true).num_columns(5).spacing([16.0, 4.0]).show(ui, |ui| {
        for a in &case.attachments {
            match thumbnail_texture(ui.ctx(), thumbnails, &a.sha256) {
                Some(texture) => {
                    let size = texture.size_vec2() * (96.0 / texture.size_vec2().max_elem());
                    ui.add(egui::Image::new((texture.id(), size)).alt_text(format!("Ảnh thu nhỏ: {}", a.file_name)));
                }
                None => {
                    ui.label("");
                }
            }
            ui.label(&a.file_name);
            ui.label(format!("{} KB", a.size_bytes.div_ceil(1024)));
            ui.label(a.added_at.format("%d/%m/%Y %H:%M").to_string());
            if ui.button("Mở").on_hover_text(format!("SHA-256 {}", a.sha256)).clicked() {
                out.push(Command::OpenAttachment { sha256: a.sha256.clone() });
            }
            ui.end_row();
        }
    });
}

/// The texture of a photo's thumbnail, made from its PNG the first time it is shown.
fn thumbnail_texture(
    ctx: &egui::Context,
    thumbnails: &mut HashMap<String, Thumbnail>,
    sha256: &str,
) -> Option<egui::TextureHandle> {
    let slot = thumbnails.get_mut(sha256)?;
    if let Thumbnail::Png(png) = slot {
        *slot = match image::load_from_memory(png) {
            Ok(img) => {
                let rgba = img.to_rgba8();
                let size = [rgba.width() as usize, rgba.height() as usize];
                let pixels = egui::ColorImage::from_rgba_unmultiplied(size, rgba.as_raw());
                Thumbnail::Texture(ctx.load_texture(format!("thumb-{sha256}"), pixels, Default::default()))
            }
            Err(_) => Thumbnail::Unreadable,
        };
    }
    match slot {
        Thumbnail::Texture(t) => Some(t.clone()),
        _ => None,
    }
}

/// A step that cannot be undone, asked again before it is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Confirm {
    CancelDocument(Uuid),
    CancelCase,
    CloseNoViolation,
}

/// Asks before an irreversible step; cancelling a document or the case needs a reason.
/// A cancelled document stays on file and its number is never given out again.
fn cancel_dialog(ui: &mut egui::Ui, screen: &mut CaseScreen, case_id: Uuid, out: &mut Vec<Command>) {
    let Some((what, reason)) = &mut screen.confirming else { return };
    let (heading, explanation, button) = match what {
        Confirm::CancelDocument(_) => {
            ("Hủy văn bản", "Văn bản bị hủy vẫn được lưu; số của nó không được cấp lại.", "Hủy văn bản")
        }
        Confirm::CancelCase => {
            ("Hủy vụ việc", "Vụ việc kết thúc ở trạng thái “Đã hủy” và không lập thêm văn bản.", "Hủy vụ việc")
        }
        Confirm::CloseNoViolation => (
            "Kết thúc: không vi phạm",
            "Vụ việc kết thúc; không lập thêm biên bản vi phạm cho lần kiểm tra này.",
            "Kết thúc vụ việc",
        ),
    };
    let needs_reason = *what != Confirm::CloseNoViolation;
    let mut close = false;
    let modal = egui::Modal::new(egui::Id::unique("confirm-step")).show(ui.ctx(), |ui| {
        ui.heading(heading);
        ui.label(explanation);
        if needs_reason {
            let label = ui.label("Lý do");
            text_edit(ui, reason, |v| egui::TextEdit::multiline(v).desired_rows(3)).labelled_by(label.id);
        }
        ui.horizontal(|ui| {
            let ok = !needs_reason || !reason.trim().is_empty();
            if ui.add_enabled(ok, egui::Button::new(button)).on_disabled_hover_text("Cần ghi lý do").clicked() {
                out.push(match *what {
                    Confirm::CancelDocument(document) => {
                        Command::CancelDocument { case: case_id, document, reason: reason.clone() }
                    }
                    Confirm::CancelCase => Command::CancelCase { case: case_id, reason: reason.clone() },
                    Confirm::CloseNoViolation => Command::CloseNoViolation { case: case_id },
                });
                close = true;
            }
            if ui.button("Quay lại").clicked() {
                close = true;
            }
        });
    });
    if close || modal.should_close() {
        screen.confirming = None;
    }
}
