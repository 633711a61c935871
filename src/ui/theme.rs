//! Colours, sizes and fonts of the window, in one place.

use eframe::egui::{self, Color32, FontData, FontDefinitions, FontFamily};

/// Height of one row of the case list, in points.
pub const ROW_HEIGHT: f32 = 22.0;
/// Base text size, a little larger than egui's default for a laptop on a shop counter.
pub const BODY_SIZE: f32 = 15.0;

pub const DEMO_BANNER_BG: Color32 = Color32::from_rgb(0xff, 0xe0, 0x82);
pub const DEMO_BANNER_FG: Color32 = Color32::from_rgb(0x5d, 0x40, 0x00);
pub const ERROR_FG: Color32 = Color32::from_rgb(0xb7, 0x1c, 0x1c);
pub const CLOSED_FG: Color32 = Color32::from_gray(110);
pub const WARNING_FG: Color32 = Color32::from_rgb(0x8a, 0x5a, 0x00);
pub const DRAFT_FG: Color32 = Color32::from_rgb(0x1f, 0x5f, 0xa8);
pub const STAGE_FG: Color32 = Color32::from_rgb(0x2e, 0x6b, 0x30);
pub const SAVED_FG: Color32 = Color32::from_rgb(0x2e, 0x6b, 0x30);

const NOTO_SANS: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular.ttf");
const NOTO_SANS_BOLD: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Bold.ttf");

/// Puts the bundled Noto Sans first in every family: egui's default font has no
/// Vietnamese letters, and system fonts differ from PC to PC.
pub fn install(ctx: &egui::Context) {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert("noto-sans".into(), FontData::from_static(NOTO_SANS).into());
    fonts.font_data.insert("noto-sans-bold".into(), FontData::from_static(NOTO_SANS_BOLD).into());
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        fonts.families.entry(family).or_default().insert(0, "noto-sans".into());
    }
    fonts.families.insert(FontFamily::Name("bold".into()), vec!["noto-sans-bold".into(), "noto-sans".into()]);
    ctx.set_fonts(fonts);
    apply(ctx, Appearance::default());
}

/// The look the user chose in the status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Appearance {
    /// Light by default: team offices and shop counters are bright, often in sunlight.
    pub dark: bool,
    /// A quarter larger, for small screens far from the eyes.
    pub large_text: bool,
}

/// Sets the theme and the text sizes (from egui's defaults, scaled to [`BODY_SIZE`]).
pub fn apply(ctx: &egui::Context, look: Appearance) {
    ctx.set_theme(if look.dark { egui::Theme::Dark } else { egui::Theme::Light });
    let scale = BODY_SIZE / 14.0 * if look.large_text { 1.25 } else { 1.0 };
    let defaults = egui::Style::default().text_styles;
    ctx.global_style_mut(|style| {
        for (text_style, font) in style.text_styles.iter_mut() {
            if let Some(default) = defaults.get(text_style) {
                font.size = default.size * scale;
            }
        }
    });
    ctx.data_mut(|d| d.insert_temp(egui::Id::unique("anchi-appearance"), look));
}

/// The look in use.
pub fn appearance(ctx: &egui::Context) -> Appearance {
    ctx.data(|d| d.get_temp(egui::Id::unique("anchi-appearance"))).unwrap_or_default()
}

/// Bold text in the bundled bold face.
pub fn bold(text: impl Into<String>) -> egui::RichText {
    egui::RichText::new(text).family(FontFamily::Name("bold".into()))
}

/// A drop-down with its label (the label names it for screen readers and tests): picks one
/// of `options` (value, text shown) into `value`.
pub fn choice<T: PartialEq + Clone>(ui: &mut egui::Ui, label: &str, id: &str, value: &mut T, options: &[(T, String)]) {
    let l = ui.label(label);
    combo(ui, l, id, value, options);
}

/// [`choice`] on one row, its label `label_width` wide (forms whose fields line up).
pub fn choice_row<T: PartialEq + Clone>(
    ui: &mut egui::Ui,
    label: &str,
    label_width: f32,
    id: &str,
    value: &mut T,
    options: &[(T, String)],
) {
    ui.horizontal(|ui| {
        let l = row_label(ui, label, label_width);
        combo(ui, l, id, value, options);
    });
}

/// A label at the start of a form row, left-aligned in `width` so the fields after it line up.
pub fn row_label(ui: &mut egui::Ui, label: &str, width: f32) -> egui::Response {
    let layout = egui::Layout::left_to_right(egui::Align::Center);
    ui.allocate_ui_with_layout(egui::vec2(width, 20.0), layout, |ui| {
        ui.set_min_width(width);
        ui.label(label)
    })
    .inner
}

fn combo<T: PartialEq + Clone>(ui: &mut egui::Ui, l: egui::Response, id: &str, value: &mut T, options: &[(T, String)]) {
    let shown = options.iter().find(|(v, _)| v == value).map(|(_, t)| t.clone()).unwrap_or_default();
    egui::ComboBox::from_id_salt(id)
        .selected_text(shown)
        .show_ui(ui, |ui| {
            for (v, text) in options {
                ui.selectable_value(value, v.clone(), text);
            }
        })
        .response
        .labelled_by(l.id);
}
