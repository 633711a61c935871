//! The province's offender index as this laptop holds it (issue 23): taken from the hub a
//! page of changes at a time (`GET /api/v1/offender-index/{since}`, [`IndexDelta`]), each
//! page checked against the hub's key when it is set and kept case by case
//! (`store::index_copy`) with the generation it reaches, so that a sync after the first
//! brings only what changed. `Workspace::load_offender_index` reads the copy into the lookup.
//!
//! A copy taken again from nothing (the first, one from another hub or index, one checked
//! with another key, one of another team) is filled aside and replaces the copy in use only
//! once whole: a sync cut half-way goes on from where it stopped at the next one, and the
//! copy in use meanwhile is the last whole one.
//!
//! A hub of before, which only sends the whole index, and the whole index a laptop of
//! before kept in `meta`, are taken as a copy at generation 0: the next sync asks for
//! everything again, by pages.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{AppError, Workspace};
use crate::protocol::{IndexDelta, OffenderEntry, OffenderIndex, SignedIndex};
use crate::store::{IndexCopy, StoreError, Writer};
use crate::sync::{Client, SyncError};

/// Where the whole signed index was kept before the copy was kept case by case.
const OLD_INDEX_KEY: &str = "offender_index";

/// Pages one sync takes at most (the hub sends a few thousand cases a page): a hub that
/// keeps saying "more" cannot hold a sync for ever.
const MAX_PAGES: usize = 5_000;

/// Where a copy stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexState {
    /// The hub's generation the copy has reached (0: ask for everything).
    pub generation: u64,
    pub generated_at: DateTime<Utc>,
    /// Until when the hub says the copy may be relied on.
    pub expires_at: DateTime<Utc>,
    /// Entries held (listed or not today).
    pub entries: u64,
    /// The hub key (minisign base64) every page was checked with; none when a page was
    /// taken without a key set. A copy checked with another key than the one set now is
    /// not used, and the next sync takes the index again.
    pub checked_with: Option<String>,
    /// The name of the hub's index the pages came from (none: a whole index).
    pub epoch: Option<String>,
    /// The team the hub named the cases for (its pseudonyms are the team's own).
    pub team: String,
}

/// What one sync's taking of the index did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexTaken {
    pub state: IndexState,
    /// Cases whose entries changed in the copy in use (0: it was current).
    pub changed: usize,
}

impl Workspace {
    /// Where the copy of the province's index in use stands; None when none was taken.
    pub fn index_state(&self) -> Result<Option<IndexState>, AppError> {
        self.keep_old_index()?;
        Ok(self.store.index_state(IndexCopy::Held)?)
    }

    /// Whether an offender index was ever taken (cheap: the index is not read).
    pub fn has_offender_index(&self) -> Result<bool, AppError> {
        Ok(self.store.index_state::<IndexState>(IndexCopy::Held)?.is_some() || self.store.has_meta(OLD_INDEX_KEY)?)
    }

    /// Whether the copy and what was kept before it read whole (a backup's check): reads,
    /// changes nothing.
    pub(crate) fn index_readable(&self) -> Result<(), AppError> {
        self.store.meta::<SignedIndex>(OLD_INDEX_KEY)?;
        self.store.index_state::<IndexState>(IndexCopy::Held)?;
        self.store.index_state::<IndexState>(IndexCopy::Next)?;
        self.store.each_index_case(|_, _: Vec<OffenderEntry>| Ok(()))?;
        Ok(())
    }

    /// Takes what changed in the province's index since the copy, page by page, each page
    /// in one transaction (a cut connection keeps the pages taken). A hub of before, which
    /// does not know pages, is asked for the whole index instead.
    pub fn take_index_changes(
        &self,
        client: &Client,
        hub_key: Option<&minisign::PublicKey>,
    ) -> Result<IndexTaken, AppError> {
        let mut taking = self.start_taking(hub_key.map(minisign::PublicKey::to_base64))?;
        for _ in 0..MAX_PAGES {
            let Some(signed) = client.offender_changes(taking.since())? else {
                let whole = client.offender_index()?;
                let (state, entries) = self.take_whole_index(&whole, hub_key)?;
                return Ok(IndexTaken { state, changed: entries });
            };
            let delta: IndexDelta = signed.open_as(hub_key).map_err(SyncError::Protocol)?;
            if let Some(taken) = self.take_page(&mut taking, &delta)? {
                return Ok(taken);
            }
        }
        Err(SyncError::Protocol(format!("offender index: still more after {MAX_PAGES} pages")).into())
    }

