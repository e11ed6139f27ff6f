"""The personnel extracts (roster, training, awareness sessions, contracts, appraisals) as each
entity's systems would have sent them at a snapshot date: a full history up to that date."""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines.demo.appraisals import last_closed_year

# The HR extract lists everyone in post since the PSEA indicator's first year, not since 2000.
IN_POST_SINCE = dt.date(2011, 1, 1)
DATE_OF = {"training": "completed_on", "awareness_sessions": "held_on", "contracts": "signed_on"}


def in_post_since_2011(roster: pl.DataFrame) -> pl.DataFrame:
    return roster.filter(
        pl.col("contract_end").is_null() | (pl.col("contract_end") >= IN_POST_SINCE)
    )


def supervisors(roster: pl.DataFrame) -> pl.DataFrame:
    """The roster with each person's supervisor's contract start and their mission's chief, to
    cut it at any date (`roster_at`)."""
    chiefs = roster.filter(pl.col("role") == "chief_of_mission").select(
        "entity", "mission", pl.col("person_ref").alias("_chief")
    )
    starts = roster.select(
        "entity",
        pl.col("person_ref").alias("manager_ref"),
        pl.col("contract_start").alias("_boss_start"),
    )
    return roster.join(starts, on=["entity", "manager_ref"], how="left").join(
        chiefs, on=["entity", "mission"], how="left"
    )


def cut_at(kind: str, frame: pl.DataFrame, day: dt.date, entities: list[str]) -> pl.DataFrame:
    """The rows of the entities' full-history extract that their sources held on `day`. In the
    roster, a supervisor not yet in post then is replaced by the mission's chief, who was (the
    roster's supervisor must be in the snapshot)."""
    of = pl.col("entity").is_in(entities)
    if kind == "roster":
        boss = (
            pl.when(pl.col("manager_ref").is_null() | (pl.col("_boss_start") <= day))
            .then(pl.col("manager_ref"))
            .otherwise(pl.col("_chief"))
        )
        return (
            frame.lazy()
            .filter(of & (pl.col("contract_start") <= day))
            .with_columns(boss.alias("manager_ref"))
            .drop("_boss_start", "_chief")
            .collect()
        )
    if kind == "appraisals":
        return frame.filter(of & (pl.col("year") <= last_closed_year(day)))
    return frame.filter(of & (pl.col(DATE_OF[kind]) <= day))
