//! The catalogue of violations (danh mục hành vi vi phạm) as dated data in the decree's own
//! shape (`assets/law/catalogue.toml`, `docs/violation-catalogue.md`): each act of a covered
//! article at its point, the fine bracket of the point that sets it (tiered by the goods'
//! value where the decree is), the cases that multiply it, the additional penalties the
//! article allows and the remedies it requires — each item in force from one day to another,
//! as the amendments left it. A violation is judged by the version in force on the day of the
//! act.
//!
//! What a document stores is a [`Key`]: the act's id ("ND98-17-1-a") and, where the decree
//! multiplies the bracket, the point of that case ("+12-a"). The tier follows from the goods'
//! value; the version from the act's day.

mod check;
pub mod chosen;
mod find;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use find::find;

/// The catalogue.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    #[serde(rename = "decree")]
    pub decrees: Vec<Decree>,
    #[serde(rename = "article")]
    pub articles: Vec<Article>,
}

/// A sanction decree and the decrees that amended it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decree {
    /// "ND98": the start of every id of its acts.
    pub code: String,
    /// "Nghị định 98/2020/NĐ-CP".
    pub short: String,
    /// The full citation ("Nghị định số 98/2020/NĐ-CP ngày … của Chính phủ quy định …").
    pub citation: String,
    /// The text it was checked against, in `../shared/law/decrees/`.
    pub text: String,
    pub valid_from: NaiveDate,
    /// The decree's rule for organisations, in words.
    pub organisation: String,
    #[serde(default)]
    pub amended_by: Vec<Amending>,
}

/// An amending decree, from the day it came into force.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Amending {
    pub valid_from: NaiveDate,
    pub citation: String,
    pub text: String,
}

/// A covered article from one day to another; items an amendment changed carry their own
/// days.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Article {
    pub decree: String,
    /// "15", "46a".
    pub article: String,
    pub title: String,
    #[serde(default)]
    pub former_title: Option<String>,
    #[serde(default)]
    pub former_title_until: Option<NaiveDate>,
    /// The case field (`assets/reference/fields.json` code) its acts belong to.
    pub field: String,
    pub valid_from: NaiveDate,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    /// What it was read from, amendments named.
    pub source: String,
    /// What the value tiers are reckoned on, where it is not the goods' own value (hàng giả:
    /// the value of the genuine goods of the same quantity).
    #[serde(default)]
    pub value_basis: Option<String>,
    /// Points deliberately left out, and why.
    pub not_covered: Vec<NotCovered>,
    #[serde(default, rename = "amendment")]
    pub amendments: Vec<Amendment>,
    #[serde(default, rename = "tier")]
    pub tiers: Vec<Tier>,
    #[serde(default, rename = "act")]
    pub acts: Vec<Act>,
    #[serde(default, rename = "double")]
    pub doubles: Vec<Double>,
    #[serde(default)]
    pub additional: Vec<Measure>,
    #[serde(default, rename = "remedy")]
    pub remedies: Vec<Measure>,
}

/// A point left out of the catalogue.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotCovered {
    pub point: String,
    pub why: String,
}

/// How an amendment changed the article's text (read by the test that checks the catalogue
/// against the decree texts).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Amendment {
    pub valid_from: NaiveDate,
    /// `replace` (a clause or point), `insert` (words after words), `article` (the whole).
    pub op: String,
    #[serde(default)]
    pub point: Option<String>,
    /// The amending decree's text file.
    pub text: String,
    /// The line after which the new text is quoted (`replace`, `article`), or the words after
    /// which `words` go (`insert`).
    pub after: String,
    #[serde(default)]
    pub words: Option<String>,
}

/// The days an item is in force (none: the article's).
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct Days {
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
}

impl Days {
    fn covers(&self, on: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| on >= f) && self.valid_to.is_none_or(|t| on <= t)
    }
}

/// A fine bracket for an individual, and the goods' value band it applies to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub group: String,
    pub point: String,
    #[serde(default)]
    pub from_vnd: u64,
    #[serde(default)]
    pub below_vnd: Option<u64>,
    #[serde(default)]
    pub min_vnd: u64,
    #[serde(default)]
    pub max_vnd: u64,
    /// A bracket set as multiples of the value of the goods ("từ 01 lần đến 02 lần giá trị
    /// thực phẩm vi phạm", NĐ 115/2018) instead of amounts.
    #[serde(default)]
    pub min_times: Option<u64>,
    #[serde(default)]
    pub max_times: Option<u64>,
    /// "Phạt cảnh cáo hoặc phạt tiền": a warning may be given instead.
    #[serde(default)]
    pub warning: bool,
    /// The bracket as the source text prints it, where it misprints the figures.
    #[serde(default)]
    pub as_printed: Option<String>,
    #[serde(flatten)]
    pub days: Days,
}

