//! Legal deadlines: a working-day calendar (weekends, public holidays, days swapped, from a
//! dated table) and deadline rules kept as data (`assets/law/deadlines.toml`), applied to
//! what a case's list row knows (its finalised documents, its acts, its field, its stage).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::document::DocumentKind;
use super::summary::CaseSummary;
use super::workflow::Stage;

/// One dated entry of the calendar table: a day, or a range of days.
#[derive(Debug, Clone, Deserialize)]
pub struct CalendarEntry {
    pub date: Option<NaiveDate>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub name: String,
}

/// One year of the calendar table.
#[derive(Debug, Clone, Deserialize)]
pub struct CalendarYear {
    pub year: i32,
    /// "official" (announced) or "provisional" (by the Labour Code only).
    pub status: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub off: Vec<CalendarEntry>,
    #[serde(default)]
    pub working: Vec<CalendarEntry>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CalendarFile {
    pub year: Vec<CalendarYear>,
}

/// Weekends off, plus the table's days off and make-up working days.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    off: BTreeMap<NaiveDate, String>,
    working: BTreeSet<NaiveDate>,
    /// Years in the table: true when only provisional.
    years: BTreeMap<i32, bool>,
}

impl Calendar {
    /// The calendar from its table; refuses a day outside its year, a range the wrong way
    /// round, an entry with neither a date nor a range, a make-up day that is not a weekend.
    pub fn new(file: &CalendarFile) -> Result<Calendar, String> {
        let mut cal = Calendar::default();
        for year in &file.year {
            if !matches!(year.status.as_str(), "official" | "provisional") {
                return Err(format!("year {}: status must be official or provisional", year.year));
            }
            cal.years.insert(year.year, year.status == "provisional");
            for (entries, off) in [(&year.off, true), (&year.working, false)] {
                for entry in entries {
                    let (from, to) = match (entry.date, entry.from, entry.to) {
                        (Some(d), None, None) => (d, d),
                        (None, Some(f), Some(t)) if f <= t => (f, t),
                        _ => return Err(format!("{}: give date, or from ≤ to", entry.name)),
                    };
                    for day in from.iter_days().take_while(|d| *d <= to) {
                        if day.year() != year.year {
                            return Err(format!("{}: {day} is not in {}", entry.name, year.year));
                        }
                        if off {
                            cal.off.insert(day, entry.name.clone());
                        } else if is_weekend(day) {
                            cal.working.insert(day);
                        } else {
                            return Err(format!("{}: make-up day {day} is not a Saturday or Sunday", entry.name));
                        }
                    }
                }
            }
        }
        Ok(cal)
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        self.working.contains(&day) || !(is_weekend(day) || self.off.contains_key(&day))
    }

    /// Why a weekday is off ("Tết Nguyên đán …"), if it is.
    pub fn holiday(&self, day: NaiveDate) -> Option<&str> {
        self.off.get(&day).map(String::as_str)
    }

    /// The `n`-th working day after `start`, the start day not counted.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut day = start;
        let mut counted = 0;
        while counted < n {
            day = day.succ_opt().expect("dates stay in range");
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        day
    }

    /// `day` if it is a working day, else the next one.
    pub fn on_or_next_working_day(&self, day: NaiveDate) -> NaiveDate {
        let mut day = day;
        while !self.is_working_day(day) {
            day = day.succ_opt().expect("dates stay in range");
        }
        day
    }

    /// Whether every day from `from` to `to` is in a year the table gives officially.
    pub fn official_between(&self, from: NaiveDate, to: NaiveDate) -> bool {
        (from.year()..=to.year()).all(|y| self.years.get(&y) == Some(&false))
    }
}

fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// How a length is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Hours from the start, counted through days off ("trong thời hạn 24 giờ"); the due
    /// date is the day the last hour falls on.
    Hours,
    WorkingDays,
    Days,
    Months,
    Years,
}

/// A length: so many units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Length {
    pub length: u32,
    pub unit: Unit,
}

