//! The team's figures: inspections, violations, sanctions, fines imposed and collected,
//! value of seized goods — in total and broken down by field, goods group, provision
//! breached, inspector and period. Computed from the case-list rows alone, so the screen
//! answers at once over 100,000 cases. Shared by the laptop (`app::stats`) and the hub
//! (by team, over the province's cases); `xlsx.rs` writes the tables as a workbook.
//!
//! A case counts in the period of the day it was opened. A case whose goods fall in several
//! goods groups counts in each of them (so those rows may add up to more than the total);
//! its seized goods count by the group of each line.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::domain::matching::provision_key;
use crate::domain::summary::CaseFacts;
use crate::domain::{CaseSummary, DocumentKind, Member, Stage};
use crate::reference::Reference;

pub mod xlsx;

/// The figures of one group of cases.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Cases opened (inspections), cancelled ones left out.
    pub inspections: u64,
    /// Cases where a violation was recorded (violation record or sanction without one).
    pub violations: u64,
    /// Cases closed with no violation found.
    pub no_violation: u64,
    /// Finalised sanction decisions.
    pub sanctions: u64,
    pub fines_imposed_vnd: u64,
    pub fines_collected_vnd: u64,
    /// Value of goods seized (a finalised seizure record).
    pub seized_goods_vnd: u64,
}

/// What each group a case counts in adds, worked out once per case.
struct Counted {
    violation: bool,
    no_violation: bool,
    sanctions: u64,
    fine: u64,
    paid: u64,
}

impl Counted {
    fn of(row: &CaseSummary) -> Counted {
        let has = |kind: DocumentKind| row.milestones.iter().any(|m| m.kind == kind);
        let sanctions = row.sanction_marks.len() as u64;
        Counted {
            violation: has(DocumentKind::BbViPham) || has(DocumentKind::QdXuPhatKhongLapBienBan),
            no_violation: row.stage == Stage::KhongViPham,
            sanctions,
            fine: if sanctions > 0 { row.fine_vnd.unwrap_or(0) } else { 0 },
            paid: row.paid_vnd,
        }
    }
}

impl Totals {
    /// Adds one case as [`compute`] counts it in its totals (its seized goods whole).
    pub fn add_case(&mut self, row: &CaseSummary, facts: &CaseFacts) {
        let seized = row.milestones.iter().any(|m| m.kind == DocumentKind::BbTamGiu);
        let seized_vnd = if seized { facts.goods.iter().map(|g| g.value_vnd).sum() } else { 0 };
        self.add(&Counted::of(row), seized_vnd);
    }

    fn add(&mut self, c: &Counted, seized_vnd: u64) {
        self.inspections += 1;
        self.violations += u64::from(c.violation);
        self.no_violation += u64::from(c.no_violation);
        self.sanctions += c.sanctions;
        self.fines_imposed_vnd += c.fine;
        self.fines_collected_vnd += c.paid;
        self.seized_goods_vnd += seized_vnd;
    }
}

/// One line of a breakdown: its key, what to show, its figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub key: String,
    pub label: String,
    pub totals: Totals,
}

/// How the period breakdown groups days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    #[default]
    Month,
    Quarter,
    Year,
}

/// What to count: the cases opened from `from` to `to` (both included, either open).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Query {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub period: Period,
}

/// The statistics of a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub totals: Totals,
    pub by_field: Vec<Line>,
    pub by_goods_group: Vec<Line>,
    pub by_provision: Vec<Line>,
    pub by_inspector: Vec<Line>,
    pub by_period: Vec<Line>,
}

/// Which breakdown (the screen's selector, the workbook's sheets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    Field,
    GoodsGroup,
    Provision,
    Inspector,
    Period,
}

impl Dimension {
    pub const ALL: [Dimension; 5] =
        [Dimension::Field, Dimension::GoodsGroup, Dimension::Provision, Dimension::Inspector, Dimension::Period];

    pub fn vi(self) -> &'static str {
        match self {
            Dimension::Field => "Lĩnh vực",
            Dimension::GoodsGroup => "Nhóm hàng",
            Dimension::Provision => "Hành vi vi phạm (điều khoản)",
            Dimension::Inspector => "Trưởng đoàn kiểm tra",
            Dimension::Period => "Thời gian",
        }
    }
}

impl Stats {
    pub fn lines(&self, dimension: Dimension) -> &[Line] {
        match dimension {
            Dimension::Field => &self.by_field,
            Dimension::GoodsGroup => &self.by_goods_group,
            Dimension::Provision => &self.by_provision,
            Dimension::Inspector => &self.by_inspector,
            Dimension::Period => &self.by_period,
        }
    }
}

/// Whether a row is counted for `query`: not cancelled, opened in the period.
pub fn counted(row: &CaseSummary, query: &Query) -> bool {
    let day = row.opened_at.date();
    row.stage != Stage::DaHuy && query.from.is_none_or(|f| day >= f) && query.to.is_none_or(|t| day <= t)
}

