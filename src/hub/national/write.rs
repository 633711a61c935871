//! Writing a case at the national store: its row (the laptop's own list row and facts),
//! its offender entries and the cross-province pairs they make, in the package's transaction.

use tokio_postgres::types::Json;

use super::db::{DbError, PAIRS, Received, i64_of};
use crate::protocol::{EntryKind, OffenderEntry};

/// The case's row and offender entries, replaced by this version's (the row takes this
/// transaction's id, the offender index's order: migration 0002); false when the case
/// turned out to be another province's (nothing written).
pub(super) async fn write_case(
    tx: &deadpool_postgres::Transaction<'_>,
    province: &str,
    r: &Received,
) -> Result<bool, DbError> {
    let case = &r.case;
    let team = &r.receipt.team_id;
    let summary = Json(crate::domain::CaseSummary::of(case));
    let facts = Json(crate::domain::summary::CaseFacts::of(case));
    let stage = serde_json::to_value(crate::domain::stage(case)).ok().and_then(|v| v.as_str().map(str::to_string));
    // The fine only from a finalised sanction decision (as on the province's pages).
    let fine = (!summary.0.sanction_marks.is_empty()).then(|| i64_of(case.fine_vnd.unwrap_or(0)));
    let under_way = crate::hub::web::under_way(&summary.0);
    let mut groups: Vec<String> = facts.0.goods.iter().map(|g| r.reference.goods_group(&g.name).code.clone()).collect();
    groups.sort();
    groups.dedup();
    let upsert = tx
        .prepare_cached(
            "insert into cases (case_id, province_code, team_id, version, package_id, opened_at, subject_name, subject_identifier, \
             field, stage, fine_vnd, under_way, goods_groups, summary, facts, received_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
             on conflict (case_id) do update set team_id = excluded.team_id, version = excluded.version, package_id = excluded.package_id, \
             opened_at = excluded.opened_at, subject_name = excluded.subject_name, subject_identifier = excluded.subject_identifier, \
             field = excluded.field, stage = excluded.stage, fine_vnd = excluded.fine_vnd, under_way = excluded.under_way, \
             goods_groups = excluded.goods_groups, summary = excluded.summary, facts = excluded.facts, \
             received_at = excluded.received_at, index_xid = excluded.index_xid \
             where cases.province_code = excluded.province_code returning case_id",
        )
        .await?;
    let written = tx
        .query_opt(
            &upsert,
            &[
                &case.id,
                &province,
                team,
                &(r.receipt.version as i32),
                &r.receipt.package_id,
                &case.opened_at,
                &case.subject.name,
                &case.subject.identifier(),
                &case.field,
                &stage.unwrap_or_default(),
                &fine,
                &under_way,
                &groups,
                &summary,
                &facts,
                &r.receipt.received_at,
            ],
        )
        .await?;
    if written.is_none() {
        return Ok(false);
    }
    let clear = tx
        .prepare_cached(
            "with pairs as (delete from offender_pairs where earlier_case = $1 or later_case = $1) \
             delete from offender_entries where case_id = $1",
        )
        .await?;
    tx.execute(&clear, &[&case.id]).await?;
    write_entries(tx, province, &crate::hub::ingest::offender_entries(case, team)).await?;
    let pairs = tx
        .prepare_cached(&format!("insert into offender_pairs {PAIRS} and (a.case_id = $1 or b.case_id = $1)"))
        .await?;
    tx.execute(&pairs, &[&case.id]).await?;
    Ok(true)
}

/// A case's offender entries, in one statement whatever their number.
async fn write_entries(
    tx: &deadpool_postgres::Transaction<'_>,
    province: &str,
    entries: &[OffenderEntry],
) -> Result<(), DbError> {
    if entries.is_empty() {
        return Ok(());
    }
    let kind = |e: &OffenderEntry| match e.kind {
        EntryKind::Sanction => "sanction",
        EntryKind::Inspection => "inspection",
    };
    let column = |f: &dyn Fn(&OffenderEntry) -> Option<String>| entries.iter().map(f).collect::<Vec<_>>();
    let insert = tx
        .prepare_cached(
            "insert into offender_entries (case_id, province_code, team_id, kind, identifier, folded_name, name, act, provision, \
             decided_on, fine_vnd, decision, subject_province, subject_commune) \
             select case_id, $2, team_id, kind, identifier, folded_name, name, act, provision, decided_on, fine_vnd, decision, \
                    subject_province, subject_commune \
             from unnest($1::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], \
                         $10::date[], $11::int8[], $12::text[], $13::int4[], $14::int8[]) \
               as e (case_id, team_id, kind, identifier, folded_name, name, act, provision, decided_on, fine_vnd, decision, \
                     subject_province, subject_commune)",
        )
        .await?;
    let case_ids: Vec<uuid::Uuid> = entries.iter().map(|e| e.case_id).collect();
    let decided: Vec<chrono::NaiveDate> = entries.iter().map(|e| e.decided_on).collect();
    let fines: Vec<Option<i64>> = entries.iter().map(|e| e.fine_vnd.map(i64_of)).collect();
    let provinces: Vec<Option<i32>> = entries.iter().map(|e| e.province.map(i32::from)).collect();
    let communes: Vec<Option<i64>> = entries.iter().map(|e| e.commune.map(i64::from)).collect();
    tx.execute(
        &insert,
        &[
            &case_ids,
            &province,
            &column(&|e| Some(e.team_id.clone())),
            &column(&|e| Some(kind(e).to_string())),
            &column(&|e| e.identifier.clone()),
            &column(&|e| Some(e.folded_name.clone())),
            &column(&|e| Some(e.name.clone())),
            &column(&|e| Some(e.act.clone())),
            &column(&|e| Some(e.provision.clone())),
            &decided,
            &fines,
            &column(&|e| e.decision.clone()),
            &provinces,
            &communes,
        ],
    )
    .await?;
    Ok(())
}
