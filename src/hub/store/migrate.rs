//! Changes of the hub store's stored shapes, applied when the store is opened: the case
//! index's records made before offender entries carried the holding unit and the decision
//! number (`protocol::OffenderEntry::unit`, `decision`) are rewritten in the new shape.

use redb::{ReadableTable, WriteTransaction};
use serde::Deserialize;

use super::{CASES, HubStoreError, IndexedCase, IndexedDocument, META, decode, encode};
use crate::protocol::{EntryKind, OffenderEntry};

/// The shape of the case index's records; absent: the first.
const CASES_FORMAT: &str = "cases_format";
const CURRENT: u32 = 2;

/// An offender entry as stored before the unit and the decision number.
#[derive(Deserialize)]
struct EntryV1 {
    identifier: Option<String>,
    folded_name: String,
    name: String,
    province: Option<u16>,
    commune: Option<u32>,
    team_id: String,
    case_id: uuid::Uuid,
    act: String,
    provision: String,
    decided_on: chrono::NaiveDate,
    fine_vnd: Option<u64>,
    kind: EntryKind,
}

/// A case index record of that time.
#[derive(Deserialize)]
struct IndexedCaseV1 {
    case_id: uuid::Uuid,
    team_id: String,
    version: u32,
    package_sha256: String,
    received_at: chrono::DateTime<chrono::Utc>,
    opened_at: chrono::NaiveDateTime,
    subject_name: String,
    subject_identifier: Option<String>,
    field: String,
    stage: crate::domain::Stage,
    fine_vnd: Option<u64>,
    documents: Vec<IndexedDocument>,
    versions: Vec<(u32, String, chrono::DateTime<chrono::Utc>)>,
    entries: Vec<EntryV1>,
}

impl From<IndexedCaseV1> for IndexedCase {
    fn from(c: IndexedCaseV1) -> IndexedCase {
        let entries = c
            .entries
            .into_iter()
            .map(|e| OffenderEntry {
                identifier: e.identifier,
                folded_name: e.folded_name,
                name: e.name,
                province: e.province,
                commune: e.commune,
                team_id: e.team_id,
                case_id: e.case_id,
                act: e.act,
                provision: e.provision,
                decided_on: e.decided_on,
                fine_vnd: e.fine_vnd,
                kind: e.kind,
                unit: None,
                decision: None,
            })
            .collect();
        IndexedCase {
            case_id: c.case_id,
            team_id: c.team_id,
            version: c.version,
            package_sha256: c.package_sha256,
            received_at: c.received_at,
            opened_at: c.opened_at,
            subject_name: c.subject_name,
            subject_identifier: c.subject_identifier,
            field: c.field,
            stage: c.stage,
            fine_vnd: c.fine_vnd,
            documents: c.documents,
            versions: c.versions,
            entries,
        }
    }
}

/// Rewrites the case index in the current shape, once, inside the opening transaction.
pub(super) fn cases(tx: &WriteTransaction) -> Result<(), HubStoreError> {
    let mut meta = tx.open_table(META)?;
    let format: u32 = meta.get(CASES_FORMAT)?.map(|v| decode("meta", v.value())).transpose()?.unwrap_or(1);
    if format >= CURRENT {
        return Ok(());
    }
    let mut table = tx.open_table(CASES)?;
    let mut old = Vec::new();
    for row in table.iter()? {
        let (k, v) = row?;
        old.push((k.value(), decode::<IndexedCaseV1>("cases", v.value())?));
    }
    for (key, case) in old {
        table.insert(key, encode(&IndexedCase::from(case)).as_slice())?;
    }
    meta.insert(CASES_FORMAT, encode(&CURRENT).as_slice())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_index_record_of_the_first_shape_is_read_and_rewritten() {
        #[derive(serde::Serialize)]
        struct Old<'a> {
            identifier: Option<&'a str>,
            folded_name: &'a str,
            name: &'a str,
            province: Option<u16>,
            commune: Option<u32>,
            team_id: &'a str,
            case_id: uuid::Uuid,
            act: &'a str,
            provision: &'a str,
            decided_on: chrono::NaiveDate,
            fine_vnd: Option<u64>,
            kind: EntryKind,
        }
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let at = day.and_hms_opt(9, 0, 0).unwrap();
        let id = uuid::Uuid::now_v7();
        let entry = Old {
            identifier: Some("0101234567"),
            folded_name: "cong ty a",
            name: "Công ty A",
            province: Some(1),
            commune: None,
            team_id: "HN-D1",
            case_id: id,
            act: "Bán hàng giả",
            provision: "khoản 1 Điều 9",
            decided_on: day,
            fine_vnd: Some(5_000_000),
            kind: EntryKind::Sanction,
        };
        let bytes = postcard::to_stdvec(&(
            id,
            "HN-D1",
            2u32,
            "ab",
            chrono::Utc::now(),
            at,
            "Công ty A",
            Some("0101234567"),
            "hang-gia",
            crate::domain::Stage::Moi,
            Some(5_000_000u64),
            Vec::<IndexedDocument>::new(),
            vec![(1u32, "aa".to_string(), chrono::Utc::now())],
            vec![entry],
        ))
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = redb::Database::create(dir.path().join("hub.redb")).unwrap();
        let tx = db.begin_write().unwrap();
        tx.open_table(CASES).unwrap().insert(id.as_u128(), bytes.as_slice()).unwrap();
        cases(&tx).unwrap();
        let case: IndexedCase =
            decode("cases", tx.open_table(CASES).unwrap().get(id.as_u128()).unwrap().unwrap().value()).unwrap();
        assert_eq!((case.entries[0].name.as_str(), case.entries[0].unit.as_deref()), ("Công ty A", None));
        assert_eq!(case.versions.len(), 1);
        // Once: the shape is marked, and the record is not read as the old one again.
        cases(&tx).unwrap();
        let again: IndexedCase =
            decode("cases", tx.open_table(CASES).unwrap().get(id.as_u128()).unwrap().unwrap().value()).unwrap();
        assert_eq!(again, case);
    }
}