impl Length {
    /// "7 ngày làm việc", "1 tháng".
    pub fn vi(&self) -> String {
        let unit = match self.unit {
            Unit::Hours => "giờ",
            Unit::WorkingDays => "ngày làm việc",
            Unit::Days => "ngày",
            Unit::Months => "tháng",
            Unit::Years => "năm",
        };
        format!("{} {unit}", self.length)
    }

    /// The due date counted from `start`: hours through days off, from the start of the day
    /// (the document's time is not in the list row, so the count is the longest it may be);
    /// working days with the start day not counted; days, months and years by the
    /// calendar, the last day moved to the next working day when it is off (Bộ luật Dân sự
    /// art. 148).
    pub fn due(&self, start: NaiveDate, cal: &Calendar) -> NaiveDate {
        let plain = match self.unit {
            Unit::Hours => return start + chrono::Duration::days(i64::from(self.length.div_ceil(24))),
            Unit::WorkingDays => return cal.add_working_days(start, self.length),
            Unit::Days => start + chrono::Duration::days(i64::from(self.length)),
            Unit::Months => start.checked_add_months(Months::new(self.length)).expect("in range"),
            Unit::Years => start.checked_add_months(Months::new(12 * self.length)).expect("in range"),
        };
        cal.on_or_next_working_day(plain)
    }
}

/// An extension: a finalised "Văn bản gia hạn" with this option gives this length instead.
#[derive(Debug, Clone, Deserialize)]
pub struct Extension {
    pub option: String,
    #[serde(flatten)]
    pub to: Length,
}

/// A longer length for cases of some fields (lĩnh vực).
#[derive(Debug, Clone, Deserialize)]
pub struct Longer {
    #[serde(flatten)]
    pub to: Length,
    pub fields: Vec<String>,
}

/// One deadline rule of the law.
#[derive(Debug, Clone, Deserialize)]
pub struct Rule {
    pub id: String,
    pub title: String,
    /// The document kind whose finalisation starts the count, or "violation" (the time of
    /// the act recorded in the violation record).
    pub start: String,
    /// Kinds whose finalisation meets the deadline; "closed": the case ending does.
    pub met_by: Vec<String>,
    #[serde(flatten)]
    pub base: Length,
    pub basis: String,
    #[serde(default)]
    pub informational: bool,
    #[serde(default)]
    pub capped_by: Option<String>,
    #[serde(default)]
    pub extensions: Vec<Extension>,
    #[serde(default)]
    pub longer: Option<Longer>,
    /// The rule applies to counts that start from this day (the law in force then) …
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
    /// … until this day, inclusive. Rules sharing an id must not overlap.
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    /// Lengths the law itself sets when a document shows the case is of that sort (an
    /// explanation heard: one month to decide) — not extensions, no decision needed.
    #[serde(default)]
    pub by_law: Vec<ByLaw>,
    /// A new count from a later document (03 working days from the valuation's result).
    #[serde(default)]
    pub restart: Option<Restart>,
    /// A decision of this kind extends the term to the date it states.
    #[serde(default)]
    pub extended_by: Option<String>,
}

/// A length the law sets once a document of one of `after` is finalised.
#[derive(Debug, Clone, Deserialize)]
pub struct ByLaw {
    pub after: Vec<String>,
    #[serde(flatten)]
    pub to: Length,
    pub why: String,
}

/// A count that starts again from the latest document of one of `after`.
#[derive(Debug, Clone, Deserialize)]
pub struct Restart {
    pub after: Vec<String>,
    #[serde(flatten)]
    pub to: Length,
    pub why: String,
}

