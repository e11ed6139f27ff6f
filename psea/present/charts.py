"""Altair charts shared by the pages, the briefs and the exports (one chart code for all).

Colour-blind-safe palette (Okabe-Ito); every code shown in plain words (psea.present.labels). Time runs on
an ordinal axis over its labels ("2015 Q2", "end 2017"), each once, every quarter of the window
present. A suppressed cell is a grey band marked "suppressed", a quarter the data do not reach yet a
hatched band marked "not yet reported": never a value. Milestones are dashed rules numbered 1, 2, 3…
with their names in the legend; `milestone_notes(chart)` gives the same list for a caption.
Frames may carry `suppressed` and `not_reported` (bool) columns; their value is then null.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import altair as alt
import polars as pl

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
from psea.present.labels import label, labelled

__all__ = [  # the time helpers are part of this module's interface for pages and briefs
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
SUPPRESSED_GREY = "#BBBBBB"
SUPPRESSED = "suppressed"
NOT_REPORTED = "not yet reported"
BAND_NOTES = {
    SUPPRESSED: "fewer than {k}, or withheld so that a smaller figure cannot be worked out",
    NOT_REPORTED: "the data received do not reach the end of this period yet",
}
# Diagonal grey stripes (a hatch): a gradient with hard stops, which every renderer draws.
HATCH = alt.Gradient(
    gradient="linear",
    x1=0,
    y1=0,
    x2=1,
    y2=0.25,
    stops=[
        alt.GradientStop(offset=min(1.0, (i + j) / 16), color="#CCCCCC" if i % 2 else "#F2F2F2")
        for i in range(16)
        for j in (0, 1)
    ],
)


def _nice_top(peak: float, floor: float = 1) -> float:
    """A round upper bound at least a fifth above the tallest mark: room for its label and the
    milestone numbers, so nothing is clipped."""
    target = max(peak * 1.2, floor)
    magnitude = 10 ** math.floor(math.log10(target))
    return next(
        s * magnitude for s in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if s * magnitude >= target
    )


# --- marked bands: suppressed, not yet reported -----------------------------------------------


def _with_flags(frame: pl.DataFrame, value: str) -> pl.DataFrame:
    """`suppressed` and `not_reported` present (false when absent) and the value null where set."""
    for flag in ("suppressed", "not_reported"):
        if flag not in frame.columns:
            frame = frame.with_columns(pl.lit(False).alias(flag))
    hidden = pl.col("suppressed") | pl.col("not_reported")
    return frame.with_columns(pl.when(hidden).then(None).otherwise(pl.col(value)).alias(value))


def _band_layers(
    frame: pl.DataFrame, category: alt.X | alt.Y, field: str, top: float, k: int, across: bool
) -> list[alt.Chart]:
    """A band over the whole value range for each suppressed or not-yet-reported cell, its word
    written inside it (turned upwards in a vertical band, so never wider than the band)."""
    layers = []
    for flag, word, fill in (
        ("suppressed", SUPPRESSED, SUPPRESSED_GREY),
        ("not_reported", NOT_REPORTED, HATCH),
    ):
        band = (
            frame.filter(pl.col(flag))
            .select(field)
            .with_columns(
                pl.lit(0).alias("_lo"),
                pl.lit(top).alias("_hi"),
                pl.lit(word).alias("_label"),
                pl.lit(BAND_NOTES[word].format(k=k)).alias("_note"),
            )
        )
        if band.is_empty():
            continue
        value = "x" if across else "y"
        base = alt.Chart(band).encode(
            **{"y" if across else "x": category},
            tooltip=[alt.Tooltip(f"{field}:N", title=label(field)), "_label:N", "_note:N"],
        )
        layers.append(
            base.mark_bar(color=fill, opacity=0.8, stroke="#888888", strokeWidth=0.5).encode(
                **{value: "_lo:Q", f"{value}2": "_hi:Q"}
            )
        )
        layers.append(
            base.mark_text(
                angle=0 if across else 270, align="left", baseline="middle", dx=6, color="#333333"
            ).encode(**{value: "_lo:Q"}, text="_label:N")
        )
    return layers


def _is_share(frame: pl.DataFrame, value: str) -> bool:
    shown = frame[value].drop_nulls()
    return any(w in value for w in ("share", "rate", "coverage")) and (
        shown.is_empty() or float(shown.max()) <= 1
    )


# --- the charts ------------------------------------------------------------------------------------


def breakdown_bars(
    frame: pl.DataFrame, category: str, value: str = "count", title: str = "", k: int = 5
) -> alt.LayerChart:
    """Horizontal bars of a one-way breakdown in the frame's order, each group in plain words and
    its value written at the bar's end; suppressed cells (withheld by the release, psea.disclosure) and cells not
    yet reported are marked bands. Shares (a `value` named …share/rate/coverage) are percentages."""
    frame = labelled(_with_flags(frame, value), [category])
    order = frame[category].to_list()
    share = _is_share(frame, value)
    peak = float(frame[value].drop_nulls().max() or 0)
    top = 1.15 if share else _nice_top(peak, k if frame["suppressed"].any() else 1)
    y = alt.Y(f"{category}:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    fmt = ".0%" if share else ","
    x = alt.X(
        f"{value}:Q",
        title=label(value),
        scale=alt.Scale(domain=[0, top], nice=False),
        axis=alt.Axis(format=fmt, values=[i / 5 for i in range(6)] if share else alt.Undefined),
    )
    shown = frame.filter(pl.col(value).is_not_null())
    tooltip = [alt.Tooltip(f"{category}:N", title=label(category)), alt.Tooltip(value, format=fmt)]
    bars = alt.Chart(shown).mark_bar(color=OKABE_ITO[0]).encode(x=x, y=y, tooltip=tooltip)
    values = (
        alt.Chart(shown)
        .mark_text(align="left", dx=3, color="#333333")
        .encode(x=x, y=y, text=alt.Text(f"{value}:Q", format=fmt))
    )
    layers = [bars, values, *_band_layers(frame, y, category, top, k, across=True)]
    return alt.layer(*layers).properties(
        title=title,
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
    marked bands, milestones numbered rules named in the legend.

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
    frame = _with_flags(frame, value).select("quarter", value, "suppressed", "not_reported")
    frame = (
        pl.DataFrame({"quarter": labels}, schema={"quarter": pl.String})
        .join(frame, on="quarter", how="left", maintain_order="left")
        .with_columns(
            pl.col(value).fill_null(0),  # a quarter of the window without a row had none
            pl.col("suppressed").fill_null(False),
            pl.col("not_reported").fill_null(False) | pl.col("quarter").is_in(late),
        )
    )
    frame = _with_flags(frame, value)
    peak = float(frame[value].drop_nulls().max() or 0)
    top = _nice_top(peak, k if frame["suppressed"].any() else 1)
    x = alt.X(
        "quarter:O",
        sort=labels,
        scale=alt.Scale(domain=labels),
        axis=time_axis(labels, "quarter received"),
    )
    y = alt.Y(f"{value}:Q", title=y_title, scale=alt.Scale(domain=[0, top], nice=False))
    shown = frame.filter(pl.col(value).is_not_null())
    bars = (
        alt.Chart(shown)
        .mark_bar(color=OKABE_ITO[0], width={"band": 0.8})
        .encode(x=x, y=y, tooltip=[alt.Tooltip("quarter:O", title="quarter"), value])
    )
    counts = (
        alt.Chart(shown)
        .mark_text(baseline="bottom", dy=-2, color="#333333")
        .encode(x=x, y=y, text=alt.Text(f"{value}:Q", format=","))
    )
    bands = [(q, quarter_first_day(q), quarter_last_day(q)) for q in labels]
    placed = placed_milestones(milestones, bands)
    layers = [
        bars,
        counts,
        *_band_layers(frame, x, "quarter", top, k, across=False),
        *milestone_layers(placed, x, top),
    ]
    chart = alt.layer(*layers).properties(title=title, width="container", height=260)
    chart.usermeta = {"milestones": placed["_name"].to_list()}
    return chart


RATE_TOP = 1.12  # room above 100% for the milestone numbers
RATE_AXIS = alt.Axis(format="%", values=[i / 5 for i in range(6)])


def coverage_line(
    frame: pl.DataFrame,
    title: str = "",
    target: float = 0.8,
    milestones: pl.DataFrame | None = None,
) -> alt.LayerChart:
    """Mandatory coverage at each date (`date`, `coverage`, `covered`, `active`) against the
    target, on an ordinal axis of the dates; `milestones` numbered as on the quarterly trend."""
    frame, x, placed = dated_axis(frame, milestones)
    y = alt.Y(
        "coverage:Q",
        axis=RATE_AXIS,
        scale=alt.Scale(domain=[0, RATE_TOP], nice=False),
        title="mandatory coverage",
    )
    line = (
        alt.Chart(frame)
        .mark_line(point=True, color=OKABE_ITO[2])
        .encode(
            x=x,
            y=y,
            tooltip=[
                alt.Tooltip("date:T", format="%Y-%m-%d"),
                alt.Tooltip("coverage:Q", format=".1%"),
                alt.Tooltip("covered:Q", format=","),
                alt.Tooltip("active:Q", format=","),
            ],
        )
    )
    goal = pl.DataFrame({"target": [target], "_text": [f"target {target:.0%}"]})
    rule = alt.Chart(goal).mark_rule(color=OKABE_ITO[5], strokeDash=[4, 3]).encode(y="target:Q")
    rule_text = (
        alt.Chart(goal)
        .mark_text(align="right", baseline="bottom", dy=-2, color=OKABE_ITO[5])
        .encode(y="target:Q", x=alt.value("width"), text="_text:N")
    )
    chart = alt.layer(line, rule, rule_text, *milestone_layers(placed, x, RATE_TOP))
    chart = chart.resolve_scale(color="independent").properties(
        title=title, width="container", height=240
    )
    chart.usermeta = {"milestones": placed["_name"].to_list()}
    return chart


STATUS_COLOURS = {
    "green": OKABE_ITO[2],
    "amber": OKABE_ITO[1],
    "red": OKABE_ITO[5],
    "too small": "#999999",
    "no data": "#CCCCCC",
    "not applicable": "#EEEEEE",
}


def status_bars(counts: pl.DataFrame, y: str = "indicator", title: str = "") -> alt.Chart:
    """Managers per status colour, one stacked bar per indicator (or mission, region…); the colour
    always comes with its word in the legend and the tooltip."""
    order = list(STATUS_COLOURS)
    return (
        alt.Chart(
            labelled(counts, [y]).with_columns(
                pl.col("status")
                .replace_strict({s: i for i, s in enumerate(order)}, default=len(order))
                .alias("_order")
            )
        )
        .mark_bar()
        .encode(
            y=alt.Y(f"{y}:N", title=None, axis=alt.Axis(labelLimit=240)),
            x=alt.X(
                "managers:Q",
                stack="normalize",
                axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
                title="share of managers",
            ),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=order, range=list(STATUS_COLOURS.values())),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            order=alt.Order("_order:Q"),
            tooltip=[alt.Tooltip(f"{y}:N", title=label(y)), "status:N", "managers:Q"],
        )
        .properties(title=title, width="container")
    )


def indicator_trend(
    frame: pl.DataFrame, title: str = "", milestones: pl.DataFrame | None = None
) -> alt.LayerChart:
    """A manager's rate indicators (team coverage, team induction) at each date, on an ordinal
    axis of the dates; `milestones` numbered as on the quarterly trend."""
    frame, x, placed = dated_axis(frame, milestones)
    long = frame.select(
        "_x", *[pl.col(c).alias(label(c)) for c in ("team_coverage", "team_induction_30d")]
    ).unpivot(index="_x", variable_name="indicator", value_name="rate")
    lines = (
        alt.Chart(long.drop_nulls("rate"))
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y(
                "rate:Q",
                axis=RATE_AXIS,
                scale=alt.Scale(domain=[0, RATE_TOP], nice=False),
                title=None,
            ),
            color=alt.Color(
                "indicator:N",
                scale=alt.Scale(range=[OKABE_ITO[2], OKABE_ITO[0]]),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=[
                alt.Tooltip("_x:O", title="date"),
                "indicator:N",
                alt.Tooltip("rate:Q", format=".1%"),
            ],
        )
    )
    chart = alt.layer(lines, *milestone_layers(placed, x, RATE_TOP))
    chart = chart.resolve_scale(color="independent").properties(
        title=title, width="container", height=220
    )
    chart.usermeta = {"milestones": placed["_name"].to_list()}
    return chart
