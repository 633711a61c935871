//! What the national pages read from PostgreSQL: counts by province for today, the week
//! and the month (served by the indexes on the opening day and on cases under way), by
//! field and goods group, sanctions and fines; cases under way; one case with its versions
//! and receipts; the staff and the access log; the subjects sanctioned in two provinces and
//! the national offender index's changes (for the provinces).

use chrono::{DateTime, NaiveDate, Utc};

use super::db::{CaseRow, Db, DbError, u64_of};
use crate::protocol::{EntryKind, OffenderEntry};

/// One province's line on the national page.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ProvinceLine {
    pub code: String,
    pub name: String,
    pub today: i64,
    pub week: i64,
    pub month: i64,
    pub under_way: i64,
    /// Cases reported under way today by live status (đang kiểm tra).
    pub live: i64,
    /// Sanction decisions made this month, and the fines of their cases.
    pub decisions: i64,
    pub fines_vnd: i64,
}

/// A version of a case as received.
#[derive(Debug, Clone)]
pub struct Version {
    pub version: i32,
    pub package_id: String,
    pub sha256: String,
    pub team_id: String,
    pub received_at: DateTime<Utc>,
    /// The national receipt's text as signed.
    pub receipt: String,
}

const ENTRY_COLUMNS: &str = "select e.case_id, e.kind, e.identifier, e.folded_name, e.name, e.team_id, e.act, e.provision, \
                             e.decided_on, e.fine_vnd, e.decision, p.name, e.subject_province, e.subject_commune \
                             from offender_entries e join provinces p on p.code = e.province_code";

/// An offender entry as the national index tells it: named by its province.
fn entry_of(r: &tokio_postgres::Row) -> OffenderEntry {
    let kind = if r.get::<_, &str>(1) == "sanction" { EntryKind::Sanction } else { EntryKind::Inspection };
    OffenderEntry {
        identifier: r.get(2),
        folded_name: r.get(3),
        name: r.get(4),
        province: r.get::<_, Option<i32>>(12).and_then(|p| u16::try_from(p).ok()),
        commune: r.get::<_, Option<i64>>(13).and_then(|c| u32::try_from(c).ok()),
        team_id: r.get(5),
        case_id: r.get(0),
        act: r.get(6),
        provision: r.get(7),
        decided_on: r.get(8),
        fine_vnd: r.get::<_, Option<i64>>(9).map(u64_of),
        kind,
        decision: r.get(10),
        unit: Some(r.get(11)),
    }
}

pub(super) const CASE_COLUMNS: &str = "select province_code, team_id, case_id, version, opened_at, subject_name, subject_identifier, \
                            field, stage, fine_vnd from cases";

pub(super) fn case_row(r: &tokio_postgres::Row) -> CaseRow {
    CaseRow {
        province_code: r.get(0),
        team_id: r.get(1),
        case_id: r.get(2),
        version: r.get::<_, i32>(3) as u32,
        opened_at: r.get(4),
        subject_name: r.get(5),
        subject_identifier: r.get(6),
        field: r.get(7),
        stage: r.get(8),
        fine_vnd: r.get::<_, Option<i64>>(9).map(u64_of),
    }
}