impl Rule {
    /// Whether the rule is the law for a count starting on `start`.
    pub fn in_force(&self, start: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= start) && self.valid_to.is_none_or(|t| start <= t)
    }

    /// Every document kind the rule names, with what names it.
    fn kinds_named(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let start = (self.start != "violation").then_some(("start", self.start.as_str()));
        let met = self.met_by.iter().filter(|m| *m != "closed").map(|m| ("met_by", m.as_str()));
        let by_law = self.by_law.iter().flat_map(|b| b.after.iter().map(|k| ("by_law", k.as_str())));
        let restart = self.restart.iter().flat_map(|r| r.after.iter().map(|k| ("restart", k.as_str())));
        let extended = self.extended_by.iter().map(|k| ("extended_by", k.as_str()));
        start.into_iter().chain(met).chain(by_law).chain(restart).chain(extended)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct RuleFile {
    pub rule: Vec<Rule>,
}

impl RuleFile {
    /// Refuses a rule naming no document kind where it names one, an id declared twice
    /// for overlapping dates, a period the wrong way round, or a cap naming no rule.
    pub fn check(&self) -> Result<(), String> {
        let mut ids = BTreeSet::new();
        for (i, r) in self.rule.iter().enumerate() {
            if let (Some(f), Some(t)) = (r.valid_from, r.valid_to)
                && f > t
            {
                return Err(format!("rule {}: valid_from {f} after valid_to {t}", r.id));
            }
            let overlaps = |o: &Rule| {
                o.valid_from.is_none_or(|f| r.valid_to.is_none_or(|t| f <= t))
                    && r.valid_from.is_none_or(|f| o.valid_to.is_none_or(|t| f <= t))
            };
            if self.rule[..i].iter().any(|o| o.id == r.id && overlaps(o)) {
                return Err(format!("rule {}: declared twice for the same dates", r.id));
            }
            ids.insert(r.id.as_str());
            if let Some((what, bad)) = r.kinds_named().find(|(_, k)| DocumentKind::from_code(k).is_none()) {
                return Err(format!("rule {}: {what} {bad:?} is no document kind", r.id));
            }
        }
        for r in &self.rule {
            if let Some(cap) = &r.capped_by
                && !ids.contains(cap.as_str())
            {
                return Err(format!("rule {}: capped_by {cap:?} is no rule", r.id));
            }
        }
        Ok(())
    }
}

/// A finalised document as deadlines read it (kept in the case-list row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub kind: DocumentKind,
    #[serde(with = "super::compact_dates::day")]
    pub on: NaiveDate,
    /// For an extension ("Văn bản gia hạn"): the option chosen.
    pub option: Option<String>,
    /// For a decision extending a term (MQĐ21): the day it extends it to.
    #[serde(default, with = "super::compact_dates::optional_day")]
    pub until: Option<NaiveDate>,
}

/// Where a deadline stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    Overdue,
    /// Due today or on the next working day.
    DueSoon,
    OnTime,
    Met,
}

impl DeadlineState {
    pub fn vi(self) -> &'static str {
        match self {
            DeadlineState::Overdue => "Quá hạn",
            DeadlineState::DueSoon => "Sắp đến hạn",
            DeadlineState::OnTime => "Trong hạn",
            DeadlineState::Met => "Đã xong",
        }
    }
}

/// One deadline of one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub rule: String,
    pub title: String,
    pub basis: String,
    pub start: NaiveDate,
    pub due: NaiveDate,
    /// "7 ngày làm việc", or the extended length.
    pub length_vi: String,
    /// The extension applied, if any.
    pub extended: Option<String>,
    /// Why the law sets this length or start here (an explanation heard, a valuation's
    /// result), when not the rule's usual one.
    pub why: Option<String>,
    /// The rule capping it moved it earlier.
    pub capped: bool,
    pub state: DeadlineState,
    /// When it was met (the document finalised), if it was.
    pub met_on: Option<NaiveDate>,
    pub informational: bool,
    /// False when the count runs through a year the calendar knows only provisionally.
    pub calendar_official: bool,
}

