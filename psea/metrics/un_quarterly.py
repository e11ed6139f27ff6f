"""The UN quarterly submission: one row per allegation received in the quarter with its stable
`un_reference`, the updates of earlier allegations, and the totals.

Exact figures (an official submission): only roles allowed exact figures produce it, and each
production is written to the audit log by the caller.

References are assigned when a submission is produced (`submission`), not at load: the pipeline
stays free of UN bookkeeping and a reference exists exactly when it has been sent. A production for
quarter Q assigns a reference to every allegation of the entity received up to Q's end that has
none yet (so an update of an earlier allegation always has one), numbered per entity and year
received in order of date received then case_ref, after the year's last sequence. A case_ref keeps
its reference for good, whatever later snapshots or corrected re-sends say; a reference is never
reused, even when its case disappears from a later snapshot.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl

from psea.calendar import quarter_start
from psea.metrics import Period
from psea.metrics.cases import STATUSES, UN_VICTIM_GROUP, UN_VICTIM_GROUPS

QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
AFP = ("staff", "non_staff", "contractor")  # agencies, funds and programmes


def parse_quarter(text: str) -> Period:
    match = QUARTER.match(text.strip().upper())
    if not match:
        raise ValueError(f"quarter {text!r} is not like 2018Q2")
    return Period.quarter(int(match.group(1)), int(match.group(2)))


def quarter_label(quarter: Period) -> str:
    return _label(quarter.end)


def _label(day: dt.date) -> str:
    """The quarter holding `day`, as 2018Q2."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def case_data_as_of(con, entity: str) -> dt.date | None:
    """The as_of of the entity's latest case snapshot (None: no case data)."""
    query = "select max(as_of) from cases where entity = $entity"
    return con.sql(query, params={"entity": entity}).fetchall()[0][0]


def not_yet_reported(con, entity: str, quarter: Period) -> str | None:
    """Why the entity's case data cannot support the quarter's submission, or None when they can."""
    as_of = case_data_as_of(con, entity)
    if as_of is None:
        return f"not yet reported: there are no case data of {entity}"
    if as_of < quarter.end:
        return f"not yet reported: the case data of {entity} stop at {as_of.isoformat()}"
    return None


def submission_quarters(con, entity: str, today: dt.date) -> list[str]:
    """The quarters a submission may be asked for, latest first: from the quarter of the entity's
    first allegation to the quarter of its latest case as_of (never past today's), so that a
    partly reported last quarter is listed and explained rather than hidden."""
    row = con.sql(
        "select min(date_received), max(as_of) from cases where entity = $entity",
        params={"entity": entity},
    ).fetchall()[0]
    if row[0] is None:
        return []
    first, last = quarter_start(row[0]), quarter_start(min(row[1], today))
    out = []
    while last >= first:
        out.append(_label(last))
        last = quarter_start(last - dt.timedelta(days=1))
    return out


def latest_reported_quarter(con, entity: str, quarters: list[str]) -> str | None:
    """The latest of `quarters` the entity's case data cover (the page's default)."""
    return next((q for q in quarters if not not_yet_reported(con, entity, parse_quarter(q))), None)


def assign_un_references(con, entity: str, quarter: Period) -> int:
    """Give every allegation of the entity received up to the quarter's end a reference, unless it
    has one; returns how many were assigned."""
    from pipelines.warehouse import retrying, snapshot_id, transaction

    read = snapshot_id(con)

    def assign() -> int:
        # a reference is unique and a case_ref has one: numbered inside the write, one at a time
        with transaction(con):
            return _assign(con, entity, quarter, read)

    return retrying(con, assign, "assignment of UN references")


