//! Warnings about a case's subject, with their reasons: earlier cases of the same or a
//! likely-same subject (on this laptop and in the province's offender index), repeat
//! offences (tái phạm) whose look-back window is still open, violations repeated
//! (vi phạm nhiều lần) not yet sanctioned, and recent inspections by other teams.
//!
//! Two read models answer the lookups, both [`OffenderLookup`]s: the laptop's own cases
//! (made from the list rows, rebuilt when the store changed) and the province's index
//! (made from the signed index `anchi sync` fetched, on demand or on a background thread
//! with progress in the window).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::offenders::OffenderLookup;
use super::sync::SettingError;
use super::{AppError, Workspace};
use crate::domain::matching::{
    Match, MatchReason, NameKey, SubjectFacts, is_repeat, normalise_identifier, provision_key, repeat_window_end,
    subject_key,
};
use crate::domain::summary::{CaseFacts, ViolationFact, provision_hash, violations_of};
use crate::domain::{Case, CaseSummary, DocumentKind};
use crate::protocol::{EntryKind, OffenderEntry};

/// How far back an inspection by another team is worth telling.
pub const RECENT_INSPECTION_DAYS: i64 = 180;

/// The limitation period used to tell whether an earlier, unsanctioned violation still
/// counts for "vi phạm nhiều lần" (1 year, the general period of Luật XLVPHC art. 6).
const LIMITATION_MONTHS: u32 = 12;

/// At most this many earlier cases are listed (best matches first).
const MAX_EARLIER: usize = 20;

/// What a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// Tái phạm: an earlier sanction for the same provision, its window still open.
    RepeatOffence,
    /// Vi phạm nhiều lần: the same act recorded more than once, not yet sanctioned.
    RepeatedViolation,
    /// An earlier case of the same or a likely-same subject.
    EarlierCase,
    /// The subject was inspected by another team lately.
    OtherTeamInspection,
}

/// Where the earlier record was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    ThisLaptop,
    ProvinceIndex,
    ThisCase,
}

/// One warning, ready to show: a sentence in Vietnamese (and English for logs and
/// `--json`), why the subjects are thought the same, and the facts behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    pub kind: WarningKind,
    pub text_vi: String,
    pub text_en: String,
    /// Why the earlier record is thought to be this subject ("cùng mã số thuế").
    pub reason_vi: Option<String>,
    pub reason_en: Option<String>,
    /// How sure the match is, 0 to 1.
    pub score: Option<f32>,
    pub source: Source,
    pub other_case: Option<Uuid>,
    pub team_id: Option<String>,
    pub provision: Option<String>,
    /// The earlier decision's or inspection's date.
    pub on: Option<NaiveDate>,
    /// For a repeat offence: the last day of the look-back window.
    pub until: Option<NaiveDate>,
}

impl Warning {
    fn new(kind: WarningKind, source: Source, text_vi: String, text_en: String) -> Warning {
        Warning {
            kind,
            text_vi,
            text_en,
            reason_vi: None,
            reason_en: None,
            score: None,
            source,
            other_case: None,
            team_id: None,
            provision: None,
            on: None,
            until: None,
        }
    }

    fn matched(mut self, m: Match, entry: &OffenderEntry) -> Warning {
        self.reason_vi = Some(m.reason.vi().to_string());
        self.reason_en = Some(m.reason.en().to_string());
        self.score = Some(m.score);
        self.other_case = Some(entry.case_id);
        self.team_id = Some(entry.team_id.clone());
        self.on = Some(entry.decided_on);
        self
    }

    /// The aggravating circumstance (Luật XLVPHC art. 10) the sanction decision can cite:
    /// "Tái phạm" for a repeat offence, "Vi phạm hành chính nhiều lần" for a repeated one.
    pub fn aggravating_text(&self) -> Option<String> {
        match self.kind {
            WarningKind::RepeatOffence => Some(match self.on {
                Some(on) => format!("Tái phạm (đã bị xử phạt ngày {} về hành vi cùng điều khoản)", dmy(on)),
                None => "Tái phạm".to_string(),
            }),
            WarningKind::RepeatedViolation => Some("Vi phạm hành chính nhiều lần".to_string()),
            _ => None,
        }
    }
}

/// The province's offender index as loaded: when it was made, until when it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexStatus {
    pub generated_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub entries: usize,
    pub expired: bool,
}

impl IndexStatus {
    /// "Danh sách của Chi cục: 12.345 mục, cập nhật 3 ngày trước" or "… đã hết hạn".
    pub fn describe_vi(&self, now: DateTime<Utc>) -> String {
        let age = (now - self.generated_at).num_days();
        let age = match age {
            0 => "cập nhật hôm nay".to_string(),
            n => format!("cập nhật {n} ngày trước"),
        };
        let state = if self.expires_at < now {
            format!("ĐÃ HẾT HẠN từ {}, cần đồng bộ lại", dmy(self.expires_at.date_naive()))
        } else {
            format!("còn hạn đến {}", dmy(self.expires_at.date_naive()))
        };
        format!("Danh sách đối tượng của Chi cục: {} mục, {age}, {state}", self.entries)
    }
}

/// Everything known about a subject: the warnings, and the state of the province index
/// they were looked up in (None when no index was ever fetched).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectReport {
    pub warnings: Vec<Warning>,
    pub index: Option<IndexStatus>,
}

