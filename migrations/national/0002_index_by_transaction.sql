-- The offender index's order without a lock (replaces the sequence taken under an advisory
-- lock at the end of every case write, which made the writes wait on one another).
--
-- Each write of a case records the id of its transaction (`index_xid`, a 64-bit id that
-- never wraps). A province asks for the cases written after the id it last saw, and is
-- answered only with ids below the oldest transaction still running
-- (`pg_snapshot_xmin(pg_current_snapshot())`): every transaction before that one has ended,
-- so a province that saw id n has seen every case written by a transaction before n. A
-- write still running (or a long transaction anywhere in the cluster) only delays what the
-- provinces see; it never hides a case from them.
--
-- The rows written before this migration keep their old number as their id: every case
-- write took one transaction id and at most one number, so the numbers are all below the
-- ids of the writes to come (checked here), and a province carries on from the number it
-- holds, sent nothing twice, its pages still of 5,000 cases.
do $$
begin
    if (select coalesce(max(index_seq), 0) from cases) >= pg_current_xact_id()::text::bigint then
        raise exception 'cases.index_seq runs ahead of the transaction ids: the index cannot keep its order';
    end if;
end $$;
alter table cases add column index_xid xid8;
update cases set index_xid = index_seq::text::xid8;
alter table cases alter column index_xid set not null;
alter table cases alter column index_xid set default pg_current_xact_id();
drop index cases_index_seq;
alter table cases drop column index_seq;
drop sequence offender_index_seq;
create index cases_index_xid on cases (index_xid);

-- A package's bytes are compressed already (and sealed ones are encrypted): stored out of
-- line without trying to compress them again (the attempt took a sixth of the CPU of ingest).
alter table packages alter column bytes set storage external;
