//! Taking in an uploaded package: every check of the package format against the team's
//! enrolled, unrevoked keys, the case read from it, the file stored by its hash, the case
//! indexed, and a receipt signed by the hub. Also the offender index built from the cases.

use chrono::{Duration, Utc};
use sha2::{Digest, Sha256};

use super::store::{HubRow, IndexedCase, IndexedDocument, StoredPackage, Succession, Upload, check_succession};
use super::{ApiError, HubState};
use crate::domain::matching::SubjectFacts;
use crate::domain::summary::{CaseFacts, sanctions_of};
use crate::domain::{Case, CaseSummary, stage, text::fold};
use crate::package::{self, Limits};
use crate::protocol::{
    EntryKind, IndexDelta, OffenderEntry, OffenderIndex, Receipt, SignedIndex, SignedReceipt, listed,
};

/// How long a fetched offender index may be used offline.
pub const INDEX_VALID_DAYS: i64 = 7;

/// Verifies the finished upload `bytes` and stores it; the receipt on success.
pub fn ingest(state: &HubState, upload: &Upload, bytes: &[u8]) -> Result<SignedReceipt, ApiError> {
    let store = &state.store;
    if hex::encode(Sha256::digest(bytes)) != upload.sha256 || bytes.len() as u64 != upload.size {
        return Err(ApiError::unprocessable("hash_mismatch", "the bytes received do not have the declared SHA-256"));
    }
    let team =
        store.team(&upload.team_id)?.ok_or_else(|| ApiError::unprocessable("unknown_team", "team not enrolled"))?;
    let trusted: Vec<minisign::PublicKey> = team
        .keys
        .iter()
        .filter(|k| k.revoked_at.is_none())
        .filter_map(|k| minisign::PublicKey::from_base64(&k.public_key).ok())
        .collect();
    // Every check of the format the laptop makes too: unsealed with the hub's age identity,
    // read, signed by a key of the team.
    let limits = Limits { max_total_bytes: state.limits.max_package_bytes, ..Limits::default() };
    let verified =
        package::open_verified(bytes, Some(&state.keys.age_identity), &trusted, &limits).map_err(|e| match e {
            package::PackageError::UnknownKey(_) => {
                ApiError::unprocessable("bad_signature", &format!("{e} of team {}", team.team_id))
            }
            package::PackageError::BadSignature(_) => ApiError::unprocessable("bad_signature", &e.to_string()),
            other => ApiError::unprocessable("package_invalid", &other.to_string()),
        })?;
    let opened = verified.opened;
    if opened.info.unit != team.team_id {
        return Err(ApiError::unprocessable("wrong_team", "the package names another team"));
    }
    let case = case_of(&opened, &upload.package_id)?;

    let now = Utc::now();
    let receipt = Receipt {
        package_id: upload.package_id.clone(),
        sha256: upload.sha256.clone(),
        team_id: team.team_id.clone(),
        case_id: opened.info.case_id,
        version: opened.info.version,
        size: upload.size,
        received_at: now,
        hub_key_id: state.keys.key_id.clone(),
    };
    let signed = SignedReceipt::sign(&state.secret, &receipt, &format!("anchi-hub receipt {}", receipt.package_id));

    let stored = StoredPackage { info: receipt, receipt: signed.clone() };
    let indexed = index_case(&case, &team.team_id, &opened.payload, &stored);
    let row = row_of(&case, &team.team_id);
    let previous = opened.info.previous_sha256.as_deref();
    // Refused before anything is written when the case is another team's or the version
    // does not follow; checked again in the transaction that stores it.
    if let Some(existing) = store.case(case.id)? {
        check_succession(&existing, &team.team_id, indexed.version, &indexed.package_sha256, previous)
            .map_err(refusal)?;
    }
    // The file first (by its hash, through a rename), then the records that point at it.
    let target = store.package_file(&upload.sha256);
    let new_file = !target.exists();
    if new_file {
        let part = store.upload_file(&upload.upload_id);
        std::fs::rename(&part, &target).or_else(|_| std::fs::write(&target, bytes))?;
    }
    // The stored row is this one (the succession rules keep the case with this team).
    match store.store_package(&stored, previous, indexed, row.clone(), &upload.upload_id)? {
        Err(refused) => {
            if new_file {
                let _ = std::fs::remove_file(&target);
            }
            return Err(refusal(refused));
        }
        // The pages take the new row at once, without reading every row again.
        Ok(Some(generation)) => super::web::patch_snapshot(state, generation, row),
        Ok(None) => {}
    }
    let _ = std::fs::remove_file(store.upload_file(&upload.upload_id));
    state.upstream_bell.ring();
    Ok(signed)
}