/// The laptop's own cases as a lookup, and their rows by case id.
#[derive(Debug, Default)]
pub struct LocalSubjects {
    lookup: OffenderLookup,
    rows: HashMap<Uuid, CaseSummary>,
    /// Where each case's entry is in the lookup.
    index_of: HashMap<Uuid, usize>,
    /// Merged subjects: each linked key's group, and the cases of each group.
    group_of: HashMap<String, String>,
    cases_of: HashMap<String, Vec<Uuid>>,
}

/// Two subjects a leader recorded as the same (meta `subject_links`, journalled).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct SubjectLink {
    /// The subjects' keys ([`subject_key`]).
    pub keys: [String; 2],
    pub names: [String; 2],
    /// The cases the link was made from.
    pub cases: [Uuid; 2],
    pub at: chrono::NaiveDateTime,
}

/// The meta key of the merged subjects.
const LINKS_KEY: &str = "subject_links";

/// Each linked key's group (the smallest key of the group names it).
pub fn link_groups(links: &[SubjectLink]) -> HashMap<String, String> {
    let mut group: HashMap<String, String> = HashMap::new();
    for link in links {
        let [a, b] = &link.keys;
        let ga = group.get(a).cloned().unwrap_or_else(|| a.clone());
        let gb = group.get(b).cloned().unwrap_or_else(|| b.clone());
        let name = ga.clone().min(gb.clone());
        for g in group.values_mut() {
            if *g == ga || *g == gb {
                *g = name.clone();
            }
        }
        group.insert(a.clone(), name.clone());
        group.insert(b.clone(), name);
    }
    group
}

fn row_key(row: &CaseSummary) -> String {
    subject_key(&row.subject_name, row.subject_identifier.as_deref(), row.subject_commune)
}

impl LocalSubjects {
    /// One entry per case (its subject, the day it was opened); its sanctions and acts are
    /// read from its row's marks, their texts from its facts when a warning needs them.
    pub fn new(summaries: Vec<CaseSummary>, team_id: &str, links: &[SubjectLink]) -> LocalSubjects {
        let group_of = link_groups(links);
        let mut cases_of: HashMap<String, Vec<Uuid>> = HashMap::new();
        if !group_of.is_empty() {
            for row in &summaries {
                if let Some(group) = group_of.get(&row_key(row)) {
                    cases_of.entry(group.clone()).or_default().push(row.id);
                }
            }
        }
        let index_of = summaries.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        let mut entries = Vec::with_capacity(summaries.len());
        for row in &summaries {
            entries.push(OffenderEntry {
                identifier: row.subject_identifier.clone(),
                folded_name: String::new(),
                name: row.subject_name.clone(),
                province: row.subject_province,
                commune: row.subject_commune,
                team_id: team_id.to_string(),
                case_id: row.id,
                act: String::new(),
                provision: String::new(),
                decided_on: row.opened_at.date(),
                fine_vnd: row.fine_vnd,
                kind: EntryKind::Inspection,
            });
        }
        LocalSubjects {
            lookup: OffenderLookup::new(entries),
            rows: summaries.into_iter().map(|r| (r.id, r)).collect(),
            index_of,
            group_of,
            cases_of,
        }
    }
}

/// The province index as loaded.
#[derive(Debug)]
pub struct ProvinceIndex {
    pub status: IndexStatus,
    pub lookup: OffenderLookup,
}

/// What a cached [`LocalSubjects`] was built from: the store's row generation and the
/// number of merged subjects.
type Freshness = (u64, usize);

/// The cached read models; shared by the window's threads through the workspace.
#[derive(Debug, Default)]
pub struct SubjectCache {
    local: Mutex<Option<(Freshness, Arc<LocalSubjects>)>>,
    province: RwLock<Option<Arc<ProvinceIndex>>>,
}

/// The acts of a case that repeat-offence checks compare: its violation records, or,
/// without one, the provision of a sanction decision made without a record.
pub fn acts_of(case: &Case, today: NaiveDate) -> Vec<ViolationFact> {
    let mut acts = violations_of(case);
    if acts.is_empty() {
        acts.extend(
            case.documents
                .iter()
                .filter(|d| matches!(d.kind, DocumentKind::QdXuPhat | DocumentKind::QdXuPhatKhongLapBienBan))
                .filter(|d| d.is_active())
                .filter_map(|d| {
                    let provision = d.fields.get("dieu_khoan").filter(|p| !p.trim().is_empty())?.clone();
                    let on = d.finalised_at.map_or(today, |at| at.date());
                    Some(ViolationFact { on, act: d.fields.get("hanh_vi").cloned().unwrap_or_default(), provision })
                }),
        );
    }
    acts
}

