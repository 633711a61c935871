//! The province's offender index in memory, searchable offline: exact lookup by identifier
//! (a branch's 13-digit tax code finds its parent's entries too) and fuzzy lookup by name
//! through [`crate::domain::matching`].
//!
//! Built for a million entries in little memory: each entry's facts in one fixed-size
//! record, its own texts (name, identifier, decision) in one shared buffer, the texts many
//! entries repeat (team, act, provision, unit) and the name words interned. Identifiers are
//! found through a sorted table of their hashes (checked against the entry's own); names
//! through an inverted index of (province, word), reading only the postings of the query's
//! two rarest words in its province (a name alike enough to match shares at least one of
//! them, and names match only within a province). An entry is made whole again only when a
//! lookup returns it.
//!
//! The laptop's copy of the index is read into a [`LookupBuilder`] case by case
//! (`Workspace::load_offender_index`): the entries as stored are never all held at once.

mod synthetic;

pub use synthetic::synthetic;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use crate::domain::matching::{Match, NameKey, SubjectFacts, compare_with, normalise_identifier, words_similarity};
use crate::domain::text::fold;
use crate::protocol::{EntryKind, OffenderEntry};

/// The lookup, ready for queries.
#[derive(Debug, Default)]
pub struct OffenderLookup {
    slots: Vec<Slot>,
    /// Every entry's own texts, one after another ([`Slot::text`]).
    text: String,
    /// Team, act, provision and unit texts.
    facts: Interner,
    /// The folded words of names.
    words: Interner,
    /// Each entry's name words, in order ([`Slot::words`]).
    word_ids: Vec<u32>,
    /// (hash of an identifier, entry) for each identifier an entry is filed under — its own,
    /// normalised, and for a branch's 13-digit tax code its 10-digit parent — sorted.
    by_identifier: Vec<(u64, u32)>,
    /// (province, word) → the range of `postings` listing the entries of that province
    /// whose name has the word, in order.
    by_word: HashMap<(u16, u32), (u32, u32)>,
    postings: Vec<u32>,
}

/// One entry: its facts, and where its texts and words are.
#[derive(Debug, Clone, Copy)]
struct Slot {
    case_id: Uuid,
    fine_vnd: u64,
    /// Start of its texts in [`OffenderLookup::text`], then their lengths: name,
    /// identifier, decision, and the folded name when it is not the name folded.
    text: usize,
    lens: [u32; 4],
    /// Start of its name words in [`OffenderLookup::word_ids`], and how many.
    words: usize,
    word_count: u32,
    /// Its legal forms ([`NameKey::form_bits`]).
    forms: u16,
    commune: u32,
    team: u32,
    act: u32,
    provision: u32,
    unit: u32,
    /// Days from the common era.
    decided_on: i32,
    province: u16,
    flags: u8,
}

const HAS_IDENTIFIER: u8 = 1;
const HAS_PROVINCE: u8 = 1 << 1;
const HAS_COMMUNE: u8 = 1 << 2;
const HAS_FINE: u8 = 1 << 3;
const HAS_UNIT: u8 = 1 << 4;
const HAS_DECISION: u8 = 1 << 5;
const INSPECTION: u8 = 1 << 6;
/// The folded name is the name folded (not kept); otherwise it is the fourth text.
const FOLDED_IS_NAME_FOLDED: u8 = 1 << 7;

impl Slot {
    fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    fn province(&self) -> Option<u16> {
        self.has(HAS_PROVINCE).then_some(self.province)
    }

    fn commune(&self) -> Option<u32> {
        self.has(HAS_COMMUNE).then_some(self.commune)
    }

    fn kind(&self) -> EntryKind {
        if self.has(INSPECTION) { EntryKind::Inspection } else { EntryKind::Sanction }
    }

    fn decided_on(&self) -> NaiveDate {
        NaiveDate::from_num_days_from_ce_opt(self.decided_on).expect("a date it was made from")
    }
}

