"""Time on a chart: quarters and dates as ordinal labels ("2015 Q2", "end 2017"), each once, and
the milestones of the PSEA work as numbered rules with their names in the legend (psea.present.charts).

A temporal scale with a quarter format repeats labels and leaves gaps; a band per label does not.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import polars as pl

from psea.calendar.quarters import quarter_start

MILESTONE_COLOUR = "#D55E00"  # Okabe-Ito vermillion, as the target rules

PLOT_WIDTH = (
    720  # the print width of psea.present.exports, against which labels are fitted to bands
)
LABEL_PX_PER_CHAR = 6.2  # the average advance of an 11-px axis label


# --- time on an ordinal axis ---------------------------------------------------------------------


def quarter_label(quarter: dt.date | str) -> str:
    """ "2018 Q2" for a date in the quarter, a grid key "2018Q2" or a label "2018 Q2"."""
    if isinstance(quarter, str):
        key = quarter.replace(" ", "")
        return f"{key[:4]} Q{key[5]}"
    return f"{quarter.year} Q{(quarter.month - 1) // 3 + 1}"


def quarters_in(start: dt.date, end: dt.date) -> list[str]:
    """The labels of the quarters holding a day of the period (start, end], oldest first."""
    out, day = [], quarter_start(start + dt.timedelta(days=1))
    while day <= end:
        out.append(quarter_label(day))
        day = quarter_start(day + dt.timedelta(days=92))
    return out


def quarters_from_to(first: str, last: str) -> list[str]:
    """Every quarter label from `first` to `last`, both included."""
    return quarters_in(quarter_first_day(first) - dt.timedelta(days=1), quarter_first_day(last))


def quarter_first_day(quarter: str) -> dt.date:
    return dt.date(int(quarter[:4]), 3 * int(quarter[-1]) - 2, 1)


def quarter_last_day(quarter: str) -> dt.date:
    first = quarter_first_day(quarter)
    return quarter_start(first + dt.timedelta(days=92)) - dt.timedelta(days=1)


def date_label(day: dt.date) -> str:
    """A point in time on an axis: "end 2017" for a year end, else the ISO date."""
    return f"end {day.year}" if (day.month, day.day) == (12, 31) else day.isoformat()


def time_axis(labels: list[str], title: str | None) -> alt.Axis:
    """Labels upright when each fits its band at print width, else turned to read upwards."""
    band = PLOT_WIDTH / max(len(labels), 1)
    fits = max((len(t) for t in labels), default=0) * LABEL_PX_PER_CHAR <= 0.9 * band
    return alt.Axis(
        title=title, labelAngle=0 if fits else -90, labelOverlap=False, labelLimit=120, ticks=False
    )


# --- milestones ------------------------------------------------------------------------------------


PRECISION = {"year": "%Y", "month": "%b %Y", "day": "%d %b %Y"}


def placed_milestones(
    milestones: pl.DataFrame | None, bands: list[tuple[str, dt.date, dt.date]]
) -> pl.DataFrame:
    """Each milestone inside the window with its number and the band (x label) it is drawn at:
    the band whose days [first, last] hold its date."""
    rows = []
    if milestones is not None and milestones.height:
        precise = "date_precision" in milestones.columns  # year, month or day (ref_milestones)
        ordered = milestones.sort("date").iter_rows(named=True)
        for m in ordered:
            day = m["date"].date() if isinstance(m["date"], dt.datetime) else m["date"]
            band = next((b for b in bands if b[1] <= day <= b[2]), None)
            if band is None:
                continue
            # the milestone's own date, as precisely as it is known (a quarter by default)
            fmt = PRECISION.get(m["date_precision"]) if precise else None
            when = day.strftime(fmt) if fmt else quarter_label(day)
            number = len(rows) + 1
            rows.append(
                {
                    "_x": band[0],
                    "_number": str(number),
                    "_name": f"{number} – {when}: {m['label']}",
                }
            )
    return pl.DataFrame(rows, schema={"_x": pl.String, "_number": pl.String, "_name": pl.String})


def milestone_layers(placed: pl.DataFrame, x: alt.X, top: float) -> list[alt.Chart]:
    """Dashed rules, their numbers at the top ("2, 3" where two share a band), names in the legend."""
    if placed.is_empty():
        return []
    field = x.to_dict()["field"]
    placed = placed.rename({"_x": field})
    x = x.copy()
    x.bandPosition = 0  # at the start of its band, in the gap before the bar: clear of its label
    names = placed["_name"].to_list()
    rules = (
        alt.Chart(placed)
        .mark_rule(strokeDash=[4, 3], strokeWidth=1.5)
        .encode(
            x=x,
            color=alt.Color(
                "_name:N",
                scale=alt.Scale(domain=names, range=[MILESTONE_COLOUR] * len(names)),
                legend=alt.Legend(
                    title="Milestones",
                    orient="bottom",
                    direction="vertical",
                    labelLimit=PLOT_WIDTH,
                    symbolType="stroke",
                    symbolDash=[4, 3],
                ),
            ),
            tooltip=[alt.Tooltip("_name:N", title="milestone")],
        )
    )
    numbers = placed.group_by(field, maintain_order=True).agg(
        pl.col("_number").str.join(", "), pl.lit(top).alias("_top")
    )
    text = (
        alt.Chart(numbers)
        .mark_text(
            align="left", baseline="top", dx=3, dy=2, fontWeight="bold", color=MILESTONE_COLOUR
        )
        .encode(x=x, y="_top:Q", text="_number:N")
    )
    return [rules, text]


def milestone_notes(chart: alt.TopLevelMixin) -> list[str]:
    """The numbered milestone names a chart draws ("1 – 2015 Q2: …"), to print beneath it."""
    meta = getattr(chart, "usermeta", None)
    return list(meta.get("milestones", [])) if isinstance(meta, dict) else []


def dated_axis(
    frame: pl.DataFrame, milestones: pl.DataFrame | None
) -> tuple[pl.DataFrame, alt.X, pl.DataFrame]:
    """A series at dates on an ordinal axis ("end 2017", …, the cut-off), and its milestones, each
    drawn at the first date on or after it."""
    frame = frame.sort("date").with_columns(
        pl.col("date").map_elements(date_label, return_dtype=pl.String).alias("_x")
    )
    dates = frame["date"].unique(maintain_order=True).to_list()
    labels = list(dict.fromkeys(frame["_x"].to_list()))
    starts = [*dates[:1], *[d + dt.timedelta(days=1) for d in dates[:-1]]]
    bands = list(zip(labels, starts, dates, strict=True))
    x = alt.X("_x:O", sort=labels, scale=alt.Scale(domain=labels), axis=time_axis(labels, None))
    return frame, x, placed_milestones(milestones, bands)
