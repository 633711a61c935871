//! The catalogue's own checks, run when it is read: every article of a known decree, days
//! in order, tiers sound, every act's tier group present on each day it is in force, no
//! point given twice on one day.

use super::Catalogue;

impl Catalogue {
    pub(super) fn check(&self) -> Result<(), String> {
        for a in &self.articles {
            let at = format!("Điều {} ({})", a.article, a.valid_from);
            if !self.decrees.iter().any(|d| d.code == a.decree) {
                return Err(format!("{at}: unknown decree {:?}", a.decree));
            }
            if a.valid_to.is_some_and(|t| t < a.valid_from) {
                return Err(format!("{at}: valid_to before valid_from"));
            }
            for t in &a.tiers {
                let times = match (t.min_times, t.max_times) {
                    (Some(lo), Some(hi)) => lo <= hi && t.min_vnd == 0 && t.max_vnd == 0,
                    (None, None) => t.max_vnd > 0,
                    _ => false,
                };
                if !times || t.min_vnd > t.max_vnd || t.below_vnd.is_some_and(|b| b <= t.from_vnd) {
                    return Err(format!(
                        "{at}: tier {} is not a bracket (amounts or multiples of the value, min ≤ max, a band not empty)",
                        t.point
                    ));
                }
            }
            for act in &a.acts {
                if !a.tiers.iter().any(|t| t.group == act.tiers) {
                    return Err(format!(
                        "{at}: act {} names the tier group {:?}, which is not there",
                        act.point, act.tiers
                    ));
                }
                // Each day an act is in force it must be given once, with a tier.
                for day in a.change_days().into_iter().filter(|d| act.days.covers(*d) && a.covers(*d)) {
                    let same = a.acts.iter().filter(|o| o.point == act.point && o.days.covers(day)).count();
                    if same > 1 {
                        return Err(format!("{at}: act {} given {same} times on {day}", act.point));
                    }
                    if !a.tiers.iter().any(|t| t.group == act.tiers && t.days.covers(day)) {
                        return Err(format!("{at}: act {} has no tier in force on {day}", act.point));
                    }
                }
            }
        }
        Ok(())
    }
}