/// The warnings for a subject, from the two lookups. `this_case` is left out of the
/// earlier cases; `acts` are the acts of the case in hand (for tái phạm and vi phạm nhiều
/// lần); `today` dates the "recently" of other teams' inspections; `facts_of` reads an
/// earlier case's facts (the texts of its sanctions and acts).
#[allow(clippy::too_many_arguments)]
pub fn warnings_for(
    subject: &SubjectFacts,
    this_case: Option<Uuid>,
    acts: &[ViolationFact],
    local: &LocalSubjects,
    province: Option<&ProvinceIndex>,
    own_team: &str,
    today: NaiveDate,
    facts_of: &dyn Fn(Uuid) -> Option<CaseFacts>,
) -> Vec<Warning> {
    let act_hashes: Vec<u64> = acts.iter().map(|a| provision_hash(&a.provision)).collect();
    let mut out = Vec::new();
    repeated_within_case(acts, &mut out);

    // Earlier cases on this laptop: one warning per case, its best match.
    let mut seen: BTreeMap<Uuid, ()> = BTreeMap::new();
    if let Some(id) = this_case {
        seen.insert(id, ());
    }
    let mut earlier = Vec::new();
    let mut matched = local.lookup.matches(subject);
    // Subjects a leader merged with this one count whatever their names.
    let key = subject_key(
        &subject.name,
        subject.tax_code.as_deref().or(subject.personal_id.as_deref()).or(subject.registration_number.as_deref()),
        subject.commune,
    );
    if let Some(group) = local.group_of.get(&key) {
        for id in local.cases_of.get(group).into_iter().flatten() {
            if let Some(&i) = local.index_of.get(id)
                && !matched.iter().any(|(_, e)| e.case_id == *id)
            {
                matched.push((Match { score: 1.0, reason: MatchReason::Merged }, &local.lookup.entries()[i]));
            }
        }
    }
    for (m, entry) in matched {
        if seen.insert(entry.case_id, ()).is_some() {
            continue;
        }
        let Some(row) = local.rows.get(&entry.case_id) else { continue };
        // Read the texts only when a mark says an act may repeat.
        let relevant = row.sanction_marks.iter().chain(&row.violation_marks).any(|m| act_hashes.contains(&m.provision));
        let facts = if relevant { facts_of(row.id).unwrap_or_default() } else { CaseFacts::default() };
        for sanction in &facts.sanctions {
            for act in acts {
                if provision_key(&sanction.provision) == provision_key(&act.provision)
                    && is_repeat(sanction.decided_on, sanction.warning_only, act.on)
                {
                    let until = repeat_window_end(sanction.decided_on, sanction.warning_only);
                    let number = sanction.number.as_deref().unwrap_or("không số");
                    let mut w = Warning::new(
                        WarningKind::RepeatOffence,
                        Source::ThisLaptop,
                        format!(
                            "TÁI PHẠM: đã bị xử phạt theo Quyết định {number} ngày {} về hành vi quy định tại {}; \
                             thời hạn tính tái phạm đến hết ngày {}",
                            dmy(sanction.decided_on),
                            sanction.provision,
                            dmy(until)
                        ),
                        format!(
                            "repeat offence: sanctioned by decision {number} on {} under {}; the window runs to {until}",
                            sanction.decided_on, sanction.provision
                        ),
                    )
                    .matched(m, entry);
                    w.on = Some(sanction.decided_on);
                    w.until = Some(until);
                    w.provision = Some(sanction.provision.clone());
                    out.push(w);
                }
            }
        }
        if row.sanction_marks.is_empty() {
            for earlier_act in &facts.violations {
                for act in acts {
                    let limit = earlier_act.on.checked_add_months(chrono::Months::new(LIMITATION_MONTHS));
                    if provision_key(&earlier_act.provision) == provision_key(&act.provision)
                        && earlier_act.on < act.on
                        && limit.is_some_and(|l| act.on <= l)
                    {
                        let mut w = Warning::new(
                            WarningKind::RepeatedViolation,
                            Source::ThisLaptop,
                            format!(
                                "VI PHẠM NHIỀU LẦN: hành vi quy định tại {} đã được lập biên bản ngày {} \
                                 trong vụ việc khác, chưa bị xử phạt",
                                earlier_act.provision,
                                dmy(earlier_act.on)
                            ),
                            format!(
                                "repeated violation: the act under {} was recorded on {} in another case, \
                                 not yet sanctioned",
                                earlier_act.provision, earlier_act.on
                            ),
                        )
                        .matched(m, entry);
                        w.on = Some(earlier_act.on);
                        w.provision = Some(earlier_act.provision.clone());
                        out.push(w);
                    }
                }
            }
        }
        earlier.push(
            Warning::new(
                WarningKind::EarlierCase,
                Source::ThisLaptop,
                format!(
                    "Có vụ việc khác ngày {} với {}{}",
                    dmy(row.opened_at.date()),
                    row.subject_name,
                    row.latest_number.as_deref().map(|n| format!(" (văn bản mới nhất số {n})")).unwrap_or_default()
                ),
                format!("earlier case on {} with {}", row.opened_at.date(), row.subject_name),
            )
            .matched(m, entry),
        );
    }

    // The province index: sanctions (anywhere in the province) and recent inspections by
    // other teams. Entries of cases already seen here are not told twice.
    if let Some(index) = province {
        // Sanctions first: a case both inspected and sanctioned is told as sanctioned.
        let mut found = index.lookup.matches(subject);
        found.sort_by_key(|(_, e)| e.kind != EntryKind::Sanction);
        for (m, entry) in found {
            if seen.contains_key(&entry.case_id) && entry.kind == EntryKind::Inspection {
                continue;
            }
            match entry.kind {
                EntryKind::Sanction => {
                    if local.rows.contains_key(&entry.case_id) || Some(entry.case_id) == this_case {
                        continue;
                    }
                    let warning_only = entry.fine_vnd.unwrap_or(0) == 0;
                    for act in acts {
                        if provision_key(&entry.provision) == provision_key(&act.provision)
                            && is_repeat(entry.decided_on, warning_only, act.on)
                        {
                            let until = repeat_window_end(entry.decided_on, warning_only);
                            let mut w = Warning::new(
                                WarningKind::RepeatOffence,
                                Source::ProvinceIndex,
                                format!(
                                    "TÁI PHẠM: {} đã xử phạt ngày {} về hành vi quy định tại {}; \
                                     thời hạn tính tái phạm đến hết ngày {}",
                                    team_vi(&entry.team_id, own_team),
                                    dmy(entry.decided_on),
                                    entry.provision,
                                    dmy(until)
                                ),
                                format!(
                                    "repeat offence: team {} sanctioned on {} under {}; the window runs to {until}",
                                    entry.team_id, entry.decided_on, entry.provision
                                ),
                            )
                            .matched(m, entry);
                            w.until = Some(until);
                            w.provision = Some(entry.provision.clone());
                            out.push(w);
                        }
                    }
                    if seen.insert(entry.case_id, ()).is_some() {
                        continue;
                    }
                    let mut w = Warning::new(
                        WarningKind::EarlierCase,
                        Source::ProvinceIndex,
                        format!(
                            "{} đã xử phạt {} ngày {}: {}",
                            team_vi(&entry.team_id, own_team),
                            entry.name,
                            dmy(entry.decided_on),
                            entry.act
                        ),
                        format!("team {} sanctioned {} on {}", entry.team_id, entry.name, entry.decided_on),
                    )
                    .matched(m, entry);
                    w.provision = Some(entry.provision.clone());
                    earlier.push(w);
                }
                EntryKind::Inspection => {
                    let recent = today - Duration::days(RECENT_INSPECTION_DAYS);
                    if entry.team_id == own_team || entry.decided_on < recent || Some(entry.case_id) == this_case {
                        continue;
                    }
                    seen.insert(entry.case_id, ());
                    out.push(
                        Warning::new(
                            WarningKind::OtherTeamInspection,
                            Source::ProvinceIndex,
                            format!(
                                "{} đã kiểm tra {} ngày {}: cân nhắc tránh kiểm tra trùng",
                                team_vi(&entry.team_id, own_team),
                                entry.name,
                                dmy(entry.decided_on)
                            ),
                            format!("team {} inspected {} on {}", entry.team_id, entry.name, entry.decided_on),
                        )
                        .matched(m, entry),
                    );
                }
            }
        }
    }
    earlier.sort_by(|a, b| b.score.unwrap_or(0.0).total_cmp(&a.score.unwrap_or(0.0)).then(b.on.cmp(&a.on)));
    earlier.truncate(MAX_EARLIER);
    out.extend(earlier);
    out
}

