//! The wizard's field for an act of the catalogue of violations: typed into (words of the
//! act with or without accents, "điều 15"), the acts in force on the day of the act listed
//! under it — each also with the cases the decree multiplies its bracket for. Choosing one
//! fills the provision and the decree; under the field the bracket for the subject and the
//! goods' value, the middle the Law sets, the penalties and remedies the article allows,
//! with buttons to take them.

use eframe::egui::{self, RichText};

use super::WizardState;
use crate::domain::SubjectKind;
use crate::domain::catalogue::chosen::day_of_act;
use crate::domain::catalogue::{Key, point_vi};
use crate::domain::text::format_vnd;
use crate::forms::FieldDef;
use crate::ui::theme;

/// Longest label shown in the list (the act's wording can run to several lines).
const LABEL_CHARS: usize = 170;

fn short(text: String) -> String {
    if text.chars().count() <= LABEL_CHARS {
        return text;
    }
    let cut: String = text.chars().take(LABEL_CHARS).collect();
    format!("{}…", cut.trim_end())
}

/// Draws the field; returns whether the choice changed (the wizard stores `value`).
pub(super) fn act_field(
    ui: &mut egui::Ui,
    w: &mut WizardState,
    def: &FieldDef,
    label: egui::Id,
    value: &mut String,
) -> bool {
    let day = day_of_act(&w.case, &w.values, w.doc().created_at.date());
    let mut options: Vec<(String, String)> = Vec::new();
    for a in w.catalogue.acts_on(day) {
        options.push((a.id(), short(a.label())));
        for d in a.doubles() {
            let label = format!("{} — tăng {} lần: {} ({})", a.label(), d.factor, d.text, point_vi(&d.point));
            options.push((format!("{}+{}", a.id(), d.point), short(label)));
        }
    }
    let width = ui.available_width().min(760.0);
    let mut chosen = (!value.trim().is_empty()).then(|| value.trim().to_string());
    let changed = crate::ui::picker::picker(ui, &def.id, label, &mut chosen, &options, width);
    if changed {
        *value = chosen.unwrap_or_default();
    }
    if w.editable() && !value.is_empty() && ui.button("Bỏ chọn (nhập tay)").clicked() {
        value.clear();
        return true;
    }
    let Some(key) = Key::parse(value) else {
        return changed;
    };
    let goods = w.case.goods_value_vnd();
    let organisation = w.case.subject.kind == SubjectKind::Organisation;
    let fills = match w.catalogue.select(&key, day, goods) {
        Ok(selection) => {
            for line in selection.explain(organisation, goods) {
                ui.label(line);
            }
            let bracket = selection.bracket(organisation);
            let measures = |list: &mut dyn Iterator<Item = &crate::domain::catalogue::Measure>| {
                list.map(|m| format!("{} ({} Điều {})", m.text, point_vi(&m.point), selection.act.article.article))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let additional = measures(&mut selection.act.additional());
            let remedies = measures(&mut selection.act.remedies());
            Some((selection.fills(&w.values), bracket.middle_vnd(), additional, remedies))
        }
        Err(e) => {
            ui.label(RichText::new(crate::domain::Bilingual::vi(&e)).color(theme::ERROR_FG));
            None
        }
    };
    let Some((fills, middle, additional, remedies)) = fills else { return changed };
    let mut set: Vec<(&str, String)> = Vec::new();
    if changed {
        set.extend(fills.iter().cloned());
    }
    if w.editable() {
        ui.horizontal_wrapped(|ui| {
            let differs = fills.iter().any(|(f, v)| w.form.field(f).is_some() && w.values.get(*f) != Some(v));
            if !changed && differs && ui.button("Điền lại hành vi, điểm, khoản, nghị định theo danh mục").clicked()
            {
                set.extend(fills.iter().cloned());
            }
            if w.form.field("muc_phat").is_some()
                && ui.button(format!("Dùng mức trung bình {} đồng", format_vnd(middle))).clicked()
            {
                set.push(("muc_phat", middle.to_string()));
            }
            if w.form.field("xu_phat_bo_sung").is_some()
                && !additional.is_empty()
                && ui.button("Điền hình thức bổ sung, biện pháp khắc phục của điều này").clicked()
            {
                set.push(("xu_phat_bo_sung", additional.clone()));
                if w.form.field("bien_phap_khac_phuc").is_some() && !remedies.is_empty() {
                    set.push(("bien_phap_khac_phuc", remedies.clone()));
                }
            }
        });
    }
    for (field, v) in set {
        if w.form.field(field).is_some() {
            w.values.insert(field.to_string(), v);
            w.edited(field);
        }
    }
    changed
}
