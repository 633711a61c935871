//! The team's figures: inspections, violations, sanctions, fines imposed and collected,
//! value of seized goods — in total and broken down by field, goods group, provision
//! breached, inspector and period. Computed from the case-list rows alone, so the screen
//! answers at once over 100,000 cases.
//!
//! A case counts in the period of the day it was opened. A case whose goods fall in several
//! goods groups counts in each of them (so those rows may add up to more than the total);
//! its seized goods count by the group of each line.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::Reference;
use crate::domain::matching::provision_key;
use crate::domain::{CaseSummary, DocumentKind, Member, Stage};

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

impl Totals {
    fn add_case(&mut self, row: &CaseSummary, seized_vnd: u64) {
        let has = |kind: DocumentKind| row.milestones.iter().any(|m| m.kind == kind);
        self.inspections += 1;
        if has(DocumentKind::BbViPham) || has(DocumentKind::QdXuPhatKhongLapBienBan) {
            self.violations += 1;
        }
        if row.stage == Stage::KhongViPham {
            self.no_violation += 1;
        }
        self.sanctions += row.sanctions.len() as u64;
        if !row.sanctions.is_empty() {
            self.fines_imposed_vnd += row.fine_vnd.unwrap_or(0);
        }
        self.fines_collected_vnd += row.paid_vnd;
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

impl Period {
    fn key(self, day: NaiveDate) -> (String, String) {
        match self {
            Period::Month => {
                (format!("{}-{:02}", day.year(), day.month()), format!("{:02}/{}", day.month(), day.year()))
            }
            Period::Quarter => {
                let q = (day.month() - 1) / 3 + 1;
                (format!("{}-Q{q}", day.year()), format!("Quý {q}/{}", day.year()))
            }
            Period::Year => (day.year().to_string(), format!("Năm {}", day.year())),
        }
    }
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

/// The statistics of the rows opened in the query's period.
pub fn compute(rows: &[CaseSummary], reference: &Reference, members: &[Member], query: &Query) -> Stats {
    let mut totals = Totals::default();
    let mut field: BTreeMap<String, Totals> = BTreeMap::new();
    let mut group: BTreeMap<String, Totals> = BTreeMap::new();
    let mut provision: BTreeMap<String, (String, Totals)> = BTreeMap::new();
    let mut inspector: BTreeMap<String, Totals> = BTreeMap::new();
    let mut period: BTreeMap<String, (String, Totals)> = BTreeMap::new();
    // Goods names repeat a lot: classify each once.
    let mut group_of: HashMap<&str, &str> = HashMap::new();
    for row in rows.iter().filter(|r| counted(r, query)) {
        let seized = row.milestones.iter().any(|m| m.kind == DocumentKind::BbTamGiu);
        let mut seized_by_group: BTreeMap<&str, u64> = BTreeMap::new();
        for g in &row.goods {
            let code = *group_of.entry(g.name.as_str()).or_insert_with(|| reference.goods_group(&g.name).code.as_str());
            *seized_by_group.entry(code).or_default() += if seized { g.value_vnd } else { 0 };
        }
        let seized_vnd: u64 = seized_by_group.values().sum();
        totals.add_case(row, seized_vnd);
        field.entry(row.field.clone()).or_default().add_case(row, seized_vnd);
        for (code, value) in &seized_by_group {
            group.entry(code.to_string()).or_default().add_case(row, *value);
        }
        // The provisions of the decisions, or of the violation records before a decision.
        let mut cited: Vec<&str> = row.sanctions.iter().map(|s| s.provision.as_str()).collect();
        if cited.is_empty() {
            cited = row.violations.iter().map(|v| v.provision.as_str()).collect();
        }
        let mut keys: Vec<(String, &str)> = cited.into_iter().map(|p| (provision_key(p), p)).collect();
        keys.sort();
        keys.dedup_by(|a, b| a.0 == b.0);
        for (key, text) in keys {
            provision.entry(key).or_insert_with(|| (text.to_string(), Totals::default())).1.add_case(row, seized_vnd);
        }
        inspector.entry(row.lead_member.clone().unwrap_or_default()).or_default().add_case(row, seized_vnd);
        let (key, label) = query.period.key(row.opened_at.date());
        period.entry(key).or_insert_with(|| (label, Totals::default())).1.add_case(row, seized_vnd);
    }
    let named = |map: BTreeMap<String, Totals>, name: &dyn Fn(&str) -> String| -> Vec<Line> {
        map.into_iter().map(|(key, totals)| Line { label: name(&key), key, totals }).collect()
    };
    let mut by_field = named(field, &|k| reference.field_name(k).unwrap_or(k).to_string());
    by_field.sort_by_key(|l| std::cmp::Reverse(l.totals.inspections));
    let group_name =
        |k: &str| reference.goods_groups.iter().find(|g| g.code == k).map_or(k, |g| g.name.as_str()).to_string();
    let mut by_goods_group = named(group, &group_name);
    by_goods_group.sort_by_key(|l| std::cmp::Reverse(l.totals.inspections));
    let mut by_provision: Vec<Line> =
        provision.into_iter().map(|(key, (label, totals))| Line { key, label, totals }).collect();
    by_provision.sort_by_key(|l| std::cmp::Reverse(l.totals.inspections));
    let member_name = |card: &str| match members.iter().find(|m| m.card_number == card) {
        Some(m) => format!("{} ({card})", m.full_name),
        None if card.is_empty() => "Chưa ghi".to_string(),
        None => card.to_string(),
    };
    let mut by_inspector = named(inspector, &member_name);
    by_inspector.sort_by_key(|l| std::cmp::Reverse(l.totals.inspections));
    let by_period = period.into_iter().map(|(key, (label, totals))| Line { key, label, totals }).collect();
    Stats { from: query.from, to: query.to, totals, by_field, by_goods_group, by_provision, by_inspector, by_period }
}

impl super::Workspace {
    /// The statistics of this laptop's cases for `query`.
    pub fn stats(&self, query: &Query) -> Result<Stats, super::AppError> {
        let rows = self.list_cases()?;
        let members = self.unit().map(|u| u.members.as_slice()).unwrap_or_default();
        Ok(compute(&rows, &self.reference, members, query))
    }
}
