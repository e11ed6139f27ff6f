"""Small-cell suppression: the one function every case figure passes through before it leaves the
analyst role (docs/disclosure.md, "Suppression").

Primary: counts 1..K-1 are suppressed (shown "<K"); zero stays 0. Complementary, repeated until
nothing changes, over every published line (a set of cells whose sum is also published: a row, a
column, a total, each level of a hierarchy): a line is unsafe when it has exactly one suppressed
cell, or when its suppressed cells add up to 1..K-1; it is fixed by suppressing its smallest visible
non-zero cell. Rates are "n/a (small number)" when the numerator or the denominator is below K.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from psea.settings import suppression_k

SMALL_RATE = "n/a (small number)"


@dataclass(frozen=True)
class Line:
    """Cells whose sum is published as `total` (an index into the same cell list, or None)."""

    cells: tuple[int, ...]
    total: int | None = None

    @property
    def members(self) -> tuple[int, ...]:
        return self.cells if self.total is None else (*self.cells, self.total)


def suppress(values: Sequence[int], lines: Sequence[Line], k: int | None = None) -> list[bool]:
    """Which cells to suppress. `values` holds every published cell, totals included."""
    k = k or suppression_k()
    hidden = [0 < v < k for v in values]
    changed = True
    while changed:
        changed = False
        for line in lines:
            members = line.members
            suppressed = [i for i in members if hidden[i]]
            if not suppressed:
                continue
            total_hidden = sum(values[i] for i in suppressed)
            if len(suppressed) == 1 or 0 < total_hidden < k:
                visible = [i for i in members if not hidden[i] and values[i] > 0]
                if not visible:
                    continue  # every other cell is zero: the suppressed cell is alone in a zero line
                hidden[min(visible, key=lambda i: (values[i], i))] = True
                changed = True
    return hidden


def count_label(value: int | None, exact: bool, k: int | None = None) -> str:
    """A single case count as shown to a viewer."""
    k = k or suppression_k()
    if value is None:
        return "no data"
    if exact or value == 0 or value >= k:
        return f"{value:,}"
    return f"<{k}"


def rate_label(
    numerator: int | None,
    denominator: int | None,
    exact: bool,
    k: int | None = None,
    digits: int = 0,
) -> str:
    k = k or suppression_k()
    if not denominator:
        return "no data"
    if not exact and (numerator < k or denominator < k):
        return SMALL_RATE
    return f"{100 * numerator / denominator:.{digits}f}%"


def statistic_label(
    value: float | None, n: int, exact: bool, unit: str = "days", k: int | None = None
) -> str:
    """A median or percentile over n cases: hidden when n is below K."""
    k = k or suppression_k()
    if value is None or n == 0:
        return "no data"
    if not exact and n < k:
        return SMALL_RATE
    return f"{value:,.0f} {unit}"


def suppress_breakdown(
    table: pl.DataFrame,
    value: str = "count",
    exact: bool = False,
    k: int | None = None,
    by_count: bool = False,
) -> pl.DataFrame:
    """A one-way breakdown published with its total. Adds `shown` (text) and `suppressed` (bool);
    a suppressed cell's numeric value is nulled so no chart or export can carry it.

    `by_count` orders the published rows by what is published: visible counts, largest first,
    then the suppressed rows by name, so that the order never ranks the hidden values."""
    k = k or suppression_k()
    values = [int(v) for v in table[value].to_list()]
    total = sum(values)
    cells = [*values, total]
    hidden = (
        [False] * len(cells)
        if exact
        else suppress(cells, [Line(tuple(range(len(values))), len(values))], k)
    )
    published = _publish(table, value, hidden[: len(values)], k)
    if not by_count:
        return published
    names = [c for c in table.columns if c != value]
    return published.sort(
        ["suppressed", value, *names],
        descending=[False, True, *[False] * len(names)],
        nulls_last=True,
    )


def suppress_crosstab(
    table: pl.DataFrame,
    row: str,
    column: str,
    value: str = "count",
    exact: bool = False,
    k: int | None = None,
) -> tuple[pl.DataFrame, dict]:
    """A two-way table published with row totals, column totals and the grand total.

    Returns the long table with `shown`/`suppressed`, and the margins as {"rows": {r: label},
    "columns": {c: label}, "total": label}."""
    k = k or suppression_k()
    rows = table[row].unique(maintain_order=True).to_list()
    cols = table[column].unique(maintain_order=True).to_list()
    grid = {(r, c): 0 for r in rows for c in cols}
    for r, c, v in table.select(row, column, value).iter_rows():
        grid[(r, c)] += int(v)
    keys = list(grid)
    values = [grid[key] for key in keys]
    index = {key: i for i, key in enumerate(keys)}
    row_total = {r: len(values) + i for i, r in enumerate(rows)}
    values += [sum(grid[(r, c)] for c in cols) for r in rows]
    col_total = {c: len(values) + i for i, c in enumerate(cols)}
    values += [sum(grid[(r, c)] for r in rows) for c in cols]
    grand = len(values)
    values.append(sum(grid.values()))
    lines = [Line(tuple(index[(r, c)] for c in cols), row_total[r]) for r in rows]
    lines += [Line(tuple(index[(r, c)] for r in rows), col_total[c]) for c in cols]
    lines += [Line(tuple(row_total.values()), grand), Line(tuple(col_total.values()), grand)]
    hidden = [False] * len(values) if exact else suppress(values, lines, k)
    long = pl.DataFrame(
        {
            row: [key[0] for key in keys],
            column: [key[1] for key in keys],
            value: values[: len(keys)],
        },
        schema={row: table.schema[row], column: table.schema[column], value: pl.Int64},
    )
    published = _publish(long, value, hidden[: len(keys)], k)
    label = lambda i: f"<{k}" if hidden[i] else f"{values[i]:,}"  # noqa: E731
    margins = {
        "rows": {r: label(i) for r, i in row_total.items()},
        "columns": {c: label(i) for c, i in col_total.items()},
        "total": label(grand),
    }
    return published, margins


def _publish(table: pl.DataFrame, value: str, hidden: list[bool], k: int) -> pl.DataFrame:
    mask = pl.Series("suppressed", hidden, dtype=pl.Boolean)
    out = table.with_columns(mask)
    return out.with_columns(
        pl.when(pl.col("suppressed"))
        .then(None)
        .otherwise(pl.col(value))
        .cast(pl.Int64)
        .alias(value),
        pl.when(pl.col("suppressed"))
        .then(pl.lit(f"<{k}"))
        .otherwise(
            pl.col(value).cast(pl.Int64).map_elements(lambda v: f"{v:,}", return_dtype=pl.String)
        )
        .alias("shown"),
    )