def _assign(con, entity: str, quarter: Period, read: int) -> int:
    before = con.sql("select count(*) from un_references").fetchall()[0][0]
    con.execute(
        """
        insert into un_references
            (entity, case_ref, un_reference, year_received, sequence, assigned_at,
             assigned_in_quarter, data_snapshot)
        with new as (
            select c.entity, c.case_ref, c.date_received, year(c.date_received) as year_received
            from cases_at($end) c
            where c.entity = $entity
              and not exists (select 1 from un_references r where r.entity = c.entity and r.case_ref = c.case_ref)
        ),
        last as (
            select year_received, max(sequence) as last_sequence from un_references
            where entity = $entity group by all
        ),
        numbered as (
            select n.*, coalesce(l.last_sequence, 0) + row_number() over (
                partition by n.year_received order by n.date_received, n.case_ref) as sequence
            from new n left join last l using (year_received)
        )
        select entity, case_ref, printf('%s-%d-%03d', entity, year_received, sequence),
               year_received, sequence, current_timestamp, $quarter, $read
        from numbered
        """,
        {"entity": entity, "end": quarter.end, "quarter": quarter_label(quarter), "read": read},
    )
    return con.sql("select count(*) from un_references").fetchall()[0][0] - before


def _victim_column(group: str) -> str:
    return "victims_unknown" if group == "unknown" else group


def allegations(con, entity: str, quarter: Period) -> pl.DataFrame:
    victim_counts = ", ".join(
        f"count(*) filter (where {UN_VICTIM_GROUP} = '{group}')::bigint as {_victim_column(group)}"
        for group in UN_VICTIM_GROUPS
    )
    victim_columns = ", ".join(
        f"coalesce(v.{_victim_column(g)}, 0) as {_victim_column(g)}" for g in UN_VICTIM_GROUPS
    )
    return con.sql(
        f"""
        with q as (
            select * from cases_at($end) where entity = $entity and date_received > $start
        ),
        v as (
            select case_ref, {victim_counts}
            from case_victims_at($end) v where entity = $entity group by case_ref
        ),
        s as (
            select case_ref, count(*) filter (where gender = 'man')::bigint as subjects_man,
                   count(*) filter (where gender = 'woman')::bigint as subjects_woman,
                   count(*) filter (where gender = 'unknown')::bigint as subjects_unknown
            from case_subjects_at($end) where entity = $entity group by case_ref
        )
        select q.case_ref, r.un_reference, strftime(q.date_received, '%Y-%m') as month_received, q.mission, q.category, q.personnel_group,
               {victim_columns},
               coalesce(s.subjects_man, 0) as subjects_man, coalesce(s.subjects_woman, 0) as subjects_woman,
               coalesce(s.subjects_unknown, 0) as subjects_unknown,
               q.status, case when q.referred_national_authorities then 'yes' else 'no' end as referred_national_authorities,
               coalesce(left(q.incident_month, 4), 'unknown') as incident_year
        from q left join v using (case_ref) left join s using (case_ref)
        left join un_references r on r.entity = q.entity and r.case_ref = q.case_ref
        order by q.date_received, q.case_ref
        """,
        params={"entity": entity, "start": quarter.start, "end": quarter.end},
    ).pl()


UPDATE_FIELDS = ("status", "action", "referred_national_authorities")
_YES_NO = "case when referred_national_authorities then 'yes' else 'no' end"
_ACTIONS = """select case_ref, array_to_string(list_sort(list_distinct(list(action))), '; ') as actions
              from case_subjects_at({day}) where entity = $entity group by all"""


