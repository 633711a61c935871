//! A picker for long lists (provinces, communes): a text field to type into, with or
//! without accents, and the matching entries under it in name order; arrow keys move, Enter
//! or a click takes one, Tab takes it and goes on. Unlike a drop-down it never closes under
//! the typing and always takes the keyboard.

use eframe::egui;

use crate::domain::text::fold;

/// Entries shown under the field at most (the rest by typing more).
const SHOWN: usize = 8;

/// What a picker keeps between frames (in egui's memory, by its id).
#[derive(Debug, Clone, Default)]
struct PickerState {
    query: String,
    /// The highlighted entry among those shown.
    highlighted: usize,
    /// Whether the field had the keyboard last frame (the list is shown while it does).
    open: bool,
}

/// Draws a picker labelled by `label` (for screen readers and tests) choosing one of
/// `options` (value, name) into `value`; returns whether the choice changed. Entries are
/// listed by name, matching every typed word in any order, accents or not.
pub fn picker<T: PartialEq + Clone>(
    ui: &mut egui::Ui,
    id_salt: &str,
    label: egui::Id,
    value: &mut Option<T>,
    options: &[(T, String)],
    width: f32,
) -> bool {
    let id = egui::Id::unique(("picker", id_salt));
    let field_id = id.with("field");
    let mut state: PickerState = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    let chosen = value.as_ref().and_then(|v| options.iter().find(|(o, _)| o == v)).map(|(_, n)| n.clone());

    // The list shown for the query typed, by name.
    let words: Vec<String> = fold(&state.query).split_whitespace().map(str::to_string).collect();
    let mut matching: Vec<&(T, String)> = options
        .iter()
        .filter(|(_, name)| {
            let name = fold(name);
            words.iter().all(|w| name.contains(w.as_str()))
        })
        .collect();
    matching.sort_by_cached_key(|(_, name)| (fold(name), name.clone()));

    // Arrows move the highlight; taken before the field sees them.
    if state.open && ui.memory(|m| m.has_focus(field_id)) {
        let (down, up) = ui.input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowDown),
                i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowUp),
            )
        });
        let last = matching.len().min(SHOWN).saturating_sub(1);
        if down {
            state.highlighted = (state.highlighted + 1).min(last);
        }
        if up {
            state.highlighted = state.highlighted.saturating_sub(1);
        }
    }

    let mut shown_text = if state.open { state.query.clone() } else { chosen.clone().unwrap_or_default() };
    let response = ui
        .add(
            egui::TextEdit::singleline(&mut shown_text)
                .id(field_id)
                .hint_text("gõ để tìm (có dấu hoặc không)")
                .desired_width(width),
        )
        .labelled_by(label);
    let mut changed = false;
    if response.gained_focus() {
        // Typing starts afresh; the chosen name stays shown until then.
        state.query.clear();
        state.highlighted = 0;
    } else if response.changed() {
        state.query = shown_text;
        state.highlighted = 0;
    }
    let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    if enter && let Some((v, _)) = matching.get(state.highlighted) {
        changed |= value.as_ref() != Some(v);
        *value = Some(v.clone());
    }
    let focused = response.has_focus();
    // Tab leaves the picker for the next control, taking the highlighted entry if something
    // was typed; the list is not drawn then, or the keyboard would go into its entries,
    // which vanish with the list, and the next Tab would start again from the first control.
    let tabbing = (focused || state.open) && ui.input(|i| i.key_pressed(egui::Key::Tab));
    if tabbing
        && !state.query.trim().is_empty()
        && let Some((v, _)) = matching.get(state.highlighted)
    {
        changed |= value.as_ref() != Some(v);
        *value = Some(v.clone());
    }
    // Shown while the field has the keyboard, and in the frame it loses it (a click on an
    // entry takes the keyboard away from the field first).
    if (focused || state.open) && !tabbing {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(width);
            if matching.is_empty() {
                ui.weak("Không có mục nào khớp");
            }
            for (i, (v, name)) in matching.iter().take(SHOWN).enumerate() {
                let selected = i == state.highlighted || value.as_ref() == Some(v);
                if ui.selectable_label(selected, name.as_str()).clicked() {
                    changed |= value.as_ref() != Some(v);
                    *value = Some(v.clone());
                    state.open = false;
                    ui.memory_mut(|m| m.surrender_focus(field_id));
                }
            }
            if matching.len() > SHOWN {
                ui.weak(format!("… và {} mục khác: gõ thêm để thu hẹp", matching.len() - SHOWN));
            }
        });
    }
    state.open = focused;
    ui.data_mut(|d| d.insert_temp(id, state));
    changed
}
