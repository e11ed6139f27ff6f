"""Linked-table protection of a release: primary and secondary suppression over every additive
relation among its cells, and the audit that proves no hidden cell can be worked out by a reader
who knows the method.

A relation says `total = sum(members)`. The reader knows every shown cell, the public knowledge (the
UN's own figures: `locked` cells, shown exactly), and the method: **zeros are shown**, so a hidden
cell is at least 1 — except in a breakdown withheld as a whole ("not broken down"), whose cells,
zeros included, are hidden with a lower bound of 0. Primary: counts 1..K-1 are hidden (never a
locked one). Secondary: a relation is unsafe when it holds exactly one hidden cell, or when a small
hidden member of a shown total could not reach K once every other hidden member takes its lower
bound; it then gets its cheapest shown non-zero cell hidden too (in a breakdown, a group before the
total whenever a group is left), until nothing changes. A cell's cost is its weight (its level in the
hierarchy: a group of a breakdown is cheap, a total dear; weights.py) times its count plus one, and
grows with the relations the cell would leave unprotected. Relations implied by others (a year minus
the meeting period inside it) are protected the same way.

The audit (audit.py) then proves, with linear programs, that no hidden cell can be worked out;
cells it cannot prove are protected further and the audit runs again.
"""

from __future__ import annotations

from collections import defaultdict, deque

import numpy as np

from psea.disclosure.audit import (
    BREAKDOWN,
    LATENT,
    AuditResult,
    Relation,
    audit,
    index_relations,
    prove_component,
    unsafe,
)
from psea.disclosure.reveal import hide_less

__all__ = ["BREAKDOWN", "LATENT", "AuditResult", "Relation", "audit", "costs", "protect"]