def updates(con, entity: str, quarter: Period) -> pl.DataFrame:
    """`un_reference,field,previous,new` for the allegations received before the quarter whose
    status, action (the sorted set of their subjects' actions, joined by '; ': subjects are not
    identified to the UN) or referral differ between the data as of the previous quarter's end and
    as of this quarter's end."""
    fields = "\n union all ".join(
        f"select case_ref, {i} as field_order, '{f}' as field, previous_{f} as previous, new_{f} as new from pairs"
        for i, f in enumerate(UPDATE_FIELDS)
    )
    return con.sql(
        f"""
        with before as (
            select case_ref, status, {_YES_NO} as referred from cases_at($start) where entity = $entity
        ),
        after as (
            select case_ref, status, {_YES_NO} as referred from cases_at($end)
            where entity = $entity and date_received <= $start
        ),
        actions_before as ({_ACTIONS.format(day="$start")}),
        actions_after as ({_ACTIONS.format(day="$end")}),
        pairs as (
            select a.case_ref, b.status as previous_status, a.status as new_status,
                   ab.actions as previous_action, aa.actions as new_action,
                   b.referred as previous_referred_national_authorities,
                   a.referred as new_referred_national_authorities
            from after a join before b using (case_ref)
            left join actions_before ab using (case_ref) left join actions_after aa using (case_ref)
        ),
        changes as ({fields})
        select r.un_reference, c.field, c.previous, c.new
        from changes c join un_references r on r.entity = $entity and r.case_ref = c.case_ref
        where c.previous is distinct from c.new
        order by r.year_received, r.sequence, c.field_order
        """,
        params={"entity": entity, "start": quarter.start, "end": quarter.end},
    ).pl()


@dataclass(frozen=True)
class Submission:
    """What `psea report un-quarterly` writes and the UN quarterly page shows."""

    entity: str
    quarter: Period
    as_of: dt.date  # the entity's latest case snapshot: the data reach the quarter's end
    allegations: pl.DataFrame  # un_reference, never case_ref
    updates: pl.DataFrame
    totals: pl.DataFrame


class NotYetReported(ValueError):
    """The entity's case data do not reach the quarter's end: nothing may be produced."""


def submission(con, entity: str, quarter: Period) -> Submission:
    """The submission of the entity for the quarter, assigning the references it needs; raises
    NotYetReported (assigning nothing) when the case data do not cover the quarter."""
    refusal = not_yet_reported(con, entity, quarter)
    if refusal:
        raise NotYetReported(refusal)
    assign_un_references(con, entity, quarter)
    rows = allegations(con, entity, quarter)
    return Submission(
        entity,
        quarter,
        case_data_as_of(con, entity),
        rows.drop("case_ref"),
        updates(con, entity, quarter),
        totals(rows),
    )


def totals(rows: pl.DataFrame) -> pl.DataFrame:
    """`dimension,group,count` exactly as docs/cli.md lists them (zero groups left out)."""
    out: list[tuple[str, str, int]] = [("allegations", "total", rows.height)]

    def add(dimension: str, series: pl.Series, order: list[str] | None = None) -> None:
        counts = series.value_counts()
        found = dict(zip(counts[series.name].to_list(), counts["count"].to_list(), strict=True))
        for group in order or sorted(found):
            if found.get(group):
                out.append((dimension, group, int(found[group])))

    personnel = rows["personnel_group"].replace({g: "agencies_funds_programmes" for g in AFP})
    add(
        "personnel_group",
        personnel,
        [
            "peacekeeping",
            "agencies_funds_programmes",
            "implementing_partner",
            "non_un_forces",
            "unknown",
        ],
    )
    add("category", rows["category"], ["sexual_exploitation", "sexual_abuse", "other", "unknown"])
    for group in UN_VICTIM_GROUPS:
        if rows[_victim_column(group)].sum():
            out.append(("victims", group, int(rows[_victim_column(group)].sum())))
    for gender in ("man", "woman", "unknown"):
        if rows[f"subjects_{gender}"].sum():
            out.append(("subjects", gender, int(rows[f"subjects_{gender}"].sum())))
    add("status", rows["status"], STATUSES)
    add("referred_national_authorities", rows["referred_national_authorities"], ["yes", "no"])
    add("incident_year", rows["incident_year"])
    return pl.DataFrame(
        out, schema={"dimension": pl.String, "group": pl.String, "count": pl.Int64}, orient="row"
    )