/// The statistics of the cases opened in the query's period, from their list rows and
/// facts (each row with its own facts), borrowed: nothing is copied per case.
pub fn compute<'a>(
    rows: impl IntoIterator<Item = (&'a CaseSummary, &'a CaseFacts)>,
    reference: &Reference,
    members: &[Member],
    query: &Query,
) -> Stats {
    let mut totals = Totals::default();
    // Keys borrowed from the rows while counting; labels made once per key at the end.
    let mut field: HashMap<&str, Totals> = HashMap::new();
    let mut group: HashMap<&str, Totals> = HashMap::new();
    let mut inspector: HashMap<&str, Totals> = HashMap::new();
    let mut period: BTreeMap<(i32, u32), Totals> = BTreeMap::new();
    // Acts: by the catalogue's act when chosen from it (its id), else by the provision
    // typed by hand ("nhập tay"), each text folded once, texts that compare equal together.
    let mut bucket_of: HashMap<(&str, bool), usize> = HashMap::new();
    let mut bucket_by_key: HashMap<String, usize> = HashMap::new();
    let mut provision: Vec<(String, String, Totals)> = Vec::new();
    // Goods names repeat a lot: classify each once.
    let mut group_of: HashMap<&str, &str> = HashMap::new();
    let mut groups: Vec<(&str, u64)> = Vec::new();
    let mut cited: Vec<usize> = Vec::new();
    for (row, facts) in rows.into_iter().filter(|(r, _)| counted(r, query)) {
        let case = Counted::of(row);
        let seized = row.milestones.iter().any(|m| m.kind == DocumentKind::BbTamGiu);
        groups.clear();
        for g in &facts.goods {
            let code = *group_of.entry(g.name.as_str()).or_insert_with(|| reference.goods_group(&g.name).code.as_str());
            let value = if seized { g.value_vnd } else { 0 };
            match groups.iter_mut().find(|(c, _)| *c == code) {
                Some((_, v)) => *v += value,
                None => groups.push((code, value)),
            }
        }
        let seized_vnd: u64 = groups.iter().map(|(_, v)| v).sum();
        totals.add(&case, seized_vnd);
        field.entry(row.field.as_str()).or_default().add(&case, seized_vnd);
        for (code, value) in &groups {
            group.entry(code).or_default().add(&case, *value);
        }
        // The acts of the decisions, or of the violation records before a decision.
        let acts: Vec<(&str, &[String], chrono::NaiveDate)> = if facts.sanctions.is_empty() {
            facts.violations.iter().map(|v| (v.provision.as_str(), v.catalogue.as_slice(), v.on)).collect()
        } else {
            facts.sanctions.iter().map(|s| (s.provision.as_str(), s.catalogue.as_slice(), s.decided_on)).collect()
        };
        cited.clear();
        for (text, ids, on) in acts {
            let ids: Vec<Option<&str>> =
                if ids.is_empty() { vec![None] } else { ids.iter().map(|i| Some(i.as_str())).collect() };
            for id in ids {
                let bucket = *bucket_of.entry((id.unwrap_or(text), id.is_some())).or_insert_with(|| {
                    let (key, label) = match id {
                        Some(id) => (id.to_string(), act_label(reference, id, on)),
                        None => (format!("nhap-tay:{}", provision_key(text)), format!("Nhập tay: {text}")),
                    };
                    *bucket_by_key.entry(key.clone()).or_insert_with(|| {
                        provision.push((key, label, Totals::default()));
                        provision.len() - 1
                    })
                });
                cited.push(bucket);
            }
        }
        cited.sort_unstable();
        cited.dedup();
        for &bucket in &cited {
            provision[bucket].2.add(&case, seized_vnd);
        }
        inspector.entry(row.lead_member.as_deref().unwrap_or_default()).or_default().add(&case, seized_vnd);
        let day = row.opened_at.date();
        let at = match query.period {
            Period::Month => (day.year(), day.month()),
            Period::Quarter => (day.year(), (day.month() - 1) / 3 + 1),
            Period::Year => (day.year(), 0),
        };
        period.entry(at).or_default().add(&case, seized_vnd);
    }
    let by_count = |mut lines: Vec<Line>| {
        lines.sort_by(|a, b| b.totals.inspections.cmp(&a.totals.inspections).then(a.label.cmp(&b.label)));
        lines
    };
    let named = |map: HashMap<&str, Totals>, name: &dyn Fn(&str) -> String| -> Vec<Line> {
        by_count(map.into_iter().map(|(key, totals)| Line { label: name(key), key: key.to_string(), totals }).collect())
    };
    let by_field = named(field, &|k| reference.field_name(k).unwrap_or(k).to_string());
    let group_name =
        |k: &str| reference.goods_groups.iter().find(|g| g.code == k).map_or(k, |g| g.name.as_str()).to_string();
    let by_goods_group = named(group, &group_name);
    let by_provision =
        by_count(provision.into_iter().map(|(key, label, totals)| Line { key, label, totals }).collect());
    let member_name = |card: &str| match members.iter().find(|m| m.card_number == card) {
        Some(m) => format!("{} ({card})", m.full_name),
        None if card.is_empty() => "Chưa ghi".to_string(),
        None => card.to_string(),
    };
    let by_inspector = named(inspector, &member_name);
    let by_period = period
        .into_iter()
        .map(|((year, part), totals)| {
            let (key, label) = match query.period {
                Period::Month => (format!("{year}-{part:02}"), format!("{part:02}/{year}")),
                Period::Quarter => (format!("{year}-Q{part}"), format!("Quý {part}/{year}")),
                Period::Year => (year.to_string(), format!("Năm {year}")),
            };
            Line { key, label, totals }
        })
        .collect();
    Stats { from: query.from, to: query.to, totals, by_field, by_goods_group, by_provision, by_inspector, by_period }
}

/// How a catalogue act is named in the statistics: "Điều 15 khoản 1 — Kinh doanh hàng hóa
/// nhập lậu (Nghị định 98/2020/NĐ-CP)", the act as in force on the day it was recorded.
fn act_label(reference: &Reference, id: &str, on: chrono::NaiveDate) -> String {
    match reference.catalogue().act(id, on) {
        Some((a, _)) => format!("{} ({})", a.label(), a.decree.short),
        None => format!("{id} (không có trong danh mục ngày {})", on.format("%d/%m/%Y")),
    }
}
