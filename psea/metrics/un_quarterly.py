"""The UN quarterly submission of an entity for a quarter: the allegations going out as new, the
updates of those sent before, and the totals (docs/indicators.md, "UN quarterly submission").

Exact figures (an official submission): only roles allowed exact figures produce it, and each
production is recorded (pipelines.un_submissions) and audit-logged by the caller. What goes out
follows from the entity's case snapshots (psea.metrics.un_ledger): the same snapshots give the same
three files, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl

from psea.calendar.quarters import quarter_start
from psea.metrics import Period, memo
from psea.metrics.cases import STATUSES, UN_VICTIM_GROUPS
from psea.metrics.un_ledger import (
    GIVEN,
    SUBJECT_COLUMNS,
    VICTIM_COLUMNS,
    WITHDRAWN,
    QuarterEnd,
    References,
    Step,
    quarter_ends,
    walk,
)
from psea.metrics.un_terms import (
    TOTALS_PERSONNEL,
    UNKNOWN_COUNTRY,
    entity_kind,
    totals_personnel_groups,
)

QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
# allegations.csv, in the UN system-wide data's terms (docs/cli.md)
ALLEGATION_COLUMNS = (
    "entity",
    "un_reference",
    "quarter_received",
    "reported_late",
    "incident_month",
    "country",
    "category",
    "personnel_group",
    *VICTIM_COLUMNS,
    *SUBJECT_COLUMNS,
    "status",
    "interim_measures",
    "referred_national_authorities",
    "action",
    "victim_assistance",
    "paternity_claim",
)
UPDATE_COLUMNS = ("un_reference", "field", "previous", "new")
FILES = ("allegations.csv", "updates.csv", "totals.csv")


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
    return _case_span(con, entity)[1]


@memo.per_load_state(figure=False)
def _case_span(con, entity: str) -> tuple[dt.date | None, dt.date | None]:
    """(first date received, latest as_of) of the entity's case rows, once per state of the loads:
    the UN quarterly page asks for them three times a rerun."""
    row = con.sql(
        "select min(date_received), max(as_of) from cases where entity = $entity",
        params={"entity": entity},
    ).fetchall()[0]
    return row[0], row[1]


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
    received, as_of = _case_span(con, entity)
    if received is None:
        return []
    first, last = quarter_start(received), quarter_start(min(as_of, today))
    out = []
    while last >= first:
        out.append(_label(last))
        last = quarter_start(last - dt.timedelta(days=1))
    return out


def latest_reported_quarter(con, entity: str, quarters: list[str]) -> str | None:
    """The latest of `quarters` the entity's case data cover (the page's default)."""
    return next((q for q in quarters if not not_yet_reported(con, entity, parse_quarter(q))), None)


@dataclass(frozen=True)
class Submission:
    """What `psea report un-quarterly` writes and the UN quarterly page shows."""

    entity: str
    quarter: Period
    end: QuarterEnd  # the snapshots read for the quarter's end
    allegations: pl.DataFrame  # ALLEGATION_COLUMNS: un_reference, never case_ref
    updates: pl.DataFrame  # UPDATE_COLUMNS
    totals: pl.DataFrame
    outside: pl.DataFrame  # personnel_group, allegations: outside the entity's submission
    references_given: pl.DataFrame  # case_ref, un_reference, ...: to be kept by a production

    @property
    def label(self) -> str:
        return quarter_label(self.quarter)

    @property
    def as_of(self) -> dt.date:
        """The case snapshot read for the quarter's end (never simply the latest as_of)."""
        return self.end.cases_as_of

    @property
    def reported_late(self) -> int:
        return int(self.allegations["reported_late"].sum())

    @property
    def withdrawn(self) -> int:
        return self.updates.filter(pl.col("new") == WITHDRAWN).height

    def files(self) -> dict[str, bytes]:
        """The three files of the submission, exactly as written (CSV, UTF-8, `\\n` lines)."""
        frames = dict(zip(FILES, (self.allegations, self.updates, self.totals), strict=True))
        return {name: frame.write_csv().encode("utf-8") for name, frame in frames.items()}

    def notes(self) -> list[str]:
        """What the analyst must know before sending: allegations outside the submission, places
        without a country."""
        out = [
            f"{n} allegation(s) recorded as {group} stay out of the submission: that group cannot "
            f"apply to {self.entity}, an {entity_kind(self.entity)} (correct the case data, or "
            "report them through the peace operation)"
            for group, n in self.outside.iter_rows()
        ]
        unplaced = self.allegations.filter(pl.col("country") == UNKNOWN_COUNTRY).height
        if unplaced:
            out.append(
                f"{unplaced} allegation(s) at headquarters have country 'unknown': set where "
                f"{self.entity}'s headquarters sit (un_submission.headquarters in the settings)"
            )
        return out


