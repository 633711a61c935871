//! The wizard's preview: the document's pages as they will print, rasterised from the PDF by
//! `app`, and its resolved text as a fallback.

use eframe::egui::{self, RichText};

use super::theme;
use super::wizard::WizardState;
use crate::app::render::{Block, PrintDocument};

/// The preview's pages on the GPU (a handle has no Debug of its own).
#[derive(Default)]
pub(super) struct PageTextures(pub(super) Vec<egui::TextureHandle>);

impl std::fmt::Debug for PageTextures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} page textures", self.0.len())
    }
}

/// The preview: the pages as they will print (rasterised from the PDF), each fitted to the
/// column; the resolved text when they could not be drawn.
pub(super) fn pages_ui(ui: &mut egui::Ui, w: &mut WizardState) {
    if std::mem::take(&mut w.preview_stale) {
        w.preview_textures.0 = match &w.preview_pages {
            Some(Ok(pages)) => pages
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let image = egui::ColorImage::from_rgba_unmultiplied([p.width, p.height], &p.rgba);
                    ui.ctx().load_texture(format!("preview-page-{i}"), image, egui::TextureOptions::LINEAR)
                })
                .collect(),
            _ => Vec::new(),
        };
    }
    if let Some(Err(problem)) = &w.preview_pages {
        ui.colored_label(theme::ERROR_FG, format!("Không vẽ được trang in: {problem}"));
        preview_ui(ui, w.preview.as_ref());
        return;
    }
    let count = w.preview_textures.0.len();
    egui::ScrollArea::vertical().id_salt("preview").auto_shrink(false).show(ui, |ui| {
        for (i, texture) in w.preview_textures.0.iter().enumerate() {
            let width = ui.available_width();
            let size = texture.size_vec2();
            let image = egui::Image::new(texture)
                .fit_to_exact_size(egui::vec2(width, width * size.y / size.x))
                .alt_text(format!("Trang {}/{count} của bản in", i + 1));
            ui.add(image);
            ui.add_space(8.0);
        }
    });
}

/// The document's text as it will print, on a white sheet: the fallback when its pages
/// cannot be drawn.
fn preview_ui(ui: &mut egui::Ui, print: Option<&PrintDocument>) {
    let Some(print) = print else { return };
    egui::Frame::new().fill(egui::Color32::WHITE).inner_margin(16.0).show(ui, |ui| {
        egui::ScrollArea::vertical().id_salt("preview").auto_shrink(false).show(ui, |ui| {
            let ink = |text: &str| RichText::new(text).color(egui::Color32::BLACK);
            ui.label(ink(&print.header.unit));
            ui.label(ink(&print.header.number_line));
            ui.label(ink(&print.header.place_date).italics());
            for block in &print.blocks {
                match block {
                    Block::Title { text, subtitle } => {
                        ui.vertical_centered(|ui| {
                            ui.label(theme::bold(text).color(egui::Color32::BLACK));
                            if let Some(sub) = subtitle {
                                ui.label(theme::bold(sub).color(egui::Color32::BLACK));
                            }
                        });
                    }
                    Block::Paragraph { text, .. } => {
                        ui.label(ink(text));
                    }
                    Block::Table { rows, .. } => {
                        ui.label(ink(&format!("[Bảng: {} dòng]", rows.len())).italics());
                    }
                    Block::Signatures(blocks) => {
                        ui.horizontal_wrapped(|ui| {
                            for b in blocks {
                                ui.label(ink(&format!("{} — {}", b.title.replace('\n', " "), b.name)));
                            }
                        });
                    }
                    Block::SealLabels(labels) => {
                        ui.label(ink(&format!("[{} tem niêm phong]", labels.len())).italics());
                    }
                    Block::Gap { .. } => {
                        ui.add_space(4.0);
                    }
                    Block::Closing { recipients, signer } => {
                        ui.label(ink(&format!("Nơi nhận: {}", recipients.join(" "))).italics());
                        ui.label(ink(&format!("{} — {}", signer.title.replace('\n', " "), signer.name)));
                    }
                    Block::PageBreak => {
                        ui.separator();
                    }
                }
            }
        });
    });
}
