"""The UN quarterly submission as a ledger: what each quarter sends follows from the entity's case
snapshots alone, so producing quarters in any order, or again, gives the same files.

The walk goes through the entity's quarters in order, from the quarter of its first allegation.
For each quarter it reads the **snapshot for the quarter's end** (of each case extract, the
earliest snapshot whose as_of is on or after the quarter's end: the first that reaches it; its
stages read back to the quarter's end as `cases_at` does) and compares it with what went out before:
- an allegation in it that never went out goes out as **new**: received in the quarter, or received
  earlier and missing from every earlier quarter's snapshot (entered late: `reported_late`);
- an allegation that went out before goes out again only as **updates**, one per field that differs
  from the previous quarter's snapshot; one gone from the snapshot goes out as `status` ->
  `withdrawn` once, and `withdrawn` -> its status if it comes back.
An allegation whose personnel group cannot apply to the entity (peacekeeping for an agency:
psea.metrics.un_terms) is outside its submission and listed apart.

References (`IOM-2018-014`) are numbered in the walk's order (quarter, then date received, then
case_ref) after the references already kept, so the numbering is the same whatever the order of
productions; a production keeps the ones it gave (pipelines.un_submissions), never to be reused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from pipelines.warehouse import CASES_AS_AT
from psea.metrics import Period, quarter_start
from psea.metrics.cases import UN_VICTIM_GROUP, UN_VICTIM_GROUPS
from psea.metrics.un_terms import UN_PERSONNEL, applicable_groups, mission_country

CASE_KINDS = ("cases", "case_victims", "case_subjects", "victim_assistance")
VICTIM_COLUMNS = tuple(f"victims_{g}" for g in UN_VICTIM_GROUPS)
SUBJECT_COLUMNS = ("subjects_man", "subjects_woman", "subjects_unknown")
# The fields whose change goes out as an update, in the order of allegations.csv.
UPDATE_FIELDS = (
    "status",
    "category",
    "personnel_group",
    *VICTIM_COLUMNS,
    "interim_measures",
    "referred_national_authorities",
    "action",
)
WITHDRAWN = "withdrawn"
GIVEN = {  # a reference given by the walk, and the quarter it first goes out in
    "case_ref": pl.String,
    "un_reference": pl.String,
    "year_received": pl.Int32,
    "sequence": pl.Int32,
    "quarter": pl.String,
}
ASSISTANCE = ("none", "assessed", "provided", "declined")


def quarter_label(day: dt.date) -> str:
    """The quarter holding `day`, as 2018Q2."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class QuarterEnd:
    """One step of the walk: the quarter, the day its data are read as at, the snapshot read of
    each case extract (None: the entity never sent that extract)."""

    quarter: str
    day: dt.date
    snapshots: dict[str, dt.date | None]

    @property
    def cases_as_of(self) -> dt.date:
        return self.snapshots["cases"]


def snapshot_dates(con, entity: str) -> dict[str, list[dt.date]]:
    """The as_of of every snapshot the entity sent, per case extract, in order."""
    out: dict[str, list[dt.date]] = {}
    for kind in CASE_KINDS:
        rows = con.sql(
            f"select distinct as_of from {kind} where entity = $entity order by 1",
            params={"entity": entity},
        ).fetchall()
        out[kind] = [r[0] for r in rows]
    return out


def snapshot_for(dates: list[dt.date], day: dt.date) -> dt.date | None:
    """The snapshot for `day`: the earliest on or after it; the latest when none reaches it."""
    return next((d for d in dates if d >= day), dates[-1] if dates else None)


def quarter_ends(con, entity: str, through: Period) -> list[QuarterEnd]:
    """The walk's steps from the quarter of the entity's first allegation (in any snapshot) to
    `through`; empty when the entity has no case data."""
    first = con.sql(
        "select min(date_received) from cases where entity = $entity", params={"entity": entity}
    ).fetchall()[0][0]
    if first is None:
        return []
    dates = snapshot_dates(con, entity)
    steps: list[QuarterEnd] = []
    start = min(quarter_start(first), quarter_start(through.end))  # an empty quarter is a step too
    while start <= through.end:
        end = quarter_start(start + dt.timedelta(days=93)) - dt.timedelta(days=1)
        snapshots = {kind: snapshot_for(dates[kind], end) for kind in CASE_KINDS}
        steps.append(QuarterEnd(quarter_label(end), end, snapshots))
        start = end + dt.timedelta(days=1)
    return steps


