"""Small-cell suppression: the rule, and a proof by linear programming that no suppressed cell of a
random table can be recovered from what is published."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy.optimize import linprog

from psea.disclosure.privacy import (
    Line,
    count_label,
    rate_label,
    suppress,
    suppress_breakdown,
    suppress_crosstab,
)

K = 5


def feasible_range(values, lines, hidden, cell):
    """The min and max of a suppressed cell given every published cell and every published sum."""
    unknown = [i for i, h in enumerate(hidden) if h]
    pos = {c: j for j, c in enumerate(unknown)}
    a_eq, b_eq = [], []
    for line in lines:
        row = np.zeros(len(unknown))
        rhs = 0.0
        for i in line.cells:
            if hidden[i]:
                row[pos[i]] += 1
            else:
                rhs -= values[i]
        if line.total is not None:
            if hidden[line.total]:
                row[pos[line.total]] -= 1
            else:
                rhs += values[line.total]
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
    c = np.zeros(len(unknown))
    c[pos[cell]] = 1
    bounds = [(0, None)] * len(unknown)
    low = linprog(c, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds, method="highs")
    high = linprog(-c, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds, method="highs")
    return low.fun, (np.inf if high.status == 3 else -high.fun)


def crosstab_structure(grid):
    rows, cols = grid.shape
    values = list(grid.flatten())
    idx = lambda r, c: r * cols + c  # noqa: E731
    row_tot = [len(values) + r for r in range(rows)]
    values += list(grid.sum(axis=1))
    col_tot = [len(values) + c for c in range(cols)]
    values += list(grid.sum(axis=0))
    grand = len(values)
    values.append(int(grid.sum()))
    lines = [Line(tuple(idx(r, c) for c in range(cols)), row_tot[r]) for r in range(rows)]
    lines += [Line(tuple(idx(r, c) for r in range(rows)), col_tot[c]) for c in range(cols)]
    lines += [Line(tuple(row_tot), grand), Line(tuple(col_tot), grand)]
    return [int(v) for v in values], lines


def hierarchy_structure(regions):
    """region -> missions: missions add up to their region, regions to the total."""
    values, lines, region_cells = [], [], []
    for missions in regions:
        cells = tuple(range(len(values), len(values) + len(missions)))
        values += missions
        values.append(sum(missions))
        region_cells.append(len(values) - 1)
        lines.append(Line(cells, len(values) - 1))
    values.append(sum(sum(m) for m in regions))
    lines.append(Line(tuple(region_cells), len(values) - 1))
    return values, lines


def assert_nothing_recoverable(values, lines, hidden):
    for cell, is_hidden in enumerate(hidden):
        if not is_hidden:
            continue
        low, high = feasible_range(values, lines, hidden, cell)
        assert high - low > 0.5, f"cell {cell} (value {values[cell]}) is exactly recoverable"
        assert not (low >= 1 - 1e-9 and high <= K - 1 + 1e-9), (
            f"cell {cell} is known to be small: [{low}, {high}]"
        )


@pytest.mark.parametrize("seed", range(60))
def test_random_crosstabs_leak_no_suppressed_cell(seed):
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(2, 7)), int(rng.integers(2, 6)))
    grid = rng.choice([0, 0, 1, 2, 3, 4, 5, 7, 12, 30], size=shape)
    values, lines = crosstab_structure(grid)
    hidden = suppress(values, lines, K)
    assert all(hidden[i] for i, v in enumerate(values) if 0 < v < K)
    assert not any(hidden[i] for i, v in enumerate(values) if v == 0)
    assert_nothing_recoverable(values, lines, hidden)


@pytest.mark.parametrize("seed", range(40))
def test_random_hierarchies_leak_no_suppressed_cell(seed):
    rng = np.random.default_rng(1000 + seed)
    regions = [
        list(rng.choice([0, 1, 2, 3, 6, 9, 20], size=int(rng.integers(1, 6))))
        for _ in range(int(rng.integers(2, 5)))
    ]
    values, lines = hierarchy_structure([[int(v) for v in m] for m in regions])
    hidden = suppress(values, lines, K)
    assert_nothing_recoverable(values, lines, hidden)


def test_a_lone_small_cell_drags_its_smallest_neighbour_with_it():
    table = pl.DataFrame(
        {
            "category": ["sexual_exploitation", "sexual_abuse", "other", "unknown"],
            "count": [40, 12, 3, 0],
        }
    )
    out = suppress_breakdown(table, k=K)
    assert out["shown"].to_list() == ["40", "<5", "<5", "0"]
    assert out["count"].to_list() == [40, None, None, 0]


def test_the_analyst_sees_exact_figures():
    table = pl.DataFrame({"category": ["a", "b"], "count": [40, 3]})
    assert suppress_breakdown(table, exact=True, k=K)["shown"].to_list() == ["40", "3"]


def test_crosstab_margins_are_suppressed_with_their_cells():
    table = pl.DataFrame(
        {"q": ["Q1", "Q1", "Q2", "Q2"], "cat": ["a", "b", "a", "b"], "count": [10, 2, 9, 8]}
    )
    long, margins = suppress_crosstab(table, "q", "cat", k=K)
    shown = dict(zip(zip(long["q"], long["cat"], strict=True), long["shown"], strict=True))
    assert shown[("Q1", "b")] == "<5"
    assert sum(1 for s in long["shown"] if s == "<5") >= 2
    assert margins["total"] == "29"


def test_labels():
    assert count_label(3, exact=False, k=K) == "<5"
    assert count_label(0, exact=False, k=K) == "0"
    assert count_label(3, exact=True, k=K) == "3"
    assert rate_label(3, 10, exact=False, k=K) == "n/a (small number)"
    assert rate_label(6, 10, exact=False, k=K) == "60%"


def test_ordering_by_count_never_ranks_the_suppressed_cells():
    """Two tables that differ only in their suppressed values publish exactly alike."""
    one = pl.DataFrame({"action": ["dismissal", "barred", "other", "none"], "count": [12, 4, 1, 9]})
    two = pl.DataFrame({"action": ["dismissal", "barred", "other", "none"], "count": [12, 1, 4, 9]})
    first, second = (suppress_breakdown(t, k=K, by_count=True) for t in (one, two))
    assert first.equals(second)
    assert first["action"].to_list() == ["dismissal", "none", "barred", "other"]
    assert first["shown"].to_list() == ["12", "9", "<5", "<5"]


def test_the_analyst_sees_the_breakdown_ordered_by_exact_counts():
    table = pl.DataFrame({"action": ["b", "a", "c"], "count": [1, 4, 4]})
    out = suppress_breakdown(table, exact=True, k=K, by_count=True)
    assert out["action"].to_list() == ["a", "c", "b"]