    /// Where the pages of a sync go: the copy being filled aside, else the one in use, when
    /// it is this team's and was checked with the key set (or no key is set now); else a
    /// new one from nothing, aside.
    fn start_taking(&self, key: Option<String>) -> Result<Taking, AppError> {
        let team = self.own_team();
        let fits = |s: &IndexState| s.team == team && (key.is_none() || s.checked_with == key);
        // A copy in use at generation 0 (a whole index, or the one kept before) is never
        // added to: the pages' names for cases are not its own.
        let held: Option<IndexState> = self.index_state()?.filter(|s| fits(s) && s.generation > 0);
        let next: Option<IndexState> = self.store.index_state(IndexCopy::Next)?;
        let next = match next {
            Some(next) if !fits(&next) => {
                // Begun for another team or key: let go.
                self.store.write(&self.actor(), |w| w.clear_index(IndexCopy::Next))?;
                None
            }
            next => next,
        };
        // A copy being filled aside goes on first: it was begun because the one in use
        // could not (and replaces it once whole).
        let (copy, at) = match (held, next) {
            (_, Some(next)) => (IndexCopy::Next, Some(next)),
            (held, None) => (if held.is_some() { IndexCopy::Held } else { IndexCopy::Next }, held),
        };
        Ok(Taking { copy, at, key, team, changed: 0 })
    }

    /// Takes one page (checked first, [`Page::read`]) in one transaction: what the sync
    /// did when it was the last page, else None (ask for the next, from [`Taking::since`]).
    fn take_page(&self, taking: &mut Taking, delta: &IndexDelta) -> Result<Option<IndexTaken>, AppError> {
        let since = taking.since();
        let page = Page::read(delta, since)?;
        if taking.at.as_ref().is_some_and(|s| s.epoch != delta.epoch) || (delta.since == 0 && since != 0) {
            // Another index, or the hub starts the copy again: taken again from nothing,
            // aside, from the hub's first page.
            (taking.copy, taking.at, taking.changed) = (IndexCopy::Next, None, 0);
            if delta.since != 0 {
                return Ok(None);
            }
        }
        let (copy, from) = (taking.copy, taking.at.take());
        let taken = self.store.write(&self.actor(), |w| {
            let mut entries = match &from {
                Some(from) => from.entries,
                None => {
                    w.clear_index(copy)?;
                    0
                }
            };
            for (name, case_entries) in &delta.cases {
                let old: Option<Vec<OffenderEntry>> = w.index_case(copy, *name)?;
                entries = entries.saturating_sub(old.map_or(0, |o| o.len() as u64)) + case_entries.len() as u64;
                w.put_index_case(copy, *name, Some(case_entries).filter(|e| !e.is_empty()))?;
            }
            // A page taken without a key leaves the copy unchecked.
            let checked_with = taking.key.clone().filter(|_| from.as_ref().is_none_or(|f| f.checked_with.is_some()));
            let state = IndexState {
                generation: page.generation,
                generated_at: delta.generated_at,
                expires_at: page.expires_at,
                entries,
                checked_with,
                epoch: delta.epoch.clone(),
                team: taking.team.clone(),
            };
            if copy == IndexCopy::Next && !delta.more {
                w.hold_next_index(&state)?;
            } else {
                w.set_index_state(copy, &state)?;
            }
            Ok::<_, StoreError>(state)
        })?;
        taking.changed += delta.cases.len();
        if delta.more {
            taking.at = Some(taken);
            return Ok(None);
        }
        // A whole copy came in: the lookup is to be made again, whatever it holds.
        let changed = if copy == IndexCopy::Next { taking.changed.max(1) } else { taking.changed };
        Ok(Some(IndexTaken { state: taken, changed }))
    }

    /// Takes a whole signed index (from a hub of before) as the copy in use at generation
    /// 0, checked against the hub's key when it is set; how many entries it holds.
    pub fn take_whole_index(
        &self,
        signed: &SignedIndex,
        hub_key: Option<&minisign::PublicKey>,
    ) -> Result<(IndexState, usize), AppError> {
        let index: OffenderIndex = signed.open(hub_key).map_err(SyncError::Protocol)?;
        let count = index.entries.len();
        let checked_with = hub_key.map(minisign::PublicKey::to_base64);
        let team = self.own_team();
        let state = self.store.write(&self.actor(), |w| keep_whole(w, index, checked_with, team))?;
        Ok((state, count))
    }

