-- The national server's store (anchi-hub national): provinces enrolled with their hub
-- keys, the team keys each province vouched for, uploads in progress, every package
-- received (bytes included), each case's newest row and its offender index entries, and
-- the national staff. Applied once, in one transaction, by `anchi-hub national init|serve`.

create table provinces (
    code text primary key,
    name text not null,
    key_id text not null unique,
    public_key text not null,
    enrolled_at timestamptz not null,
    revoked_at timestamptz
);

-- A province's signed statement that a device key is one of its teams' (kept as signed).
create table team_keys (
    province_code text not null references provinces (code),
    key_id text not null,
    team_id text not null,
    team_name text not null,
    public_key text not null,
    enrolled_at timestamptz not null,
    revoked_at timestamptz,
    statement text not null,
    signature text not null,
    primary key (province_code, key_id)
);

create table uploads (
    upload_id text primary key,
    province_code text not null references provinces (code),
    package_id text not null,
    size bigint not null check (size > 0),
    sha256 text not null,
    received bigint not null default 0,
    started_at timestamptz not null,
    unique (province_code, package_id)
);

create table packages (
    package_id text primary key,
    sha256 text not null,
    province_code text not null references provinces (code),
    team_id text not null,
    case_id uuid not null,
    version integer not null,
    size bigint not null,
    received_at timestamptz not null,
    receipt text not null,
    signature text not null,
    bytes bytea not null
);
create index packages_case on packages (case_id, version);

-- The national offender index, incremental: each write of a case's entries takes the next
-- number, so a province asks for the cases changed since the number it last saw.
create sequence offender_index_seq;

-- The newest version of each case, as the laptop's own list row (summary, facts); the
-- fine only from a finalised sanction decision; its goods lines' groups.
create table cases (
    case_id uuid primary key,
    province_code text not null references provinces (code),
    team_id text not null,
    version integer not null,
    package_id text not null references packages (package_id),
    opened_at timestamp not null,
    subject_name text not null,
    subject_identifier text,
    field text not null,
    stage text not null,
    fine_vnd bigint,
    under_way boolean not null,
    goods_groups text[] not null,
    summary jsonb not null,
    facts jsonb not null,
    received_at timestamptz not null,
    -- Taken under the case write lock just before the commit (`db.rs`): 0 until then.
    index_seq bigint not null default 0
);
create index cases_province_opened on cases (province_code, opened_at desc);
create index cases_opened on cases (opened_at desc);
create index cases_under_way on cases (province_code, opened_at desc) where under_way;
create index cases_index_seq on cases (index_seq);
create index cases_identifier on cases (subject_identifier);

-- What the offender index says of each case: its inspection and each sanction decision.
create table offender_entries (
    case_id uuid not null references cases (case_id) on delete cascade,
    province_code text not null,
    team_id text not null,
    kind text not null check (kind in ('sanction', 'inspection')),
    identifier text,
    folded_name text not null,
    name text not null,
    act text not null,
    provision text not null,
    decided_on date not null,
    fine_vnd bigint,
    decision text,
    subject_province integer,
    subject_commune bigint
);
create index offender_entries_case on offender_entries (case_id);
create index offender_entries_identifier on offender_entries (identifier, decided_on) where kind = 'sanction';
create index offender_entries_sanctions on offender_entries (decided_on) where kind = 'sanction';

-- Subjects sanctioned in two provinces, the later decision within a year of the earlier
-- (the national page's list), kept as each case is written: one row per pair of decisions.
create table offender_pairs (
    earlier_case uuid not null,
    later_case uuid not null,
    identifier text not null,
    name text not null,
    earlier_province text not null,
    earlier_on date not null,
    earlier_act text not null,
    later_province text not null,
    later_on date not null,
    later_act text not null
);
create index offender_pairs_later on offender_pairs (later_on desc, identifier, earlier_on);
create index offender_pairs_earlier_case on offender_pairs (earlier_case);
create index offender_pairs_later_case on offender_pairs (later_case);

create table users (
    name text primary key,
    password_hash text not null,
    created_at timestamptz not null
);

-- Each case's newest live status, relayed by its province (no document content).
create table live_status (
    case_id uuid primary key,
    province_code text not null references provinces (code),
    team_id text not null,
    stage text not null,
    open boolean not null,
    subject_identifier text,
    subject_commune bigint,
    at timestamptz not null,
    received_at timestamptz not null
);
create index live_status_open on live_status (at desc) where open;

-- Who viewed which case's personal data (Nghị định 13/2023/NĐ-CP).
create table access_log (
    id bigserial primary key,
    at timestamptz not null,
    user_name text not null,
    case_id uuid not null,
    what text not null
);
