"""Hiding less: once a release passes its audit, every cell the secondary suppression withheld is
tried again, dearest first (a total before a group, all entities before one), and shown when the
release still passes without it.

A greedy secondary suppression hides cells one relation at a time; a later choice often protects
what an earlier one was hidden for (tau-ARGUS follows its hypercube method with the same clean-up).
A cell is shown again only when, with it shown, no relation gives a hidden cell away on its own
(`audit.unsafe`) and the linear programs of every component around it still prove each hidden cell
(`audit.prove_component`: it can move by 1, and a small one is not confined to 1..K-1). A primary
cell, a cell of a breakdown withheld as a whole, and a cell an earlier release withheld are never
candidates.
"""

from __future__ import annotations

import numpy as np

from psea.disclosure.audit import AuditResult, Relation, audit, prove_component, unsafe


def hide_less(
    values, hidden, lower, relations, linked, of_cell, of_linked, k, cost, candidates, result
) -> AuditResult:
    """Show again the secondary cells the release passes without (`reveal`); returns the audit of
    the release as published. Each cell shown was proven with the components it enters; the other
    components are as their last proof left them, so the audit only counts the components again
    and keeps each hidden cell's latest proven range."""
    shown, spans = reveal(
        values, hidden, lower, relations, linked, of_cell, of_linked, k, cost, candidates
    )
    if not shown:
        return result
    final = audit(values, hidden, relations, k, of_cell, recheck=set(), lower=lower)
    final.spans = {c: s for c, s in {**result.spans, **spans}.items() if hidden[c]}
    final.summarize()
    final.programs += result.programs
    final.seconds += result.seconds
    final.shown_again = shown
    return final


def reveal(
    values: np.ndarray,
    hidden: np.ndarray,
    lower: np.ndarray,
    relations: list[Relation],
    linked: list[Relation],
    of_cell: list[list[int]],
    of_linked: list[list[int]],
    k: int,
    cost: np.ndarray,
    candidates: np.ndarray,
) -> tuple[int, dict[int, tuple[float, float]]]:
    """Show again each candidate whose release still passes without it (see the module); updates
    `hidden` and returns how many were shown, with the latest range proven for each hidden cell
    it proved again. `relations` are the audited ones (`of_cell` indexes
    them), `linked` adds the relations they imply (`of_linked`), which must stay safe too."""
    shown = 0
    spans: dict[int, tuple[float, float]] = {}
    for c in sorted(np.flatnonzero(candidates).tolist(), key=lambda c: (-cost[c], c)):
        hidden[c] = False
        proof = None
        if not any(unsafe(linked[r], values, hidden, lower, k) for r in of_linked[c]):
            proof = _proved(c, values, hidden, lower, relations, of_cell, k)
        if proof is None:
            hidden[c] = True
            continue
        spans.update(proof)
        shown += 1
    return shown, spans


def _proved(cell, values, hidden, lower, relations, of_cell, k) -> dict | None:
    """The ranges proven for the hidden cells of the components touching `cell`'s relations (the
    only ones its value enters), or None when one of them is no longer proven."""
    cells: set[int] = set()
    rel_ids: set[int] = set()
    frontier = [c for r in of_cell[cell] for c in relations[r].cells if hidden[c]]
    cells.update(frontier)
    while frontier:
        found = []
        for c in frontier:
            for r in of_cell[c]:
                if r in rel_ids:
                    continue
                rel_ids.add(r)
                for m in relations[r].cells:
                    if hidden[m] and m not in cells:
                        cells.add(m)
                        found.append(m)
        frontier = found
    if not cells:
        return {}
    ordered = sorted(cells)
    failed, found, _ = prove_component(
        values, hidden, relations, sorted(rel_ids), ordered, k, lower[ordered]
    )
    return None if failed else dict(zip(ordered, found, strict=True))