/// Texts kept once however many entries name them (a text and its id in the map while
/// entries are added, then only where the lookup still asks by text).
#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<Box<str>, u32>,
    texts: Vec<Box<str>>,
}

impl Interner {
    fn intern(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = u32::try_from(self.texts.len()).expect("fewer than 4 billion distinct texts");
        self.texts.push(text.into());
        self.ids.insert(text.into(), id);
        id
    }

    fn get(&self, text: &str) -> Option<u32> {
        self.ids.get(text).copied()
    }

    fn text(&self, id: u32) -> &str {
        &self.texts[id as usize]
    }
}

fn hash_of(identifier: &str) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    identifier.hash(&mut hasher);
    hasher.finish()
}

/// A 13-digit tax code: a branch, filed under its 10-digit parent too.
fn is_branch_code(id: &str) -> bool {
    id.len() == 13 && id.bytes().all(|b| b.is_ascii_digit())
}

fn len32(text: &str) -> u32 {
    u32::try_from(text.len()).expect("an index text is shorter than 4 GB")
}

impl OffenderLookup {
    pub fn new(entries: Vec<OffenderEntry>) -> OffenderLookup {
        let mut builder = LookupBuilder::default();
        entries.iter().for_each(|entry| builder.push(entry));
        builder.finish(|_| {})
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The `i`-th entry as it was added.
    pub fn entry(&self, i: usize) -> OffenderEntry {
        let slot = &self.slots[i];
        let [name, identifier, decision, folded] = self.texts(slot);
        let fact = |flag, id| slot.has(flag).then(|| self.facts.text(id).to_string());
        OffenderEntry {
            identifier: slot.has(HAS_IDENTIFIER).then(|| identifier.to_string()),
            folded_name: if slot.has(FOLDED_IS_NAME_FOLDED) { fold(name) } else { folded.to_string() },
            name: name.to_string(),
            province: slot.province(),
            commune: slot.commune(),
            team_id: self.facts.text(slot.team).to_string(),
            case_id: slot.case_id,
            act: self.facts.text(slot.act).to_string(),
            provision: self.facts.text(slot.provision).to_string(),
            decided_on: slot.decided_on(),
            fine_vnd: slot.has(HAS_FINE).then_some(slot.fine_vnd),
            kind: slot.kind(),
            unit: fact(HAS_UNIT, slot.unit),
            decision: slot.has(HAS_DECISION).then(|| decision.to_string()),
        }
    }

    /// An entry's texts: name, identifier, decision, folded name (each empty when it has
    /// none; the folded name also when it is the name folded).
    fn texts(&self, slot: &Slot) -> [&str; 4] {
        let mut at = slot.text;
        slot.lens.map(|len| {
            let text = &self.text[at..at + len as usize];
            at += len as usize;
            text
        })
    }

    fn identifier(&self, slot: &Slot) -> Option<&str> {
        slot.has(HAS_IDENTIFIER).then(|| self.texts(slot)[1])
    }

    fn words_of(&self, slot: &Slot) -> Vec<&str> {
        self.word_ids[slot.words..slot.words + slot.word_count as usize].iter().map(|&w| self.words.text(w)).collect()
    }

    /// The entries filed under a normalised identifier: their own is it, or (a branch) its
    /// parent is.
    fn filed_under<'a>(&'a self, key: &'a str) -> impl Iterator<Item = u32> + 'a {
        let hash = hash_of(key);
        let from = self.by_identifier.partition_point(|(h, _)| *h < hash);
        self.by_identifier[from..].iter().take_while(move |(h, _)| *h == hash).map(|(_, i)| *i).filter(move |&i| {
            let own = normalise_identifier(self.identifier(&self.slots[i as usize]).unwrap_or_default());
            !key.is_empty() && (own == key || (is_branch_code(&own) && &own[..10] == key))
        })
    }

    /// Entries with this identifier (spaces and dashes ignored); a 13-digit tax code also
    /// finds its 10-digit parent's entries, and a parent finds its branches'.
    pub fn by_identifier(&self, identifier: &str) -> Vec<OffenderEntry> {
        let id = normalise_identifier(identifier);
        let mut found: Vec<u32> = self.filed_under(&id).collect();
        if is_branch_code(&id) {
            found.extend(self.filed_under(&id[..10]));
        }
        found.sort_unstable();
        found.dedup();
        found.into_iter().map(|i| self.entry(i as usize)).collect()
    }

    /// Entries likely of the same subject as `facts`, best first, with why.
    pub fn matches(&self, facts: &SubjectFacts) -> Vec<(Match, OffenderEntry)> {
        let mut candidates: Vec<u32> = Vec::new();
        for id in [&facts.tax_code, &facts.personal_id, &facts.registration_number].into_iter().flatten() {
            let id = normalise_identifier(id);
            candidates.extend(self.filed_under(&id));
            if id.len() >= 10 && id.bytes().all(|b| b.is_ascii_digit()) {
                candidates.extend(self.filed_under(&id[..10]));
            }
        }
        let key = NameKey::of(&facts.name);
        let forms = key.form_bits();
        if let Some(province) = facts.province {
            let mut lists: Vec<&[u32]> = key
                .words
                .iter()
                .filter_map(|w| self.words.get(w))
                .filter_map(|w| self.by_word.get(&(province, w)))
                .map(|&(start, len)| &self.postings[start as usize..(start + len) as usize])
                .collect();
            lists.sort_by_key(|postings| postings.len());
            for postings in lists.iter().take(2) {
                candidates.extend_from_slice(postings);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut found: Vec<(Match, u32)> = candidates
            .into_iter()
            .filter_map(|i| {
                let slot = &self.slots[i as usize];
                let other = SubjectFacts {
                    province: slot.province(),
                    commune: slot.commune(),
                    ..SubjectFacts::from_identifier("", self.identifier(slot))
                };
                compare_with(facts, &other, || words_similarity(&key.words, forms, &self.words_of(slot), slot.forms))
                    .map(|m| (m, i))
            })
            .collect();
        found.sort_by(|a, b| b.0.score.total_cmp(&a.0.score));
        found.into_iter().map(|(m, i)| (m, self.entry(i as usize))).collect()
    }
}

/// A lookup being filled: entries are added one by one, then [`LookupBuilder::finish`]
/// indexes them.
#[derive(Debug, Default)]
pub struct LookupBuilder {
    lookup: OffenderLookup,
}

impl LookupBuilder {
    pub fn push(&mut self, entry: &OffenderEntry) {
        let lookup = &mut self.lookup;
        let mut flags = 0;
        let mut flag = |on: bool, bit: u8| {
            if on {
                flags |= bit;
            }
        };
        flag(entry.identifier.is_some(), HAS_IDENTIFIER);
        flag(entry.province.is_some(), HAS_PROVINCE);
        flag(entry.commune.is_some(), HAS_COMMUNE);
        flag(entry.fine_vnd.is_some(), HAS_FINE);
        flag(entry.unit.is_some(), HAS_UNIT);
        flag(entry.decision.is_some(), HAS_DECISION);
        flag(entry.kind == EntryKind::Inspection, INSPECTION);
        let name_folded = fold(&entry.name);
        let folded_is_name_folded = !entry.folded_name.is_empty() && entry.folded_name == name_folded;
        flag(folded_is_name_folded, FOLDED_IS_NAME_FOLDED);
        let folded = if folded_is_name_folded { "" } else { entry.folded_name.as_str() };
        let texts = [
            entry.name.as_str(),
            entry.identifier.as_deref().unwrap_or_default(),
            entry.decision.as_deref().unwrap_or_default(),
            folded,
        ];
        let text = lookup.text.len();
        texts.iter().for_each(|t| lookup.text.push_str(t));
        let key = NameKey::of_folded(&name_folded);
        let words = lookup.word_ids.len();
        let word_count = u32::try_from(key.words.len()).expect("a name of fewer than 4 billion words");
        for word in &key.words {
            let id = lookup.words.intern(word);
            lookup.word_ids.push(id);
        }
        let facts = &mut lookup.facts;
        lookup.slots.push(Slot {
            case_id: entry.case_id,
            fine_vnd: entry.fine_vnd.unwrap_or_default(),
            text,
            lens: texts.map(len32),
            words,
            word_count,
            forms: key.form_bits(),
            commune: entry.commune.unwrap_or_default(),
            team: facts.intern(&entry.team_id),
            act: facts.intern(&entry.act),
            provision: facts.intern(&entry.provision),
            unit: entry.unit.as_deref().map_or(0, |unit| facts.intern(unit)),
            decided_on: entry.decided_on.num_days_from_ce(),
            province: entry.province.unwrap_or_default(),
            flags,
        });
    }

    pub fn len(&self) -> usize {
        self.lookup.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lookup.is_empty()
    }

    /// Each entry's case, kind and day, in order (what tells an entry told twice).
    pub fn keys(&self) -> impl Iterator<Item = (Uuid, EntryKind, NaiveDate)> + '_ {
        self.lookup.slots.iter().map(|slot| (slot.case_id, slot.kind(), slot.decided_on()))
    }

    /// Indexes the entries added, telling `progress` the share done.
    pub fn finish(self, progress: impl Fn(f32)) -> OffenderLookup {
        let mut lookup = self.lookup;
        progress(0.0);
        let mut by_identifier = Vec::with_capacity(lookup.slots.len());
        for (i, slot) in lookup.slots.iter().enumerate() {
            let own = normalise_identifier(lookup.identifier(slot).unwrap_or_default());
            if own.is_empty() {
                continue;
            }
            let i = i as u32;
            if is_branch_code(&own) {
                by_identifier.push((hash_of(&own[..10]), i));
            }
            by_identifier.push((hash_of(&own), i));
        }
        by_identifier.sort_unstable();
        lookup.by_identifier = by_identifier;
        progress(0.4);

        // The postings, counted first so that they take one array of the size they need.
        let mut buffer = Vec::new();
        let mut ranges: HashMap<(u16, u32), (u32, u32)> = HashMap::new();
        for slot in &lookup.slots {
            let Some(province) = slot.province() else { continue };
            for &word in distinct_words(&lookup.word_ids, slot, &mut buffer) {
                ranges.entry((province, word)).or_default().1 += 1;
            }
        }
        let mut total: u32 = 0;
        for range in ranges.values_mut() {
            let count = range.1;
            *range = (total, 0);
            total = total.checked_add(count).expect("fewer than 4 billion (entry, word) postings");
        }
        progress(0.6);
        let mut postings = vec![0; total as usize];
        for (i, slot) in lookup.slots.iter().enumerate() {
            let Some(province) = slot.province() else { continue };
            for &word in distinct_words(&lookup.word_ids, slot, &mut buffer) {
                let range = ranges.get_mut(&(province, word)).expect("counted in the first pass");
                postings[(range.0 + range.1) as usize] = i as u32;
                range.1 += 1;
            }
        }
        lookup.postings = postings;
        lookup.by_word = ranges;
        // Grown by doubling as entries came: give back what is not used.
        lookup.slots.shrink_to_fit();
        lookup.text.shrink_to_fit();
        lookup.word_ids.shrink_to_fit();
        lookup.by_word.shrink_to_fit();
        // The team, act, provision and unit texts are only read from now on.
        lookup.facts.ids = HashMap::new();
        progress(1.0);
        lookup
    }
}

/// An entry's name words, each once, in `buffer`.
fn distinct_words<'a>(word_ids: &[u32], slot: &Slot, buffer: &'a mut Vec<u32>) -> &'a [u32] {
    buffer.clear();
    buffer.extend_from_slice(&word_ids[slot.words..slot.words + slot.word_count as usize]);
    buffer.sort_unstable();
    buffer.dedup();
    buffer
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AdminUnits;
    use crate::domain::matching::MatchReason;

