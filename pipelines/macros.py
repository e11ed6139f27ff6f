"""What every connection defines for itself, in its own memory (never written to the store): the
reference tables (versioned in the repository), the snapshot macros that define "the data as of a
cut-off date" once for every query, and the views over the store's tables. Being code, they follow
the code: an upgrade changes them without touching the store, and a connection opened at a past
snapshot (time travel) reads that snapshot's data through today's definitions.
"""

from __future__ import annotations

import duckdb

from data_contracts import contracts
from data_contracts.reference import REFERENCE_DIR, REFERENCE_TABLES

MEMORY = "memory.main"  # the connection's own database: shared by its cursors

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


def define(con: duckdb.DuckDBPyConnection) -> None:
    """The connection's reference tables, views and macros (the store's tables exist already)."""
    load_reference_data(con)
    create_snapshot_macros(con)


# the typed columns of the reference files (data_contracts.reference reads them the same way)
_REFERENCE_TYPES = {"meeting_date": "date", "date": "date", "year": "integer"}


def load_reference_data(con: duckdb.DuckDBPyConnection) -> None:
    """Reference files are versioned in the repository: each connection reads them (DuckDB's own
    CSV reader, as text, then the typed columns)."""
    for name in REFERENCE_TABLES:
        path = str(REFERENCE_DIR / f"{name}.csv").replace("'", "''")
        header = con.sql(f"select * from read_csv('{path}', all_varchar = true) limit 0").columns
        columns = ", ".join(
            f'"{c}"::{_REFERENCE_TYPES[c]} as "{c}"'
            if c in _REFERENCE_TYPES
            else f'("{c}" = \'true\') as "{c}"'
            if c == "action_plan"
            else f'"{c}"'
            for c in header
        )
        con.execute(
            f"create or replace table {MEMORY}.ref_{name} as "
            f"select {columns} from read_csv('{path}', all_varchar = true)"
        )
    con.execute(
        f"""
        create or replace view {MEMORY}.sfp_meetings as
        select meeting_date, date_precision, title, null::varchar as notes, 'seed' as source
        from ref_sfp_meetings
        union all
        select meeting_date, 'day', title, notes, 'added' from sfp_meetings_added
        """
    )


def create_snapshot_macros(con: duckdb.DuckDBPyConnection) -> None:
    for kind, contract in contracts().items():
        key = ", ".join(f'"{c}"' for c in contract.snapshot_key)
        # The snapshots held: an entity's snapshot is one load's (entity, as_of), so the load
        # manifest lists them in a few rows where the table would be read whole (every row of
        # every snapshot: 10x slower at scale 10). A corrected re-send's earlier load is kept as
        # `superseded` (the rows it left of other entities stay). The rows of each pair are then
        # read by their as_of, which the data files' statistics prune.
        held = (
            f"""(select distinct trim(unnest(string_split(entities, ','))) as entity, as_of
                from load_manifest where kind = '{kind}'
                  and status in ('accepted', 'superseded'))"""
            if contract.snapshot_key == ("entity",) and contract.entity_column == "entity"
            else f"(select distinct {key}, as_of from {kind})"
        )
        con.execute(f"create or replace view {MEMORY}.{kind}_held as {held}")
        # the snapshot each key reads as of d: its latest on or before d, else its earliest
        con.execute(
            f"""
            create or replace macro {MEMORY}.{kind}_picked(d) as table
            select {key}, coalesce(max(as_of) filter (where as_of <= d), min(as_of)) as as_of
            from {kind}_held group by all
            """
        )
        con.execute(
            f"""
            create or replace macro {MEMORY}.{kind}_snapshot(d) as table
            select t.* from {kind} t semi join {kind}_picked(d) pick using ({key}, as_of)
            """
        )
        con.execute(
            f"""
            create or replace view {MEMORY}.{kind}_current as
            select t.* from {kind} t
            semi join (select {key}, max(as_of) as as_of from {kind}_held group by all) latest
                using ({key}, as_of)
            """
        )
    for kind, condition in DATE_RESTRICTION.items():
        con.execute(
            f"create or replace macro {MEMORY}.{kind}_at(d) as table select * from {kind}_snapshot(d) where {condition}"
        )
    # A case's stage at d follows from its stage dates when the snapshot is newer than d.
    con.execute(
        f"""
        create or replace macro {MEMORY}.cases_at(d) as table
        {CASES_AS_AT}
        from cases_snapshot(d) c
        where c.date_received <= d
        """
    )
    for kind in ("case_victims", "case_subjects"):
        con.execute(
            f"""
            create or replace macro {MEMORY}.{kind}_at(d) as table
            select v.* from {kind}_snapshot(d) v
            semi join cases_at(d) c on c.entity = v.entity and c.case_ref = v.case_ref
            """
        )
    # Every as_of of case data, from case rows or from returns: the snapshot dates of the releases.
    con.execute(
        f"""create or replace view {MEMORY}.case_data_as_of as
           select entity, as_of, 'cases' as source from cases
           union all select entity, as_of, 'agency_returns' from agency_returns"""
    )
    # A return's quarter counts once it has ended by d, and only where the entity's case rows do
    # not reach it (the rows win: data_contracts/agency_returns.yaml).
    con.execute(
        f"""
        create or replace macro {MEMORY}.agency_returns_at(d) as table
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
        f"""
        create or replace macro {MEMORY}.victim_assistance_at(d) as table
        select a.* from victim_assistance_snapshot(d) a
        semi join cases_at(d) c on c.entity = a.entity and c.case_ref = a.case_ref
        where a.referred_on <= d
        """
    )
