"""Reference data shipped with the dashboard (versioned CSV files, loaded on every build)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl

REFERENCE_DIR = Path(__file__).parent / "reference"
REFERENCE_TABLES = ("missions", "sfp_meetings", "milestones", "cbcm_trainings")


@cache
def reference_frame(name: str) -> pl.DataFrame:
    frame = pl.read_csv(REFERENCE_DIR / f"{name}.csv", infer_schema=False)
    for col in ("meeting_date", "date"):
        if col in frame.columns:
            frame = frame.with_columns(pl.col(col).str.to_date("%Y-%m-%d"))
    if "year" in frame.columns:
        frame = frame.with_columns(pl.col("year").cast(pl.Int32))
    if "action_plan" in frame.columns:
        frame = frame.with_columns(pl.col("action_plan") == "true")
    return frame


@cache
def mission_codes() -> frozenset[str]:
    return frozenset(reference_frame("missions")["code"].to_list())
