"""The audit-risk missions as people read them (psea.metrics.training.audit_risk is the rule): the
missions most at risk first, the small ones listed apart, in plain words. One shape for the
Training and Manager pages and the brief."""

from __future__ import annotations

import polars as pl

from data_contracts.reference import reference_frame

KEY = ["entity", "mission"]


def at_risk(frame: pl.DataFrame) -> pl.DataFrame:
    """Flagged missions of at least the minimum headcount, most at risk first (personnel to
    reach: headcount x shortfall)."""
    return _ranked(frame.filter(pl.col("flagged") & ~pl.col("small")))


def small_missions(frame: pl.DataFrame) -> pl.DataFrame:
    """Flagged missions below the minimum headcount: listed apart, where one person moves the
    coverage by several points."""
    return _ranked(frame.filter(pl.col("flagged") & pl.col("small")))


def newly_flagged(now: pl.DataFrame, before: pl.DataFrame) -> pl.DataFrame:
    """`now` with `new`: flagged now and not at the earlier date."""
    was = before.filter(pl.col("flagged")).select(KEY).with_columns(pl.lit(False).alias("new"))
    return now.join(was, on=KEY, how="left").with_columns(pl.col("new").fill_null(True))


def _ranked(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(
        ["to_reach", "active", "entity", "mission"], descending=[True, True, False, False]
    )


def mission_names(frame: pl.DataFrame) -> pl.DataFrame:
    """`mission` as the reader knows it: "Somalia (SOM)"."""
    names = reference_frame("missions").select(pl.col("code").alias("mission"), "name")
    return (
        frame.join(names, on="mission", how="left")
        .with_columns(
            pl.concat_str(
                pl.col("name").fill_null(pl.col("mission")), pl.lit(" ("), "mission", pl.lit(")")
            ).alias("mission")
        )
        .drop("name")
    )


def risk_table(frame: pl.DataFrame, with_entity: bool) -> pl.DataFrame:
    """Text cells in plain words, in the frame's order: [entity,] mission, personnel, coverage,
    personnel to reach, reason (it names a missing staff session)[, new: newly flagged]."""
    named = mission_names(frame)
    return named.select(
        *([pl.col("entity").alias("Entity")] if with_entity else []),
        pl.col("mission").alias("Mission"),
        pl.col("active")
        .map_elements(lambda v: f"{v:,}", return_dtype=pl.String)
        .alias("Personnel"),
        pl.col("coverage")
        .map_elements(lambda v: f"{v:.1%}", return_dtype=pl.String)
        .fill_null("no data")
        .alias("Coverage"),
        pl.col("to_reach")
        .map_elements(lambda v: f"{v:,}", return_dtype=pl.String)
        .alias("Personnel to reach"),
        _short(pl.col("reason")).alias("Reason"),
        *(
            [pl.col("new").replace_strict({True: "Yes", False: "No"}).alias("New")]
            if "new" in frame.columns
            else []
        ),
    )


def _short(reason: pl.Expr) -> pl.Expr:
    """The reason without its window (the staff-sessions column and the rule name it), capital
    first: 'No staff session; coverage below 80%'."""
    text = reason.str.replace(r" in the last (\w+ )?complete quarters?", "").str.replace(
        "mandatory coverage", "coverage"
    )
    return text.str.slice(0, 1).str.to_uppercase() + text.str.slice(1)
