"""An attacker who has read docs/disclosure.md, written apart from the release's own audit.

It knows every published cell, the relations the release states among its cells (the linked
tables, and the differences they imply), the public knowledge (cells the UN publishes), and the
method: zeros are shown, so a hidden cell is at least 1. For each hidden cell it solves two linear
programs over the relations of its connected component (scipy's HiGHS): the smallest and the largest
value consistent with all of that. A cell is *determined* when the two are less than 1 apart, and
*proven small* when the largest is below K (the smallest is at least 1): either is a disclosure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

CEILING = 1e7
KEY = ["family", "breakdown", "group", "scope", "period"]


@dataclass
class Findings:
    hidden: int
    determined: list[int]
    proven_small: list[int]
    ranges: dict[int, tuple[float, float]]


def attack(
    values: np.ndarray,
    hidden: np.ndarray,
    relations: list[tuple[int, tuple[int, ...]]],
    k: int,
    lower=1.0,
) -> Findings:
    """Bounds on every hidden cell. `relations` are (total, members) index pairs; `values` the true
    counts (only the published ones are used); `lower` what the method implies for a hidden cell
    (one number, or one per cell: 0 where a whole breakdown is withheld)."""
    values = np.asarray(values, dtype=float)
    floor = np.broadcast_to(np.asarray(lower, dtype=float), values.shape)
    shut = np.flatnonzero(hidden)
    pos = {int(c): i for i, c in enumerate(shut)}
    touching = [r for r in relations if any(hidden[c] for c in (r[0], *r[1]))]
    rows, cols = [], []
    for total, members in touching:
        inside = [pos[c] for c in (total, *members) if hidden[c]]
        rows += inside[:-1]
        cols += inside[1:]
    n = len(shut)
    if not n:
        return Findings(0, [], [], {})
    graph = sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    by_comp: dict[int, list] = defaultdict(list)
    for rel in touching:
        first = next(c for c in (rel[0], *rel[1]) if hidden[c])
        by_comp[int(label[pos[first]])].append(rel)
    members_of: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(shut):
        members_of[int(label[i])].append(int(c))
    ranges: dict[int, tuple[float, float]] = {}
    for comp, cells in members_of.items():
        col = {c: j for j, c in enumerate(cells)}
        rels = by_comp.get(comp, [])
        if not rels:
            ranges.update({c: (floor[c], CEILING) for c in cells})
            continue
        data, ri, ci, rhs = [], [], [], []
        for i, (total, members) in enumerate(rels):
            b = 0.0
            for c, sign in ((total, -1.0), *((m, 1.0) for m in members)):
                if hidden[c]:
                    data.append(sign)
                    ri.append(i)
                    ci.append(col[c])
                else:
                    b -= sign * values[c]
            rhs.append(b)
        a = sparse.csr_matrix((data, (ri, ci)), shape=(len(rels), len(cells)))
        for c in cells:
            bounds = []
            for sign in (1.0, -1.0):
                objective = np.zeros(len(cells))
                objective[col[c]] = sign
                res = linprog(
                    objective,
                    A_eq=a,
                    b_eq=rhs,
                    bounds=[(floor[c2], CEILING) for c2 in cells],
                    method="highs",
                )
                assert res.status == 0, f"the true values must be feasible ({res.message})"
                bounds.append(res.x[col[c]])
            ranges[c] = (bounds[0], bounds[1])
    determined = [c for c, (lo, hi) in ranges.items() if hi - lo < 1 - 1e-6]
    small = [
        c
        for c, (lo, hi) in ranges.items()
        if lo >= 1 - 1e-6 and hi < k - 1e-6 and c not in determined
    ]
    return Findings(n, determined, small, ranges)


def attack_releases(releases: list[tuple], k: int) -> Findings:
    """The attacker holding several releases at once (a meeting's brief beside the pages, two
    releases of one quarter). Each release is (keys, values, hidden, lower, relations): a cell is
    the same unknown in every release where its key holds the same value (revised values are
    different unknowns: pessimistically, the attacker guesses right which values were not revised);
    a cell shown in any release is known in all of them. A key must name its date where it has one
    (the open cases at a release's cut-off are a different figure at each cut-off)."""
    index: dict[tuple, int] = {}
    values, hidden, lower = [], [], []
    maps = []
    for keys, vals, shut, floor, _ in releases:
        mapping = []
        for key, v, h, f in zip(keys, vals, shut, floor, strict=True):
            ident = (*key, int(v))
            if ident not in index:
                index[ident] = len(values)
                values.append(int(v))
                hidden.append(bool(h))
                lower.append(float(f))
            else:
                i = index[ident]
                hidden[i] = hidden[i] and bool(h)  # shown anywhere: known everywhere
                lower[i] = min(lower[i], float(f))
            mapping.append(index[ident])
        maps.append(mapping)
    relations = []
    for (_, _, _, _, rels), mapping in zip(releases, maps, strict=True):
        relations += [(mapping[t], tuple(mapping[m] for m in ms)) for t, ms in rels]
    return attack(np.array(values), np.array(hidden), relations, k, np.array(lower))


def counted_twice(
    con, cells, periods: dict[str, tuple[str, ...]], data_dates: dict, bounds, published=()
):
    """What a reader of the open cases beside the statuses knows, written from the definitions in
    docs/disclosure.md apart from the release's own atoms: an unknown per entity, open stage and
    day received (the open cases of that day still at that stage at the date of the data), each at
    least 0. A status cell of an open stage is the sum of its period's days; a stage-by-age cell
    the sum of the days whose age (the date of the data minus the day) falls in its bucket. For an
    entity of `published` (the UN publishes its submissions), each complete quarter's count of an
    open stage is known, published or not by the release. Days that enter the same sums are merged
    into one unknown, which changes no bound.

    Returns (values, known, relations) of the unknowns, numbered after the cells; the values are
    the true counts (the relations must hold on them, or the release states a falsehood)."""
    import datetime as dt

    stages = ("received", "preliminary_assessment", "under_investigation",
              "under_review_limited_information")  # fmt: skip
    index = {key: i for i, key in enumerate(cells.select(KEY).iter_rows())}
    n = len(index)
    first = min(dt.date(int(q[:4]), 3 * int(q[5]) - 2, 1) for qs in periods.values() for q in qs)
    codes = [f"within_{bounds[0]}_days"]
    codes += [f"{a + 1}_to_{b}_days" for a, b in zip(bounds, bounds[1:], strict=False)]
    codes.append(f"over_{bounds[-1]}_days")

    def bucket(age: int) -> str:
        return next((c for c, b in zip(codes, bounds, strict=False) if age <= b), codes[-1])

    def quarter(day: dt.date) -> str:
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"

    values: list[int] = []
    known: list[bool] = []
    relations: list[tuple[int, tuple[int, ...]]] = []
    for entity, as_of in sorted(data_dates.items()):
        counts = dict(
            ((s, d), c)
            for s, d, c in con.sql(
                """select status, date_received, count(*) from cases_at($d)
                   where entity = $e and status in ('received', 'preliminary_assessment',
                       'under_investigation', 'under_review_limited_information')
                   group by all""",
                params={"d": as_of, "e": entity},
            ).fetchall()
        )
        assert all(d >= first for _, d in counts), "an open case before the first quarter"
        days = [first + dt.timedelta(days=i) for i in range((as_of - first).days + 1)]
        complete = as_of + dt.timedelta(days=1)  # quarters ended by the date of the data
        for stage in stages:
            sums: list[tuple[int | None, set]] = []  # (cell or None: the UN's quarter, its days)
            for code in codes:
                cell = index.get(("open_cases", "stage_age", f"{stage}|{code}", entity, "cut-off"))
                if cell is not None:
                    sums.append((cell, {d for d in days if bucket((as_of - d).days) == code}))
            for period, quarters in periods.items():
                cell = index.get(("allegations", "status", stage, entity, period))
                if cell is not None:
                    sums.append((cell, {d for d in days if quarter(d) in quarters}))
            for q in sorted({quarter(d) for d in days} if entity in published else ()):
                start = dt.date(int(q[:4]), 3 * int(q[5]) - 2, 1)
                end = dt.date(start.year + start.month // 10, (start.month + 2) % 12 + 1, 1)
                if end <= complete:
                    sums.append((None, {d for d in days if quarter(d) == q}))
            # days that enter the same sums are one unknown (the programs cannot tell them apart)
            groups: dict[tuple, list] = {}
            for day in days:
                groups.setdefault(tuple(i for i, (_, m) in enumerate(sums) if day in m), []).append(
                    day
                )
            var = {}
            for members in groups.values():
                v = n + len(values)
                values.append(sum(int(counts.get((stage, d), 0)) for d in members))
                known.append(False)
                for d in members:
                    var[d] = v
            for cell, members in sums:
                parts = tuple(sorted({var[d] for d in members}))
                if cell is None:  # the UN's count of the quarter: known to every reader
                    cell = n + len(values)
                    values.append(sum(values[m - n] for m in parts))
                    known.append(True)
                relations.append((cell, parts))
    return np.asarray(values, dtype=np.int64), np.asarray(known, dtype=bool), relations
