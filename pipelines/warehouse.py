"""The DuckDB warehouse: tables built from the contracts, the load manifest, the audit log, and the
snapshot macros that define "the data as of a cut-off date" once for every query.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from data_contracts import contracts
from data_contracts.reference import REFERENCE_TABLES, reference_frame

DEFAULT_WAREHOUSE = Path("data/warehouse.duckdb")

BOOKKEEPING_DDL = """
create table if not exists warehouse_info (key varchar primary key, value varchar);
create table if not exists load_manifest (
    load_id varchar primary key, file_name varchar not null, sha256 varchar not null,
    kind varchar, file_format varchar, entities varchar, as_of date,
    rows_in bigint, rows_loaded bigint, rows_rejected bigint,
    status varchar not null,  -- accepted | rejected | superseded
    message varchar, notes varchar, contract_version varchar, gx_result json,
    started_at timestamp, finished_at timestamp, loaded_by varchar
);
create table if not exists load_problems (
    load_id varchar not null, row_number bigint, column_name varchar, rule varchar not null,
    message varchar, value varchar
);
-- the GX validation result of each load (counts, no data value); Data Docs are rendered from it
create table if not exists gx_validations (load_id varchar primary key, result json not null);
create table if not exists audit_log (
    logged_at timestamp not null default current_timestamp, actor varchar not null, role varchar,
    action varchar not null, detail json
);
-- the protected release (psea.disclosure.release): published cells only, never a hidden value
create table if not exists releases (
    release_id varchar primary key, purpose varchar not null, meeting_date date, cutoff date not null,
    coverage json, status varchar not null,  -- published | superseded | failed
    cells bigint, hidden bigint, primary_hidden bigint, audit json, seconds double,
    data_key varchar, built_at timestamp, built_by varchar
);
create table if not exists release_cells (
    release_id varchar not null, family varchar not null, breakdown varchar not null,
    "group" varchar not null, scope varchar not null, period varchar not null,
    value bigint, hidden boolean not null
);
-- withdrawn: the cell's breakdown is withheld as a whole (not broken down); public: the UN
-- publishes it; missing: the entities an all-entities cell leaves out ("NRC:not_carried")
alter table release_cells add column if not exists withdrawn boolean;
alter table release_cells add column if not exists public boolean;
alter table release_cells add column if not exists missing varchar;
create table if not exists release_statistics (
    release_id varchar not null, statistic varchar not null, measure varchar not null,
    scope varchar not null, period varchar not null, n bigint, value double, withheld boolean not null
);
alter table release_statistics add column if not exists missing varchar;
-- every brief handed out, as it was (pipelines.archive)
create table if not exists brief_archive (
    archive_id varchar not null, meeting_date date not null, entity varchar, release_id varchar,
    file_name varchar not null, sha256 varchar not null, content blob not null,
    produced_by varchar, role varchar, produced_at timestamp
);
-- the SFP progress report (pipelines.progress): every version kept, the latest in force
create table if not exists progress_texts (
    meeting_date date not null, entity varchar not null,
    part varchar not null,  -- key_messages | accomplishments | challenges | requests
    version integer not null, items json not null,  -- the lines, in order
    written_by varchar not null, role varchar, written_at timestamp not null,
    primary key (meeting_date, entity, part, version)
);
create table if not exists action_points (
    point_id varchar not null, version integer not null, entity varchar not null,
    raised_at date not null,  -- the meeting that raised it
    written_in date not null,  -- the meeting whose workspace wrote this version
    action varchar not null, owner varchar not null, due date,
    status varchar not null,  -- open | in_progress | done | dropped
    written_by varchar not null, role varchar, written_at timestamp not null,
    primary key (point_id, version)
);
-- each entity's progress on the MOS-PSEA and the SG's four pillars (pipelines.commitments): every
-- version kept; no key declared (DuckLake has none): the writer numbers versions per entity and
-- commitment inside its transaction
create table if not exists commitment_status (
    entity varchar not null, commitment varchar not null, version integer not null,
    meeting_date date not null,  -- the meeting whose workspace wrote this version
    status varchar not null,  -- not_started | in_progress | in_place
    line varchar not null, written_by varchar not null, role varchar, written_at timestamp not null
);
create table if not exists sfp_meetings_added (
    meeting_date date primary key, title varchar not null, notes varchar,
    added_by varchar, added_at timestamp default current_timestamp
);
"""

# The UN quarterly submission (psea.metrics.un_ledger, pipelines.un_submissions). Declared without
# keys, as DuckLake requires; pipelines.un_submissions enforces them:
# - un_references: one reference per (entity, case_ref), assigned once, kept across snapshots and
#   corrected re-sends, never reused (un_reference unique);
# - un_productions: one row per production (production_id unique): the snapshots it read, its counts
#   and its three files' SHA-256; un_production_files: each file as produced (manifest included).
UN_SUBMISSION_DDL = """
create table if not exists un_references (
    entity varchar not null, case_ref varchar not null, un_reference varchar not null,
    year_received integer not null, sequence integer not null,
    assigned_at timestamp not null default current_timestamp, assigned_in_quarter varchar not null,
    production_id varchar  -- the production that kept it
);
create table if not exists un_productions (
    production_id varchar not null, entity varchar not null, quarter varchar not null,
    cases_as_of date not null,  -- the case snapshot read for the quarter's end
    snapshots json not null,  -- the as_of read of each case extract
    allegations bigint not null, reported_late bigint not null, updates bigint not null,
    withdrawn bigint not null,
    allegations_sha256 varchar not null, updates_sha256 varchar not null,
    totals_sha256 varchar not null, produced_by varchar not null, role varchar,
    produced_at timestamp not null,
    previous_production varchar,  -- the latest earlier production of the quarter, if any
    differs_from_previous boolean  -- null when there is none
);
create table if not exists un_production_files (
    production_id varchar not null, file_name varchar not null, sha256 varchar not null,
    content blob not null
);
"""

# Which date places a row on or before the cut-off, per extract (see docs/indicators.md, "Data as of a cut-off").
DATE_RESTRICTION = {
    "training": "completed_on <= d",
    "awareness_sessions": "held_on <= d",
    "contracts": "signed_on <= d",
    "roster": "contract_start <= d",
    "appraisals": "year <= year(d)",
}

# The case rows of a snapshot as at d: the stage at d follows from the stage dates when the snapshot
# is newer than d. The select list of `cases_at(d)`, and of the UN ledger's quarter ends
# (psea.metrics.un_ledger), where d is a column.
CASES_AS_AT = """
    select c.* exclude (status),
        c.status as status_in_snapshot,
        case
            when c.as_of <= d then c.status
            when c.investigation_completed_on <= d then c.status
            when c.investigation_opened_on <= d then 'under_investigation'
            when c.assessment_completed_on <= d and c.status in ('closed', 'under_review_limited_information')
                then c.status
            when c.status = 'received' then 'received'
            else 'preliminary_assessment'
        end as status,
        coalesce(c.assessment_completed_on <= d, false) as assessed,
        coalesce(c.investigation_opened_on <= d, false) as investigated,
        coalesce(c.investigation_completed_on <= d, false) as finding_reached