impl Tier {
    /// The bracket for an individual for goods worth `value`, before any multiple.
    pub fn amounts(&self, value: u64) -> (u64, u64) {
        match (self.min_times, self.max_times) {
            (Some(lo), Some(hi)) => (lo * value, hi * value),
            _ => (self.min_vnd, self.max_vnd),
        }
    }

    /// Whether goods worth `value` fall in this tier's band (a tier without a band takes any).
    pub fn takes(&self, value: u64) -> bool {
        value >= self.from_vnd && self.below_vnd.is_none_or(|b| value < b)
    }

    /// The band in words ("từ 3.000.000 đồng đến dưới 5.000.000 đồng"), empty without one.
    pub fn band_vi(&self) -> String {
        use super::text::format_vnd;
        match (self.from_vnd, self.below_vnd) {
            (0, None) => String::new(),
            (0, Some(b)) => format!("dưới {} đồng", format_vnd(b)),
            (f, None) => format!("từ {} đồng trở lên", format_vnd(f)),
            (f, Some(b)) => format!("từ {} đồng đến dưới {} đồng", format_vnd(f), format_vnd(b)),
        }
    }
}

/// An act in the decree's words.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Act {
    pub point: String,
    pub text: String,
    /// `text` folded (no accents, lower case), made once when the catalogue is read: a search
    /// goes through every act.
    #[serde(skip)]
    pub(crate) folded: String,
    /// The tier group that sets its bracket.
    pub tiers: String,
    #[serde(flatten)]
    pub days: Days,
}

/// A case the decree fines at a multiple of the bracket.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Double {
    pub point: String,
    pub text: String,
    #[serde(default = "two")]
    pub factor: u64,
    /// An organisation's multiple on top (the decree's rule: 2; 1 where it excepts the point).
    #[serde(default = "two")]
    pub organisation_factor: u64,
    #[serde(flatten)]
    pub days: Days,
}

fn two() -> u64 {
    2
}

/// An additional penalty or a remedy, with the acts (points) it is for (none: all).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub point: String,
    pub text: String,
    #[serde(default)]
    pub acts: Vec<String>,
    #[serde(flatten)]
    pub days: Days,
}

impl Measure {
    fn for_act(&self, point: &str) -> bool {
        self.acts.is_empty() || self.acts.iter().any(|a| a == point)
    }
}

/// What a document stores: an act's id and, where the decree multiplies its bracket, the
/// point of that case: "ND98-15-3-a", "ND98-15-1+2-c".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Key {
    pub id: String,
    pub double: Option<String>,
}

impl Key {
    pub fn parse(text: &str) -> Option<Key> {
        let text = text.trim();
        let (id, double) = match text.split_once('+') {
            Some((id, d)) => (id.trim(), Some(d.trim().to_string())),
            None => (text, None),
        };
        (!id.is_empty() && double.as_deref() != Some("")).then(|| Key { id: id.to_string(), double })
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.double {
            Some(d) => write!(f, "{}+{d}", self.id),
            None => f.write_str(&self.id),
        }
    }
}

/// A point "1-b" in words: "điểm b khoản 1"; "3": "khoản 3".
pub fn point_vi(point: &str) -> String {
    match point.split_once('-') {
        Some((k, d)) => format!("điểm {d} khoản {k}"),
        None => format!("khoản {point}"),
    }
}

/// A fine bracket for the subject at hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Bracket {
    pub min_vnd: u64,
    pub max_vnd: u64,
    pub warning: bool,
}

impl Bracket {
    /// The fine the Law sets when no circumstance moves it: the middle of the bracket (khoản 4
    /// Điều 23 Luật Xử lý vi phạm hành chính).
    pub fn middle_vnd(&self) -> u64 {
        (self.min_vnd + self.max_vnd) / 2
    }

    pub fn holds(&self, fine: u64) -> bool {
        (self.min_vnd..=self.max_vnd).contains(&fine)
    }

    pub fn vi(&self) -> String {
        use super::text::format_vnd;
        let warn = if self.warning { "phạt cảnh cáo hoặc " } else { "" };
        format!("{warn}phạt tiền từ {} đồng đến {} đồng", format_vnd(self.min_vnd), format_vnd(self.max_vnd))
    }
}

/// An act in force on a day, with its article and decree.
#[derive(Debug, Clone, Copy)]
pub struct ActRef<'a> {
    pub decree: &'a Decree,
    pub article: &'a Article,
    pub act: &'a Act,
    pub on: NaiveDate,
}

impl<'a> ActRef<'a> {
    pub fn id(&self) -> String {
        format!("{}-{}-{}", self.decree.code, self.article.article, self.act.point)
    }

