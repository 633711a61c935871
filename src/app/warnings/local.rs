//! The laptop's own cases as a lookup, merged subjects, and the case list's badges.

use super::*;

/// The laptop's own cases as a lookup, and their rows by case id.
#[derive(Debug, Default)]
pub struct LocalSubjects {
    pub(super) lookup: OffenderLookup,
    pub(super) rows: HashMap<Uuid, CaseSummary>,
    /// Where each case's entry is in the lookup.
    pub(super) index_of: HashMap<Uuid, usize>,
    /// Merged subjects: each linked key's group, and the cases of each group.
    pub(super) group_of: HashMap<String, String>,
    pub(super) cases_of: HashMap<String, Vec<Uuid>>,
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
pub(super) const LINKS_KEY: &str = "subject_links";

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

pub(super) fn row_key(row: &CaseSummary) -> String {
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
                unit: None,
                decision: None,
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
    /// The copy it was read from: the hub index's name and the generation (none: no copy,
    /// only what the hub told of live cases).
    pub loaded_from: Option<(Option<String>, u64)>,
}

/// What a cached [`LocalSubjects`] was built from: the store's row generation and the
/// number of merged subjects.
pub(super) type Freshness = (u64, usize);

/// The cached read models; shared by the window's threads through the workspace.
#[derive(Debug, Default)]
pub struct SubjectCache {
    pub(super) local: Mutex<Option<(Freshness, Arc<LocalSubjects>)>>,
    pub(super) province: RwLock<Option<Arc<ProvinceIndex>>>,
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
            let earlier: Vec<&CaseSummary> = group[..n].iter().map(|&e| &rows[e]).collect();
            let repeat = crate::domain::summary::repeats(row, &earlier);
            badges.insert(row.id, if repeat { Badge::Repeat } else { Badge::Earlier(n as u32) });
        }
    }
    badges
}