"""

QUARTER_FIRST_DAY = (
    "make_date(left(quarter, 4)::integer, right(quarter, 1)::integer * 3 - 2, 1)"  # of 'YYYYQn'
)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One DuckDB transaction: committed when the block ends, rolled back on any error (DuckDB 2.0
    auto-commits each statement otherwise)."""
    con.execute("begin transaction")
    try:
        yield
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def warehouse_path(explicit: str | Path | None = None) -> Path:
    return Path(explicit or os.environ.get("PSEA_WAREHOUSE") or DEFAULT_WAREHOUSE)


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as err:
        if "lock" in str(err).lower():
            raise RuntimeError(
                f"the warehouse {path} is in use by another process (the dashboard or another load); "
                "DuckDB allows one writer at a time: stop it or wait, then retry"
            ) from None
        raise
    if not read_only:
        ensure_schema(con)
    return con


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(BOOKKEEPING_DDL)
    con.execute(UN_SUBMISSION_DDL)
    for contract in contracts().values():
        cols = ", ".join(f'"{c.name}" {c.duckdb_type}' for c in contract.columns)
        con.execute(
            f"create table if not exists {contract.kind} ({cols}, load_id varchar not null)"
        )
    add_new_columns(con)
    load_reference_data(con)
    create_snapshot_macros(con)


# Columns added to a table after warehouses were built with it: (table, column, type).
ADDED_COLUMNS = (("un_references", "production_id", "VARCHAR"),)


