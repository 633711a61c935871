-- The national offender index, incremental: each write of a case's entries takes the next
-- number of `offender_index_seq`, so a province asks for the cases changed since the number
-- it last saw. Entries keep the sanction decision's number.

create sequence offender_index_seq;
alter table cases add column index_seq bigint not null default nextval('offender_index_seq');
create index cases_index_seq on cases (index_seq);
alter table offender_entries add column decision text,
    add column subject_province integer,
    add column subject_commune bigint;