    fn units() -> AdminUnits {
        crate::app::Reference::embedded().admin_units
    }

    #[test]
    fn planted_subjects_are_found_by_identifier_and_by_a_name_typed_differently() {
        let mut entries = synthetic(20_000, 3, &units());
        let commune = entries[0].commune;
        let mut planted = entries[0].clone();
        planted.name = "Công ty TNHH Thương mại Quang Thiên Lộc".into();
        planted.identifier = Some("4922302780-002".into());
        entries.push(planted.clone());
        let lookup = OffenderLookup::new(entries);

        let by_parent = lookup.by_identifier("492 230 2780");
        assert!(by_parent.iter().any(|e| e.name == planted.name), "a branch is found from its parent");
        assert_eq!(lookup.by_identifier("4922302780-002").len(), 1);

        let typed = SubjectFacts {
            name: "CTY TNHH THUONG MAI QUANG THIEN LOC".into(),
            commune,
            province: planted.province,
            ..Default::default()
        };
        let found = lookup.matches(&typed);
        assert_eq!(
            found.first().map(|(m, e)| (m.reason, e.name.as_str())),
            Some((MatchReason::SimilarNameSameCommune, planted.name.as_str()))
        );

        let elsewhere = SubjectFacts { commune: Some(u32::MAX), ..typed };
        assert!(lookup.matches(&elsewhere).iter().all(|(_, e)| e.name != planted.name), "not in another commune");
    }