    /// Turns the whole index a laptop of before kept in `meta` into the copy (once). One
    /// that does not check against the hub's key, or cannot be read, is let go: the next
    /// sync takes the index again.
    fn keep_old_index(&self) -> Result<(), AppError> {
        let kept = match self.store.meta::<SignedIndex>(OLD_INDEX_KEY) {
            Ok(None) => return Ok(()),
            Ok(Some(signed)) => Ok(signed),
            Err(e) => Err(e.to_string()),
        };
        let hub_key = self.server_settings()?.hub_key.and_then(|k| minisign::PublicKey::from_base64(&k).ok());
        let opened = kept.and_then(|signed| signed.open(hub_key.as_ref()));
        let team = self.own_team();
        self.store.write(&self.actor(), |w| {
            match opened {
                Ok(index) => {
                    keep_whole(w, index, hub_key.as_ref().map(minisign::PublicKey::to_base64), team)?;
                }
                Err(problem) => eprintln!("offender index kept before: let go ({problem})"),
            }
            w.remove_meta(OLD_INDEX_KEY, "sync.offender_index: kept case by case")
        })?;
        Ok(())
    }
}

/// A sync's taking of the index, page by page.
struct Taking {
    /// The copy the pages go to.
    copy: IndexCopy,
    /// Where it stands (none: nothing yet, it starts from 0).
    at: Option<IndexState>,
    /// The hub key set (base64), when one is.
    key: Option<String>,
    team: String,
    /// Cases taken in this sync (into the copy in use, or the one aside).
    changed: usize,
}

impl Taking {
    /// The generation to ask from.
    fn since(&self) -> u64 {
        self.at.as_ref().map_or(0, |s| s.generation)
    }
}

/// What a page says of where it goes, checked: it follows the copy (or starts it again),
/// moves forward, and says until when it holds.
struct Page {
    generation: u64,
    expires_at: DateTime<Utc>,
}

impl Page {
    fn read(delta: &IndexDelta, since: u64) -> Result<Page, SyncError> {
        let bad = |what: String| SyncError::Protocol(format!("offender index: {what}"));
        if delta.since != 0 && u64::try_from(delta.since) != Ok(since) {
            return Err(bad(format!("asked from {since}, answered from {}", delta.since)));
        }
        let moved = delta.generation > delta.since || (delta.generation == delta.since && delta.cases.is_empty());
        let generation = u64::try_from(delta.generation).ok().filter(|_| moved);
        let generation =
            generation.ok_or_else(|| bad(format!("generation {} after {}", delta.generation, delta.since)))?;
        if delta.more && delta.generation <= delta.since {
            return Err(bad("a page that says more follows without moving forward".into()));
        }
        let expires_at = delta.expires_at.ok_or_else(|| bad("a page without expires_at".into()))?;
        Ok(Page { generation, expires_at })
    }
}

