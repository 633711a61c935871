//! Built-in Vietnamese typing (Telex and VNI) for laptops with no Vietnamese keyboard:
//! the engine (`engine.rs`, pure) and its use in the window's text fields.

mod engine;
#[cfg(test)]
mod word_table;

pub use engine::{Method, ToneStyle, compose, type_key};

/// The typing settings of the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Typing {
    pub method: Method,
    pub style: ToneStyle,
}

impl Typing {
    /// Recomposes an edit of a text field: when the edit added one character at the end,
    /// the last word is composed again with it. Other edits (pasting, typing in the middle)
    /// are left as they are. Returns whether the text changed.
    pub fn after_edit(self, before: &str, after: &mut String) -> bool {
        if self.method == Method::Off {
            return false;
        }
        let Some(added) = after.strip_prefix(before) else { return false };
        let mut chars = added.chars();
        let (Some(key), None) = (chars.next(), chars.next()) else { return false };
        let composed = type_key(before, key, self.method, self.style);
        let changed = composed != *after;
        *after = composed;
        changed
    }

    /// The settings the window keeps on its context, so every text field can use them.
    pub fn of(ctx: &eframe::egui::Context) -> Typing {
        ctx.data(|d| d.get_temp(Self::id())).unwrap_or_default()
    }

    pub fn store(self, ctx: &eframe::egui::Context) {
        ctx.data_mut(|d| d.insert_temp(Self::id(), self));
    }

    fn id() -> eframe::egui::Id {
        eframe::egui::Id::unique("anchi-typing")
    }
}

/// A text field that types Vietnamese with the window's typing method.
pub fn text_edit(
    ui: &mut eframe::egui::Ui,
    value: &mut String,
    make: impl for<'a> FnOnce(&'a mut String) -> eframe::egui::TextEdit<'a>,
) -> eframe::egui::Response {
    let before = value.clone();
    let response = ui.add(make(value));
    if response.changed() {
        Typing::of(ui.ctx()).after_edit(&before, value);
    }
    response
}

/// A password or passphrase field: keys are taken exactly as typed, never composed (a
/// Telex "hoangf1234" must stay "hoangf1234", or the member is locked out), and the field
/// says so. The operating system is told it is a password (no IME).
pub fn secret_edit(ui: &mut eframe::egui::Ui, value: &mut String) -> eframe::egui::Response {
    let response = ui.add(eframe::egui::TextEdit::singleline(value).password(true));
    if Typing::of(ui.ctx()).method != Method::Off {
        ui.label(
            eframe::egui::RichText::new("Ô mật khẩu nhận đúng từng phím gõ, không tự bỏ dấu")
                .small()
                .color(ui.visuals().weak_text_color()),
        );
    }
    response
}