/// The deadlines of a case (its list row) on `as_of`, in rule order. A cancelled case has none.
pub fn deadlines_of(row: &CaseSummary, rules: &RuleFile, cal: &Calendar, as_of: NaiveDate) -> Vec<Deadline> {
    if row.stage == Stage::DaHuy {
        return Vec::new();
    }
    let mut out: Vec<Deadline> = Vec::new();
    for rule in &rules.rule {
        let Some(d) = one(rule, row, cal, as_of) else { continue };
        out.push(d);
    }
    // Caps: a seizure never outlasts the time to decide the sanction.
    for i in 0..out.len() {
        let rule = rules.rule.iter().find(|r| r.id == out[i].rule && r.in_force(out[i].start));
        let Some(cap) = rule.and_then(|r| r.capped_by.clone()) else {
            continue;
        };
        if let Some(limit) = out.iter().find(|d| d.rule == cap).map(|d| d.due)
            && limit < out[i].due
        {
            out[i].due = limit;
            out[i].capped = true;
            if out[i].met_on.is_none() {
                out[i].state = state_on(limit, cal, as_of);
            }
        }
    }
    out
}

fn one(rule: &Rule, row: &CaseSummary, cal: &Calendar, as_of: NaiveDate) -> Option<Deadline> {
    let finalised = |code: &str| row.milestones.iter().filter(|m| m.kind.code() == code).map(|m| m.on).min();
    let latest = |codes: &[String]| {
        row.milestones.iter().filter(|m| codes.iter().any(|c| c == m.kind.code())).map(|m| m.on).max()
    };
    let start = if rule.start == "violation" {
        row.violation_marks.iter().map(|v| v.on).min()?
    } else {
        finalised(&rule.start)?
    };
    if !rule.in_force(start) {
        return None;
    }
    let closed = matches!(row.stage, Stage::KhongViPham | Stage::DaXuPhat);
    let met_on = rule
        .met_by
        .iter()
        .filter_map(|m| if m == "closed" { closed.then_some(row.closed_on).flatten() } else { finalised(m) })
        .min();
    let mut length = rule.base;
    let mut why = None;
    if let Some(longer) = &rule.longer
        && longer.fields.contains(&row.field)
    {
        length = longer.to;
    }
    if let Some(b) = rule.by_law.iter().find(|b| latest(&b.after).is_some()) {
        length = b.to;
        why = Some(b.why.clone());
    }
    // The latest extension for this rule counts.
    let extension = row
        .milestones
        .iter()
        .filter(|m| m.kind == DocumentKind::GiaHan)
        .filter_map(|m| rule.extensions.iter().find(|e| Some(&e.option) == m.option.as_ref()))
        .next_back();
    if let Some(e) = extension {
        length = e.to;
    }
    let mut from = start;
    if let Some(r) = &rule.restart
        && let Some(on) = latest(&r.after).filter(|on| *on >= start)
    {
        from = on;
        length = r.to;
        why = Some(r.why.clone());
    }
    let mut due = length.due(from, cal);
    let mut extended = extension.map(|e| e.option.clone());
    if let Some(kind) = &rule.extended_by
        && let Some(until) = row.milestones.iter().filter(|m| m.kind.code() == kind).filter_map(|m| m.until).max()
        && until > due
    {
        due = until;
        let title = DocumentKind::from_code(kind).map_or(kind.as_str(), |k| k.title_vi());
        extended = Some(format!("{title} đến {}", until.format("%d/%m/%Y")));
    }
    let state = match met_on {
        Some(_) => DeadlineState::Met,
        None => state_on(due, cal, as_of),
    };
    Some(Deadline {
        rule: rule.id.clone(),
        title: rule.title.clone(),
        basis: rule.basis.clone(),
        start: from,
        due,
        length_vi: length.vi(),
        extended,
        why,
        capped: false,
        state,
        met_on,
        informational: rule.informational,
        calendar_official: cal.official_between(from, due),
    })
}

fn state_on(due: NaiveDate, cal: &Calendar, as_of: NaiveDate) -> DeadlineState {
    if as_of > due {
        DeadlineState::Overdue
    } else if due <= cal.add_working_days(as_of, 1) {
        DeadlineState::DueSoon
    } else {
        DeadlineState::OnTime
    }
}

/// The deadline a leader should look at first: the open (not met, not informational) one
/// due soonest.
pub fn next_open(deadlines: &[Deadline]) -> Option<&Deadline> {
    deadlines.iter().filter(|d| !d.informational && d.state != DeadlineState::Met).min_by_key(|d| d.due)
}
