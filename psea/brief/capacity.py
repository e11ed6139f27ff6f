"""The Champion's report's part on country PSEA capacity (psea.metrics.capacity): each country's
items in place and gaps as its reporters stated them by the meeting, and what changed since the
previous meeting, item by item. Not case data: not suppressed."""

from __future__ import annotations

import datetime as dt

import polars as pl

from psea.brief.model import Section, Table
from psea.metrics import capacity
from psea.present.labels import label

TITLE = "Country PSEA capacity"


def capacity_sections(
    frame: pl.DataFrame, previous_meeting: dt.date | None
) -> tuple[Section, Section | None]:
    """`frame`: capacity.capacity(con, meeting, since=previous_meeting). The section per country,
    and the annex listing every item that changed (None when nothing was reported)."""
    if frame.is_empty():
        return Section(
            TITLE, ["No country PSEA capacity was reported by the meeting's date."], level=1
        ), None
    countries = capacity.by_country(frame)
    in_place = frame.group_by("country").agg((pl.col("status") == "yes").sum().alias("in_place"))
    items = frame.group_by("country").agg(
        (pl.col("status") != "not_applicable").sum().alias("items")
    )
    since = "the previous meeting" if previous_meeting else "the reporter's previous report"
    changed = frame.filter(pl.col("change").is_in(["better", "worse", "changed"]))
    reported = sorted({d.isoformat() for d in frame["as_of"].unique().to_list()})
    counts = {c: int((frame["change"] == c).sum()) for c in ("better", "worse", "new")}
    table = (
        countries.join(in_place, on="country")
        .join(items, on="country")
        .sort(["gaps", "no", "country_name"], descending=[True, True, False])
        .select(
            pl.col("country_name").alias("Country"),
            pl.col("reporters").cast(pl.String).alias("Reporters"),
            pl.format("{} of {}", "in_place", "items").alias("Items in place"),
            pl.col("gaps").cast(pl.String).alias("Gaps (no or partly)"),
            pl.col("better").cast(pl.String).alias("Better"),
            pl.col("worse").cast(pl.String).alias("Worse"),
        )
    )
    changes = (
        changed.with_columns(
            pl.col("item").map_elements(label, return_dtype=pl.String),
            pl.col("reporter").map_elements(label, return_dtype=pl.String),
            (pl.col("change") == "worse").alias("_worse"),
        )
        .sort(
            ["_worse", "country_name", "reporter", "item"], descending=[True, False, False, False]
        )
        .select(
            pl.col("country_name").alias("Country"),
            pl.col("reporter").alias("Reporter"),
            pl.col("item").alias("Item"),
            pl.col("previous_status").map_elements(label, return_dtype=pl.String).alias("Was"),
            pl.col("status").map_elements(label, return_dtype=pl.String).alias("Now"),
        )
    )
    body = Section(
        TITLE,
        [
            f"{countries.height} countries, each item as its reporters (the entities present "
            f"and the in-country PSEA network) stated it at their latest report by the meeting "
            f"({', '.join(reported)}), against their latest report by {since}"
            + (f" ({previous_meeting.isoformat()})" if previous_meeting else "")
            + f": {counts['better']} items better, {counts['worse']} worse, {counts['new']} "
            "reported for the first time (each listed in the annex). Countries with the most "
            "gaps first.",
            "Each item's status as the reporter stated it: yes, partly, no or not applicable; "
            "a gap is an item at no or partly. Better or worse: against the same reporter's "
            "earlier report; new: no earlier report of the item.",
        ],
        tables=[Table("Capacity per country", table)],
        level=1,
    )
    annex = Section(
        f"Annex: country PSEA capacity, what changed since {since}",
        [f"Every item whose status changed, the {counts['worse']} that got worse first."],
        tables=[Table("", changes)],
        new_page=True,
    )
    return body, annex