/// The case a verified package holds, checked: the package id it was declared with, the
/// case file read strictly and of the package's case, its dates within [`YEARS`].
pub fn case_of(opened: &package::Opened, package_id: &str) -> Result<Case, ApiError> {
    if opened.info.package_id() != package_id {
        return Err(ApiError::unprocessable("package_invalid", "the package id inside differs from the declared one"));
    }
    let text = opened.case_json().map_err(|e| ApiError::unprocessable("package_invalid", &e.to_string()))?;
    let file = crate::case_file::read(text)
        .map_err(|e| ApiError::unprocessable("package_invalid", &format!("data/case.json: {}: {e}", e.path())))?;
    if file.case.id != opened.info.case_id {
        return Err(ApiError::unprocessable("package_invalid", "data/case.json is another case"));
    }
    check_dates(&file.case)?;
    Ok(file.case)
}

/// The years a case's dates may fall in: the deadlines counted on the pages (and the
/// calendar) are defined there; a date outside is a damaged or forged file.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Refuses a case whose opening or documents are dated outside [`YEARS`], naming the date.
pub fn check_dates(case: &Case) -> Result<(), ApiError> {
    use chrono::Datelike;
    let mut dates = vec![("opened_at".to_string(), case.opened_at)];
    for (i, d) in case.documents.iter().enumerate() {
        dates.push((format!("documents[{i}].created_at"), d.created_at));
        if let Some(at) = d.finalised_at {
            dates.push((format!("documents[{i}].finalised_at"), at));
        }
    }
    match dates.into_iter().find(|(_, at)| !YEARS.contains(&at.year())) {
        Some((field, at)) => Err(ApiError::unprocessable(
            "package_invalid",
            &format!("data/case.json: {field}: {at} is outside the years {}–{}", YEARS.start(), YEARS.end()),
        )),
        None => Ok(()),
    }
}

/// The API's answer to a version that may not be stored.
fn refusal(refused: Succession) -> ApiError {
    match refused {
        Succession::OwnedByAnotherTeam { .. } => ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "case_owned",
            "this case belongs to another team (the one that first sent it, or the one the province transferred it to); only that team sends its versions",
        ),
        Succession::BrokenChain(detail) => ApiError::new(axum::http::StatusCode::CONFLICT, "version_conflict", &detail),
    }
}

/// What the province view shows of a case.
fn index_case(case: &Case, team_id: &str, payload: &package::Payload, stored: &StoredPackage) -> IndexedCase {
    let documents = case
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let prefix = format!("data/documents/{:02}-", i + 1);
            IndexedDocument {
                title: d.kind.title_vi().to_string(),
                number: d.number.as_ref().map(ToString::to_string),
                state: d.state.vi().to_string(),
                at: d.finalised_at.unwrap_or(d.created_at),
                pdf: payload.iter().find(|(p, _)| p.starts_with(&prefix)).map(|(p, _)| p.clone()),
            }
        })
        .collect();
    let entries = offender_entries(case, team_id);
    IndexedCase {
        case_id: case.id,
        team_id: team_id.to_string(),
        version: stored.info.version,
        package_sha256: stored.info.sha256.clone(),
        received_at: stored.info.received_at,
        opened_at: case.opened_at,
        subject_name: case.subject.name.clone(),
        subject_identifier: case.subject.identifier().map(str::to_string),
        field: case.field.clone(),
        stage: stage(case),
        fine_vnd: case.fine_vnd,
        documents,
        versions: Vec::new(),
        entries,
    }
}

