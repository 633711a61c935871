//! The subject's warnings as the case view, the wizard and the new-case dialog show them:
//! repeat offences in red first, then repeated violations and other teams' inspections,
//! then earlier cases (a few, the rest behind "xem thêm"), each with its reason.

use eframe::egui::{self, RichText};

use super::command::Command;
use super::theme;
use uuid::Uuid;

use crate::app::warnings::{Source, Warning, WarningKind};

/// Earlier cases shown before "xem thêm".
const EARLIER_SHOWN: usize = 3;

/// Draws `warnings` in a framed box (nothing when there are none). An earlier case of this
/// laptop gets an "Mở" button when `out` is given.
pub fn warnings_ui(
    ui: &mut egui::Ui,
    warnings: &[Warning],
    this_case: Option<Uuid>,
    mut out: Option<&mut Vec<Command>>,
) {
    if warnings.is_empty() {
        return;
    }
    egui::Frame::group(ui.style()).stroke(egui::Stroke::new(1.5, theme::WARNING_FG)).show(ui, |ui| {
        ui.label(theme::bold("Cảnh báo về đối tượng").color(theme::WARNING_FG));
        let (earlier, serious): (Vec<&Warning>, Vec<&Warning>) =
            warnings.iter().partition(|w| w.kind == WarningKind::EarlierCase);
        for w in serious {
            let colour = match w.kind {
                WarningKind::RepeatOffence | WarningKind::RepeatedViolation => theme::ERROR_FG,
                _ => theme::WARNING_FG,
            };
            line(ui, w, colour, this_case, out.as_deref_mut());
        }
        let more = earlier.len().saturating_sub(EARLIER_SHOWN);
        for w in earlier.iter().take(EARLIER_SHOWN) {
            line(ui, w, ui.visuals().text_color(), this_case, out.as_deref_mut());
        }
        if more > 0 {
            egui::CollapsingHeader::new(format!("Xem thêm {more} vụ việc khác")).id_salt("more-earlier").show(
                ui,
                |ui| {
                    for w in earlier.iter().skip(EARLIER_SHOWN) {
                        line(ui, w, ui.visuals().text_color(), this_case, out.as_deref_mut());
                    }
                },
            );
        }
    });
}

fn line(
    ui: &mut egui::Ui,
    w: &Warning,
    colour: egui::Color32,
    this_case: Option<Uuid>,
    out: Option<&mut Vec<Command>>,
) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(&w.text_vi).color(colour));
        if let Some(reason) = &w.reason_vi {
            let source = match w.source {
                Source::ProvinceIndex => ", theo danh sách của Chi cục",
                _ => "",
            };
            ui.weak(format!("({reason}{source})"));
        }
        let (Some(out), Some(other), Source::ThisLaptop) = (out, w.other_case, w.source) else { return };
        if ui.small_button("Mở").on_hover_text("Mở vụ việc này").clicked() {
            out.push(Command::OpenCase(other));
        }
        // A match by name only may be a namesake: the leader can say it is the same subject.
        let by_name = w.score.is_some_and(|s| s < 0.95) && w.kind == WarningKind::EarlierCase;
        if let Some(case) = this_case
            && by_name
            && ui
                .small_button("Là cùng đối tượng")
                .on_hover_text(
                    "Ghi nhận hai hồ sơ là cùng một đối tượng (ghi vào nhật ký); cảnh báo về sau tính theo đó",
                )
                .clicked()
        {
            out.push(Command::MergeSubjects { case, other });
        }
    });
}
