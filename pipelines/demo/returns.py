"""The agencies and NGOs that answer with totals: their quarterly returns, derived from the same
case histories as the case rows (so their story is the generator's), and their personnel. An
entity's first return carries every quarter since the demo's start (its back data); each later
one re-sends the last four quarters, with statuses moved on."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from data_contracts import contract_for
from pipelines.demo.scenario import START
from psea.calendar.quarters import quarter_start

RETURN_ENTITIES = ("WFP", "UNICEF", "NRC", "IRC")
NGOS = {"NRC": (45.0, 30, 6_000), "IRC": (35.0, 35, 4_500)}  # cases in 2018, missions, personnel
COUNTED = [
    "allegations",
    "victims",
    "victims_assisted",
    "subjects",
    "investigations_opened",
    "investigations_completed",
    "substantiated",
    "unsubstantiated",
]
QUARTERS_PER_RETURN = 4  # each return re-sends the last four quarters, with statuses moved on
OVERDUE_AFTER_DAYS = 180
UN_PERSONNEL = {"staff": "agencies_funds_programmes", "non_staff": "agencies_funds_programmes"}
UN_PERSONNEL["contractor"] = "agencies_funds_programmes"
UN_VICTIM_GROUP = (
    pl.when((pl.col("sex") == "female") & (pl.col("age_group") == "adult"))
    .then(pl.lit("women"))
    .when((pl.col("sex") == "female") & (pl.col("age_group") == "child"))
    .then(pl.lit("girls"))
    .when(pl.col("sex") == "female")
    .then(pl.lit("females_unknown_age"))
    .when((pl.col("sex") == "male") & (pl.col("age_group") == "adult"))
    .then(pl.lit("men"))
    .when((pl.col("sex") == "male") & (pl.col("age_group") == "child"))
    .then(pl.lit("boys"))
    .when(pl.col("sex") == "male")
    .then(pl.lit("males_unknown_age"))
    .otherwise(pl.lit("unknown"))
)


def _quarter_key(day: pl.Expr) -> pl.Expr:
    return day.dt.year().cast(pl.String) + "Q" + day.dt.quarter().cast(pl.String)


def _counted(frame: pl.DataFrame, figure: str, day: str, by: dict[str, pl.Expr]) -> pl.DataFrame:
    """The figure's total and breakdowns per entity and quarter of `day`."""
    dated = frame.with_columns(_quarter_key(pl.col(day).cast(pl.Date)).alias("quarter"))
    parts = [
        dated.group_by("entity", "quarter").agg(
            pl.lit("total").alias("dimension"),
            pl.lit("total").alias("group"),
            pl.len().alias("count"),
        )
    ]
    for dimension, expr in by.items():
        parts.append(
            dated.group_by("entity", "quarter", expr.alias("group")).agg(
                pl.lit(dimension).alias("dimension"), pl.len().alias("count")
            )
        )
    return pl.concat(
        [p.select("entity", "quarter", "dimension", "group", "count") for p in parts]
    ).with_columns(pl.lit(figure).alias("figure"))


def quarterly_returns(
    frames: dict[str, pl.DataFrame],
    as_of: dt.date,
    personnel: pl.DataFrame,
    entities: list[str],
    first: bool = False,
) -> pl.DataFrame:
    """The returns the entities send at `as_of`: their last quarters up to it (every quarter since
    the start in a `first` return), counted from their case snapshot at `as_of` (statuses as they
    stand then); zero totals included, zero groups left out. `personnel`: entity, quarter, count."""
    frames = {kind: _typed(kind, frame) for kind, frame in frames.items()}
    cases = frames["cases"].filter(pl.col("entity").is_in(entities))
    keys = ["entity", "case_ref"]
    victims = frames["case_victims"].join(cases.select(*keys, "date_received"), on=keys)
    provided = (
        frames["victim_assistance"]
        .filter(pl.col("status") == "provided")
        .select(*keys, "victim_ref")
        .unique()
    )
    subjects = frames["case_subjects"].join(cases.select(*keys, "date_received"), on=keys)
    findings = cases.filter(pl.col("status").is_in(["substantiated", "unsubstantiated"]))
    figures = [
        _counted(
            cases,
            "allegations",
            "date_received",
            {
                "category": pl.col("category"),
                "personnel_group": pl.col("personnel_group").cast(pl.String).replace(UN_PERSONNEL),
                "status": pl.col("status"),
            },
        ),
        _counted(victims, "victims", "date_received", {"un_victim_group": UN_VICTIM_GROUP}),
        _counted(
            victims.join(provided, on=[*keys, "victim_ref"]),
            "victims_assisted",
            "date_received",
            {},
        ),
        _counted(subjects, "subjects", "date_received", {"subject_gender": pl.col("gender")}),
        _counted(
            cases.filter(pl.col("investigation_opened_on").is_not_null()),
            "investigations_opened",
            "investigation_opened_on",
            {},
        ),
        _counted(findings, "investigations_completed", "investigation_completed_on", {}),
        *(
            _counted(findings.filter(pl.col("status") == s), s, "investigation_completed_on", {})
            for s in ("substantiated", "unsubstantiated")
        ),
    ]
    quarters = _last_quarters(as_of, None if first else QUARTERS_PER_RETURN)
    grid = pl.DataFrame(
        [(e, q) for e in entities for q in quarters],
        schema=["entity", "quarter"],
        orient="row",
    )
    key = ["entity", "quarter", "figure", "dimension", "group"]
    counted = pl.concat(figures).join(grid, on=["entity", "quarter"])
    totals = (  # a quarter without any: its totals are 0
        grid.join(pl.DataFrame({"figure": COUNTED}), how="cross")
        .with_columns(pl.lit("total").alias("dimension"), pl.lit("total").alias("group"))
        .join(counted, on=key, how="left")
        .with_columns(pl.col("count").fill_null(0))
    )
    out = pl.concat(
        [
            totals.select(*key, pl.col("count").cast(pl.Int64)),
            counted.filter(pl.col("dimension") != "total").select(
                *key, pl.col("count").cast(pl.Int64)
            ),
            _overdue(cases, grid),
            personnel.join(grid, on=["entity", "quarter"]).select(key + ["count"]),
        ]
    )
    return out.with_columns(pl.lit(as_of).alias("as_of")).sort(key)