impl Db {
    /// Every enrolled province with its counts (`today`, its week's Monday, its month's first day).
    pub async fn by_province(
        &self,
        today: NaiveDate,
        week: NaiveDate,
        month: NaiveDate,
    ) -> Result<Vec<ProvinceLine>, DbError> {
        let client = self.pool().await?;
        let mut lines: Vec<ProvinceLine> = client
            .query("select code, name from provinces order by code", &[])
            .await?
            .iter()
            .map(|r| ProvinceLine { code: r.get(0), name: r.get(1), ..ProvinceLine::default() })
            .collect();
        let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).expect("midnight exists");
        let (from, day0, week0, month0) = (midnight(week.min(month)), midnight(today), midnight(week), midnight(month));
        let opened = client
            .query(
                "select province_code, count(*) filter (where opened_at >= $2), count(*) filter (where opened_at >= $3), \
                 count(*) filter (where opened_at >= $4) from cases where opened_at >= $1 group by province_code",
                &[&from, &day0, &week0, &month0],
            )
            .await?;
        let under_way = client
            .query("select province_code, count(*) from cases where under_way group by province_code", &[])
            .await?;
        let sanctions = client
            .query(
                "select s.province_code, count(*), coalesce(sum(c.fine_vnd), 0)::bigint from \
                 (select distinct on (case_id) case_id, province_code from offender_entries \
                  where kind = 'sanction' and decided_on >= $1) s join cases c using (case_id) group by s.province_code",
                &[&month],
            )
            .await?;
        let decisions = client
            .query(
                "select province_code, count(*) from offender_entries where kind = 'sanction' and decided_on >= $1 \
                 group by province_code",
                &[&month],
            )
            .await?;
        use chrono::TimeZone as _;
        let local_midnight = chrono::Local.from_local_datetime(&day0).earliest().map(|d| d.with_timezone(&Utc));
        let live = self.live_by_province(local_midnight.unwrap_or_else(Utc::now)).await?;
        for line in &mut lines {
            let of = |rows: &[tokio_postgres::Row]| rows.iter().find(|r| r.get::<_, &str>(0) == line.code).cloned();
            if let Some(r) = of(&opened) {
                (line.today, line.week, line.month) = (r.get(1), r.get(2), r.get(3));
            }
            line.under_way = of(&under_way).map_or(0, |r| r.get(1));
            line.fines_vnd = of(&sanctions).map_or(0, |r| r.get(2));
            line.decisions = of(&decisions).map_or(0, |r| r.get(1));
            line.live = live.iter().find(|(code, _)| *code == line.code).map_or(0, |(_, n)| *n);
        }
        Ok(lines)
    }

    /// Cases opened from `from`, by field code.
    pub async fn by_field(&self, from: NaiveDate) -> Result<Vec<(String, i64)>, DbError> {
        let client = self.pool().await?;
        let from = from.and_hms_opt(0, 0, 0).expect("midnight exists");
        let rows = client
            .query(
                "select field, count(*) from cases where opened_at >= $1 group by field order by 2 desc, 1",
                &[&from],
            )
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Cases opened from `from`, by goods group code (a case counts in each of its groups).
    pub async fn by_goods_group(&self, from: NaiveDate) -> Result<Vec<(String, i64)>, DbError> {
        let client = self.pool().await?;
        let from = from.and_hms_opt(0, 0, 0).expect("midnight exists");
        let rows = client
            .query(
                "select g, count(*) from cases, unnest(goods_groups) g where opened_at >= $1 group by g order by 2 desc, 1",
                &[&from],
            )
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// Cases under way (of one province, or all), newest first: a page of them and how many in all.
    pub async fn under_way(
        &self,
        province: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<CaseRow>, i64), DbError> {
        let client = self.pool().await?;
        let rows = client
            .query(
                &format!(
                    "{CASE_COLUMNS} where under_way and ($1::text is null or province_code = $1) \
                     order by opened_at desc, case_id offset $2 limit $3"
                ),
                &[&province, &offset, &limit],
            )
            .await?;
        let total: i64 = client
            .query_one(
                "select count(*) from cases where under_way and ($1::text is null or province_code = $1)",
                &[&province],
            )
            .await?
            .get(0);
        Ok((rows.iter().map(case_row).collect(), total))
    }

    /// A case's row and its province's name.
    pub async fn case(&self, id: uuid::Uuid) -> Result<Option<(CaseRow, String, bool)>, DbError> {
        let client = self.pool().await?;
        let row = client
            .query_opt(
                "select c.province_code, c.team_id, c.case_id, c.version, c.opened_at, c.subject_name, c.subject_identifier, \
                 c.field, c.stage, c.fine_vnd, p.name, c.under_way from cases c join provinces p on p.code = c.province_code \
                 where c.case_id = $1",
                &[&id],
            )
            .await?;
        Ok(row.map(|r| (case_row(&r), r.get(10), r.get(11))))
    }

    /// Every version received of a case, oldest first.
    pub async fn versions(&self, id: uuid::Uuid) -> Result<Vec<Version>, DbError> {
        let client = self.pool().await?;
        let rows = client
            .query(
                "select version, package_id, sha256, team_id, received_at, receipt from packages where case_id = $1 order by version",
                &[&id],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| Version {
                version: r.get(0),
                package_id: r.get(1),
                sha256: r.get(2),
                team_id: r.get(3),
                received_at: r.get(4),
                receipt: r.get(5),
            })
            .collect())
    }

    /// The bytes of the package holding a case's newest version.
    pub async fn newest_package(&self, id: uuid::Uuid) -> Result<Option<Vec<u8>>, DbError> {
        let client = self.pool().await?;
        let row = client
            .query_opt("select p.bytes from cases c join packages p using (package_id) where c.case_id = $1", &[&id])
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    /// Subjects (by identifier) sanctioned in two or more provinces, the later decision
    /// within a year of the earlier (khoản 1 Điều 7 Luật XLVPHC's look-back).
    /// Returns a page of them (`offset`, `limit`) and how many there are in all.
    pub async fn cross_province_offenders(&self, offset: i64, limit: i64) -> Result<(Vec<Offender>, i64), DbError> {
        let client = self.pool().await?;
        // Kept as cases are written (`offender_pairs`, `db::PAIRS`): read by its index.
        let rows = client
            .query(
                "select identifier, name, earlier_province, earlier_case, earlier_on, earlier_act, \
                 later_province, later_case, later_on, later_act from offender_pairs \
                 order by later_on desc, identifier, earlier_on offset $1 limit $2",
                &[&offset, &limit],
            )
            .await?;
        let total: i64 = client.query_one("select count(*) from offender_pairs", &[]).await?.get(0);
        let found = rows
            .iter()
            .map(|r| Offender {
                identifier: r.get(0),
                name: r.get(1),
                earlier: Sanction { province_code: r.get(2), case_id: r.get(3), decided_on: r.get(4), act: r.get(5) },
                later: Sanction { province_code: r.get(6), case_id: r.get(7), decided_on: r.get(8), act: r.get(9) },
            })
            .collect();
        Ok((found, total))
    }

    /// The other provinces' cases whose entries were written after `since` (a transaction
    /// id: migration 0002), in the order they were written, at most about `limit` cases: a
    /// page ends with a whole transaction (one case as the server writes them; a page holds
    /// every case of a larger transaction, such as the rows a migration rewrote). Returns
    /// the cases with their entries, the id of the last (`since` when none) and whether more
    /// follow. Only transactions before the oldest one still running are answered, so the
    /// next page from that id misses nothing.
    pub async fn index_since(
        &self,
        province: &str,
        since: i64,
        limit: i64,
    ) -> Result<(Vec<(uuid::Uuid, Vec<OffenderEntry>)>, i64, bool), DbError> {
        let client = self.pool().await?;
        const CHANGED: &str = "select case_id, index_xid::text::bigint as generation from cases \
             where index_xid > $1::bigint::text::xid8 and index_xid < pg_snapshot_xmin(pg_current_snapshot()) \
               and province_code <> $2";
        let mut changed = client
            .query(&format!("{CHANGED} order by cases.index_xid limit $3"), &[&since, &province, &(limit + 1)])
            .await?;
        let more = changed.len() as i64 > limit;
        if more {
            // The page ends before the transaction the one past the limit belongs to, or,
            // when one transaction fills it, with the whole of that transaction.
            let cut: i64 = changed[limit as usize].get(1);
            changed.retain(|r| r.get::<_, i64>(1) != cut);
            if changed.is_empty() {
                changed = client
                    .query(&format!("{CHANGED} and index_xid = $3::bigint::text::xid8"), &[&since, &province, &cut])
                    .await?;
            }
        }
        let ids: Vec<uuid::Uuid> = changed.iter().map(|r| r.get(0)).collect();
        let last = changed.last().map_or(since, |r| r.get(1));
        // Sanctions whatever their age, inspections of the last 180 days (as the hubs serve them).
        let rows = client
            .query(
                &format!("{ENTRY_COLUMNS} where e.case_id = any($1) and (e.kind = 'sanction' or e.decided_on >= current_date - 180)"),
                &[&ids],
            )
            .await?;
        let mut by_case: std::collections::HashMap<uuid::Uuid, Vec<OffenderEntry>> =
            ids.iter().map(|id| (*id, Vec::new())).collect();
        for r in &rows {
            let entry = entry_of(r);
            by_case.entry(entry.case_id).or_default().push(entry);
        }
        let cases = ids.iter().map(|id| (*id, by_case.remove(id).unwrap_or_default())).collect();
        Ok((cases, last, more))
    }

    /// Keeps a province's live status events (each case's newest; a case held by another
    /// province is not this one's to report, and is left out).
    pub async fn record_status(&self, province: &str, events: &[crate::protocol::StatusEvent]) -> Result<(), DbError> {
        let mut client = self.pool().await?;
        let tx = client.transaction().await?;
        for e in events {
            let stage =
                serde_json::to_value(e.stage).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            let open = !e.stage.is_closed() && e.stage != crate::domain::Stage::DaHuy;
            tx.execute(
                "insert into live_status (case_id, province_code, team_id, stage, open, subject_identifier, subject_commune, at, received_at) \
                 select $1, $2, $3, $4, $5, $6, $7, $8, now() \
                 where not exists (select 1 from cases where case_id = $1 and province_code <> $2) \
                 on conflict (case_id) do update set team_id = excluded.team_id, stage = excluded.stage, open = excluded.open, \
                 subject_identifier = excluded.subject_identifier, subject_commune = excluded.subject_commune, \
                 at = excluded.at, received_at = excluded.received_at \
                 where live_status.province_code = excluded.province_code and live_status.at <= excluded.at",
                &[&e.case_id, &province, &e.team_id, &stage, &open, &e.subject_identifier, &e.commune.map(i64::from), &e.at],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The other provinces' offender entries about subjects with these identifiers.
    pub async fn entries_about(&self, province: &str, identifiers: &[String]) -> Result<Vec<OffenderEntry>, DbError> {
        let client = self.pool().await?;
        let rows = client
            .query(
                &format!("{ENTRY_COLUMNS} where e.identifier = any($1) and e.province_code <> $2"),
                &[&identifiers, &province],
            )
            .await?;
        Ok(rows.iter().map(entry_of).collect())
    }

    /// Cases reported under way by live status since `from`, by province.
    pub async fn live_by_province(&self, from: DateTime<Utc>) -> Result<Vec<(String, i64)>, DbError> {
        let client = self.pool().await?;
        let rows = client
            .query(
                "select province_code, count(*) from live_status where open and at >= $1 group by province_code",
                &[&from],
            )
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// A national staff member's password hash.
    pub async fn password_hash(&self, name: &str) -> Result<Option<String>, DbError> {
        let client = self.pool().await?;
        Ok(client.query_opt("select password_hash from users where name = $1", &[&name]).await?.map(|r| r.get(0)))
    }

    /// Records who opened what of a case (Nghị định 13/2023/NĐ-CP).
    pub async fn log_access(&self, user: &str, case_id: uuid::Uuid, what: &str) -> Result<(), DbError> {
        self.log_access_many(user, &[case_id], what).await
    }

    /// [`Db::log_access`] of every case a list showed, in one statement.
    pub async fn log_access_many(&self, user: &str, case_ids: &[uuid::Uuid], what: &str) -> Result<(), DbError> {
        let client = self.pool().await?;
        client
            .execute(
                "insert into access_log (at, user_name, case_id, what) \
                 select now(), $1, id, $3 from unnest($2::uuid[]) as id",
                &[&user, &case_ids, &what],
            )
            .await?;
        Ok(())
    }
}

/// One sanction of a repeat offender.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Sanction {
    pub province_code: String,
    pub case_id: uuid::Uuid,
    pub decided_on: chrono::NaiveDate,
    pub act: String,
}

/// A subject sanctioned in one province, then in another within the look-back.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Offender {
    pub identifier: String,
    pub name: String,
    pub earlier: Sanction,
    pub later: Sanction,
}
