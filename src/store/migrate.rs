//! Schema versions and migrations. The schema version lives in the `meta` table; each
//! migration moves the file one version forward. All steps run in one write transaction,
//! so a failed migration leaves the file exactly as it was.

use redb::ReadableTable;

use super::{
    CASE_JOURNAL, CASES, FACTS, JOURNAL, META, NUMBER_COUNTERS, NUMBERS, OpenError, PACKAGES, SCHEMA_KEY, SUMMARIES,
    Store, StoreError, Writer, record,
};

/// The schema this build writes. The committed fixture `tests/fixtures/schema-v1.redb`
/// was written by the first version and must keep opening.
pub const CURRENT_SCHEMA: u32 = 11;

/// One step from schema `from` to `from + 1`.
pub struct Migration {
    pub from: u32,
    pub describe: &'static str,
    pub run: fn(&mut Writer) -> Result<(), StoreError>,
}

/// The migrations of this build, oldest first.
pub const MIGRATIONS: &[Migration] = &[
    Migration { from: 1, describe: "index the journal by case", run: index_journal_by_case },
    Migration { from: 2, describe: "add the signed packages table", run: add_packages_table },
    Migration {
        from: 3,
        describe: "rebuild the case list rows with subject places and sanctions",
        run: rebuild_summaries,
    },
    Migration {
        from: 4,
        describe: "rebuild the case list rows with the kinds of their drafts",
        run: rebuild_summaries,
    },
    Migration {
        from: 5,
        describe: "documents finalised so far keep the forms they were printed with",
        run: mark_legacy_forms,
    },
    Migration {
        from: 6,
        describe: "rebuild the case list rows with the day a seizure is extended to",
        run: rebuild_summaries,
    },
    Migration {
        from: 7,
        describe: "rebuild the case facts with the act chosen from the catalogue of violations",
        run: rebuild_summaries,
    },
    Migration {
        from: 8,
        describe: "rebuild the case list rows with their dates as numbers (read without parsing text)",
        run: rebuild_summaries,
    },
    Migration {
        from: 9,
        describe: "index the journal by case every 64 entries (an older build would read the index alone)",
        run: index_in_steps,
    },
    Migration {
        from: 10,
        describe: "keep the cases and journal entries written since the journal's last 64 in small tables \
                   (an older build would not read them)",
        run: add_recent_tables,
    },
];

/// Schema 11: what changed since the journal's last boundary is kept in small tables
/// ([`super::recent`]). A schema 10 file has none yet: the tables start empty, and the
/// version keeps an older build, which would not read them, from opening the file.
fn add_recent_tables(w: &mut Writer) -> Result<(), StoreError> {
    w.tx().open_table(super::recent::CASES_RECENT)?;
    w.tx().open_table(super::recent::JOURNAL_RECENT)?;
    Ok(())
}

/// Schema 10: the case index is brought up to date every 64 journal entries, and a
/// history reads the entries past it from the journal ([`super::journal`]). A schema 9
/// file indexed every entry, so its index is complete: nothing to change but the version,
/// which keeps an older build (that reads the index alone) from opening the file.
fn index_in_steps(_: &mut Writer) -> Result<(), StoreError> {
    Ok(())
}

/// The meta key of the moment this file moved to schema 6: documents finalised before it
/// were made with the first version of each form, and keep printing with it, whatever
/// edition is in force on their date (a finalised document never changes).
pub const LEGACY_FORMS_BEFORE_KEY: &str = "forms_legacy_before";

/// Schema 6: forms have dated editions; mark where the older file's documents end.
fn mark_legacy_forms(w: &mut Writer) -> Result<(), StoreError> {
    use chrono::Timelike;
    let now = chrono::Local::now().naive_local().with_nanosecond(0).expect("zero nanoseconds is valid");
    w.put_meta(LEGACY_FORMS_BEFORE_KEY, &now, "store.migrate: forms_legacy_before")
}

/// Schema 4: list rows carry the subject's admin units, the sanctions and the acts that
/// repeat-offence warnings read. Rows are derived, so each is made again from its case:
/// from its main row, then from its recent row, which stands for it (schema 11).
pub(super) fn rebuild_summaries(w: &mut Writer) -> Result<(), StoreError> {
    let tx = w.tx();
    let (cases, recent) = (tx.open_table(CASES)?, tx.open_table(super::recent::CASES_RECENT)?);
    let mut summaries = tx.open_table(SUMMARIES)?;
    let mut facts = tx.open_table(FACTS)?;
    for row in cases.iter()?.chain(recent.iter()?) {
        let (key, value) = row?;
        let case: crate::domain::Case = record::decode_case(value.value())?;
        summaries.insert(key.value(), record::encode(&crate::domain::CaseSummary::of(&case)).as_slice())?;
        facts.insert(key.value(), record::encode(&crate::domain::summary::CaseFacts::of(&case)).as_slice())?;
    }
    Ok(())
}

