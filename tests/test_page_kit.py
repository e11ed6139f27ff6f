"""The page kit as a reader meets it: who may open a page in words, an unchanged figure without an
arrow, tables whose columns fit their words and show no code, and the capacity grid of one
country (items by reporter)."""

from __future__ import annotations

import polars as pl
from streamlit.proto.Metric_pb2 import Metric
from streamlit.testing.v1 import AppTest

from psea.app.access import who_may_open
from psea.app.page import column_widths


def test_who_may_open_a_page_is_said_in_words():
    assert who_may_open("audit") == "the administrator"
    assert who_may_open("managers") == "senior focal points and analysts"
    assert who_may_open("overview") == (
        "the IASC Champion's office, senior focal points and analysts"
    )


def _metric(now: int, before: int):
    def page(now: int, before: int) -> None:
        from psea.app.page import figure_metric
        from psea.disclosure.figures import shown
        from psea.present.comparison import Comparison

        comparison = Comparison(shown(now), 1, shown(before), 1, None)
        figure_metric(None, "Allegations received", shown(now), comparison)

    return AppTest.from_function(page, args=(now, before), default_timeout=30).run().metric[0]


def test_an_unchanged_figure_has_no_arrow_and_says_so():
    same = _metric(12, 12)
    assert same.delta == "previous period: no change (12 before)"
    assert Metric.MetricDirection.Name(same.proto.direction) == "NONE"  # no arrow
    up = _metric(15, 12)
    assert up.delta == "previous period: +25% (12 before)"
    assert Metric.MetricDirection.Name(up.proto.direction) == "UP"


def test_columns_are_as_wide_as_their_words():
    frame = pl.DataFrame(
        {"stage": ["not broken down", "Received"], "count": [12, 3], "reason": ["x" * 200, "y"]}
    )
    widths = column_widths(frame)
    assert widths["stage"] >= 7.5 * len("not broken down")  # never cut to "not brok"
    assert widths["count"] >= 7.5 * len("Count")  # the header's words fit
    assert widths["reason"] == 520  # a long text is bounded; the table scrolls


def test_the_capacity_grid_shows_one_country_items_by_reporter_network_first():
    import datetime as dt

    from psea.metrics import capacity

    rows = [
        ("MAR", "Morocco", reporter, item, status, change, previous)
        for reporter, item, status, change, previous in [
            ("IOM", "psea_coordinator", "yes", "better", "partial"),
            ("NETWORK", "psea_coordinator", "partial", "same", "partial"),
            ("NETWORK", "action_plan", "no", "new", None),
        ]
    ]
    frame = pl.DataFrame(
        rows,
        schema=[
            "country",
            "country_name",
            "reporter",
            "item",
            "status",
            "change",
            "previous_status",
        ],
        orient="row",
    ).with_columns(pl.lit(dt.date(2026, 9, 30)).alias("as_of"))
    grid = capacity.item_grid(frame, "MAR")
    assert grid.columns == ["item", "NETWORK", "IOM"]
    assert grid["item"].to_list() == ["psea_coordinator", "action_plan"]  # the contract's order
    assert grid.row(0) == ("psea_coordinator", "partial", "yes, was partial")
    assert grid.row(1) == ("action_plan", "no", None)