/// A case's offender index entries: its inspection, and one per sanction decision.
pub fn offender_entries(case: &Case, team_id: &str) -> Vec<OffenderEntry> {
    let facts = SubjectFacts::of(&case.subject);
    let entry = |kind, decided_on, act: &str, provision: &str, decision: Option<&String>| OffenderEntry {
        identifier: case.subject.identifier().map(str::to_string),
        folded_name: fold(&case.subject.name),
        name: case.subject.name.clone(),
        province: facts.province,
        commune: facts.commune,
        team_id: team_id.to_string(),
        case_id: case.id,
        act: act.to_string(),
        provision: provision.to_string(),
        decided_on,
        fine_vnd: case.fine_vnd,
        kind,
        unit: None,
        decision: decision.cloned(),
    };
    let mut entries = vec![entry(EntryKind::Inspection, case.opened_at.date(), "", "", None)];
    let sanctions = sanctions_of(case);
    entries.extend(
        sanctions.iter().map(|s| entry(EntryKind::Sanction, s.decided_on, &s.act, &s.provision, s.number.as_ref())),
    );
    entries
}

/// What the province's pages read of a case: the laptop's own list row and facts.
fn row_of(case: &Case, team_id: &str) -> HubRow {
    HubRow { team_id: team_id.to_string(), summary: CaseSummary::of(case), facts: CaseFacts::of(case) }
}

/// Makes the pages' rows again from each case's newest stored package, when they were made
/// with another layout (an older hub): a case whose package cannot be read is left out and
/// named in the log, never stops the hub.
pub fn rebuild_rows(state: &HubState) -> Result<usize, ApiError> {
    if state.store.rows_current()? {
        return Ok(0);
    }
    let mut rows = Vec::new();
    let mut left_out = 0;
    for case in state.store.cases()? {
        let read = open_stored(state, &case.package_sha256).and_then(|opened| {
            let text = opened.case_json().map_err(|e| ApiError::unprocessable("package_invalid", &e.to_string()))?;
            crate::case_file::read(text).map_err(|e| ApiError::unprocessable("package_invalid", &e.to_string()))
        });
        match read {
            Ok(file) => rows.push((case.case_id, row_of(&file.case, &case.team_id))),
            Err(e) => {
                left_out += 1;
                eprintln!("rows: case {} left out: {}", case.case_id, e.refusal.message);
            }
        }
    }
    // Tried again at the next start while a case could not be read.
    state.store.replace_rows(&rows, left_out == 0)?;
    Ok(rows.len())
}

/// The page of the province's offender index after generation `since`, as sent to
/// `team_id`, signed: each case under the team's pseudonym for it, its entries as
/// [`listed`] today; another team's or province's entries also carry the pseudonym instead
/// of their case id (a warning needs the team and the facts, not the case), so that no team
/// learns the case ids of another.
pub fn offender_changes(state: &HubState, team_id: &str, since: u64) -> Result<SignedIndex, ApiError> {
    let page = state.store.index_since(since, state.limits.index_page)?;
    let now = Utc::now();
    let today = now.date_naive();
    let cases = page
        .records
        .into_iter()
        .map(|record| {
            let name = pseudonym(&state.keys.age_identity, team_id, record.case_id);
            let entries = record.entries.into_iter().filter(|e| listed(e, today)).map(|e| seen_by(e, team_id, name));
            (name, entries.collect())
        })
        .collect();
    let generation = |n: u64| {
        i64::try_from(n).map_err(|_| {
            ApiError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "internal", "index generation out of range")
        })
    };
    let delta = IndexDelta {
        generated_at: now,
        expires_at: Some(now + Duration::days(INDEX_VALID_DAYS)),
        // The index as this team sees it (its pseudonyms are the team's own).
        epoch: Some(format!("{}/{team_id}", page.epoch)),
        since: generation(page.since)?,
        generation: generation(page.generation)?,
        more: page.more,
        cases,
    };
    Ok(SignedIndex::sign(&state.secret, &delta, "anchi-hub offender index"))
}

