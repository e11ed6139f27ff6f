"""Charts draw suppressed cells as a labelled "<K" band and never carry their value."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from psea import charts
from psea.disclosure.privacy import suppress_breakdown

K = 5


def chart_data(chart) -> list[dict]:
    spec = chart.to_dict()
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def test_breakdown_bars_show_suppressed_cells_as_a_band():
    table = suppress_breakdown(
        pl.DataFrame({"category": ["a", "b", "c"], "count": [40, 3, 2]}), k=K
    )
    rows = chart_data(charts.breakdown_bars(table, "category", k=K))
    band = [r for r in rows if r.get("_label") == "<5"]
    assert {r["category"] for r in band} == {"b", "c"}
    assert all(r["count"] is None for r in band)
    assert '"<5"' in json.dumps(charts.breakdown_bars(table, "category", k=K).to_dict())


def test_quarterly_trend_shows_suppressed_quarters_as_a_labelled_band():
    quarters = [dt.date(2018, 1, 1), dt.date(2018, 4, 1), dt.date(2018, 7, 1)]
    table = suppress_breakdown(pl.DataFrame({"quarter": quarters, "count": [20, 3, 9]}), k=K)
    spec = charts.quarterly_trend(table, k=K).to_dict()
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["bar", "bar", "text"]
    assert not any(r.get("count") == 3 for r in chart_data(charts.quarterly_trend(table, k=K)))


def test_unpublished_frames_draw_without_a_band():
    table = pl.DataFrame({"category": ["a", "b"], "count": [4, 3]})
    spec = charts.breakdown_bars(table, "category", k=K).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar"]
