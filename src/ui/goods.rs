//! The case's goods lines on the case screen (the Bảng kê's rows).

use eframe::egui::{self, RichText};
use uuid::Uuid;

use super::case_view::CaseScreen;
use super::command::Command;
use super::theme;
use super::typing::text_edit;
use crate::app::goods::{GoodsInput, parse_pasted};
use crate::domain::ValidationReport;
use crate::domain::text::format_vnd;

const GOODS_COLUMNS: [&str; 7] =
    ["Tên hàng hóa, nhãn hiệu", "Đơn vị tính", "Số lượng", "Xuất xứ", "Tình trạng", "Đơn giá (đồng)", "Ghi chú"];

/// The goods lines: edited in place until a finalised document prints them; rows can be
/// added, duplicated, deleted, or pasted from a spreadsheet.
pub(super) fn goods_ui(ui: &mut egui::Ui, screen: &mut CaseScreen, case_id: Uuid, out: &mut Vec<Command>) {
    let total: u64 = screen.view.case.goods_value_vnd();
    let value = if total > 0 { format!(" — trị giá {} đồng", format_vnd(total)) } else { String::new() };
    ui.label(theme::bold(format!("Hàng hóa ({} dòng){value}", screen.goods.len())));
    let editable = screen.goods_locked.is_none();
    if let Some(reason) = &screen.goods_locked {
        ui.weak(reason);
    }
    let mut remove = None;
    let mut duplicate = None;
    let mut focus_new_row = std::mem::take(&mut screen.focus_new_row);
    // Tab in the last cell of the last line starts a new line, as in a spreadsheet, instead
    // of leaving the grid for the buttons of the header.
    let mut tab_out_of_last = false;
    // Tab from an empty last line leaves the grid (the line goes): the way out by keyboard.
    let mut leave_from_empty = false;
    // Each column as wide as its longest text (a cell clipped "Bình gas không rõ nguồ"),
    // from its base width up to two and a half times it; longer text shows under the pointer.
    let font = egui::TextStyle::Body.resolve(ui.style());
    let fit =
        |text: &str| ui.fonts_mut(|f| f.layout_no_wrap(text.to_owned(), font.clone(), egui::Color32::WHITE).size().x);
    let mut widths = [240.0_f32, 60.0, 70.0, 90.0, 110.0, 90.0, 110.0];
    for (column, base) in widths.iter_mut().enumerate() {
        let longest = screen
            .goods
            .iter()
            .map(|g| [&g.name, &g.unit, &g.quantity, &g.origin, &g.condition, &g.unit_price, &g.note][column])
            .map(|t| fit(t) + 16.0)
            .fold(0.0_f32, f32::max);
        *base = longest.clamp(*base, *base * 2.5);
    }
    // Wider than the window (1024 px, long names): the grid scrolls sideways, the line's
    // buttons stay reachable.
    egui::ScrollArea::horizontal().id_salt("goods-scroll").show(ui, |ui| {
        egui::Grid::new("goods").striped(true).num_columns(9).spacing([8.0, 4.0]).show(ui, |ui| {
            ui.label("STT");
            // Each cell is named by its column's title (for screen readers and tests).
            let headers = GOODS_COLUMNS.map(|title| ui.label(theme::bold(title)).id);
            ui.end_row();
            let rows = screen.goods.len();
            for (i, row) in screen.goods.iter_mut().enumerate() {
                ui.label((i + 1).to_string());
                if !editable {
                    // Locked: the lines as printed, in full.
                    let price = crate::forms::value::print(crate::forms::FieldKind::Money, &row.unit_price);
                    for text in [&row.name, &row.unit, &row.quantity, &row.origin, &row.condition, &price, &row.note] {
                        ui.label(text.as_str());
                    }
                    ui.end_row();
                    continue;
                }
                let empty =
                    [&row.name, &row.unit, &row.quantity, &row.origin, &row.condition, &row.unit_price, &row.note]
                        .iter()
                        .all(|c| c.trim().is_empty());
                let cells: [(&mut String, f32); 7] = [
                    (&mut row.name, widths[0]),
                    (&mut row.unit, widths[1]),
                    (&mut row.quantity, widths[2]),
                    (&mut row.origin, widths[3]),
                    (&mut row.condition, widths[4]),
                    (&mut row.unit_price, widths[5]),
                    (&mut row.note, widths[6]),
                ];
                let last = i + 1 == rows;
                for (column, ((cell, width), header)) in cells.into_iter().zip(headers).enumerate() {
                    // A cell's identity is its line and column, not its place among the widgets.
                    let id = egui::Id::unique(("goods-cell", i, column));
                    let last_cell = last && column + 1 == GOODS_COLUMNS.len();
                    if last_cell && ui.memory(|m| m.has_focus(id)) {
                        if empty {
                            // Not consumed: egui takes the keyboard to the control after the grid.
                            leave_from_empty = ui.input(|i| i.key_pressed(egui::Key::Tab) && i.modifiers.is_none());
                        } else if ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Tab)) {
                            tab_out_of_last = true;
                        }
                    }
                    // Allocated at its width: a grid column keeps the width its cells took before,
                    // so a field asking for more inside it stayed clipped.
                    let size = egui::vec2(width, ui.spacing().interact_size.y);
                    let response = ui
                        .allocate_ui(size, |ui| {
                            text_edit(ui, cell, |v| egui::TextEdit::singleline(v).id(id).desired_width(width))
                        })
                        .inner
                        .labelled_by(header);
                    // A cell narrower than its text shows it whole under the pointer.
                    let response = if cell.is_empty() { response } else { response.on_hover_text(cell.as_str()) };
                    if column == 0 && last && std::mem::take(&mut focus_new_row) {
                        response.request_focus();
                    }
                    screen.goods_dirty |= response.changed();
                }
                // Out of the Tab order, so Tab goes from a line's last cell to the next line's
                // first, as in a spreadsheet (clicked with the mouse).
                ui.horizontal(|ui| {
                    let button = |text| egui::Button::new(text).small().sense(egui::Sense::CLICK);
                    if ui.add(button("Nhân bản")).clicked() {
                        duplicate = Some(i);
                    }
                    if ui.add(button("Xóa")).clicked() {
                        remove = Some(i);
                    }
                });
                ui.end_row();
            }
        });
    });
    if leave_from_empty {
        screen.goods.pop();
    }
    if tab_out_of_last {
        screen.goods.push(GoodsInput::default());
        screen.goods_dirty = true;
        screen.focus_new_row = true;
    }
    if let Some(i) = duplicate {
        let copy = GoodsInput { id: None, ..screen.goods[i].clone() };
        screen.goods.insert(i + 1, copy);
        screen.goods_dirty = true;
    }
    if let Some(i) = remove {
        screen.goods.remove(i);
        screen.goods_dirty = true;
    }
    for p in &screen.goods_report.problems {
        // "goods[2].quantity" → "Dòng 3: …"
        let row = p.field.split(['[', ']']).nth(1).and_then(|n| n.parse::<usize>().ok());
        let text = match row {
            Some(r) => format!("Dòng {}: {}", r + 1, p.message_vi),
            None => p.message_vi.clone(),
        };
        ui.label(RichText::new(text).color(theme::ERROR_FG));
    }
    if editable {
        edit_buttons_ui(ui, screen, case_id, out);
    }
}

