"""The audit of a release: what a reader who knows the method can work out about its hidden cells.

A relation says `total = sum(members)`; a hidden cell is at least its lower bound (1: zeros are
shown; 0 in a breakdown withheld as a whole). A lower bound of -1 marks an unknown the release never
publishes (psea.disclosure.latent): at least 0, a variable of the programs, never itself proven.

The audit then solves, per connected component of hidden cells, linear programs over the published
relations (HiGHS, warm-started per component) with every hidden cell bounded below by its lower bound: each hidden cell
must be able to move by at least 1, and no small hidden cell may be proven to lie in 1..K-1 (its
largest value reaches K, or its smallest reaches 0 where zeros can be hidden). Cells it cannot prove
are protected further (the cheapest shown cell of their nearest relations; as a last resort the
whole breakdown is withheld), and the audit runs again; the release is published only when it
passes.
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

CEILING = 1e7  # an upper bound for the programs (a cell free upwards reaches it)
TOLERANCE = 1e-6
RANDOM_DIRECTIONS = 16  # extra programs per component before proving cells one by one
BREAKDOWN = "breakdown"  # a relation whose members are the groups of a breakdown of its total
LATENT = "latent"  # a relation between a published cell and unknowns never published (latent.py)


@dataclass(frozen=True)
class Relation:
    total: int
    members: tuple[int, ...]
    kind: str = ""  # breakdown | period | entity | cover | link

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
    withheld_breakdowns: int = 0  # breakdowns withheld as a whole to pass
    rounds: int = 0
    revealed: int = 0  # cells found to be known from known cells alone, shown
    shown_again: int = 0  # secondary cells shown again because the release passes without them
    known: np.ndarray | None = field(default=None, repr=False)  # cells every reader knows
    # the earlier releases audited with this one: how many, and their cells and relations that
    # entered its system (psea.disclosure.history)
    earlier: dict | None = None

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
            "withheld_breakdowns": self.withheld_breakdowns,
            "repair_rounds": self.rounds,
            "revealed_known": self.revealed,
            "shown_again": self.shown_again,
            "earlier_releases": self.earlier,
            "seconds": round(self.seconds, 3),
        }


def index_relations(relations: list[Relation], n: int) -> list[list[int]]:
    of_cell: list[list[int]] = [[] for _ in range(n)]
    for r, rel in enumerate(relations):
        for c in rel.cells:
            of_cell[c].append(r)
    return of_cell


def unsafe(rel: Relation, values, hidden, lower, k: int) -> bool:
    """Whether one relation on its own gives a hidden cell away (the local rule of the secondary
    suppression, and the first test of showing a cell again): a relation with one hidden cell
    gives it away; a shown total with hidden members gives away a small one that cannot reach K
    once the others take their lower bounds."""
    if rel.kind == LATENT:  # its atoms are never published: the linear programs prove it
        return False
    shut = [c for c in rel.cells if hidden[c]]
    if len(shut) == 1:
        return True
    if not shut or hidden[rel.total]:
        return False
    members = [c for c in rel.members if hidden[c]]
    mass = sum(int(values[c]) for c in members)
    floor = sum(int(lower[c]) for c in members)
    return any(
        0 < values[c] < k and lower[c] > 0 and mass - (floor - int(lower[c])) < k for c in members
    )


def audit(
    values: np.ndarray,
    hidden: np.ndarray,
    relations: list[Relation],
    k: int,
    of_cell: list[list[int]] | None = None,
    recheck: set[int] | None = None,
    lower: np.ndarray | None = None,
) -> AuditResult:
    """For every hidden cell, prove by linear programs over what is published — each hidden cell
    at least its lower bound (1: zeros are shown; 0 in a breakdown not broken down) — that its
    value can move by 1 and that a small one is not confined to 1..K-1 (the true values are one
    feasible solution). With `recheck`, only the components holding one of those cells are proved
    again (the others are unchanged since their last proof)."""
    clock = time.perf_counter()
    lower = np.zeros(len(values), dtype=np.int64) if lower is None else lower
    of_cell = of_cell or index_relations(relations, len(values))
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
        bad, found, solved = prove_component(
            values, hidden, relations, by_component[comp], cells, k, lower[cells]
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


def _highs():
    """A HiGHS instance; the first of a process prints HiGHS's banner on standard output, which
    would corrupt `psea release --json`: it is sent to nowhere."""
    import highspy

    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        return highspy.Highs()
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as nowhere:
            os.dup2(nowhere.fileno(), 1)
            instance = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    _BANNER_SHOWN = True
    return instance


_BANNER_SHOWN = False


class _Programs:
    """The linear programs of one component, warm-started: one HiGHS model (the relations, each
    hidden cell between its lower bound and the ceiling), of which only the objective changes
    between solves, so each re-solve starts from the previous basis."""

    def __init__(self, a_eq: sparse.csr_matrix, rhs: list[float], floor: np.ndarray):
        import highspy

        csc = a_eq.tocsc()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = csc.shape[1], csc.shape[0]
        lp.col_cost_ = np.zeros(csc.shape[1])
        lp.col_lower_ = np.asarray(floor, dtype=float)
        lp.col_upper_ = np.full(csc.shape[1], CEILING)
        lp.row_lower_ = lp.row_upper_ = np.asarray(rhs, dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = csc.indptr
        lp.a_matrix_.index_ = csc.indices
        lp.a_matrix_.value_ = csc.data
        self.highs = _highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.passModel(lp)
        self.columns = np.arange(csc.shape[1], dtype=np.int32)
        self.optimal = highspy.HighsModelStatus.kOptimal

    def solve(self, objective: np.ndarray) -> np.ndarray | None:
        self.highs.changeColsCost(len(self.columns), self.columns, objective.astype(float))
        self.highs.run()
        if self.highs.getModelStatus() != self.optimal:
            return None
        return np.asarray(self.highs.getSolution().col_value)


def prove_component(values, hidden, relations, rel_ids, cells, k, floor):
    """Greedy proof for one component: push all unproven cells up together, then down together,
    then each remaining one up and down alone; every solution found widens every cell's range."""
    col = {c: j for j, c in enumerate(cells)}
    truth = values[cells].astype(float)
    floor = np.asarray(floor, dtype=float)
    unnamed = floor < 0  # an unknown the release never publishes (latent.py): at least 0, unproven
    floor = np.maximum(floor, 0.0)
    if not rel_ids:  # in no relation at all: free in [lower bound, ceiling]
        return [], [(float(f), CEILING) for f in floor], 0
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
    programs = _Programs(a_eq, rhs, floor)
    lo, hi = truth.copy(), truth.copy()
    small = (truth > 0) & (truth < k)

    def proven() -> np.ndarray:
        moves = hi - lo >= 1 - TOLERANCE
        reaches = ~small | (hi >= k - TOLERANCE) | ((floor <= 0) & (lo <= TOLERANCE))
        return (moves & reaches) | unnamed

    solved = 0

    def solve(objective: np.ndarray) -> None:
        nonlocal solved, lo, hi
        solved += 1
        x = programs.solve(objective)
        if x is not None:
            lo, hi = np.minimum(lo, x), np.maximum(hi, x)

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