def costs(values: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """The cost of withholding each cell: its weight (its level in the hierarchy, weights.py)
    times its value plus one, so that among cells of one level the smaller goes first."""
    values = np.asarray(values, dtype=np.float64)
    return (values + 1) * (1.0 if weights is None else np.asarray(weights, dtype=np.float64))


def known_by_everyone(
    values: np.ndarray,
    relations: list[Relation],
    known: np.ndarray,
    hideable_zero: np.ndarray,
    frozen: np.ndarray | None = None,
) -> np.ndarray:
    """Every cell a reader can work out from known cells alone: the known ones, the zeros (shown,
    except where a whole breakdown is withheld), and, relation by relation, a cell that is the one
    unknown left in a relation (girls with an unknown-age split of 0 are the girls), or cells of a
    withheld breakdown that must be 0 because the known cells already add up (a peacekeeping total
    of 0 makes every entity's peacekeeping 0). Such a cell protects nothing when hidden: it is
    shown."""
    known = known | ((values == 0) & ~hideable_zero)
    frozen = np.zeros(len(values), dtype=bool) if frozen is None else frozen
    of_cell = index_relations(relations, len(values))
    queue = deque(range(len(relations)))
    queued = set(queue)
    while queue:
        r = queue.popleft()
        queued.discard(r)
        rel = relations[r]
        unknown = [c for c in rel.cells if not known[c]]
        if len(unknown) == 1:
            found = unknown
        elif (
            unknown
            and known[rel.total]
            and all(hideable_zero[c] for c in unknown)
            and values[rel.total] == sum(int(values[c]) for c in rel.members if known[c])
        ):
            found = unknown  # the known members already make the total: the rest are 0
        else:
            continue
        for c in found:
            if frozen[c]:  # an earlier release withheld it: this one must not give it away
                continue
            known[c] = True
            for other in of_cell[c]:
                if other not in queued:
                    queue.append(other)
                    queued.add(other)
    return known


def secondary(
    values: np.ndarray,
    hidden: np.ndarray,
    lower: np.ndarray,
    relations: list[Relation],
    k: int,
    of_cell: list[list[int]] | None = None,
    start: list[int] | None = None,
    cost: np.ndarray | None = None,
    locked: np.ndarray | None = None,
    withhold=None,
) -> np.ndarray:
    """Hide further cells until every relation is safe (see `audit.unsafe`); returns `hidden`.

    The partner hidden in an unsafe relation is its cheapest shown non-zero cell that is not locked
    — in a breakdown, one of its groups while any is left, never the total for its own breakdown —,
    its cost multiplied by one plus the number of its other relations that hold no hidden cell yet
    (each would need a partner of its own). A breakdown left with nothing to hide is withheld as a
    whole by `withhold(relation)` (zeros included, lower bound 0), when given."""
    n = len(values)
    of_cell = of_cell or index_relations(relations, n)
    cost = costs(values) if cost is None else cost
    locked = np.zeros(n, dtype=bool) if locked is None else locked
    shut_in = np.zeros(len(relations), dtype=np.int64)
    for r, rel in enumerate(relations):
        shut_in[r] = sum(1 for c in rel.cells if hidden[c])
    queue = deque(start if start is not None else range(len(relations)))
    queued = set(queue)

    def price(c: int, r: int) -> tuple:
        opened = sum(1 for o in of_cell[c] if o != r and shut_in[o] == 0)
        return (cost[c] * (1 + opened), c)

    def hide(c: int) -> None:
        hidden[c] = True
        for other in of_cell[c]:
            shut_in[other] += 1
            if other not in queued:
                queue.append(other)
                queued.add(other)

    while queue:
        r = queue.popleft()
        queued.discard(r)
        rel = relations[r]
        if not shut_in[r] or not unsafe(rel, values, hidden, lower, k):
            continue
        shown = [c for c in rel.cells if not hidden[c] and values[c] > 0 and not locked[c]]
        if rel.kind == BREAKDOWN and any(c != rel.total for c in shown):
            shown = [c for c in shown if c != rel.total]
        pick = min(shown, key=lambda c: price(c, r), default=None)
        if pick is not None:
            hide(pick)
        elif withhold is not None:
            for c in withhold(rel):
                if not hidden[c]:
                    hide(c)
                for other in of_cell[c]:
                    if other not in queued:
                        queue.append(other)
                        queued.add(other)
        if r not in queued and pick is not None:
            queue.append(r)
            queued.add(r)
    return hidden


class _Breakdowns:
    """Withholding a breakdown as a whole: every group of one breakdown of one scope and period
    hidden, zeros included, with a lower bound of 0 ("not broken down")."""

    def __init__(self, group_of: np.ndarray | None, hidden, lower, locked, positive):
        # `locked`: cells this release cannot withhold (known, or an earlier release's);
        # `positive`: cells a reader knows are at least 1 whatever this release does
        self.hidden, self.lower, self.locked, self.positive = hidden, lower, locked, positive
        self.members: dict[int, list[int]] = defaultdict(list)
        if group_of is not None:
            for c, g in enumerate(group_of.tolist()):
                if g >= 0:
                    self.members[g].append(c)
        self.group_of = group_of
        self.withheld: set[int] = set()
        self.totals: set[int] = set()  # totals withheld alone

    def of_cell(self, c: int) -> list[int]:
        g = -1 if self.group_of is None else int(self.group_of[c])
        if g < 0 and self.hidden[c] and not self.locked[c]:  # a total withheld with its zeros
            if self.lower[c] == 0 or c in self.totals:
                return []  # once: a total known to be at least 1 keeps that bound
            self.totals.add(c)
            self.lower[c] = 0 if not self.positive[c] else 1
            return [c]
        if g < 0 or g in self.withheld:
            return []
        self.withheld.add(g)
        cells = [m for m in self.members[g] if not self.locked[m]]
        for m in cells:
            self.lower[m] = 0 if not self.positive[m] else 1
        return cells

    def cost(self, c: int, cost: np.ndarray) -> float | None:
        """What withholding the breakdown of `c` as a whole would cost (its cells still shown),
        None when it cannot be."""
        g = -1 if self.group_of is None else int(self.group_of[c])
        if g < 0 or g in self.withheld:
            return None
        return float(
            sum(cost[m] for m in self.members[g] if not self.locked[m] and not self.hidden[m])
        )

    def of_relation(self, rel: Relation) -> list[int]:
        out = []
        for c in rel.members:
            out += self.of_cell(c)
        return out


def protect(
    values: np.ndarray,
    relations: list[Relation],
    k: int,
    max_rounds: int = 50,
    weights: np.ndarray | None = None,
    implied: list[Relation] | None = None,
    locked: np.ndarray | None = None,
    keep_hidden: np.ndarray | None = None,
    withdrawn: np.ndarray | None = None,
    group_of: np.ndarray | None = None,
    earlier: np.ndarray | None = None,
    positive: np.ndarray | None = None,
    latent: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, AuditResult]:
    """Primary and secondary suppression, then audit and repair until the audit passes; returns
    (hidden, lower bounds, audit result).

    `weights` make some cells dearer to withhold (totals, all entities; see `costs`). `implied` are
    relations that follow from `relations` (a year minus the meeting period inside it): the
    secondary rule and the repair protect them too; the audit proves over `relations` alone.
    `locked` cells are known to every reader (the UN publishes them, or an earlier release did,
    unchanged): they are shown and never withheld, and so is every cell they determine.
    `keep_hidden` cells were withheld by an earlier release and are unchanged: they stay withheld.
    `withdrawn` cells belong to breakdowns withheld as a whole (not broken down: lower bound 0);
    `group_of` numbers each breakdown (scope and period) so that one can be withheld as a last
    resort (-1 for a total). `earlier` cells are an earlier release's, in the system only for what
    its reader knows (psea.disclosure.history): this release neither shows nor withholds them, and
    their lower bound is their release's. `positive` cells are known to be at least 1 whatever
    this release does (an earlier release showed them as suppressed). `latent` cells are unknowns
    no release publishes (psea.disclosure.latent): hidden unless known, at least 0, never proven
    themselves (a lower bound of -1 marks them)."""
    values = np.asarray(values, dtype=np.int64)
    n = len(values)
    cost = costs(values, weights)
    linked = [*relations, *(implied or ())]
    of_linked = index_relations(linked, n)
    of_cell = index_relations(relations, n)
    withdrawn = np.zeros(n, dtype=bool) if withdrawn is None else withdrawn.copy()
    earlier = np.zeros(n, dtype=bool) if earlier is None else earlier
    positive = np.zeros(n, dtype=bool) if positive is None else positive
    kept = np.zeros(n, dtype=bool) if keep_hidden is None else keep_hidden
    latent = np.zeros(n, dtype=bool) if latent is None else latent
    known = np.zeros(n, dtype=bool) if locked is None else locked.copy()
    # a zero an earlier release withheld is not known: it stays withheld; nor is a zero atom
    locked = known_by_everyone(
        values, relations, known & ~withdrawn, withdrawn | kept | latent, kept
    )
    withdrawn &= ~locked & ~latent  # one of a withheld breakdown everyone can work out is shown
    lower = np.where(withdrawn & ~positive, 0, 1).astype(np.int64)
    lower[latent] = -1
    small = (values > 0) & (values < k) & ~latent
    hidden = withdrawn | (small & ~locked) | (latent & ~locked)
    if keep_hidden is not None:
        hidden |= keep_hidden & ~locked
    breakdowns = _Breakdowns(group_of, hidden, lower, locked | earlier | latent, positive)
    for c in np.flatnonzero(hidden & (values == 0) & (lower > 0)):  # a zero kept hidden
        breakdowns.of_cell(int(c))  # ... is shown only as part of a breakdown not broken down
    hidden |= lower == 0
    secondary(
        values,
        hidden,
        lower,
        linked,
        k,
        of_linked,
        cost=cost,
        locked=locked,
        withhold=breakdowns.of_relation,
    )
    result = audit(values, hidden, relations, k, of_cell, lower=lower)
    rounds = revealed = 0
    while not result.passed and rounds < max_rounds:
        rounds += 1
        touched: list[int] = []
        for cell in result.failed:
            pick = _nearest_shown(cell, hidden, values, linked, of_linked, cost, locked)
            whole = breakdowns.cost(cell, cost)  # withholding its breakdown may cost less
            if pick is not None and (whole is None or cost[pick] <= whole):
                hidden[pick] = True
                touched += of_linked[pick]
                continue
            withheld = breakdowns.of_cell(cell)
            for c in withheld:
                hidden[c] = True
                touched += of_linked[c]
            if withheld:
                continue
            pick = _nearest_shown(cell, hidden, values, linked, of_linked, cost, locked, hops=64)
            if pick is not None:
                hidden[pick] = True
                touched += of_linked[pick]
            elif kept[cell] and _withhold_around(
                cell, linked, of_linked, breakdowns, hidden, touched
            ):
                continue  # withheld before: the breakdowns around it withheld, zeros too
            elif _known_anyway(cell, values, relations, of_cell, locked, lower, k):
                hidden[cell], locked[cell] = False, True  # public knowledge tells it: shown
                revealed += 1
                touched += of_linked[cell]
        if not touched:
            break  # nothing left to hide: the release is not published
        before = hidden.copy()
        secondary(
            values,
            hidden,
            lower,
            linked,
            k,
            of_linked,
            start=touched,
            cost=cost,
            locked=locked,
            withhold=breakdowns.of_relation,
        )
        recheck = set(result.failed) | set(np.flatnonzero(hidden & ~before).tolist())
        recheck |= {c for r in touched for c in linked[r].cells}
        partial = audit(values, hidden, relations, k, of_cell, recheck=recheck, lower=lower)
        # a component left out of a round is unchanged since its last proof: it still holds
        partial.programs += result.programs
        partial.seconds += result.seconds
        partial.spans = {**result.spans, **partial.spans}
        partial.summarize()
        result = partial
    if result.passed:
        result = hide_less(
            values,
            hidden,
            lower,
            relations,
            linked,
            of_cell,
            of_linked,
            k,
            cost,
            hidden & (lower > 0) & ~((values > 0) & (values < k)) & ~kept,
            result,
        )
    result.withheld_breakdowns = len(breakdowns.withheld)
    result.rounds = rounds
    result.revealed = revealed
    result.known = locked & ~hidden
    return hidden, lower, result


def _withhold_around(cell, linked, of_linked, breakdowns, hidden, touched) -> bool:
    """Withhold the breakdowns of the relations around a cell, zeros too; whether any was."""
    before = len(touched)
    for c in {m for r in of_linked[cell] for m in linked[r].cells}:
        for w in breakdowns.of_cell(c):
            hidden[w] = True
            touched += of_linked[w]
    return len(touched) > before


def _known_anyway(cell, values, relations, of_cell, locked, lower, k) -> bool:
    """Whether the known cells alone (the locked ones and the zeros shown), with every other cell
    of its relations hidden, already give the cell away: then hiding it protects nothing."""
    cells, seen, frontier = {cell}, set(), {cell}
    while frontier:
        rels = {r for c in frontier for r in of_cell[c]} - seen
        seen |= rels
        found = {c for r in rels for c in relations[r].cells} - cells
        cells |= found
        frontier = {c for c in found if not locked[c] and not (values[c] == 0 and lower[c] > 0)}
    hidden = np.zeros(len(values), dtype=bool)
    unknown = [c for c in cells if not locked[c] and not (values[c] == 0 and lower[c] > 0)]
    hidden[unknown] = True
    bad, _, _ = prove_component(values, hidden, relations, sorted(seen), unknown, k, lower[unknown])
    return cell in bad


def _nearest_shown(cell, hidden, values, relations, of_cell, cost, locked, hops=4) -> int | None:
    """The cheapest shown non-zero cell in the relations nearest to a cell that failed the audit,
    breadth first through the hidden cells linked to it (its own relations, then those of the
    hidden cells they hold, up to `hops` steps): a cell hidden there enters the failed cell's
    linear programs; one beside a shown cell would not."""
    seen_rel: set[int] = set()
    reached = {cell}
    frontier = {cell}
    for _ in range(hops):
        rels = {r for c in frontier for r in of_cell[c]} - seen_rel
        seen_rel |= rels
        cells = {c for r in rels for c in relations[r].cells}
        shown = [c for c in cells if not hidden[c] and values[c] > 0 and not locked[c]]
        if shown:
            return min(shown, key=lambda c: (cost[c], c))
        frontier = {c for c in cells if hidden[c]} - reached
        reached |= frontier
        if not frontier:
            return None
    return None