def add_new_columns(con: duckdb.DuckDBPyConnection) -> None:
    """A column a contract gained (an optional one, e.g. cases.paternity_claim) or a bookkeeping
    table gained is added to a warehouse built before it, null on the rows it held then."""
    found = set(
        con.sql("select table_name, column_name from information_schema.columns").fetchall()
    )
    wanted = [
        (contract.kind, c.name, c.duckdb_type)
        for contract in contracts().values()
        for c in contract.columns
    ]
    for table, column, kind in [*wanted, *ADDED_COLUMNS]:
        if (table, column) not in found:
            con.execute(f'alter table {table} add column "{column}" {kind}')


def load_reference_data(con: duckdb.DuckDBPyConnection) -> None:
    """Reference files are versioned in the repository and replace their tables on every build."""
    for name in REFERENCE_TABLES:
        frame = reference_frame(name)  # noqa: F841 - scanned by name below
        con.execute(f"create or replace table ref_{name} as select * from frame")
    con.execute(
        """
        create or replace view sfp_meetings as
        select meeting_date, date_precision, title, null::varchar as notes, 'seed' as source
        from ref_sfp_meetings
        union all
        select meeting_date, 'day', title, notes, 'added' from sfp_meetings_added
        """
    )


def create_snapshot_macros(con: duckdb.DuckDBPyConnection) -> None:
    for kind, contract in contracts().items():
        key = ", ".join(f'"{c}"' for c in contract.snapshot_key)
        con.execute(
            f"""
            create or replace macro {kind}_snapshot(d) as table
            with pick as (
                select {key}, coalesce(max(as_of) filter (where as_of <= d), min(as_of)) as as_of
                from {kind} group by all
            )
            select t.* from {kind} t join pick using ({key}, as_of)
            """
        )
        con.execute(
            f"""
            create or replace view {kind}_current as
            select t.* from {kind} t
            join (select {key}, max(as_of) as as_of from {kind} group by all) latest using ({key}, as_of)
            """
        )
    for kind, condition in DATE_RESTRICTION.items():
        con.execute(
            f"create or replace macro {kind}_at(d) as table select * from {kind}_snapshot(d) where {condition}"
        )
    # A case's stage at d follows from its stage dates when the snapshot is newer than d.
    con.execute(
        f"create or replace macro cases_at(d) as table {CASES_AS_AT} from cases_snapshot(d) c "
        "where c.date_received <= d"
    )
    for kind in ("case_victims", "case_subjects"):
        con.execute(
            f"""
            create or replace macro {kind}_at(d) as table
            select v.* from {kind}_snapshot(d) v
            semi join cases_at(d) c on c.entity = v.entity and c.case_ref = v.case_ref
            """
        )
    # Every as_of of case data, from case rows or from returns: the snapshot dates of the releases.
    con.execute(
        """create or replace view case_data_as_of as
           select entity, as_of, 'cases' as source from cases
           union all select entity, as_of, 'agency_returns' from agency_returns"""
    )
    # A return's quarter counts once it has ended by d, and only where the entity's case rows do
    # not reach it (the rows win: data_contracts/agency_returns.yaml).
    con.execute(
        f"""
        create or replace macro agency_returns_at(d) as table
        with reach as (select entity, max(as_of) as reach from cases_snapshot(d) group by 1),
        dated as (
            select r.*, {QUARTER_FIRST_DAY} as quarter_start,
                (({QUARTER_FIRST_DAY}) + interval 3 month - interval 1 day)::date as quarter_end
            from agency_returns_snapshot(d) r
        )
        select r.* from dated r left join reach c using (entity)
        where r.quarter_end <= d and (c.reach is null or c.reach < r.quarter_start)
        """
    )
    con.execute(
        """
        create or replace macro victim_assistance_at(d) as table
        select a.* from victim_assistance_snapshot(d) a
        semi join cases_at(d) c on c.entity = a.entity and c.case_ref = a.case_ref
        where a.referred_on <= d
        """
    )


def mark_demo(con: duckdb.DuckDBPyConnection, seed: int, scale: float) -> None:
    con.execute(
        "insert or replace into warehouse_info values ('kind', 'demo'), ('demo_seed', ?), ('demo_scale', ?)",
        [str(seed), str(scale)],
    )


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    rows = con.sql("select value from warehouse_info where key = 'kind'").fetchall()
    return bool(rows) and rows[0][0] == "demo"
