"""Altair charts shared by the pages, the briefs and the exports (one chart code for all).

Colour-blind-safe palette (Okabe-Ito). Suppressed points are drawn as a marked "<K" band, never as
a value. Time axes carry the seed's milestones as annotations.
"""

from __future__ import annotations

import altair as alt
import polars as pl

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
SUPPRESSED_GREY = "#BBBBBB"


def _with_suppressed(frame: pl.DataFrame) -> pl.DataFrame:
    """A frame that was not published (analyst, personnel figures) has nothing suppressed."""
    if "suppressed" in frame.columns:
        return frame
    return frame.with_columns(pl.lit(False).alias("suppressed"))


def _suppressed_band(frame: pl.DataFrame, x: alt.X, k: int, tooltip: list) -> list:
    """The "<K" band drawn where a suppressed cell would be: a grey bar from 0 to K-1, labelled."""
    band = frame.filter(pl.col("suppressed")).with_columns(
        pl.lit(0).alias("_lo"), pl.lit(k - 1).alias("_hi"), pl.lit(f"<{k}").alias("_label")
    )
    if band.is_empty():
        return []
    return [
        alt.Chart(band)
        .mark_bar(color=SUPPRESSED_GREY, opacity=0.6)
        .encode(x=x, y="_lo:Q", y2="_hi:Q", tooltip=tooltip),
        alt.Chart(band).mark_text(dy=-6, color="#555").encode(x=x, y="_hi:Q", text="_label:N"),
    ]


def breakdown_bars(
    frame: pl.DataFrame, category: str, value: str = "count", title: str = "", k: int = 5
) -> alt.Chart:
    """Bars of a one-way breakdown; suppressed cells (from `psea.disclosure.privacy`) are drawn as a "<K" band."""
    frame = _with_suppressed(frame)
    order = frame[category].to_list()
    x = alt.X(f"{category}:N", sort=order, title=None, axis=alt.Axis(labelAngle=-30))
    bars = (
        alt.Chart(frame.filter(~pl.col("suppressed")))
        .mark_bar(color=OKABE_ITO[0])
        .encode(
            x=x, y=alt.Y(f"{value}:Q", title=value.replace("_", " ")), tooltip=[category, value]
        )
    )
    layers = [bars, *_suppressed_band(frame, x, k, [category, "_label:N"])]
    return alt.layer(*layers).properties(title=title, width="container", height=260)


def quarterly_trend(
    frame: pl.DataFrame,
    milestones: pl.DataFrame | None = None,
    value: str = "count",
    title: str = "",
    k: int = 5,
) -> alt.LayerChart | alt.Chart:
    """Bars per quarter with suppressed quarters as a band, and milestone rules."""
    frame = _with_suppressed(frame).with_columns(pl.col("quarter").cast(pl.Date))
    shown = frame.filter(~pl.col("suppressed"))
    x = alt.X("quarter:T", title="quarter received", axis=alt.Axis(format="%Y Q%q"))
    bars = (
        alt.Chart(shown)
        .mark_bar(color=OKABE_ITO[0], width={"band": 0.8})
        .encode(
            x=x,
            y=alt.Y(f"{value}:Q", title="allegations"),
            tooltip=[alt.Tooltip("quarter:T", format="%Y Q%q"), value],
        )
    )
    layers = [bars, *_suppressed_band(frame, x, k, ["_label:N"])]
    if milestones is not None and milestones.height:
        lo, hi = frame["quarter"].min(), frame["quarter"].max()
        marks = milestones.filter((pl.col("date") >= lo) & (pl.col("date") <= hi))
        if marks.height:
            rule = (
                alt.Chart(marks)
                .mark_rule(color=OKABE_ITO[5], strokeDash=[4, 3])
                .encode(x="date:T", tooltip=["date:T", "label:N"])
            )
            text = (
                alt.Chart(marks)
                .mark_text(
                    align="right",
                    angle=270,
                    dx=-4,
                    dy=-4,
                    fontSize=9,
                    limit=110,
                    color=OKABE_ITO[5],
                )
                .encode(x="date:T", y=alt.value(4), text="label:N")
            )
            layers += [rule, text]
    return alt.layer(*layers).properties(title=title, width="container", height=260)


def coverage_line(frame: pl.DataFrame, title: str = "", target: float = 0.8) -> alt.LayerChart:
    line = (
        alt.Chart(frame)
        .mark_line(point=True, color=OKABE_ITO[2])
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y(
                "coverage:Q",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
                title="mandatory coverage",
            ),
            tooltip=["date:T", alt.Tooltip("coverage:Q", format=".1%"), "covered:Q", "active:Q"],
        )
    )
    rule = (
        alt.Chart(pl.DataFrame({"target": [target]}))
        .mark_rule(color=OKABE_ITO[5], strokeDash=[4, 3])
        .encode(y="target:Q")
    )
    return (line + rule).properties(title=title, width="container", height=240)


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
            counts.with_columns(
                pl.col("status")
                .replace_strict({s: i for i, s in enumerate(order)}, default=len(order))
                .alias("_order")
            )
        )
        .mark_bar()
        .encode(
            y=alt.Y(f"{y}:N", title=None, axis=alt.Axis(labelLimit=240)),
            x=alt.X("managers:Q", stack="normalize", axis=alt.Axis(format="%"), title="managers"),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=order, range=list(STATUS_COLOURS.values())),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            order=alt.Order("_order:Q"),
            tooltip=[f"{y}:N", "status:N", "managers:Q"],
        )
        .properties(title=title, width="container")
    )


def indicator_trend(frame: pl.DataFrame, title: str = "") -> alt.Chart:
    """A manager's rate indicators (team coverage, team induction) at each date."""
    long = frame.select(
        "date",
        pl.col("team_coverage").alias("team coverage"),
        pl.col("team_induction_30d").alias("team induction within 30 days"),
    ).unpivot(index="date", variable_name="indicator", value_name="rate")
    return (
        alt.Chart(long.drop_nulls("rate"))
        .mark_line(point=True)
        .encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%Y-%m-%d", tickCount="year")),
            y=alt.Y(
                "rate:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1]), title=None
            ),
            color=alt.Color(
                "indicator:N",
                scale=alt.Scale(range=[OKABE_ITO[2], OKABE_ITO[0]]),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=["date:T", "indicator:N", alt.Tooltip("rate:Q", format=".1%")],
        )
        .properties(title=title, width="container", height=220)
    )
