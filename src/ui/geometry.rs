//! The window's size and state, remembered from one run to the next.

use super::*;

/// The window as it opens: as it was last closed, else filling the screen (a team laptop's is
/// 1366×768 or smaller) with a restored size that still fits 1366×768 with a taskbar and a
/// title bar.
pub fn viewport(saved: Option<crate::app::WindowGeometry>) -> egui::ViewportBuilder {
    let g = saved.unwrap_or(crate::app::WindowGeometry { width: 1200.0, height: 660.0, maximized: true });
    let (min_width, min_height) = crate::app::WindowGeometry::MIN;
    egui::ViewportBuilder::default()
        .with_inner_size([g.width, g.height])
        .with_min_inner_size([min_width, min_height])
        .with_maximized(g.maximized)
        .with_title("anchi — Ấn chỉ điện tử")
        .with_app_id("anchi")
        .with_icon(eframe::icon_data::from_png_bytes(super::WINDOW_ICON).unwrap_or_default())
}

impl AnchiApp {
    /// Follows the window's size and state (each frame): the size kept is the restored one,
    /// so a window closed maximised opens maximised and restores to its earlier size.
    pub(super) fn track_geometry(&mut self, ctx: &egui::Context) {
        let (seen, stored) = &mut self.geometry;
        if seen.is_none() {
            *stored = self.ws.window_geometry();
            *seen = *stored;
        }
        let (rect, maximized) = ctx.input(|i| (i.viewport().inner_rect, i.viewport().maximized));
        let (Some(rect), Some(maximized)) = (rect, maximized) else { return };
        let previous = seen.unwrap_or(crate::app::WindowGeometry { width: 1200.0, height: 660.0, maximized });
        let (width, height) = if maximized { (previous.width, previous.height) } else { (rect.width(), rect.height()) };
        *seen = crate::app::WindowGeometry { width, height, maximized }.sane().or(*seen);
    }

    /// Stores the window's size and state for the next start, when they changed (on exit).
    pub fn remember_geometry(&mut self) {
        let (seen, stored) = self.geometry;
        if let Some(g) = seen.filter(|g| Some(*g) != stored) {
            match self.ws.save_window_geometry(&g) {
                Ok(()) => self.geometry.1 = Some(g),
                Err(e) => eprintln!("anchi: window size not stored: {e}"),
            }
        }
    }
}