/// An entry as `team_id` is sent it: another team's, or another province's (whatever its
/// team code), under the case's pseudonym `name`.
fn seen_by(mut entry: OffenderEntry, team_id: &str, name: uuid::Uuid) -> OffenderEntry {
    if entry.team_id != team_id || entry.unit.is_some() {
        entry.case_id = name;
    }
    entry
}

/// The whole signed offender index as sent to `team_id` (laptops of before the index was
/// sent by pages): every entry [`listed`] today, as [`offender_changes`] sends them.
pub fn offender_index(state: &HubState, team_id: &str) -> Result<SignedIndex, ApiError> {
    Ok(signed_index(state, entries_seen_by(state, state.store.index_records()?, team_id, |_| true)))
}

/// The index's entries about the subjects with these identifiers that `team_id` does not
/// hold itself (other teams', other provinces'): the answer to a live status event.
pub fn entries_about(
    state: &HubState,
    team_id: &str,
    identifiers: &std::collections::HashSet<&str>,
) -> Result<SignedIndex, ApiError> {
    // Only the cases filed under those identifiers are read.
    let records = state.store.index_records_about(identifiers)?;
    let entries = entries_seen_by(state, records, team_id, |e| {
        e.identifier.as_deref().is_some_and(|id| identifiers.contains(id)) && (e.team_id != team_id || e.unit.is_some())
    });
    Ok(signed_index(state, entries))
}

fn signed_index(state: &HubState, entries: Vec<OffenderEntry>) -> SignedIndex {
    let now = Utc::now();
    let index = OffenderIndex { generated_at: now, expires_at: now + Duration::days(INDEX_VALID_DAYS), entries };
    SignedIndex::sign(&state.secret, &index, "anchi-hub offender index")
}

/// The entries of `records` that are listed today and that `keep` takes (chosen before
/// the pseudonyms are made), as `team_id` sees them.
fn entries_seen_by(
    state: &HubState,
    records: Vec<super::store::IndexRecord>,
    team_id: &str,
    keep: impl Fn(&OffenderEntry) -> bool,
) -> Vec<OffenderEntry> {
    let today = Utc::now().date_naive();
    let mut entries: Vec<OffenderEntry> = Vec::new();
    for record in records {
        let name = pseudonym(&state.keys.age_identity, team_id, record.case_id);
        let kept = record.entries.into_iter().filter(|e| listed(e, today) && keep(e));
        entries.extend(kept.map(|e| seen_by(e, team_id, name)));
    }
    entries.sort_by_key(|e| (e.decided_on, e.case_id));
    entries
}

/// The same for every request of one team, different for each team, and not computable
/// without the hub's secret: a keyed hash of the team and the case id, as a UUID (version 8).
fn pseudonym(secret: &str, team_id: &str, case_id: uuid::Uuid) -> uuid::Uuid {
    let mut hasher = Sha256::new();
    hasher.update(b"anchi-hub case pseudonym\0");
    hasher.update(secret.as_bytes());
    hasher.update(b"\0");
    hasher.update(team_id.as_bytes());
    hasher.update(b"\0");
    hasher.update(case_id.as_bytes());
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// A stored package, read from its file, unsealed with the hub's age identity and opened
/// within the hub's bounds (its signatures were checked when it was received): for a PDF
/// download, or to make the pages' rows again.
pub fn open_stored(state: &HubState, sha256: &str) -> Result<package::Opened, ApiError> {
    let invalid = |e: package::PackageError| ApiError::unprocessable("package_invalid", &e.to_string());
    let bytes = std::fs::read(state.store.package_file(sha256))?;
    let plain = if package::is_sealed(&bytes) {
        package::unseal(&bytes, &state.keys.age_identity).map_err(invalid)?
    } else {
        bytes
    };
    let limits = Limits { max_total_bytes: state.limits.max_package_bytes, ..Limits::default() };
    package::open(&plain, &limits).map_err(invalid)
}
