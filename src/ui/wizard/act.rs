//! The wizard's field for the acts of the catalogue of violations: typed into (words of the
//! act with or without accents, "điều 15"), the acts in force on the day of the act listed
//! under it — each also with the cases the decree multiplies its bracket for. Each act chosen
//! is a row: its provision and bracket for the subject at the goods' value, on a decision its
//! own fine; more acts are added below (MQĐ02: several acts, each fined, the total the
//! decision's). Choosing fills the provision and the decree; buttons take the middle of the
//! bracket, the penalties and remedies the article allows.

use eframe::egui;

use super::WizardState;
use crate::domain::SubjectKind;
use crate::domain::catalogue::chosen::{self, Chosen, day_of_act};
use crate::domain::catalogue::{Key, Selection, point_vi};
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

/// Draws the field; returns whether the acts changed (the wizard stores `value`).
pub(super) fn act_field(
    ui: &mut egui::Ui,
    w: &mut WizardState,
    def: &FieldDef,
    label: egui::Id,
    value: &mut String,
) -> bool {
    let day = day_of_act(&w.case, &w.values, w.doc().created_at.date());
    let goods = w.case.goods_value_vnd();
    let organisation = w.case.subject.kind == SubjectKind::Organisation;
    let decision = w.form.field("muc_phat").is_some();
    let editable = w.editable();
    let before = chosen::parse(value);
    let mut acts = before.clone();
    let mut set: Vec<(&str, String)> = Vec::new();
    let mut remove = None;
    for (n, act) in acts.iter_mut().enumerate() {
        ui.group(|ui| {
            let selection = w.catalogue.select(&act.key, day, goods);
            match &selection {
                Ok(s) => {
                    ui.label(theme::bold(format!("Hành vi {}: {}", n + 1, s.act.act.text)));
                    for line in s.explain(organisation, goods) {
                        ui.label(line);
                    }
                }
                Err(e) => {
                    ui.label(egui::RichText::new(crate::domain::Bilingual::vi(e)).color(theme::ERROR_FG));
                }
            }
            if !editable {
                return;
            }
            ui.horizontal_wrapped(|ui| {
                if decision && before.len() > 1 {
                    let l = ui.label(format!("Mức phạt cho hành vi {}:", n + 1));
                    ui.add(egui::TextEdit::singleline(&mut act.fine).desired_width(140.0).hint_text("số tiền"))
                        .labelled_by(l.id);
                }
                if let Ok(s) = &selection {
                    buttons(ui, w, s, organisation, before.len() > 1, act, &mut set);
                }
                if ui.button(format!("Bỏ hành vi {}", n + 1)).clicked() {
                    remove = Some(n);
                }
            });
        });
    }
    if let Some(n) = remove {
        acts.remove(n);
    }
    // The list to choose (another) act from.
    if editable {
        let mut options: Vec<(String, String)> = Vec::new();
        for a in w.catalogue.acts_on(day) {
            options.push((a.id(), short(a.label())));
            for d in a.doubles() {
                let label = format!("{} — tăng {} lần: {} ({})", a.label(), d.factor, d.text, point_vi(&d.point));
                options.push((format!("{}+{}", a.id(), d.point), short(label)));
            }
        }
        if !acts.is_empty() {
            ui.label("Thêm hành vi khác (nếu xử phạt nhiều hành vi):");
        }
        let width = ui.available_width().min(760.0);
        let mut picked: Option<String> = None;
        let salt = format!("{}-{}", def.id, acts.len());
        if crate::ui::picker::picker(ui, &salt, label, &mut picked, &options, width)
            && let Some(key) = picked.as_deref().and_then(Key::parse)
        {
            acts.push(Chosen { key, fine: String::new() });
        }
    }
    // Acts changed: what they fill follows, unless typed over.
    let changed = acts != before;
    if changed {
        let select = |list: &[Chosen]| -> Option<Vec<Selection<'_>>> {
            chosen::select(&w.catalogue, list, day, goods).into_iter().collect::<Result<_, _>>().ok()
        };
        if let (Some(new), Some(old)) = (select(&acts), select(&before)) {
            let new: Vec<_> = new.into_iter().zip(acts.iter()).collect();
            let old: Vec<_> = old.into_iter().zip(before.iter()).collect();
            set.splice(0..0, chosen::fills(&new, &old, &w.values));
        }
        *value = chosen::write(&acts);
    } else if editable && !acts.is_empty() {
        // The goods' value moved the tier, or the provision was typed over: offer it again.
        let now: Option<Vec<Selection<'_>>> =
            chosen::select(&w.catalogue, &acts, day, goods).into_iter().collect::<Result<_, _>>().ok();
        if let Some(now) = now {
            let pairs: Vec<_> = now.into_iter().zip(acts.iter()).collect();
            let again = chosen::fills(&pairs, &pairs, &w.values);
            let differs = again.iter().any(|(f, v)| w.form.field(f).is_some() && w.values.get(*f) != Some(v));
            if differs && ui.button("Điền lại điểm, khoản, nghị định theo danh mục").clicked() {
                set.extend(again);
            }
        }
    }
    for (field, v) in set {
        if w.form.field(field).is_some() {
            w.values.insert(field.to_string(), v);
            w.edited(field);
        }
    }
    changed
}

/// The buttons under an act: its middle as the fine, its penalties and remedies.
fn buttons(
    ui: &mut egui::Ui,
    w: &WizardState,
    s: &Selection<'_>,
    organisation: bool,
    several: bool,
    act: &mut Chosen,
    set: &mut Vec<(&'static str, String)>,
) {
    let middle = s.bracket(organisation).middle_vnd();
    if w.form.field("muc_phat").is_some()
        && ui.button(format!("Dùng mức trung bình {} đồng", format_vnd(middle))).clicked()
    {
        if several {
            act.fine = format_vnd(middle);
        } else {
            set.push(("muc_phat", middle.to_string()));
        }
    }
    let measures = |list: &mut dyn Iterator<Item = &crate::domain::catalogue::Measure>| {
        list.map(|m| format!("{} ({} Điều {})", m.text, point_vi(&m.point), s.act.article.article))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let additional = measures(&mut s.act.additional());
    let remedies = measures(&mut s.act.remedies());
    if w.form.field("xu_phat_bo_sung").is_some()
        && !additional.is_empty()
        && ui.button("Điền hình thức bổ sung, biện pháp khắc phục của điều này").clicked()
    {
        set.push(("xu_phat_bo_sung", additional));
        if w.form.field("bien_phap_khac_phuc").is_some() && !remedies.is_empty() {
            set.push(("bien_phap_khac_phuc", remedies));
        }
    }
}