/// Replaces the copy in use with a whole index, its entries grouped by the case they name.
fn keep_whole(
    w: &mut Writer,
    index: OffenderIndex,
    checked_with: Option<String>,
    team: String,
) -> Result<IndexState, StoreError> {
    let entries = index.entries.len() as u64;
    let mut cases: HashMap<Uuid, Vec<OffenderEntry>> = HashMap::new();
    for entry in index.entries {
        cases.entry(entry.case_id).or_default().push(entry);
    }
    w.clear_index(IndexCopy::Held)?;
    w.clear_index(IndexCopy::Next)?;
    for (name, case_entries) in &cases {
        w.put_index_case(IndexCopy::Held, *name, Some(case_entries))?;
    }
    let (generated_at, expires_at) = (index.generated_at, index.expires_at);
    let state = IndexState { generation: 0, generated_at, expires_at, entries, checked_with, epoch: None, team };
    w.set_index_state(IndexCopy::Held, &state)?;
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Bilingual;
    use crate::reference::Reference;

    #[test]
    fn the_whole_index_a_laptop_of_before_kept_becomes_the_copy_once() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(dir.path()).unwrap();
        let mut entries = crate::app::offenders::synthetic(40, 3, &Reference::embedded().admin_units);
        // Two entries of one case (its inspection and its sanction) stay together; an
        // inspection of long ago is kept but not listed.
        let kind = crate::protocol::EntryKind::Inspection;
        let today = crate::app::now().date();
        entries.push(OffenderEntry { kind, decided_on: today, ..entries[0].clone() });
        let long_ago = today - chrono::Duration::days(crate::protocol::RECENT_INSPECTION_DAYS + 1);
        entries.push(OffenderEntry { kind, decided_on: long_ago, ..entries[1].clone() });
        let now = Utc::now();
        let index = OffenderIndex { generated_at: now, expires_at: now, entries };
        let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let signed = SignedIndex::sign(&pair.sk, &index, "test");
        ws.store.write("test", |w| w.put_meta(OLD_INDEX_KEY, &signed, "sync.offender_index")).unwrap();
        ws.set_setting("server.hub_key", &pair.pk.to_base64()).unwrap();
        assert!(ws.has_offender_index().unwrap());

        let status = ws.load_offender_index(|_| {}).unwrap().unwrap();
        assert_eq!(status.entries, 41);
        let state = ws.index_state().unwrap().unwrap();
        assert_eq!(state.generation, 0, "the next sync asks for everything");
        assert_eq!(state.checked_with, Some(pair.pk.to_base64()));
        assert_eq!(state.entries, 42, "held, listed or not");
        assert!(!ws.store.has_meta(OLD_INDEX_KEY).unwrap(), "kept once, not twice");
        let mut cases = 0;
        ws.store
            .each_index_case(|_, _: Vec<OffenderEntry>| {
                cases += 1;
                Ok(())
            })
            .unwrap();
        assert_eq!(cases, 40);

        // Set another hub key: the copy was not checked with it, so it is not used.
        let other = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        ws.set_setting("server.hub_key", &other.pk.to_base64()).unwrap();
        let refused = ws.load_offender_index(|_| {}).unwrap_err();
        assert!(refused.vi().contains("không được kiểm tra bằng khóa"), "{}", refused.vi());
    }

    fn delta(epoch: &str, since: i64, generation: i64, more: bool, cases: &[(u128, usize)]) -> IndexDelta {
        let units = Reference::embedded().admin_units;
        let cases = cases
            .iter()
            .map(|&(name, count)| {
                let mut entries = crate::app::offenders::synthetic(count, name as u64, &units);
                entries.iter_mut().for_each(|e| e.case_id = Uuid::from_u128(name));
                (Uuid::from_u128(name), entries)
            })
            .collect();
        let now = Utc::now();
        let epoch = Some(epoch.to_string());
        IndexDelta { generated_at: now, expires_at: Some(now), epoch, since, generation, more, cases }
    }

    /// The cases of a copy by name, and where it stands.
    fn names(ws: &Workspace, copy: IndexCopy) -> (Vec<u128>, Option<IndexState>) {
        let mut names = Vec::new();
        if copy == IndexCopy::Held {
            ws.store
                .each_index_case(|_, entries: Vec<OffenderEntry>| {
                    names.extend(entries.iter().map(|e| e.case_id.as_u128()));
                    Ok(())
                })
                .unwrap();
        }
        (names, ws.store.index_state(copy).unwrap())
    }

    #[test]
    fn pages_replace_and_remove_cases_and_a_copy_taken_again_replaces_the_one_in_use_only_whole() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(dir.path()).unwrap();
        let take = |page: IndexDelta| {
            let mut taking = ws.start_taking(None).unwrap();
            ws.take_page(&mut taking, &page)
        };
        // The first copy, in two pages: filled aside, in use only at its last page.
        assert_eq!(take(delta("e1", 0, 2, true, &[(1, 1), (2, 1)])).unwrap(), None);
        assert_eq!(ws.index_state().unwrap(), None, "not in use half-way");
        assert_eq!(names(&ws, IndexCopy::Next).1.unwrap().generation, 2);
        let first = take(delta("e1", 2, 3, false, &[(3, 1)])).unwrap().unwrap();
        assert_eq!((first.state.generation, first.state.entries), (3, 3));
        assert_eq!(names(&ws, IndexCopy::Held).0, [1, 2, 3]);
        assert_eq!(names(&ws, IndexCopy::Next).1, None);

        // Changes: case 1 now has two entries, case 2 is gone.
        let changes = take(delta("e1", 3, 5, false, &[(1, 2), (2, 0)])).unwrap().unwrap();
        assert_eq!((changes.changed, changes.state.entries, changes.state.generation), (2, 3, 5));
        assert_eq!(names(&ws, IndexCopy::Held).0, [1, 1, 3]);

        // The hub's index renamed: the copy is taken again from its first page, aside; a
        // sync cut after one page leaves the copy in use as it was, and the next goes on.
        let mut taking = ws.start_taking(None).unwrap();
        assert_eq!(ws.take_page(&mut taking, &delta("e2", 5, 9, true, &[(8, 1)])).unwrap(), None);
        assert_eq!(taking.since(), 0, "asked again from 0");
        assert_eq!(ws.take_page(&mut taking, &delta("e2", 0, 1, true, &[(4, 1)])).unwrap(), None);
        assert_eq!(names(&ws, IndexCopy::Held).0, [1, 1, 3], "the copy in use meanwhile");
        let resumed = take(delta("e2", 1, 2, false, &[(5, 1)])).unwrap().unwrap();
        assert_eq!(
            (resumed.state.epoch.as_deref(), resumed.state.entries, resumed.changed),
            (Some("e2"), 2, 1),
            "one case came in this sync"
        );
        assert_eq!(names(&ws, IndexCopy::Held).0, [4, 5]);

        // Pages that do not follow or do not move forward are refused, and change nothing.
        for bad in [
            delta("e2", 7, 8, false, &[(6, 1)]),
            delta("e2", 2, 1, false, &[(6, 1)]),
            delta("e2", 2, 2, false, &[(6, 1)]),
            delta("e2", 2, 2, true, &[]),
        ] {
            let refused = take(bad).unwrap_err();
            assert!(matches!(refused, AppError::Sync(SyncError::Protocol(_))), "{refused:?}");
        }
        assert_eq!(names(&ws, IndexCopy::Held), (vec![4, 5], Some(resumed.state.clone())));

        // The hub answers from 0 (a generation it never reached): taken again aside, the
        // copy in use unchanged until the last page.
        let mut taking = ws.start_taking(None).unwrap();
        assert_eq!(ws.take_page(&mut taking, &delta("e2", 0, 4, true, &[(6, 1)])).unwrap(), None);
        assert_eq!(names(&ws, IndexCopy::Held), (vec![4, 5], Some(resumed.state)));
        let again = ws.take_page(&mut taking, &delta("e2", 4, 6, false, &[(7, 1)])).unwrap().unwrap();
        assert_eq!((again.state.generation, again.changed), (6, 2), "two cases came");
        assert_eq!(names(&ws, IndexCopy::Held).0, [6, 7]);
    }

    #[test]
    fn a_whole_index_is_never_added_to_by_pages_but_replaced_once_they_are_whole() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(dir.path()).unwrap();
        let now = Utc::now();
        let entries = crate::app::offenders::synthetic(3, 3, &Reference::embedded().admin_units);
        let index = OffenderIndex { generated_at: now, expires_at: now, entries };
        let secret = minisign::KeyPair::generate_unencrypted_keypair().unwrap().sk;
        ws.take_whole_index(&SignedIndex::sign(&secret, &index, "test"), None).unwrap();
        assert_eq!(names(&ws, IndexCopy::Held).0, [1, 2, 3]);
        let mut taking = ws.start_taking(None).unwrap();
        assert_eq!(ws.take_page(&mut taking, &delta("e1", 0, 1, true, &[(9, 1)])).unwrap(), None);
        assert_eq!(names(&ws, IndexCopy::Held).0, [1, 2, 3], "the whole index still in use");
        ws.take_page(&mut taking, &delta("e1", 1, 2, false, &[(10, 1)])).unwrap().unwrap();
        assert_eq!(names(&ws, IndexCopy::Held).0, [9, 10]);
    }

    #[test]
    fn a_whole_index_kept_before_that_fails_its_check_is_let_go() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(dir.path()).unwrap();
        let now = Utc::now();
        let entries = crate::app::offenders::synthetic(5, 3, &Reference::embedded().admin_units);
        let index = OffenderIndex { generated_at: now, expires_at: now, entries };
        let signer = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let signed = SignedIndex::sign(&signer.sk, &index, "test");
        ws.store.write("test", |w| w.put_meta(OLD_INDEX_KEY, &signed, "sync.offender_index")).unwrap();
        let other = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        ws.set_setting("server.hub_key", &other.pk.to_base64()).unwrap();
        assert_eq!(ws.index_state().unwrap(), None);
        assert!(!ws.has_offender_index().unwrap());
    }
}
