"""Altair charts shared by the pages, the briefs and the exports (one chart code for all).

Colour-blind-safe palette (Okabe-Ito); every code shown in plain words (psea.present.labels). Time runs on
an ordinal axis over its labels ("2015 Q2", "end 2017"), each once, every quarter of the window
present. A suppressed cell, or a quarter the data do not reach yet, is a marker at the axis with
its word ("suppressed", "not yet reported"), never a bar (psea.present.chart_marks). Milestones are
dashed rules numbered 1, 2, 3… with their names in the legend; `milestone_notes(chart)` gives the
same list for a caption. Nothing is told by colour alone: values and statuses are written on the
marks, targets are named lines. Each chart carries a text description (its figures in order) that
screen readers speak. Frames may carry `suppressed` and `not_reported` (bool) columns; their value
is then null.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import altair as alt
import polars as pl

from psea.present.chart_marks import (
    COUNT_FORMAT,
    FIT_WIDTH,
    HIDDEN_NOTES,
    NOT_REPORTED,
    RATE_AXIS,
    RATE_TOP,
    SUPPRESSED,
    Target,
    chart_description,
    count_axis,
    coverage_targets,
    described,
    hidden_markers,
    target_rules,
    with_flags,
)
from psea.present.chart_time import (
    date_label,
    dated_axis,
    milestone_layers,
    milestone_notes,
    placed_milestones,
    quarter_first_day,
    quarter_label,
    quarter_last_day,
    quarters_from_to,
    quarters_in,
    time_axis,
)
from psea.present.indicator_charts import STATUS_COLOURS, indicator_trend, status_bars
from psea.present.labels import label, labelled

__all__ = [  # the time helpers are part of this module's interface for pages and briefs
    "HIDDEN_NOTES",
    "STATUS_COLOURS",
    "NOT_REPORTED",
    "SUPPRESSED",
    "breakdown_bars",
    "coverage_line",
    "date_label",
    "indicator_trend",
    "milestone_notes",
    "quarter_label",
    "quarterly_trend",
    "quarters_in",
    "status_bars",
]

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
VALUE_INK = "#333333"


def _nice_top(peak: float, floor: float = 1) -> float:
    """A round upper bound at least a fifth above the tallest mark: room for its label and the
    milestone numbers, so nothing is clipped."""
    target = max(peak * 1.2, floor)
    magnitude = 10 ** math.floor(math.log10(target))
    return next(
        s * magnitude for s in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if s * magnitude >= target
    )


def _is_share(frame: pl.DataFrame, value: str) -> bool:
    shown = frame[value].drop_nulls()
    return any(w in value for w in ("share", "rate", "coverage")) and (
        shown.is_empty() or float(shown.max()) <= 1
    )


# --- the charts ------------------------------------------------------------------------------------


def breakdown_bars(
    frame: pl.DataFrame,
    category: str,
    value: str = "count",
    title: str = "",
    k: int = 5,
    targets: Sequence[Target] | None = None,
) -> alt.LayerChart:
    """Horizontal bars of a one-way breakdown in the frame's order, each group in plain words and
    its value written at the bar's end; suppressed cells (withheld by the release,
    psea.disclosure) and cells not yet reported are markers at the axis with their word. Shares
    (a `value` named …share/rate/coverage) are percentages, with `targets` drawn as named lines
    (a coverage share: by default the coverage thresholds in settings)."""
    frame = labelled(with_flags(frame, value), [category])
    order = frame[category].to_list()
    share = _is_share(frame, value)
    peak = float(frame[value].drop_nulls().max() or 0)
    top = 1.15 if share else _nice_top(peak, 1)
    y = alt.Y(f"{category}:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    fmt = ".0%" if share else ","
    axis = (
        alt.Axis(format=".0%", values=[i / 5 for i in range(6)])
        if share
        else count_axis(label(value))
    )
    x = alt.X(
        f"{value}:Q", title=label(value), scale=alt.Scale(domain=[0, top], nice=False), axis=axis
    )
    frame = described(frame, category, value, fmt)
    if targets is None:
        targets = coverage_targets() if share and "coverage" in value else ()
    shown = frame.filter(pl.col(value).is_not_null())
    tooltip = [alt.Tooltip(f"{category}:N", title=label(category)), alt.Tooltip(value, format=fmt)]
    bars = (
        alt.Chart(shown)
        .mark_bar(color=OKABE_ITO[0])
        .encode(x=x, y=y, tooltip=tooltip, description="_description:N")
    )
    values = (
        alt.Chart(shown)
        .mark_text(align="left", dx=3, color=VALUE_INK, aria=False)
        .encode(x=x, y=y, text=alt.Text(f"{value}:Q", format=fmt))
    )
    layers = [
        *([bars, values] if shown.height else []),  # an empty layer is an unlabelled graphic
        *hidden_markers(frame, y, k, across=True),
        *(target_rules(targets, across=True) if share else []),
    ]
    return alt.layer(*layers).properties(
        title=title,
        description=chart_description("Bar chart", title, frame["_description"].to_list()),
        width="container",
        height=alt.Step(24),  # a step, not a fixed height: Streamlit collapses a fixed one
    )


def quarterly_trend(
    frame: pl.DataFrame,
    milestones: pl.DataFrame | None = None,
    value: str = "count",
    title: str = "",
    k: int = 5,
    quarters: Sequence[dt.date | str] | None = None,
    reported_until: dt.date | None = None,
    y_title: str = "allegations",
) -> alt.LayerChart:
    """Bars per quarter on an ordinal axis, each quarter of the window once ("2015 Q2"), with its
    count written on it (0 where none); suppressed quarters and quarters not yet reported are
    markers at the axis with their word, milestones numbered rules named in the legend.

    `quarters`: the window (dates or labels); by default the frame's first to last quarter.
    Quarters of the window missing from the frame count 0. `reported_until`: the as_of of the
    data; a quarter ending after it is "not yet reported" (as is a row whose `not_reported` is
    true). `y_title`: what is counted."""
    frame = frame.with_columns(
        pl.col("quarter").map_elements(quarter_label, return_dtype=pl.String)
    )
    if quarters is None:
        known = sorted(frame["quarter"].to_list())
        quarters = [] if not known else quarters_from_to(known[0], known[-1])
    labels = list(dict.fromkeys(quarter_label(q) for q in quarters))
    late = [q for q in labels if reported_until and quarter_last_day(q) > reported_until]
    frame = with_flags(frame, value).select("quarter", value, "suppressed", "not_reported")
    frame = (
        pl.DataFrame({"quarter": labels}, schema={"quarter": pl.String})
        .join(frame, on="quarter", how="left", maintain_order="left")
        .with_columns(
            pl.col(value).fill_null(0),  # a quarter of the window without a row had none
            pl.col("suppressed").fill_null(False),
            pl.col("not_reported").fill_null(False) | pl.col("quarter").is_in(late),
        )
    )
    frame = described(with_flags(frame, value), "quarter", value, COUNT_FORMAT)
    peak = float(frame[value].drop_nulls().max() or 0)
    hidden = frame["suppressed"].any() or frame["not_reported"].any()
    top = _nice_top(peak, 10 if hidden else 1)  # room for a hidden quarter's word
    x = alt.X(
        "quarter:O",
        sort=labels,
        scale=alt.Scale(domain=labels),
        axis=time_axis(labels, "quarter received"),
    )
    y = alt.Y(
        f"{value}:Q",
        title=y_title,
        scale=alt.Scale(domain=[0, top], nice=False),
        axis=count_axis(y_title),
    )
    shown = frame.filter(pl.col(value).is_not_null())
    bars = (
        alt.Chart(shown)
        .mark_bar(color=OKABE_ITO[0], width={"band": 0.8})
        .encode(
            x=x,
            y=y,
            tooltip=[alt.Tooltip("quarter:O", title="quarter"), alt.Tooltip(value, format=",")],
            description="_description:N",
        )
    )
    counts = (
        alt.Chart(shown)
        .mark_text(baseline="bottom", dy=-2, color=VALUE_INK, aria=False)
        .encode(x=x, y=y, text=alt.Text(f"{value}:Q", format=","))
    )
    bands = [(q, quarter_first_day(q), quarter_last_day(q)) for q in labels]
    placed = placed_milestones(milestones, bands)
    layers = [
        *([bars, counts] if shown.height else []),  # an empty layer is an unlabelled graphic
        *hidden_markers(frame, x, k, across=False),
        *milestone_layers(placed, x, top),
    ]
    chart = alt.layer(*layers).properties(
        title=title,
        description=chart_description(
            "Bar chart per quarter", title or y_title, frame["_description"].to_list()
        ),
        width="container",
        height=260,
        autosize=FIT_WIDTH,
    )
    chart.usermeta = {"milestones": placed["_name"].to_list()}
    return chart


def coverage_line(
    frame: pl.DataFrame,
    title: str = "",
    targets: Sequence[Target] | None = None,
    milestones: pl.DataFrame | None = None,
) -> alt.LayerChart:
    """Mandatory coverage at each date (`date`, `coverage`, `covered`, `active`) against its
    targets (by default the coverage thresholds in settings), on an ordinal axis of the dates,
    each point's value written beside it; `milestones` numbered as on the quarterly trend."""
    frame, x, placed = dated_axis(frame, milestones)
    frame = frame.with_columns(
        pl.format(
            "{}: {}",
            pl.col("_x"),
            pl.col("coverage").map_elements(lambda v: f"{v:.0%}", return_dtype=pl.String),
        ).alias("_description")
    )
    y = alt.Y(
        "coverage:Q",
        axis=RATE_AXIS,
        scale=alt.Scale(domain=[0, RATE_TOP], nice=False),
        title="mandatory coverage",
    )
    line = (
        alt.Chart(frame)
        .mark_line(point=True, color=OKABE_ITO[0])
        .encode(
            x=x,
            y=y,
            description="_description:N",
            tooltip=[
                alt.Tooltip("date:T", format="%Y-%m-%d"),
                alt.Tooltip("coverage:Q", format=".1%"),
                alt.Tooltip("covered:Q", format=","),
                alt.Tooltip("active:Q", format=","),
            ],
        )
    )
    values = (
        alt.Chart(frame)
        .mark_text(baseline="top", dy=6, fontSize=10, color=VALUE_INK, aria=False)
        .encode(x=x, y=y, text=alt.Text("coverage:Q", format=".0%"))
    )
    targets = coverage_targets() if targets is None else targets
    chart = alt.layer(
        line, values, *target_rules(targets, across=False), *milestone_layers(placed, x, RATE_TOP)
    )
    chart = chart.resolve_scale(color="independent").properties(
        title=title,
        description=chart_description("Line chart", title, frame["_description"].to_list()),
        width="container",
        height=240,
        autosize=FIT_WIDTH,
    )
    chart.usermeta = {"milestones": placed["_name"].to_list()}
    return chart
