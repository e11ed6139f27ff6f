"""What the warehouse holds, asked once: the entities, each entity's case coverage, the meeting
calendar, the milestones, and the key of the case data a figure rests on."""

from __future__ import annotations

import datetime as dt

import polars as pl

from psea.metrics.memo import per_load_state

CASE_KINDS = ("cases", "case_victims", "case_subjects", "victim_assistance", "agency_returns")
FAR_FUTURE = dt.date(9999, 12, 31)


def case_entities(con) -> list[str]:
    """Entities with case figures (case rows or returns), alphabetically."""
    return [
        r[0] for r in con.sql("select distinct entity from case_data_as_of order by 1").fetchall()
    ]


def case_row_entities(con) -> list[str]:
    """Entities that send case rows (the UN quarterly submission is theirs), alphabetically."""
    return [r[0] for r in con.sql("select distinct entity from cases order by 1").fetchall()]


def return_entities(con, at: dt.date | None = None) -> list[str]:
    """Entities whose case figures as of `at` come (wholly or partly) from returns."""
    return [
        r[0]
        for r in con.sql(
            "select distinct entity from agency_returns_at($at) order by 1",
            params={"at": at or FAR_FUTURE},
        ).fetchall()
    ]


def known_entities(con) -> list[str]:
    """Entities with case or personnel data, alphabetically."""
    return [
        r[0]
        for r in con.sql(
            "select distinct entity from roster union select distinct entity from case_data_as_of "
            "order by 1"
        ).fetchall()
    ]


def first_case_year(con) -> int | None:
    return con.sql(
        """select min(y) from (select year(min(date_received)) as y from cases
           union all select min(left(quarter, 4)::integer) from agency_returns)"""
    ).fetchall()[0][0]


def latest_case_as_of(con) -> dt.date | None:
    return con.sql("select max(as_of) from case_data_as_of").fetchall()[0][0]


def case_coverage(con, at: dt.date | None = None, rows_only: bool = False) -> dict[str, dt.date]:
    """Per entity, the as_of of the case data that figures as of `at` rest on (the latest
    snapshot not after `at`, else the earliest; default: the latest): its case rows', or its
    returns' (the latest return counted), whichever is later. `rows_only`: case rows only."""
    returns = "" if rows_only else "union all select entity, as_of from agency_returns_at($at)"
    return dict(
        con.sql(
            f"""select entity, max(as_of) from (
                    select entity, as_of from cases_snapshot($at) {returns})
                group by 1 order by 1""",
            params={"at": at or FAR_FUTURE},
        ).fetchall()
    )


def personnel_data_as_of(con, at: dt.date) -> dict[str, dt.date]:
    """Per entity with a roster, the as_of of the roster snapshot that personnel figures as of
    `at` rest on (the latest not after it, else the earliest)."""
    return dict(
        con.sql(
            "select entity, max(as_of) from roster_snapshot($at) group by 1 order by 1",
            params={"at": at},
        ).fetchall()
    )


@per_load_state(figure=False)
def case_data_key(con, at: dt.date | None = None) -> str:
    """The loads of the case snapshots read at `at` (default: the latest): changes with any load
    that changes case figures. Once per state of the loads (every page asks whether the release
    in force is fresh)."""
    source = "{kind}_snapshot($at)" if at is not None else "{kind}_current"
    union = " union ".join(
        f"select distinct load_id from {source.format(kind=kind)}" for kind in CASE_KINDS
    )
    row = con.sql(
        f"select coalesce(string_agg(load_id, ',' order by load_id), '') from ({union})",
        params={"at": at} if at is not None else {},
    ).fetchall()
    return row[0][0]


def meeting_dates(con) -> list[dt.date]:
    return [r[0] for r in con.sql("select meeting_date from sfp_meetings order by 1").fetchall()]


def month_only_meetings(con) -> frozenset[dt.date]:
    """Meetings recorded to the month only ("September 2016, day not recorded")."""
    rows = con.sql(
        "select meeting_date from sfp_meetings where date_precision = 'month'"
    ).fetchall()
    return frozenset(r[0] for r in rows)


def meetings(con) -> pl.DataFrame:
    """The calendar: the seed's meetings and those added in the app, oldest first."""
    return con.sql(
        "select meeting_date, date_precision, title, notes, source from sfp_meetings order by meeting_date"
    ).pl()


def milestones(con) -> pl.DataFrame:
    return con.sql("select date, label from ref_milestones order by date").pl()


def loads_read_at(con, cutoff: dt.date, entity: str | None = None) -> pl.DataFrame:
    """The accepted loads whose snapshots figures as of the cut-off read: kind, as_of, load id,
    file name, and a note where no snapshot precedes the cut-off (the earliest is read, limited to
    what happened by the cut-off)."""
    from data_contracts import contracts

    picks = " union all ".join(
        f"select distinct '{kind}' as kind, {c.entity_column} as entity, as_of from {kind}_picked($cutoff)"
        for kind, c in contracts().items()
    )
    return con.sql(
        f"""
        with every as ({picks}),
        picks as (
            select kind, entity, as_of, as_of > $cutoff as later from every e
            where as_of <= $cutoff or as_of = (
                select min(as_of) from every f where f.kind = e.kind and f.entity = e.entity
                having min(as_of) > $cutoff)
        )
        select distinct m.kind, m.as_of, m.load_id, m.file_name,
            case when p.later then 'no earlier snapshot: read up to the cut-off' else '' end as note
        from load_manifest m
        join picks p on m.kind = p.kind and m.as_of = p.as_of
        where m.status = 'accepted' and list_contains(string_split(m.entities, ','), p.entity)
          and ($entity is null or p.entity = $entity)
        order by m.kind, m.as_of
        """,
        params={"cutoff": cutoff, "entity": entity},
    ).pl()


def archived_briefs(con, entity: str | None = None) -> pl.DataFrame:
    """The briefs handed out (one row per production), latest first; an entity's own only."""
    return con.sql(
        """select archive_id, meeting_date, coalesce(entity, 'all entities') as scope, release_id,
                  produced_by, produced_at, string_agg(file_name, ', ' order by file_name) as files,
                  string_agg(file_name || ' ' || sha256, '; ' order by file_name) as sha256
           from brief_archive where $entity is null or entity = $entity
           group by all order by produced_at desc""",
        params={"entity": entity},
    ).pl()