    #[test]
    fn every_entry_comes_back_as_it_was_added() {
        let mut entries = synthetic(2_000, 5, &units());
        // The facts a compact record could lose: absent and empty values, a folded name
        // that is not the name folded (or none), a unit, a decision, an inspection.
        entries[0].identifier = None;
        entries[1].identifier = Some(String::new());
        entries[2].folded_name = String::new();
        entries[3].folded_name = "ten khac".into();
        entries[4].unit = Some("Chi cục QLTT tỉnh Lào Cai".into());
        entries[4].decision = Some("12/QĐ-XPHC".into());
        entries[5].decision = Some(String::new());
        entries[6].kind = EntryKind::Inspection;
        entries[6].fine_vnd = None;
        entries[7].province = None;
        entries[7].commune = None;
        entries[8].fine_vnd = Some(0);
        entries[9].team_id = String::new();
        let lookup = OffenderLookup::new(entries.clone());
        assert_eq!(lookup.len(), entries.len());
        for (i, entry) in entries.iter().enumerate() {
            assert_eq!(&lookup.entry(i), entry, "entry {i}");
        }
    }

    #[test]
    fn an_identifier_finds_its_own_entries_and_a_branch_its_parents() {
        // Identifiers that normalise alike are one; a branch's code finds its parent's
        // entries and every branch of it; an empty identifier files nothing.
        let mut entries = synthetic(3, 8, &units());
        entries[0].identifier = Some("0101 234-567".into());
        entries[1].identifier = Some("0101234567001".into());
        entries[2].identifier = Some(String::new());
        let lookup = OffenderLookup::new(entries.clone());
        let names = |found: Vec<OffenderEntry>| found.into_iter().map(|e| e.case_id).collect::<Vec<_>>();
        assert_eq!(names(lookup.by_identifier("0101234567")), [entries[0].case_id, entries[1].case_id]);
        assert_eq!(names(lookup.by_identifier("0101234567-001")), [entries[0].case_id, entries[1].case_id]);
        assert_eq!(names(lookup.by_identifier("0101234567-002")), [entries[0].case_id, entries[1].case_id]);
        assert!(lookup.by_identifier("").is_empty());
        assert!(lookup.by_identifier("0101234568").is_empty());
    }
}