def in_progress(con, entity: str) -> QuarterEnd | None:
    """The quarter the entity's latest case snapshot falls inside, read as at that snapshot
    (None when the latest snapshot ends a quarter: nothing of the next one is known yet)."""
    dates = snapshot_dates(con, entity)
    if not dates["cases"]:
        return None
    latest = dates["cases"][-1]
    if (latest + dt.timedelta(days=1)).day == 1 and latest.month % 3 == 0:
        return None
    snapshots = {kind: (dates[kind][-1] if dates[kind] else None) for kind in CASE_KINDS}
    return QuarterEnd(quarter_label(latest), latest, snapshots)


def states(con, entity: str, steps: list[QuarterEnd]) -> pl.DataFrame:
    """Every allegation of each step's snapshot as at its day, in the UN's terms: one row per
    (quarter, case_ref)."""
    ends = pl.DataFrame(  # noqa: F841 - scanned by DuckDB below
        {
            "quarter": [s.quarter for s in steps],
            "d": [s.day for s in steps],
            **{f"{kind}_as_of": [s.snapshots[kind] for s in steps] for kind in CASE_KINDS},
        },
        schema_overrides={f"{kind}_as_of": pl.Date for kind in CASE_KINDS},
    )
    victims = ", ".join(
        f"count(*) filter (where {UN_VICTIM_GROUP} = '{g}')::bigint as victims_{g}"
        for g in UN_VICTIM_GROUPS
    )
    zero = ", ".join(f"coalesce(v.{c}, 0) as {c}" for c in VICTIM_COLUMNS)
    frame = con.sql(
        f"""
        with c as (
            {CASES_AS_AT}, q.quarter
            from cases c join ends q on c.as_of = q.cases_as_of and c.date_received <= q.d
            where c.entity = $entity
        ),
        v as (
            select q.quarter, v.case_ref, {victims}
            from case_victims v join ends q on v.as_of = q.case_victims_as_of
            where v.entity = $entity group by all
        ),
        s as (
            select q.quarter, s.case_ref,
                count(*) filter (where s.gender = 'man')::bigint as subjects_man,
                count(*) filter (where s.gender = 'woman')::bigint as subjects_woman,
                count(*) filter (where s.gender = 'unknown')::bigint as subjects_unknown,
                array_to_string(list_sort(list_distinct(list(s.action))), '; ') as action
            from case_subjects s join ends q on s.as_of = q.case_subjects_as_of
            where s.entity = $entity group by all
        ),
        a as (
            select q.quarter, a.case_ref, bool_or(a.status = 'provided') as provided,
                bool_or(a.status = 'declined') as declined
            from victim_assistance a join ends q on a.as_of = q.victim_assistance_as_of
            where a.entity = $entity and a.referred_on <= q.d group by all
        )
        select c.quarter, c.case_ref, c.date_received, c.mission,
            coalesce(c.incident_month, 'unknown') as incident_month,
            c.category, c.personnel_group, {zero},
            coalesce(s.subjects_man, 0) as subjects_man,
            coalesce(s.subjects_woman, 0) as subjects_woman,
            coalesce(s.subjects_unknown, 0) as subjects_unknown,
            c.status,
            case when c.interim_measures then 'yes' else 'no' end as interim_measures,
            case when c.referred_national_authorities then 'yes' else 'no' end
                as referred_national_authorities,
            coalesce(s.action, '') as action,
            case when a.provided then 'provided' when a.declined then 'declined'
                 when a.case_ref is not null then 'assessed' else 'none' end as victim_assistance,
            case when c.paternity_claim then 'yes' when not c.paternity_claim then 'no'
                 else 'unknown' end as paternity_claim
        from c left join v using (quarter, case_ref) left join s using (quarter, case_ref)
        left join a using (quarter, case_ref)
        """,
        params={"entity": entity},
    ).pl()
    countries = {m: mission_country(entity, m) for m in frame["mission"].unique().to_list()}
    return frame.with_columns(
        pl.format(
            "{}Q{}", pl.col("date_received").dt.year(), pl.col("date_received").dt.quarter()
        ).alias("quarter_received"),
        pl.col("mission").replace_strict(countries, return_dtype=pl.String).alias("country"),
        pl.col("personnel_group").alias("recorded_personnel_group"),
        pl.col("personnel_group").replace_strict(UN_PERSONNEL, return_dtype=pl.String),
    )