/// Schema 3: the versions of each case's signed packages.
fn add_packages_table(w: &mut Writer) -> Result<(), StoreError> {
    w.tx().open_table(PACKAGES)?;
    Ok(())
}

/// Schema 2: the case history reads an index instead of scanning the whole journal.
fn index_journal_by_case(w: &mut Writer) -> Result<(), StoreError> {
    w.index_entries(0..)
}

pub(super) fn bring_to_current(store: &Store, migrations: &[Migration]) -> Result<(), OpenError> {
    bring_to(store, CURRENT_SCHEMA, migrations)
}

fn bring_to(store: &Store, target: u32, migrations: &[Migration]) -> Result<(), OpenError> {
    let path = store.path.clone();
    let corrupt = |e: StoreError| OpenError::Corrupt { path: path.clone(), detail: e.to_string() };
    let found = store.schema_version().map_err(corrupt)?;
    if found == target {
        return Ok(());
    }
    if found > target {
        return Err(OpenError::NewerSchema { path: path.clone(), found, supported: target });
    }
    let result = store.write("system", |w: &mut Writer| -> Result<(), StoreError> {
        if found == 0 {
            create_tables(w)?;
            return w.put_meta(SCHEMA_KEY, &target, "store.create");
        }
        for version in found..target {
            let step = migrations.iter().find(|m| m.from == version).ok_or_else(|| StoreError::Decode {
                table: "meta",
                detail: format!("no migration from schema {version}"),
            })?;
            (step.run)(w)?;
            w.put_meta(SCHEMA_KEY, &(version + 1), &format!("store.migrate: {}", step.describe))?;
        }
        Ok(())
    });
    result.map_err(|e| OpenError::Migration { path: path.clone(), from: found, detail: e.to_string() })
}

fn create_tables(w: &mut Writer) -> Result<(), StoreError> {
    let tx = w.tx();
    tx.open_table(META)?;
    tx.open_table(CASES)?;
    tx.open_table(SUMMARIES)?;
    tx.open_table(JOURNAL)?;
    tx.open_table(CASE_JOURNAL)?;
    tx.open_table(NUMBER_COUNTERS)?;
    tx.open_table(NUMBERS)?;
    tx.open_table(PACKAGES)?;
    tx.open_table(FACTS)?;
    tx.open_table(super::recent::CASES_RECENT)?;
    tx.open_table(super::recent::JOURNAL_RECENT)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add_marker(w: &mut Writer) -> Result<(), StoreError> {
        w.put_meta("marker", &"migrated".to_string(), "test.marker")
    }

    fn fail(_: &mut Writer) -> Result<(), StoreError> {
        Err(StoreError::Decode { table: "test", detail: "boom".into() })
    }

    #[test]
    fn migrations_run_in_order_and_record_the_version() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.redb")).unwrap();
        let steps = [
            Migration { from: CURRENT_SCHEMA, describe: "marker", run: add_marker },
            Migration { from: CURRENT_SCHEMA + 1, describe: "noop", run: |_| Ok(()) },
        ];
        bring_to(&store, CURRENT_SCHEMA + 2, &steps).unwrap();
        assert_eq!(store.schema_version().unwrap(), CURRENT_SCHEMA + 2);
        assert_eq!(store.meta::<String>("marker").unwrap().as_deref(), Some("migrated"));
        assert!(store.verify_journal().unwrap().first_broken.is_none());
    }

    #[test]
    fn a_failed_migration_leaves_the_file_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.redb")).unwrap();
        let steps = [
            Migration { from: CURRENT_SCHEMA, describe: "marker", run: add_marker },
            Migration { from: CURRENT_SCHEMA + 1, describe: "fails", run: fail },
        ];
        let err = bring_to(&store, CURRENT_SCHEMA + 2, &steps).unwrap_err();
        assert!(matches!(err, OpenError::Migration { from: CURRENT_SCHEMA, .. }), "{err}");
        assert_eq!(store.schema_version().unwrap(), CURRENT_SCHEMA);
        assert_eq!(store.meta::<String>("marker").unwrap(), None);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a.redb")).unwrap();
        store.write("t", |w| w.put_meta(SCHEMA_KEY, &(CURRENT_SCHEMA + 1), "test.bump")).unwrap();
        let err = bring_to(&store, CURRENT_SCHEMA, &[]).unwrap_err();
        assert!(matches!(err, OpenError::NewerSchema { found, .. } if found == CURRENT_SCHEMA + 1));
    }
}
