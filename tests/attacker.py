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