/// Under an editable grid: add a line, save, drop the changes, paste from a spreadsheet.
fn edit_buttons_ui(ui: &mut egui::Ui, screen: &mut CaseScreen, case_id: Uuid, out: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        if ui.button("Thêm dòng").clicked() {
            screen.goods.push(GoodsInput::default());
            screen.goods_dirty = true;
            // The keyboard goes to the new line's first cell, where the eye is.
            screen.focus_new_row = true;
        }
        let save = ui
            .add_enabled(screen.goods_dirty, egui::Button::new(theme::bold("Lưu hàng hóa")))
            .on_hover_text("Hàng hóa cũng được lưu khi rời vụ việc");
        if save.clicked() {
            out.push(Command::SaveGoods { case: case_id, rows: screen.goods.clone() });
        }
        // Leaving the case stores the lines; lines that cannot be stored yet keep the member
        // here until they are corrected, or dropped on purpose with this button.
        if screen.goods_dirty && ui.button("Bỏ thay đổi hàng hóa").clicked() {
            screen.goods = screen.view.case.goods.iter().map(GoodsInput::of).collect();
            screen.goods_dirty = false;
            screen.goods_report = ValidationReport::default();
        }
    });
    ui.collapsing("Dán từ Excel", |ui| {
        ui.weak("Chép các dòng trong Excel (tên, đơn vị tính, số lượng, xuất xứ, tình trạng, đơn giá, ghi chú) rồi dán vào đây");
        let label = ui.label("Dữ liệu dán từ Excel");
        text_edit(ui, &mut screen.pasted, |v| egui::TextEdit::multiline(v).desired_rows(4).desired_width(700.0))
            .labelled_by(label.id);
        if ui.button("Thêm các dòng đã dán").clicked() {
            screen.goods.extend(parse_pasted(&screen.pasted));
            screen.pasted.clear();
            screen.goods_dirty = true;
        }
    });
}