    /// The article's title on that day.
    pub fn title(&self) -> &'a str {
        match (&self.article.former_title, self.article.former_title_until) {
            (Some(t), Some(until)) if self.on <= until => t,
            _ => &self.article.title,
        }
    }

    /// The tiers of its bracket in force, in the decree's order.
    pub fn tiers(&self) -> impl Iterator<Item = &'a Tier> + 'a {
        let (group, on) = (&self.act.tiers, self.on);
        self.article.tiers.iter().filter(move |t| &t.group == group && t.days.covers(on))
    }

    /// The tier for goods worth `value`.
    pub fn tier(&self, value: u64) -> Option<&'a Tier> {
        self.tiers().find(|t| t.takes(value))
    }

    /// Whether the bracket depends on the goods' value.
    pub fn tiered_by_value(&self) -> bool {
        self.tiers().count() > 1
    }

    pub fn doubles(&self) -> impl Iterator<Item = &'a Double> + 'a {
        let on = self.on;
        self.article.doubles.iter().filter(move |d| d.days.covers(on))
    }

    pub fn additional(&self) -> impl Iterator<Item = &'a Measure> + 'a {
        let (point, on) = (&self.act.point, self.on);
        self.article.additional.iter().filter(move |m| m.days.covers(on) && m.for_act(point))
    }

    pub fn remedies(&self) -> impl Iterator<Item = &'a Measure> + 'a {
        let (point, on) = (&self.act.point, self.on);
        self.article.remedies.iter().filter(move |m| m.days.covers(on) && m.for_act(point))
    }

    /// The decree as cited on that day: the decree and the amending decrees then in force.
    pub fn decree_citation(&self) -> String {
        let by: Vec<&str> =
            self.decree.amended_by.iter().filter(|a| a.valid_from <= self.on).map(|a| a.citation.as_str()).collect();
        match by.as_slice() {
            [] => self.decree.citation.clone(),
            [one] => format!("{}, được sửa đổi, bổ sung bởi {one}", self.decree.citation),
            [rest @ .., last] => {
                format!("{}, được sửa đổi, bổ sung bởi {} và {last}", self.decree.citation, rest.join(", "))
            }
        }
    }

    /// One line for lists: "Điều 15 khoản 1 — Kinh doanh hàng hóa nhập lậu".
    pub fn label(&self) -> String {
        format!("Điều {} {} — {}", self.article.article, point_vi(&self.act.point), self.act.text)
    }
}

/// Why a key does not name an act in force.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    #[error("no act {id} in the catalogue on {on}")]
    NoAct { id: String, on: NaiveDate },
    #[error("act {id} has no bracket for goods worth {value} VND")]
    NoTier { id: String, value: u64 },
    #[error("act {id} has no multiplying case {point} on {on}")]
    NoDouble { id: String, point: String, on: NaiveDate },
    #[error("act {id} is fined in multiples of the goods' value, and the goods list has no value")]
    NoValue { id: String },
}

impl super::Bilingual for SelectError {
    fn vi(&self) -> String {
        match self {
            SelectError::NoAct { id, on } => {
                format!(
                    "Mã hành vi “{id}” không có trong danh mục hành vi vi phạm có hiệu lực ngày {}",
                    on.format("%d/%m/%Y")
                )
            }
            SelectError::NoTier { id, value } => format!(
                "Hành vi “{id}”: danh mục không có khung tiền phạt cho hàng hóa trị giá {} đồng",
                super::text::format_vnd(*value)
            ),
            SelectError::NoValue { id } => format!(
                "Hành vi “{id}” bị phạt theo số lần giá trị hàng hóa vi phạm: cần nhập đơn giá, số lượng trong bảng kê hàng hóa"
            ),
            SelectError::NoDouble { id, point, on } => format!(
                "Hành vi “{id}”: {} không phải trường hợp tăng mức phạt của điều này ngày {}",
                point_vi(point),
                on.format("%d/%m/%Y")
            ),
        }
    }
}

/// An act chosen for a case: the act on the day, its tier for the goods' value, and the case
/// that multiplies it.
#[derive(Debug, Clone, Copy)]
pub struct Selection<'a> {
    pub act: ActRef<'a>,
    pub tier: &'a Tier,
    pub double: Option<&'a Double>,
    /// The goods' value the act was judged with (a bracket in multiples of it follows it).
    pub value: u64,
}