class NotYetReported(ValueError):
    """The entity's case data do not reach the quarter's end: nothing may be produced."""


def submission(con, entity: str, quarter: Period) -> Submission:
    """The submission of the entity for the quarter; raises NotYetReported when the case data do
    not cover the quarter. Reads only: the references it gives are kept by a production."""
    refusal = not_yet_reported(con, entity, quarter)
    if refusal:
        raise NotYetReported(refusal)
    return ledger(con, entity, quarter_ends(con, entity, quarter))[-1]


def ledger(con, entity: str, steps: list[QuarterEnd]) -> list[Submission]:
    """The submission of each step of the walk, in order (psea.metrics.un_ledger)."""
    references = References.read(con, entity)
    walked = walk(con, entity, steps, references)
    refs = references.frame()
    given = pl.DataFrame(references.given, schema=GIVEN)
    return [
        _submission(entity, step, refs, given.filter(pl.col("quarter") <= step.end.quarter))
        for step in walked
    ]


def _submission(entity: str, step: Step, refs: pl.DataFrame, given: pl.DataFrame) -> Submission:
    rows = (
        step.new.join(refs, on="case_ref", how="left")
        .sort("year_received", "sequence")
        .with_columns(pl.lit(entity).alias("entity"))
        .select(ALLEGATION_COLUMNS)
    )
    updates = (
        step.updates.with_row_index("order")
        .join(refs, on="case_ref", how="left")
        .sort("year_received", "sequence", "order")
        .select(UPDATE_COLUMNS)
    )
    outside = (
        step.outside.group_by(pl.col("recorded_personnel_group").alias("personnel_group"))
        .agg(pl.len().cast(pl.Int64).alias("allegations"))
        .sort("personnel_group")
    )
    quarter = parse_quarter(step.end.quarter)
    return Submission(
        entity, quarter, step.end, rows, updates, totals(rows, entity), outside, given
    )


def totals(rows: pl.DataFrame, entity: str) -> pl.DataFrame:
    """`dimension,group,count` over allegations.csv's rows, exactly as docs/cli.md lists them:
    every group of a fixed list, zeros included, so that a group that cannot apply to the entity
    (peacekeeping for an agency) is the only one left out; incident years as found."""
    out: list[tuple[str, str, int]] = [("allegations", "total", rows.height)]

    def add(dimension: str, series: pl.Series, order: list[str]) -> None:
        counts = dict(series.value_counts().iter_rows())
        out.extend((dimension, group, int(counts.get(group, 0))) for group in order)

    personnel = rows["personnel_group"].replace_strict(TOTALS_PERSONNEL, return_dtype=pl.String)
    add("personnel_group", personnel, totals_personnel_groups(entity))
    add("category", rows["category"], ["sexual_exploitation", "sexual_abuse", "other", "unknown"])
    out.extend(
        ("victims", group, int(rows[f"victims_{group}"].sum())) for group in UN_VICTIM_GROUPS
    )
    out.extend(
        ("subjects", column.removeprefix("subjects_"), int(rows[column].sum()))
        for column in SUBJECT_COLUMNS
    )
    add("status", rows["status"], STATUSES)
    add("referred_national_authorities", rows["referred_national_authorities"], ["yes", "no"])
    years = rows["incident_month"].str.slice(0, 4).replace("unkn", "unknown")
    add("incident_year", years, sorted(set(years.to_list()) - {"unknown"}) + ["unknown"])
    return pl.DataFrame(
        out, schema={"dimension": pl.String, "group": pl.String, "count": pl.Int64}, orient="row"
    ).filter((pl.col("dimension") != "incident_year") | (pl.col("count") > 0))