/// The same provision recorded twice in the case's own violation records.
fn repeated_within_case(acts: &[ViolationFact], out: &mut Vec<Warning>) {
    let mut by_provision: BTreeMap<String, Vec<&ViolationFact>> = BTreeMap::new();
    for act in acts {
        by_provision.entry(provision_key(&act.provision)).or_default().push(act);
    }
    for group in by_provision.values().filter(|g| g.len() > 1) {
        let provision = &group[0].provision;
        let mut w = Warning::new(
            WarningKind::RepeatedViolation,
            Source::ThisCase,
            format!("VI PHẠM NHIỀU LẦN: {} lần vi phạm quy định tại {} trong vụ việc này", group.len(), provision),
            format!("repeated violation: {} acts under {} in this case", group.len(), provision),
        );
        w.provision = Some(provision.clone());
        out.push(w);
    }
}

/// What the case list marks beside a subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Badge {
    /// An act of this case repeats an earlier sanction of the same subject within its window.
    Repeat,
    /// The same subject has this many earlier cases on this laptop.
    Earlier(u32),
}

/// The badges of the case list, from the rows alone (fast enough for 100,000 rows on each
/// reload): subjects are grouped by their identifier (a branch with its parent), or without
/// one by their folded name and commune; the fuzzy matching runs when a case is opened.
pub fn list_badges(rows: &[CaseSummary], links: &[SubjectLink]) -> HashMap<Uuid, Badge> {
    use std::hash::{Hash, Hasher};
    let groups_of = link_groups(links);
    // A hash of the subject's key: its identifier (a branch with its parent), or without
    // one its legal forms, sorted name words and commune; merged subjects by their group.
    let key = |row: &CaseSummary| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        if !groups_of.is_empty()
            && let Some(group) = groups_of.get(&row_key(row))
        {
            (2u8, group.as_str()).hash(&mut h);
            return h.finish();
        }
        match row.subject_identifier.as_deref().map(normalise_identifier).filter(|s| !s.is_empty()) {
            Some(id) if id.len() == 13 && id.bytes().all(|b| b.is_ascii_digit()) => (0u8, &id[..10]).hash(&mut h),
            Some(id) => (0u8, id.as_str()).hash(&mut h),
            None => {
                let name = NameKey::of(&row.subject_name);
                let mut words = name.words;
                words.sort();
                (1u8, name.forms.iter().map(|f| *f as u8).collect::<Vec<_>>(), words, row.subject_commune).hash(&mut h);
            }
        }
        h.finish()
    };
    let mut groups: HashMap<u64, Vec<usize>> = HashMap::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        groups.entry(key(row)).or_default().push(i);
    }
    let mut badges = HashMap::new();
    for group in groups.values_mut().filter(|g| g.len() > 1) {
        group.sort_by_key(|&i| rows[i].opened_at);
        for (n, &i) in group.iter().enumerate().skip(1) {
            let row = &rows[i];
            let repeat = row.violation_marks.iter().any(|act| {
                group[..n]
                    .iter()
                    .flat_map(|&e| &rows[e].sanction_marks)
                    .any(|s| s.provision == act.provision && is_repeat(s.on, s.warning_only, act.on))
            });
            badges.insert(row.id, if repeat { Badge::Repeat } else { Badge::Earlier(n as u32) });
        }
    }
    badges
}

