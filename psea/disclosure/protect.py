"""Linked-table protection of a release: primary and secondary suppression over every additive
relation among its cells, and the audit that proves no hidden cell can be worked out.

A relation says `total = sum(members)`. Primary: counts 1..K-1 are hidden (0 is shown). Secondary:
a relation with exactly one hidden cell, or whose hidden members (total shown) add up to 1..K-1,
gets its cheapest shown non-zero cell hidden too, until nothing changes. A cell's cost is its
weight (its level in the hierarchy: a group of a breakdown is cheap, a total dear; release.py)
times its count plus one, and grows with the relations the cell would leave unprotected (each
would need a partner of its own). Relations implied by others (a year minus the meeting period
inside it) are protected the same way, so their differences are caught here and not only by the
audit. The audit then solves, per
connected component of hidden cells, linear programs over the published relations (scipy's HiGHS):
every hidden cell must be able to move by at least 1 and must be able to reach 0 or K, i.e. the
range of values consistent with everything published is neither one value nor inside 1..K-1.
Cells it cannot prove are hidden further (the cheapest shown cell of their nearest relations) and
the audit runs again; the release is published only when it passes.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

CEILING = 1e7  # an upper bound for the programs (a cell free upwards reaches it)
TOLERANCE = 1e-6
MIN_HIDDEN = 2  # hidden cells a relation must hold once it holds one
RANDOM_DIRECTIONS = 16  # extra programs per component before proving cells one by one


@dataclass(frozen=True)
class Relation:
    total: int
    members: tuple[int, ...]

    @property
    def cells(self) -> tuple[int, ...]:
        return (self.total, *self.members)


@dataclass
class AuditResult:
    passed: bool
    cells: int
    hidden: int
    components: int
    largest_component: int
    programs: int
    failed: list[int] = field(default_factory=list)
    narrowest: tuple[float, float] | None = None  # the narrowest range proven for a hidden cell
    widest: tuple[float, float] | None = None
    seconds: float = 0.0
    spans: dict[int, tuple[float, float]] = field(default_factory=dict, repr=False)

    def summarize(self) -> None:
        """The narrowest and widest proven ranges, from every cell's latest proof."""
        if self.spans:
            ordered = sorted(self.spans.values(), key=lambda s: s[1] - s[0])
            self.narrowest, self.widest = ordered[0], ordered[-1]

    def as_dict(self) -> dict:
        return {
            "passed": self.passed,
            "cells": self.cells,
            "hidden": self.hidden,
            "components": self.components,
            "largest_component": self.largest_component,
            "linear_programs": self.programs,
            "failed": len(self.failed),
            "narrowest_proven_range": self.narrowest,
            "widest_proven_range": self.widest,
            "seconds": round(self.seconds, 3),
        }