@dataclass
class References:
    """The entity's UN references: those kept in the warehouse, and those the walk gives."""

    entity: str
    kept: pl.DataFrame  # case_ref, un_reference, year_received, sequence
    given: list[dict] = field(default_factory=list)

    @classmethod
    def read(cls, con, entity: str) -> References:
        """The kept references; a case_ref kept twice (two writers at once) keeps its first."""
        kept = con.sql(
            """select case_ref, un_reference, year_received, sequence from un_references
               where entity = $entity
               qualify row_number() over (partition by case_ref order by assigned_at, sequence) = 1""",
            params={"entity": entity},
        ).pl()
        return cls(entity, kept)

    def frame(self) -> pl.DataFrame:
        """Every reference, kept or given: case_ref, un_reference, year_received, sequence."""
        given = pl.DataFrame(self.given, schema=GIVEN).drop("quarter")
        return pl.concat([self.kept.cast(given.schema), given])

    def give(self, new: pl.DataFrame, quarter: str) -> None:
        """Number the allegations of `new` that have no reference, in order of date received then
        case_ref, after the last sequence of their year received."""
        known = set(self.kept["case_ref"].to_list()) | {g["case_ref"] for g in self.given}
        last: dict[int, int] = {}
        for year, sequence in self.frame().select("year_received", "sequence").iter_rows():
            last[year] = max(last.get(year, 0), sequence)
        for case_ref, received in (
            new.sort("date_received", "case_ref").select("case_ref", "date_received").iter_rows()
        ):
            if case_ref in known:
                continue
            last[received.year] = last.get(received.year, 0) + 1
            self.given.append(
                {
                    "case_ref": case_ref,
                    "un_reference": f"{self.entity}-{received.year}-{last[received.year]:03d}",
                    "year_received": received.year,
                    "sequence": last[received.year],
                    "quarter": quarter,
                }
            )


@dataclass(frozen=True)
class Step:
    """What one quarter sends: its new allegations and its updates (both with case_ref, for the
    ledger's own use), and the allegations first seen outside the entity's submission."""

    end: QuarterEnd
    new: pl.DataFrame
    updates: pl.DataFrame  # case_ref, field, previous, new
    outside: pl.DataFrame


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select("case_ref", *[pl.col(f).cast(pl.String) for f in UPDATE_FIELDS])


def _changes(sent: pl.DataFrame, now: pl.DataFrame) -> pl.DataFrame:
    """One row per field that differs between what was sent last (`sent`: the fields as text and
    `withdrawn`) and the allegations now, and `withdrawn` for one gone."""
    pairs = sent.join(_as_text(now), on="case_ref", suffix="_now")
    rows = [
        pairs.select(
            "case_ref",
            pl.lit(i).alias("order"),
            pl.lit(f).alias("field"),
            (
                pl.when(pl.col("withdrawn")).then(pl.lit(WITHDRAWN)).otherwise(pl.col(f))
                if f == "status"
                else pl.col(f)
            ).alias("previous"),
            pl.col(f"{f}_now").alias("new"),
        )
        for i, f in enumerate(UPDATE_FIELDS)
    ]
    gone = sent.filter(~pl.col("withdrawn")).join(now, on="case_ref", how="anti")
    rows.append(
        gone.select(
            "case_ref",
            pl.lit(0).alias("order"),
            pl.lit("status").alias("field"),
            pl.col("status").alias("previous"),
            pl.lit(WITHDRAWN).alias("new"),
        )
    )
    changed = pl.concat(rows).filter(pl.col("previous").ne_missing(pl.col("new")))
    return changed.sort("case_ref", "order").drop("order")


def walk(
    con, entity: str, steps: list[QuarterEnd], references: References | None = None
) -> list[Step]:
    """The ledger through `steps` (in order), giving references to the allegations going out."""
    references = references or References.read(con, entity)
    every = states(con, entity, steps)
    scope = pl.col("recorded_personnel_group").is_in(applicable_groups(entity))
    sent = pl.DataFrame(
        schema={"case_ref": pl.String, **dict.fromkeys(UPDATE_FIELDS, pl.String)}
    ).with_columns(pl.lit(False).alias("withdrawn"))
    seen_outside: set[str] = set()
    out: list[Step] = []
    for end in steps:
        quarter = every.filter(pl.col("quarter") == end.quarter)
        now = quarter.filter(scope)
        outside = quarter.filter(~scope & ~pl.col("case_ref").is_in(list(seen_outside)))
        seen_outside |= set(outside["case_ref"].to_list())
        new = now.join(sent, on="case_ref", how="anti")
        references.give(new, end.quarter)
        updates = _changes(sent, now)
        kept = sent.join(now, on="case_ref", how="anti").with_columns(
            pl.lit(True).alias("withdrawn")
        )
        sent = pl.concat([_as_text(now).with_columns(pl.lit(False).alias("withdrawn")), kept])
        out.append(
            Step(
                end,
                new.with_columns((pl.col("quarter_received") < end.quarter).alias("reported_late")),
                updates,
                outside,
            )
        )
    return out
