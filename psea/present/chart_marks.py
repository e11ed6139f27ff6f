"""What every chart of psea.present.charts marks the same way: a hidden value (suppressed, or a
period the data do not reach yet) as a marker at the axis with its word, never a bar; target lines
from the thresholds in settings; count axes in whole numbers; and the words a screen reader
speaks for the chart and for each of its marks.

A hidden value drawn as a bar reads as a value (a full-length grey bar looks like the largest);
a marker at zero with the word beside it reads as what it is, in colour and in greyscale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import altair as alt
import polars as pl

from psea.present.labels import label

SUPPRESSED = "suppressed"
NOT_REPORTED = "not yet reported"
HIDDEN_NOTES = {
    SUPPRESSED: "fewer than {k}, or withheld so that a smaller figure cannot be worked out",
    NOT_REPORTED: "the data received do not reach the end of this period yet",
}
MARKER_INK = "#404040"  # 10:1 on white: the marker and its word read in any print
COUNT_FORMAT = ",d"  # whole numbers with thousands separators: never "1e+2"
RATE_TOP = 1.12  # room above 100% for the milestone numbers
RATE_AXIS = alt.Axis(format="%", values=[i / 5 for i in range(6)])


# The plot keeps its height and the legend (the milestones' names, the targets) is added below
# it: fitted whole, seven milestones would squeeze the bars out of a 260-px chart.
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")


def count_axis(title: str | None = None, **options) -> alt.Axis:
    """An axis of counts: whole numbers only ("1,200", never "1.2e+3" nor "2.5")."""
    return alt.Axis(format=COUNT_FORMAT, tickMinStep=1, title=title, **options)


# --- hidden values --------------------------------------------------------------------------------


def with_flags(frame: pl.DataFrame, value: str) -> pl.DataFrame:
    """`suppressed` and `not_reported` present (false when absent) and the value null where set."""
    for flag in ("suppressed", "not_reported"):
        if flag not in frame.columns:
            frame = frame.with_columns(pl.lit(False).alias(flag))
    hidden = pl.col("suppressed") | pl.col("not_reported")
    return frame.with_columns(pl.when(hidden).then(None).otherwise(pl.col(value)).alias(value))


def hidden_word() -> pl.Expr:
    """The word of a hidden row: "not yet reported" before "suppressed" (a period the data do not
    reach has nothing to suppress)."""
    return (
        pl.when(pl.col("not_reported"))
        .then(pl.lit(NOT_REPORTED))
        .when(pl.col("suppressed"))
        .then(pl.lit(SUPPRESSED))
        .otherwise(None)
    )


def described(frame: pl.DataFrame, category: str, value: str, fmt: str) -> pl.DataFrame:
    """Each row with `_description`, what a screen reader says of its mark: "Women: 77",
    "Boys: suppressed"."""
    shown = (
        pl.col(value).map_elements(lambda v: format(v, fmt), return_dtype=pl.String)
        if fmt.endswith("%")
        else pl.col(value).cast(pl.Int64).map_elements(lambda v: f"{v:,}", return_dtype=pl.String)
    )
    return frame.with_columns(
        pl.format(
            "{}: {}",
            pl.col(category).cast(pl.String),
            pl.coalesce(hidden_word(), shown, pl.lit("no figure")),  # never a silent mark
        ).alias("_description")
    )


def hidden_markers(
    frame: pl.DataFrame, category: alt.X | alt.Y, k: int, across: bool
) -> list[alt.Chart]:
    """For each hidden row, a hollow diamond at zero on the value axis and its word beside it
    (upwards in a vertical chart, so never wider than its band); the tooltip says why."""
    field = category.to_dict()["field"]
    rows = (
        frame.filter(pl.col("suppressed") | pl.col("not_reported"))
        .with_columns(hidden_word().alias("_label"))
        .select(field, "_label", "_description")
        .with_columns(
            pl.col("_label")
            .replace_strict({w: n.format(k=k) for w, n in HIDDEN_NOTES.items()})
            .alias("_note"),
        )
    )
    if rows.is_empty():
        return []
    at_zero = alt.XDatum(0) if across else alt.YDatum(0)  # on the value axis's own scale
    base = alt.Chart(rows).encode(
        **{"y" if across else "x": category, "x" if across else "y": at_zero},
        tooltip=[alt.Tooltip(f"{field}:N", title=label(field)), "_label:N", "_note:N"],
    )
    marker = base.mark_point(
        shape="diamond", filled=False, size=70, strokeWidth=1.5, color=MARKER_INK
    ).encode(description="_description:N")
    word = base.mark_text(
        angle=0 if across else 270,
        align="left",
        baseline="middle",
        dx=9,
        fontStyle="italic",
        color=MARKER_INK,
        aria=False,  # the marker says it already
    ).encode(text="_label:N")
    return [marker, word]


# --- targets ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    value: float
    words: str  # "target 95% (green)"


def coverage_targets() -> list[Target]:
    """The lines a coverage chart draws: the target (green from it) and the audit-risk floor, from
    the one set of coverage bounds (psea.metrics.training.coverage_bounds), so every chart, key
    message and colour names them the same way."""
    from psea.metrics.training import coverage_bounds

    bounds = coverage_bounds()
    lines = [Target(bounds.target, f"target {bounds.target:.0%} (green)")]
    if bounds.audit_floor != bounds.target:
        lines.append(Target(bounds.audit_floor, f"audit risk below {bounds.audit_floor:.0%}"))
    return lines


def target_rules(targets: Iterable[Target], across: bool) -> list[alt.Chart]:
    """The targets as lines across the plot, each with its own dash and named in a legend
    ("Targets"): read without colour, and never written over a bar or a point."""
    targets = list(targets)
    if not targets:
        return []
    frame = pl.DataFrame(
        {"_target": [t.value for t in targets], "_words": [t.words for t in targets]}
    )
    names = frame["_words"].to_list()
    position = alt.X("_target:Q") if across else alt.Y("_target:Q")
    rule = (
        alt.Chart(frame)
        .mark_rule(color=MARKER_INK, strokeWidth=1.5)
        .encode(
            **{"x" if across else "y": position},
            strokeDash=alt.StrokeDash(
                "_words:N",
                scale=alt.Scale(domain=names, range=[[6, 3], [2, 2], [8, 2, 2, 2]][: len(names)]),
                legend=alt.Legend(title="Targets", orient="bottom", symbolStrokeColor=MARKER_INK),
            ),
            tooltip=[alt.Tooltip("_words:N", title="target")],
            description="_words:N",
        )
    )
    return [rule]


# --- words for screen readers ---------------------------------------------------------------------


def chart_description(kind: str, title: str, rows: list[str], limit: int = 40) -> str:
    """The text alternative of a chart: what it is and its figures in order ("Bar chart:
    Allegations by category. Sexual exploitation: 73; Sexual abuse: 25 …")."""
    shown = rows[:limit]
    more = f"; and {len(rows) - limit} more in its table" if len(rows) > limit else ""
    return f"{kind}: {title or 'untitled'}. " + "; ".join(shown) + more + "."