/// Why two subjects cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeProblem {
    #[error("the two cases already have the same subject")]
    Already,
    #[error("tax codes {0} and {1} belong to two different enterprises")]
    TaxCodes(String, String),
}

impl crate::domain::Bilingual for MergeProblem {
    fn vi(&self) -> String {
        match self {
            MergeProblem::Already => "Hai vụ việc đã là cùng một đối tượng".into(),
            MergeProblem::TaxCodes(a, b) => {
                format!("Mã số thuế {a} và {b} là của hai doanh nghiệp khác nhau, không gộp được")
            }
        }
    }
}

fn team_vi(team: &str, own: &str) -> String {
    if team == own { "Đội mình".to_string() } else { format!("Đội {team}") }
}

fn dmy(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

impl Workspace {
    /// The team code this laptop's records carry (the unit's code).
    fn own_team(&self) -> String {
        self.unit().map(|u| u.code.clone()).unwrap_or_default()
    }

    /// The laptop's cases as a lookup, made again only when the store changed.
    pub fn local_subjects(&self) -> Result<Arc<LocalSubjects>, AppError> {
        let links = self.subject_links()?;
        let generation = (self.store.generation(), links.len());
        let mut cache = self.subjects.local.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((seen, local)) = cache.as_ref()
            && *seen == generation
        {
            return Ok(local.clone());
        }
        let local = Arc::new(LocalSubjects::new(self.store.summaries()?, &self.own_team(), &links));
        *cache = Some((generation, local.clone()));
        Ok(local)
    }

    /// The subjects a leader merged, oldest first.
    pub fn subject_links(&self) -> Result<Vec<SubjectLink>, AppError> {
        Ok(self.store.meta::<Vec<SubjectLink>>(LINKS_KEY)?.unwrap_or_default())
    }

    /// Records that the subjects of cases `a` and `b` are the same organisation or person
    /// (journalled on both cases). Refused, with nothing stored, when they already are,
    /// or when their tax codes name two different enterprises.
    pub fn merge_subjects(&self, a: Uuid, b: Uuid) -> Result<SubjectLink, AppError> {
        self.require(super::users::Permission::MergeSubjects)?;
        let (ca, cb) = (self.case(a)?, self.case(b)?);
        let (ra, rb) = (CaseSummary::of(&ca), CaseSummary::of(&cb));
        let keys = [row_key(&ra), row_key(&rb)];
        let mut links = self.subject_links()?;
        let groups = link_groups(&links);
        let group = |k: &String| groups.get(k).cloned().unwrap_or_else(|| k.clone());
        let refuse = |problem: MergeProblem| {
            let mut report = crate::domain::ValidationReport::default();
            report.error("subject", &problem);
            Err(AppError::Invalid(report))
        };
        if group(&keys[0]) == group(&keys[1]) {
            return refuse(MergeProblem::Already);
        }
        if let (Some(x), Some(y)) = (&ca.subject.tax_code, &cb.subject.tax_code)
            && x.parent() != y.parent()
        {
            return refuse(MergeProblem::TaxCodes(x.as_str().to_string(), y.as_str().to_string()));
        }
        let link = SubjectLink {
            keys,
            names: [ca.subject.name.clone(), cb.subject.name.clone()],
            cases: [a, b],
            at: super::now(),
        };
        links.push(link.clone());
        let action = format!("subject.merge {} = {}", link.keys[0], link.keys[1]);
        self.store.write(&self.actor(), |w| -> Result<(), AppError> {
            w.put_meta(LINKS_KEY, &links, &action)?;
            w.note_case(a, "subject.merge")?;
            w.note_case(b, "subject.merge")?;
            Ok(())
        })?;
        Ok(link)
    }

    /// The province index as loaded, if it was.
    pub fn province_index(&self) -> Option<Arc<ProvinceIndex>> {
        self.subjects.province.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Loads the offender index last fetched (checking the hub's signature when its key is
    /// configured) into memory, telling `progress` the share done. None when no index was
    /// ever fetched.
    pub fn load_offender_index(&self, progress: impl Fn(f32)) -> Result<Option<IndexStatus>, AppError> {
        let Some(signed) = self.offender_index()? else { return Ok(None) };
        progress(0.0);
        let hub_key = self.server_settings()?.hub_key.and_then(|k| minisign::PublicKey::from_base64(&k).ok());
        let index = signed.open(hub_key.as_ref()).map_err(|problem| {
            SettingError::new("offender_index", format!("chữ ký không hợp lệ ({problem})"), problem)
        })?;
        progress(0.2);
        let status = IndexStatus {
            generated_at: index.generated_at,
            expires_at: index.expires_at,
            entries: index.entries.len(),
            expired: index.expires_at < Utc::now(),
        };
        let lookup = OffenderLookup::build(index.entries, |share| progress(0.2 + 0.8 * share));
        *self.subjects.province.write().unwrap_or_else(|e| e.into_inner()) =
            Some(Arc::new(ProvinceIndex { status: status.clone(), lookup }));
        Ok(Some(status))
    }

    /// The warnings for any subject facts, from the laptop's cases and the province index
    /// as far as it is in memory ([`Workspace::load_offender_index`] puts it there).
    pub fn subject_report(
        &self,
        subject: &SubjectFacts,
        this_case: Option<Uuid>,
        acts: &[ViolationFact],
    ) -> Result<SubjectReport, AppError> {
        let local = self.local_subjects()?;
        let province = self.province_index();
        let mut index = province.as_ref().map(|p| p.status.clone());
        if let Some(status) = index.as_mut() {
            status.expired = status.expires_at < Utc::now();
        }
        let facts_of = |id| self.store.facts_of(id).ok().flatten();
        let warnings = warnings_for(
            subject,
            this_case,
            acts,
            &local,
            province.as_deref(),
            &self.own_team(),
            super::now().date(),
            &facts_of,
        );
        Ok(SubjectReport { warnings, index })
    }

    /// The warnings for a case's subject and acts.
    pub fn case_warnings(&self, case_id: Uuid) -> Result<SubjectReport, AppError> {
        let case = self.case(case_id)?;
        self.subject_report(&SubjectFacts::of(&case.subject), Some(case.id), &acts_of(&case, super::now().date()))
    }

    /// The warnings for a subject as typed so far into the new-case form, before the case
    /// exists (the typing need not be valid yet: a half-typed name finds nothing).
    pub fn new_case_report(&self, input: &super::NewCase) -> Result<SubjectReport, AppError> {
        let given = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let facts = SubjectFacts {
            name: input.name.clone(),
            tax_code: given(&input.tax_code),
            personal_id: given(&input.personal_id).or(given(&input.old_id_card)),
            registration_number: None,
            province: self.unit().map(|u| u.province_code),
            commune: input.commune_code,
        };
        self.subject_report(&facts, None, &[])
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDateTime;

    use super::*;
    use crate::domain::{Address, Document, DocumentState, Subject, SubjectKind, TaxCode};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn at(date: NaiveDate) -> NaiveDateTime {
        date.and_hms_opt(9, 0, 0).unwrap()
    }

    fn subject(name: &str, tax: Option<&str>) -> Subject {
        let address = Address::Coded { street: "Số 1".into(), commune_code: 7001, province_code: 20 };
        Subject {
            tax_code: tax.map(|t| TaxCode::try_from(t).unwrap()),
            ..Subject::new(SubjectKind::Organisation, name, address)
        }
    }

    fn document(kind: DocumentKind, on: NaiveDate, finalised: bool, provision: &str) -> Document {
        let mut doc = Document::draft(Uuid::new_v4(), kind, at(on));
        doc.fields.insert("dieu_khoan".into(), provision.into());
        doc.fields.insert("hanh_vi".into(), "Kinh doanh hàng hóa không rõ nguồn gốc".into());
        doc.fields.insert("thoi_gian_vi_pham".into(), format!("{on}T08:30"));
        if finalised {
            doc.state = DocumentState::Finalised;
            doc.finalised_at = Some(at(on));
        }
        doc
    }

    /// A case opened on `on` whose subject was sanctioned that day under `provision`.
    fn sanctioned(subject: Subject, on: NaiveDate, provision: &str, fine: Option<u64>) -> Case {
        let mut case = Case::open(Uuid::new_v4(), "LS-D1", at(on), "Hàng hóa", subject);
        case.documents.push(document(DocumentKind::BbViPham, on, true, provision));
        case.documents.push(document(DocumentKind::QdXuPhat, on, true, provision));
        case.fine_vnd = fine;
        case
    }

    const P: &str = "điểm a khoản 1 Điều 17 Nghị định 98/2020/NĐ-CP";
    const DAI_PHAT: &str = "Công ty TNHH Thương mại Đại Phát";

    fn act(on: NaiveDate, provision: &str) -> ViolationFact {
        ViolationFact { on, act: String::new(), provision: provision.into() }
    }

    thread_local! {
        /// The facts of the cases the test's `local` was made of.
        static FACTS: std::cell::RefCell<HashMap<Uuid, CaseFacts>> = Default::default();
    }

    fn facts_of(id: Uuid) -> Option<CaseFacts> {
        FACTS.with(|f| f.borrow().get(&id).cloned())
    }

    fn local(cases: &[&Case]) -> LocalSubjects {
        FACTS.with(|f| f.borrow_mut().extend(cases.iter().map(|c| (c.id, CaseFacts::of(c)))));
        LocalSubjects::new(cases.iter().map(|c| CaseSummary::of(c)).collect(), "LS-D1", &[])
    }

    fn kinds(warnings: &[Warning]) -> Vec<WarningKind> {
        warnings.iter().map(|w| w.kind).collect()
    }

    #[test]
    fn a_repeat_offence_is_flagged_inside_the_window_and_not_a_day_after() {
        let earlier = sanctioned(subject(DAI_PHAT, Some("4922302780")), d(2025, 3, 10), P, Some(15_000_000));
        let local = local(&[&earlier]);
        let facts = SubjectFacts::of(&subject("CTY TNHH TM DAI PHAT", Some("4922302780")));
        let today = d(2026, 3, 12);

        let inside = warnings_for(&facts, None, &[act(d(2026, 3, 10), P)], &local, None, "LS-D1", today, &facts_of);
        let repeat = inside.iter().find(|w| w.kind == WarningKind::RepeatOffence).expect("flagged on the last day");
        assert_eq!(repeat.until, Some(d(2026, 3, 10)));
        assert_eq!(repeat.reason_vi.as_deref(), Some("cùng mã số thuế"));
        assert!(repeat.text_vi.contains("10/03/2026"), "{}", repeat.text_vi);
        assert_eq!(
            repeat.aggravating_text().as_deref(),
            Some("Tái phạm (đã bị xử phạt ngày 10/03/2025 về hành vi cùng điều khoản)")
        );

        let outside = warnings_for(&facts, None, &[act(d(2026, 3, 11), P)], &local, None, "LS-D1", today, &facts_of);
        assert_eq!(kinds(&outside), [WarningKind::EarlierCase], "the day after the window: only the earlier case");

        let other_act = warnings_for(
            &facts,
            None,
            &[act(d(2026, 1, 5), "điểm b khoản 2 Điều 9")],
            &local,
            None,
            "LS-D1",
            today,
            &facts_of,
        );
        assert_eq!(kinds(&other_act), [WarningKind::EarlierCase], "another provision is not a repeat");
    }

    #[test]
    fn a_warning_counts_for_six_months() {
        let earlier = sanctioned(subject(DAI_PHAT, Some("4922302780")), d(2025, 3, 10), P, None);
        let local = local(&[&earlier]);
        let facts = SubjectFacts::of(&subject(DAI_PHAT, Some("4922302780")));
        let on = |day| warnings_for(&facts, None, &[act(day, P)], &local, None, "LS-D1", day, &facts_of);
        assert!(kinds(&on(d(2025, 9, 10))).contains(&WarningKind::RepeatOffence));
        assert!(!kinds(&on(d(2025, 9, 11))).contains(&WarningKind::RepeatOffence));
    }

    #[test]
    fn the_case_in_hand_is_not_its_own_earlier_case() {
        let case = sanctioned(subject(DAI_PHAT, Some("4922302780")), d(2025, 3, 10), P, Some(1));
        let local = local(&[&case]);
        let facts = SubjectFacts::of(&case.subject);
        let got = warnings_for(
            &facts,
            Some(case.id),
            &acts_of(&case, d(2025, 3, 10)),
            &local,
            None,
            "LS-D1",
            d(2025, 3, 10),
            &facts_of,
        );
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn the_province_index_tells_sanctions_and_recent_inspections_by_other_teams() {
        let today = d(2026, 6, 1);
        let entry = |team: &str, kind, on, provision: &str| OffenderEntry {
            identifier: None,
            folded_name: String::new(),
            name: "Công ty TNHH Thương mại Đại Phát".into(),
            province: Some(20),
            commune: Some(7001),
            team_id: team.into(),
            case_id: Uuid::new_v4(),
            act: "Bán hàng giả".into(),
            provision: provision.into(),
            decided_on: on,
            fine_vnd: Some(10_000_000),
            kind,
        };
        let entries = vec![
            entry("LS-D3", EntryKind::Sanction, d(2025, 12, 1), P),
            entry("LS-D3", EntryKind::Inspection, d(2026, 5, 20), ""),
            entry("LS-D4", EntryKind::Inspection, d(2025, 11, 1), ""),
            entry("LS-D1", EntryKind::Inspection, d(2026, 5, 25), ""),
        ];
        let index = ProvinceIndex {
            status: IndexStatus { generated_at: Utc::now(), expires_at: Utc::now(), entries: 4, expired: false },
            lookup: OffenderLookup::new(entries),
        };
        // Typed without accents, words in another order, no tax code: found by name and commune.
        let facts = SubjectFacts::of(&subject("Cty TNHH Dai Phat Thuong Mai", None));
        let got = warnings_for(
            &facts,
            None,
            &[act(today, P)],
            &LocalSubjects::default(),
            Some(&index),
            "LS-D1",
            today,
            &facts_of,
        );
        let repeat = got.iter().find(|w| w.kind == WarningKind::RepeatOffence).expect("a repeat from the index");
        assert_eq!(repeat.source, Source::ProvinceIndex);
        assert_eq!(repeat.team_id.as_deref(), Some("LS-D3"));
        assert_eq!(repeat.reason_vi.as_deref(), Some("tên gần giống, cùng phường/xã"));
        let inspections: Vec<_> = got.iter().filter(|w| w.kind == WarningKind::OtherTeamInspection).collect();
        assert_eq!(inspections.len(), 1, "only LS-D3's recent one: LS-D4's is too old, LS-D1 is this team: {got:#?}");
        assert!(inspections[0].text_vi.contains("Đội LS-D3 đã kiểm tra"), "{}", inspections[0].text_vi);
    }

    #[test]
    fn merged_subjects_count_as_one_whatever_their_names() {
        let link = |a: &str, b: &str| SubjectLink {
            keys: [a.into(), b.into()],
            names: [String::new(), String::new()],
            cases: [Uuid::nil(), Uuid::nil()],
            at: at(d(2026, 1, 1)),
        };
        let groups = link_groups(&[link("id:3", "id:2"), link("id:5", "id:4"), link("id:4", "id:3")]);
        assert!(["id:2", "id:3", "id:4", "id:5"].iter().all(|k| groups[*k] == "id:2"), "{groups:?}");

        let shop = |name: &str, commune| {
            let address = Address::Coded { street: "Chợ".into(), commune_code: commune, province_code: 20 };
            Subject::new(SubjectKind::Individual, name, address)
        };
        let earlier = sanctioned(shop("Quầy tạp hóa Bà Tư", 7001), d(2025, 6, 1), P, Some(1_000_000));
        let now = shop("Nguyễn Thị Tư", 7002);
        let key = |s: &Subject| {
            subject_key(
                &s.name,
                s.identifier(),
                Some(match s.address {
                    Address::Coded { commune_code, .. } => commune_code,
                    _ => 0,
                }),
            )
        };
        let facts = SubjectFacts::of(&now);
        let acts = [act(d(2026, 2, 1), P)];
        let plain = warnings_for(&facts, None, &acts, &local(&[&earlier]), None, "LS-D1", d(2026, 2, 1), &facts_of);
        assert!(plain.is_empty(), "a different name in another commune: {plain:?}");
        let links = [SubjectLink { keys: [key(&earlier.subject), key(&now)], ..link("", "") }];
        let merged_local = LocalSubjects::new(vec![CaseSummary::of(&earlier)], "LS-D1", &links);
        let merged = warnings_for(&facts, None, &acts, &merged_local, None, "LS-D1", d(2026, 2, 1), &facts_of);
        assert_eq!(kinds(&merged), [WarningKind::RepeatOffence, WarningKind::EarlierCase]);
        assert_eq!(merged[0].reason_vi.as_deref(), Some("đã gộp là cùng đối tượng"));

        let mut later = sanctioned(now.clone(), d(2026, 2, 1), P, Some(1));
        later.opened_at = at(d(2026, 2, 1));
        let rows = vec![CaseSummary::of(&earlier), CaseSummary::of(&later)];
        assert!(list_badges(&rows, &[]).is_empty());
        assert_eq!(list_badges(&rows, &links).get(&later.id), Some(&Badge::Repeat));
    }

    #[test]
    fn the_index_says_its_age_and_when_it_has_expired() {
        let generated = DateTime::parse_from_rfc3339("2026-11-01T08:00:00Z").unwrap().with_timezone(&Utc);
        let status = IndexStatus {
            generated_at: generated,
            expires_at: generated + Duration::days(14),
            entries: 12,
            expired: false,
        };
        let on = |day: &str| DateTime::parse_from_rfc3339(day).unwrap().with_timezone(&Utc);
        assert_eq!(
            status.describe_vi(on("2026-11-04T09:00:00Z")),
            "Danh sách đối tượng của Chi cục: 12 mục, cập nhật 3 ngày trước, còn hạn đến 15/11/2026"
        );
        assert_eq!(
            status.describe_vi(on("2026-11-16T09:00:00Z")),
            "Danh sách đối tượng của Chi cục: 12 mục, cập nhật 15 ngày trước, ĐÃ HẾT HẠN từ 15/11/2026, cần đồng bộ lại"
        );
    }

    #[test]
    fn the_list_marks_repeat_offenders_and_earlier_cases() {
        let first = sanctioned(subject(DAI_PHAT, Some("4922302780")), d(2025, 3, 10), P, Some(5_000_000));
        let branch = sanctioned(subject("Chi nhánh Đại Phát", Some("4922302780-001")), d(2025, 8, 1), P, Some(1));
        let late = sanctioned(subject(DAI_PHAT, Some("4922302780")), d(2027, 1, 1), P, Some(1));
        let stranger = sanctioned(subject("Công ty TNHH Khác", Some("0100109106")), d(2025, 8, 1), P, Some(1));
        let rows: Vec<CaseSummary> = [&first, &branch, &late, &stranger].iter().map(|c| CaseSummary::of(c)).collect();
        let badges = list_badges(&rows, &[]);
        assert_eq!(badges.get(&first.id), None, "the first case of a subject has no badge");
        assert_eq!(badges.get(&branch.id), Some(&Badge::Repeat), "the branch repeats its parent's act within a year");
        assert_eq!(badges.get(&late.id), Some(&Badge::Earlier(2)), "the window has run out; two earlier cases");
        assert_eq!(badges.get(&stranger.id), None);
    }

    #[test]
    fn the_same_act_twice_is_a_repeated_violation() {
        let subject = subject(DAI_PHAT, Some("4922302780"));
        let mut case = Case::open(Uuid::new_v4(), "LS-D1", at(d(2026, 2, 2)), "Hàng hóa", subject.clone());
        case.documents.push(document(DocumentKind::BbViPham, d(2026, 2, 2), true, P));
        case.documents.push(document(DocumentKind::BbViPham, d(2026, 2, 3), false, &P.to_uppercase()));
        let acts = acts_of(&case, d(2026, 2, 3));
        let within = warnings_for(
            &SubjectFacts::of(&subject),
            Some(case.id),
            &acts,
            &local(&[&case]),
            None,
            "LS-D1",
            d(2026, 2, 3),
            &facts_of,
        );
        assert_eq!(kinds(&within), [WarningKind::RepeatedViolation]);
        assert_eq!(within[0].source, Source::ThisCase);

        // An earlier case recorded the act and was never sanctioned: vi phạm nhiều lần too.
        let mut unsanctioned = Case::open(Uuid::new_v4(), "LS-D1", at(d(2025, 10, 1)), "Hàng hóa", subject.clone());
        unsanctioned.documents.push(document(DocumentKind::BbViPham, d(2025, 10, 1), true, P));
        let later = warnings_for(
            &SubjectFacts::of(&subject),
            None,
            &[act(d(2026, 2, 2), P)],
            &local(&[&unsanctioned]),
            None,
            "LS-D1",
            d(2026, 2, 2),
            &facts_of,
        );
        assert_eq!(kinds(&later), [WarningKind::RepeatedViolation, WarningKind::EarlierCase]);
        assert_eq!(later[0].source, Source::ThisLaptop);
    }
}
