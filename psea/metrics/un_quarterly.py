"""The UN quarterly submission: one row per allegation received in the quarter, and its totals.

Exact figures (an official submission): only roles allowed exact figures produce it, and each
production is written to the audit log by the caller.
"""

from __future__ import annotations

import re

import polars as pl

from psea.metrics import Period
from psea.metrics.cases import STATUSES, UN_VICTIM_GROUP, UN_VICTIM_GROUPS

QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
AFP = ("staff", "non_staff", "contractor")  # agencies, funds and programmes


def parse_quarter(text: str) -> Period:
    match = QUARTER.match(text.strip().upper())
    if not match:
        raise ValueError(f"quarter {text!r} is not like 2018Q2")
    return Period.quarter(int(match.group(1)), int(match.group(2)))


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
        select q.case_ref, strftime(q.date_received, '%Y-%m') as month_received, q.mission, q.category, q.personnel_group,
               {victim_columns},
               coalesce(s.subjects_man, 0) as subjects_man, coalesce(s.subjects_woman, 0) as subjects_woman,
               coalesce(s.subjects_unknown, 0) as subjects_unknown,
               q.status, case when q.referred_national_authorities then 'yes' else 'no' end as referred_national_authorities,
               coalesce(left(q.incident_month, 4), 'unknown') as incident_year
        from q left join v using (case_ref) left join s using (case_ref)
        order by q.date_received, q.case_ref
        """,
        params={"entity": entity, "start": quarter.start, "end": quarter.end},
    ).pl()


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