def costs(values: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """The cost of withholding each cell: its weight (its level in the hierarchy, release.py)
    times its value plus one, so that among cells of one level the smaller goes first."""
    values = np.asarray(values, dtype=np.float64)
    return (values + 1) * (1.0 if weights is None else np.asarray(weights, dtype=np.float64))


def _index(relations: list[Relation], n: int) -> list[list[int]]:
    of_cell: list[list[int]] = [[] for _ in range(n)]
    for r, rel in enumerate(relations):
        for c in rel.cells:
            of_cell[c].append(r)
    return of_cell


def secondary(
    values: np.ndarray,
    hidden: np.ndarray,
    relations: list[Relation],
    k: int,
    of_cell: list[list[int]] | None = None,
    start: list[int] | None = None,
    cost: np.ndarray | None = None,
    locked: np.ndarray | None = None,
) -> np.ndarray:
    """Hide further cells until every relation is safe (see the module's rule); returns `hidden`.

    The partner hidden in an unsafe relation is its cheapest shown non-zero cell (a zero only when
    nothing else is left), its cost multiplied by one plus the number of its other relations that
    hold no hidden cell yet: each would need a partner of its own, so a cell whose relations are
    already protected closes the relation without opening new ones."""
    of_cell = of_cell or _index(relations, len(values))
    cost = costs(values) if cost is None else cost
    shut_in = np.zeros(len(relations), dtype=np.int64)
    for r, rel in enumerate(relations):
        shut_in[r] = sum(1 for c in rel.cells if hidden[c])
    queue = deque(start if start is not None else range(len(relations)))
    queued = set(queue)

    def price(c: int, r: int) -> tuple:
        opened = sum(1 for o in of_cell[c] if o != r and shut_in[o] == 0)
        return (values[c] == 0, cost[c] * (1 + opened), c)

    while queue:
        r = queue.popleft()
        queued.discard(r)
        rel = relations[r]
        if not shut_in[r]:
            continue
        shut = [c for c in rel.cells if hidden[c]]
        members_sum = sum(int(values[c]) for c in shut if c != rel.total)
        few = len(shut) < min(MIN_HIDDEN, len(rel.cells))
        unsafe = few or (not hidden[rel.total] and 0 < members_sum < k)
        if not unsafe:
            continue
        shown = [c for c in rel.cells if not hidden[c] and not (locked is not None and locked[c])]
        pick = min(shown, key=lambda c: price(c, r), default=None)
        if pick is None:
            continue
        hidden[pick] = True
        for other in of_cell[pick]:
            shut_in[other] += 1
            if other not in queued:
                queue.append(other)
                queued.add(other)
        if r not in queued:
            queue.append(r)
            queued.add(r)
    return hidden


def protect(
    values: np.ndarray,
    relations: list[Relation],
    k: int,
    max_rounds: int = 50,
    weights: np.ndarray | None = None,
    implied: list[Relation] | None = None,
    keep_shown: np.ndarray | None = None,
    keep_hidden: np.ndarray | None = None,
) -> tuple[np.ndarray, AuditResult]:
    """Primary and secondary suppression, then audit and repair until the audit passes.

    `weights` make some cells dearer to withhold (totals, all entities; see `costs`): the
    cheapest cell is hidden first. `implied` are relations that follow from `relations` (a year
    minus the meeting period inside it is a quarter): the secondary rule and the repair protect
    them too, so that the differences they publish are caught before the audit; the audit proves
    over `relations` alone (the implied ones add nothing to its linear programs).

    `keep_shown` cells are already public (an earlier release published them, unchanged): they are
    never withheld, since withholding them protects nothing. `keep_hidden` cells were withheld by
    an earlier release and are unchanged: they stay withheld and are protected like the small
    ones."""
    values = np.asarray(values, dtype=np.int64)
    cost = costs(values, weights)
    linked = [*relations, *(implied or ())]
    of_linked = _index(linked, len(values))
    of_cell = _index(relations, len(values))
    locked = np.zeros(len(values), dtype=bool) if keep_shown is None else keep_shown.copy()
    hidden = (values > 0) & (values < k)
    if keep_hidden is not None:
        hidden |= keep_hidden
    locked &= ~hidden
    secondary(values, hidden, linked, k, of_linked, cost=cost, locked=locked)
    result = audit(values, hidden, relations, k, of_cell)
    rounds = 0
    while not result.passed and rounds < max_rounds:
        rounds += 1
        touched: list[int] = []
        for cell in result.failed:
            pick = _nearest_shown(cell, hidden, linked, of_linked, cost, locked)
            if pick is not None:
                hidden[pick] = True
                touched += of_linked[pick]
        if not touched:
            break  # nothing left to hide: the release is not published
        before = hidden.copy()
        secondary(values, hidden, linked, k, of_linked, start=touched, cost=cost, locked=locked)
        recheck = set(result.failed) | set(np.flatnonzero(hidden & ~before).tolist())
        recheck |= {c for r in touched for c in linked[r].cells}
        partial = audit(values, hidden, relations, k, of_cell, recheck=recheck)
        # a component left out of a round is unchanged since its last proof: it still holds
        partial.programs += result.programs
        partial.seconds += result.seconds
        partial.spans = {**result.spans, **partial.spans}
        partial.summarize()
        result = partial
    return hidden, result


def _nearest_shown(cell, hidden, relations, of_cell, cost, locked=None) -> int | None:
    """The cheapest shown cell in the relations nearest to a cell that failed the audit
    (breadth first: its own relations, then those of their cells)."""
    seen_rel: set[int] = set()
    frontier = {cell}
    for _ in range(4):
        rels = {r for c in frontier for r in of_cell[c]} - seen_rel
        seen_rel |= rels
        cells = {c for r in rels for c in relations[r].cells}
        shown = [c for c in cells if not hidden[c] and not (locked is not None and locked[c])]
        if shown:
            return min(shown, key=lambda c: (cost[c], c))
        frontier = cells
    return None


def audit(
    values: np.ndarray,
    hidden: np.ndarray,
    relations: list[Relation],
    k: int,
    of_cell: list[list[int]] | None = None,
    recheck: set[int] | None = None,
) -> AuditResult:
    """For every hidden cell, prove by linear programs over what is published that its value can
    move by 1 and can reach 0 or K (the true values are one feasible solution). With `recheck`,
    only the components holding one of those cells are proved again (the others are unchanged
    since their last proof)."""
    clock = time.perf_counter()
    of_cell = of_cell or _index(relations, len(values))
    shut = np.flatnonzero(hidden)
    position = {int(c): i for i, c in enumerate(shut)}
    rows, cols = [], []
    active: list[int] = []
    for r, rel in enumerate(relations):
        inside = [position[c] for c in rel.cells if hidden[c]]
        if inside:
            active.append(r)
        for a, b in zip(inside, inside[1:], strict=False):
            rows.append(a)
            cols.append(b)
    n = len(shut)
    graph = sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    count, labels = connected_components(graph, directed=False) if n else (0, np.array([]))
    by_component: dict[int, list[int]] = defaultdict(list)
    for r in active:
        first = next(c for c in relations[r].cells if hidden[c])
        by_component[int(labels[position[first]])].append(r)
    members: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(shut):
        members[int(labels[i])].append(int(c))
    failed: list[int] = []
    spans: dict[int, tuple[float, float]] = {}
    programs = 0
    for comp, cells in members.items():
        if recheck is not None and not recheck.intersection(cells):
            continue
        bad, found, solved = _prove_component(
            values, hidden, relations, by_component[comp], cells, k
        )
        failed += bad
        spans.update(zip(cells, found, strict=True))
        programs += solved
    out = AuditResult(
        passed=not failed,
        cells=len(values),
        hidden=n,
        components=count,
        largest_component=max((len(c) for c in members.values()), default=0),
        programs=programs,
        failed=failed,
        seconds=time.perf_counter() - clock,
        spans=spans,
    )
    out.summarize()
    return out


def _prove_component(values, hidden, relations, rel_ids, cells, k):
    """Greedy proof for one component: push all unproven cells up together, then down together,
    then each remaining one up and down alone; every solution found widens every cell's range."""
    col = {c: j for j, c in enumerate(cells)}
    truth = values[cells].astype(float)
    if not rel_ids:  # in no relation at all: free in [0, ceiling]
        return [], [(0.0, CEILING)] * len(cells), 0
    data, r_idx, c_idx, rhs = [], [], [], []
    for i, r in enumerate(rel_ids):
        rel = relations[r]
        b = 0.0
        for c, sign in ((rel.total, -1.0), *((m, 1.0) for m in rel.members)):
            if hidden[c]:
                data.append(sign)
                r_idx.append(i)
                c_idx.append(col[c])
            else:
                b -= sign * values[c]
        rhs.append(b)
    a_eq = sparse.csr_matrix((data, (r_idx, c_idx)), shape=(len(rel_ids), len(cells)))
    lo, hi = truth.copy(), truth.copy()
    small = (truth > 0) & (truth < k)

    def proven() -> np.ndarray:
        moves = hi - lo >= 1 - TOLERANCE
        reaches = ~small | (hi >= k - TOLERANCE) | (lo <= TOLERANCE)
        return moves & reaches

    solved = 0

    def solve(objective: np.ndarray) -> None:
        nonlocal solved, lo, hi
        solved += 1
        res = linprog(objective, A_eq=a_eq, b_eq=rhs, bounds=(0, CEILING), method="highs")
        if res.status == 0:
            lo, hi = np.minimum(lo, res.x), np.maximum(hi, res.x)

    for sign in (-1.0, 1.0):  # all unproven up, then all unproven down
        todo = ~proven()
        if todo.any():
            solve(np.where(todo, sign, 0.0))
    rng = np.random.default_rng(len(cells))
    for attempt in range(RANDOM_DIRECTIONS):  # other corners, many cells at once
        todo = ~proven()
        if todo.sum() <= 2:
            break
        if attempt % 2 == 0:  # small cells up to K, the others down: what each still needs
            direction = np.where(small, -1.0, 1.0)
        else:
            direction = rng.choice((-1.0, 1.0), len(cells)) * rng.random(len(cells))
        before = todo.sum()
        solve(np.where(todo, direction, 0.0))
        if (~proven()).sum() == before and attempt > 2:
            break
    for j in np.flatnonzero(~proven()):
        for sign in (-1.0, 1.0):
            if proven()[j]:
                break
            objective = np.zeros(len(cells))
            objective[j] = sign
            solve(objective)
    ok = proven()
    failed = [cells[j] for j in np.flatnonzero(~ok)]
    return failed, list(zip(lo.tolist(), hi.tolist(), strict=True)), solved
