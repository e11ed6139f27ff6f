"""The manager indicators' charts (psea.present.charts re-exports them): managers per status
colour, the colour always with its word on the segment, and a manager's rate indicators over time
against the coverage targets, each line told apart by its dash and its points."""

from __future__ import annotations

import altair as alt
import polars as pl

from psea.present.chart_marks import (
    FIT_WIDTH,
    RATE_AXIS,
    RATE_TOP,
    chart_description,
    coverage_targets,
    target_rules,
)
from psea.present.chart_time import dated_axis, milestone_layers
from psea.present.labels import label, labelled

OKABE_ITO_BLUE, OKABE_ITO_VERMILLION = "#0072B2", "#D55E00"
VALUE_INK = "#333333"
# Status colours from dark to light, so that they stay apart in greyscale too (red darkest, green
# middle, amber light, the greys lightest); each segment also says its status in words.
STATUS_COLOURS = {  # relative luminance 0.19, 0.52, 0.06, 0.35, 0.69, 0.89: apart in grey too
    "green": "#2E8B57",
    "amber": "#F0B429",
    "red": "#8E2500",
    "too small": "#A0A0A0",
    "no data": "#D9D9D9",
    "not applicable": "#F2F2F2",
}
STATUS_INK = {"green": "#FFFFFF", "red": "#FFFFFF"}  # else VALUE_INK


def status_bars(counts: pl.DataFrame, y: str = "indicator", title: str = "") -> alt.LayerChart:
    """Managers per status colour, one stacked bar per indicator (or mission, region…); each
    segment wide enough carries its status and share in words, so the bars read in greyscale;
    the colour always comes with its word in the legend, the tooltip and the description."""
    order = list(STATUS_COLOURS)
    frame = (
        labelled(counts, [y])
        .with_columns(
            pl.col("status")
            .replace_strict({s: i for i, s in enumerate(order)}, default=len(order))
            .alias("_order")
        )
        .sort([y, "_order"], maintain_order=True)
        .with_columns(
            (pl.col("managers") / pl.col("managers").sum().over(y)).alias("_share"),
        )
        .with_columns(
            pl.col("_share").cum_sum().over(y).alias("_end"),
        )
        .with_columns(
            (pl.col("_end") - pl.col("_share")).alias("_start"),
            pl.format(
                "{} {}%", pl.col("status"), (100 * pl.col("_share")).round(0).cast(pl.Int64)
            ).alias("_words"),
            pl.format("{}, {}: {} managers", pl.col(y), pl.col("status"), pl.col("managers")).alias(
                "_description"
            ),
        )
    )
    rows = list(dict.fromkeys(frame[y].to_list()))
    yy = alt.Y(f"{y}:N", title=None, sort=rows, axis=alt.Axis(labelLimit=320))
    x = alt.X(
        "_start:Q",
        axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
        scale=alt.Scale(domain=[0, 1]),
        title="share of managers",
    )
    bars = (
        alt.Chart(frame)
        .mark_bar(stroke="#FFFFFF", strokeWidth=1)
        .encode(
            y=yy,
            x=x,
            x2="_end:Q",
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=order, range=list(STATUS_COLOURS.values())),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=[
                alt.Tooltip(f"{y}:N", title=label(y)),
                "status:N",
                "managers:Q",
                alt.Tooltip("_share:Q", format=".0%", title="share"),
            ],
            description="_description:N",
        )
    )
    inks = {s: STATUS_INK.get(s, VALUE_INK) for s in order}
    fitting = frame.filter(pl.col("_share") >= 0.12)  # where the words fit
    words = (
        alt.Chart(fitting)
        .transform_calculate(_mid="(datum._start + datum._end) / 2")
        .mark_text(fontSize=10, aria=False)
        .encode(
            y=yy,
            x=alt.X("_mid:Q"),
            text="_words:N",
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=order, range=[inks[s] for s in order]),
                legend=None,
            ),
        )
    )
    return (
        alt.layer(bars, *([words] if fitting.height else []))
        .resolve_scale(color="independent")
        .properties(
            title=title,
            description=chart_description(
                "Stacked bar chart", title, frame["_description"].to_list()
            ),
            width="container",
            height=alt.Step(26),
        )
    )


def indicator_trend(
    frame: pl.DataFrame, title: str = "", milestones: pl.DataFrame | None = None
) -> alt.LayerChart:
    """A manager's rate indicators (team coverage, team induction) at each date, on an ordinal
    axis of the dates, each line with its own dash and point shape (read without colour), against
    the coverage targets; `milestones` numbered as on the quarterly
    trend."""
    frame, x, placed = dated_axis(frame, milestones)
    names = [label(c) for c in ("team_coverage", "team_induction_30d")]
    long = (
        frame.select(
            "_x", *[pl.col(c).alias(label(c)) for c in ("team_coverage", "team_induction_30d")]
        )
        .unpivot(index="_x", variable_name="indicator", value_name="rate")
        .drop_nulls("rate")
        .with_columns(
            pl.format(
                "{}, {}: {}",
                pl.col("indicator"),
                pl.col("_x"),
                pl.col("rate").map_elements(lambda v: f"{v:.0%}", return_dtype=pl.String),
            ).alias("_description")
        )
    )
    y = alt.Y(
        "rate:Q", axis=RATE_AXIS, scale=alt.Scale(domain=[0, RATE_TOP], nice=False), title=None
    )
    lines = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "indicator:N",
                scale=alt.Scale(domain=names, range=[OKABE_ITO_BLUE, OKABE_ITO_VERMILLION]),
                legend=alt.Legend(orient="bottom", title=None, labelLimit=320),
            ),
            strokeDash=alt.StrokeDash(
                "indicator:N",
                scale=alt.Scale(domain=names, range=[[1, 0], [5, 3]]),
                legend=None,
            ),
            shape=alt.Shape(
                "indicator:N",
                scale=alt.Scale(domain=names, range=["circle", "square"]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("_x:O", title="date"),
                "indicator:N",
                alt.Tooltip("rate:Q", format=".1%"),
            ],
            description="_description:N",
        )
    )
    chart = alt.layer(
        lines,
        *target_rules(coverage_targets(), across=False),
        *milestone_layers(placed, x, RATE_TOP),
    )
    chart = chart.resolve_scale(
        color="independent", strokeDash="independent", shape="independent"
    ).properties(
        title=title,
        description=chart_description("Line chart", title, long["_description"].to_list()),
        width="container",
        height=220,
        autosize=FIT_WIDTH,
    )
    chart.usermeta = {"milestones": placed["_name"].to_list()}
    return chart