def _typed(kind: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The contract's types, also on an empty snapshot (whose columns may have none)."""
    types = {"string": pl.String, "date": pl.Date, "boolean": pl.Boolean, "integer": pl.Int32}
    return frame.with_columns(
        pl.col(c.name).cast(types[c.logical_type])
        for c in contract_for(kind).columns
        if c.name in frame.columns
    )


def _last_quarters(as_of: dt.date, count: int | None) -> list[str]:
    """The keys of the last `count` quarters ended by `as_of` (None: all since the start)."""
    first = quarter_start(as_of + dt.timedelta(days=1))
    out: list[str] = []
    while first > START and (count is None or len(out) < count):
        first = quarter_start(first - dt.timedelta(days=1))
        out.append(f"{first.year}Q{(first.month - 1) // 3 + 1}")
    return out


def _overdue(cases: pl.DataFrame, grid: pl.DataFrame) -> pl.DataFrame:
    """Open investigations at each quarter's end opened more than 180 days before it."""
    ends = grid.with_columns(
        pl.date(
            pl.col("quarter").str.slice(0, 4).cast(pl.Int32),
            pl.col("quarter").str.slice(5, 1).cast(pl.Int32) * 3 - 2,
            1,
        )
        .dt.offset_by("3mo")
        .dt.offset_by("-1d")
        .alias("end")
    )
    opened = cases.filter(pl.col("investigation_opened_on").is_not_null()).select(
        "entity", "investigation_opened_on", "investigation_completed_on"
    )
    joined = ends.join(opened, on="entity", how="left")
    overdue = (
        (pl.col("investigation_opened_on") <= pl.col("end"))
        & (pl.col("investigation_opened_on") < pl.col("end") - pl.duration(days=OVERDUE_AFTER_DAYS))
        & (
            pl.col("investigation_completed_on").is_null()
            | (pl.col("investigation_completed_on") > pl.col("end"))
        )
    )
    return (
        joined.group_by("entity", "quarter")
        .agg(overdue.fill_null(False).sum().cast(pl.Int64).alias("count"))
        .with_columns(
            pl.lit("overdue").alias("figure"),
            pl.lit("total").alias("dimension"),
            pl.lit("total").alias("group"),
        )
        .select("entity", "quarter", "figure", "dimension", "group", "count")
    )


def personnel_by_quarter(roster: pl.DataFrame, ends: list[dt.date], scale: float) -> pl.DataFrame:
    """entity, quarter, figure 'personnel': persons active in the roster at each quarter's end (the
    agencies), or the NGOs' stated workforce growing 3% a year."""
    days = np.array(ends, dtype="datetime64[D]")
    keys = [f"{end.year}Q{(end.month - 1) // 3 + 1}" for end in ends]
    rows = []
    for (entity,), people in roster.group_by("entity"):
        if entity not in RETURN_ENTITIES:
            continue
        start = people["contract_start"].to_numpy().astype("datetime64[D]")
        stop = people["contract_end"].fill_null(dt.date(9999, 12, 31)).to_numpy()
        stop = stop.astype("datetime64[D]")
        active = ((start[:, None] <= days) & (stop[:, None] >= days)).sum(axis=0)
        rows += [(entity, key, int(n)) for key, n in zip(keys, active, strict=True)]
    for ngo, (_, _, headcount) in NGOS.items():
        rows += [
            (ngo, key, round(headcount * scale * 1.03 ** (end.year - 2018)))
            for key, end in zip(keys, ends, strict=True)
        ]
    return (
        pl.DataFrame(
            rows,
            schema={"entity": pl.String, "quarter": pl.String, "count": pl.Int64},
            orient="row",
        )
        .with_columns(
            pl.lit("personnel").alias("figure"),
            pl.lit("total").alias("dimension"),
            pl.lit("total").alias("group"),
        )
        .select("entity", "quarter", "figure", "dimension", "group", "count")
    )