impl Selection<'_> {
    /// The bracket for an individual, or an organisation.
    pub fn bracket(&self, organisation: bool) -> Bracket {
        let (factor, org) = self.double.map_or((1, 2), |d| (d.factor, d.organisation_factor));
        let times = factor * if organisation { org } else { 1 };
        let (min, max) = self.tier.amounts(self.value);
        Bracket { min_vnd: min * times, max_vnd: max * times, warning: self.tier.warning && self.double.is_none() }
    }

    /// The points in words, the act's first: "điểm c khoản 1, khoản 3 Điều 17",
    /// "điểm b khoản 1, điểm c khoản 2 Điều 15".
    pub fn points_vi(&self) -> String {
        let (act, tier) = (self.act.act.point.as_str(), self.tier.point.as_str());
        let clause = act.split('-').next().unwrap_or(act);
        let mut points = if tier.strip_prefix(act).is_some_and(|rest| rest.starts_with('-')) {
            // A whole clause tiered by its own points: the point says both.
            vec![tier]
        } else if tier == clause || tier == act {
            // The act's own clause sets the bracket.
            vec![act]
        } else {
            vec![act, tier]
        };
        if let Some(d) = self.double {
            points.push(&d.point);
        }
        let words: Vec<String> = points.iter().map(|p| point_vi(p)).collect();
        format!("{} Điều {}", words.join(", "), self.act.article.article)
    }

    /// What "Quy định tại" says: the points, the article and the decree as in force.
    pub fn provision(&self) -> String {
        format!("{} {}", self.points_vi(), self.act.decree_citation())
    }
}

impl Catalogue {
    /// Parses and checks the catalogue: every article of a known decree, days in order, tiers
    /// sound, every act's tier group present on each day it is in force, no point given twice
    /// on one day.
    pub fn parse(text: &str) -> Result<Catalogue, String> {
        let mut catalogue: Catalogue = toml::from_str(text).map_err(|e| e.to_string())?;
        catalogue.check()?;
        for act in catalogue.articles.iter_mut().flat_map(|a| a.acts.iter_mut()) {
            act.folded = super::text::fold(&act.text);
        }
        Ok(catalogue)
    }

    /// Every act in force on `on`.
    pub fn acts_on(&self, on: NaiveDate) -> Vec<ActRef<'_>> {
        self.articles
            .iter()
            .filter(|a| a.covers(on))
            .flat_map(|a| {
                let decree = self.decrees.iter().find(|d| d.code == a.decree);
                a.acts
                    .iter()
                    .filter(move |act| act.days.covers(on))
                    .filter_map(move |act| decree.map(|decree| ActRef { decree, article: a, act, on }))
            })
            .collect()
    }

    /// The act an id names on `on`: an act's own id ("ND98-17-1-c"), or a tier's point of an
    /// act ("ND98-15-1-b": the act of khoản 1 at the bracket of its point b), with that tier.
    pub fn act(&self, id: &str, on: NaiveDate) -> Option<(ActRef<'_>, Option<&Tier>)> {
        let acts = self.acts_on(on);
        if let Some(a) = acts.iter().find(|a| a.id().eq_ignore_ascii_case(id)) {
            return Some((*a, None));
        }
        acts.iter().find_map(|a| {
            a.tiers()
                .find(|t| format!("{}-{}-{}", a.decree.code, a.article.article, t.point).eq_ignore_ascii_case(id))
                .filter(|t| t.point.starts_with(&format!("{}-", a.act.point)))
                .map(|t| (*a, Some(t)))
        })
    }

    /// The act `key` names on the day of the act, at the tier for goods worth `value`.
    pub fn select(&self, key: &Key, on: NaiveDate, value: u64) -> Result<Selection<'_>, SelectError> {
        let (act, tier) = self.act(&key.id, on).ok_or_else(|| SelectError::NoAct { id: key.id.clone(), on })?;
        let tier = match tier {
            Some(t) => t,
            None => act.tier(value).ok_or_else(|| SelectError::NoTier { id: key.id.clone(), value })?,
        };
        if tier.min_times.is_some() && value == 0 {
            return Err(SelectError::NoValue { id: key.id.clone() });
        }
        let double = match &key.double {
            None => None,
            Some(point) => Some(act.doubles().find(|d| &d.point == point).ok_or_else(|| SelectError::NoDouble {
                id: key.id.clone(),
                point: point.clone(),
                on,
            })?),
        };
        Ok(Selection { act, tier, double, value })
    }
}

impl Article {
    fn covers(&self, on: NaiveDate) -> bool {
        on >= self.valid_from && self.valid_to.is_none_or(|t| on <= t)
    }

    /// The days the article's content changes (its start and every item's bounds).
    pub fn change_days(&self) -> Vec<NaiveDate> {
        let days = self
            .tiers
            .iter()
            .map(|t| t.days)
            .chain(self.acts.iter().map(|a| a.days))
            .chain(self.doubles.iter().map(|d| d.days))
            .chain(self.additional.iter().chain(&self.remedies).map(|m| m.days));
        let mut out = vec![self.valid_from];
        for d in days {
            out.extend(d.valid_from);
            out.extend(d.valid_to.and_then(|t| t.succ_opt()));
        }
        out.retain(|d| self.covers(*d));
        out.sort();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests;
