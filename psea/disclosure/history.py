"""What the releases already handed out tell the reader of a new one (docs/disclosure.md,
"Releases agree with each other").

Every release handed out stays public, so the reader of a new release holds the earlier ones too:
their published cells and the relations among them. A cell of an earlier release is the same
unknown as a cell of the new one when it is the same figure with the same value (pessimistically,
the reader guesses right which values were not revised); the open cases and the statuses at a
cut-off are a different figure at each cut-off. The new release is protected and audited over one
system: its own cells and relations, then the earlier releases' relations it does not state itself,
over its cells and the earlier cells that are not among them (revised values, figures as they stood
at an earlier cut-off). Two releases that each pass alone can give a cell away together: a quarter
revised by a late report is one unknown before and another after, and the unrevised cells beside
it are the same in both, so the difference of the two releases' sums narrows them.

Hidden values are never stored: an earlier release's cells are counted again at its own cut-off.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from pipelines.writes import in_transaction
from psea.disclosure.audit import Relation
from psea.disclosure.cells import KEY, STOCK, Counted, NothingToRelease, count_cells
from psea.disclosure.latent import Atoms
from psea.disclosure.protect import protect
from psea.disclosure.relations import relate
from psea.metrics.memo import Bounded, loads_state, store_identity
from psea.settings import settings

AS_OF_BREAKDOWNS = ("status", "action_taken")  # a case's status at the cut-off, not an event


@dataclass
class History:
    """The earlier releases as the new release's protection sees them. Cells of the new release
    come first (0..n-1), the earlier cells that are not among them after (n..n+m-1)."""

    keep_shown: np.ndarray  # (n) an earlier release published it with the value it has now
    keep_hidden: np.ndarray  # (n) earlier releases withheld it, with the value it has now
    positive: np.ndarray  # (n) ... and one of them said it is at least 1 ("suppressed")
    values: np.ndarray  # (m) the earlier cells that are not this release's: exact, in memory only
    hidden: np.ndarray  # (m) withheld by every release that holds them
    lower: np.ndarray  # (m) what their release's method tells of a hidden one (0 or 1)
    relations: list[Relation]  # the earlier relations this release does not state
    releases: int

    @property
    def size(self) -> int:
        return len(self.values)


def identities(cells: pl.DataFrame, cutoff: dt.date) -> list[tuple]:
    """A figure's name across releases: its key, with the cut-off for a figure as it stands at one
    (the open cases, the allegations by their status)."""
    at = f"at {cutoff.isoformat()}"
    return [
        (*key, at) if key[4] == STOCK or key[1] in AS_OF_BREAKDOWNS else key
        for key in cells.select(KEY).iter_rows()
    ]


_COUNTED = Bounded(size=16)


def counted_at(con, cutoff: dt.date | None, k: int) -> tuple[Counted, tuple[Relation, ...]]:
    """The release's cells counted as of `cutoff` and their relations (those of its atoms after the
    cells', numbered from the cells' count: psea.disclosure.latent), once per state of the
    loads in this process (never stored: hidden values live in memory only). Each new release
    counts every earlier release's cells again; a process that builds several (the demo, the
    Briefs page asked for several meetings) counts each cut-off once."""
    key = None
    if cutoff is not None and getattr(con, "store", None) is not None and not in_transaction(con):
        key = (store_identity(con.store), loads_state(con), cutoff, k, repr(settings()))
        found = _COUNTED.get(key)
        if found is not Bounded.MISSING:
            return found
    counted = count_cells(con, cutoff, k)
    out = (
        counted,
        (*relate(counted.cells, counted.periods, counted.chosen), *counted.atoms.relations),
    )
    if key is not None:
        _COUNTED.put(key, out)
    return out


@dataclass
class Earlier:
    """One release handed out, counted again at its cut-off: a name per cell (`identities`), the
    exact counts, what it published of them (hidden, withdrawn: "not broken down") and its
    relations."""

    names: list[tuple]
    values: np.ndarray
    hidden: np.ndarray
    withdrawn: np.ndarray
    relations: list[Relation]
    latent: np.ndarray | None = None  # its atoms (never published), after its cells


def earlier_releases(
    con,
    cutoff: dt.date,
    k: int,
    cells: pl.DataFrame,
    relations: list[Relation],
    atoms: Atoms,
) -> History:
    """Every release handed out (published or superseded), joined to the cells of a new release
    as of `cutoff` and its atoms (see the module and `join`)."""
    counted: dict[dt.date, tuple | None] = {}
    handed_out = []
    rows = con.sql(
        """select release_id, cutoff from releases
           where status in ('published', 'superseded') order by built_at""",
    ).fetchall()
    for release_id, then in rows:
        if then not in counted:
            try:
                c, their = counted_at(con, then, k)
                counted[then] = (c.cells, their, c.atoms)
            except NothingToRelease:
                counted[then] = None
        if counted[then] is None:
            continue
        earlier, their_relations, their_atoms = counted[then]
        names = identities(earlier, then)
        m = len(their_atoms)
        stored = con.sql(
            """select family, breakdown, "group", scope, period, hidden, withdrawn
               from release_cells where release_id = $id""",
            params={"id": release_id},
        ).pl()
        joined = (
            earlier.select(*KEY, "value")
            .with_row_index("j")
            .join(stored, on=KEY, how="left")
            .sort("j")
        )
        handed_out.append(
            Earlier(
                [*names, *their_atoms.names],
                np.concatenate([joined["value"].to_numpy(), their_atoms.values]),
                np.concatenate(  # an atom is never published; the UN's own figures are known
                    [joined["hidden"].fill_null(False).to_numpy(), ~their_atoms.known]
                ),
                np.concatenate([joined["withdrawn"].fill_null(False).to_numpy(), np.ones(m, bool)]),
                their_relations,
                np.arange(len(names) + m) >= len(names),
            )
        )
    return join(
        [*identities(cells, cutoff), *atoms.names],
        np.concatenate([cells["value"].to_numpy(), atoms.values]),
        relations,
        handed_out,
    )


def join(
    names: list[tuple], now: np.ndarray, relations: list[Relation], handed_out: list[Earlier]
) -> History:
    """The new release's cells (`names`, exact counts `now`, `relations`) beside the releases
    handed out: a cell of theirs is one of the new release's when it has the same name and value,
    else an earlier cell of its own (one per name and value across them). Only the earlier
    relations that reach a cell of the new release, directly or through earlier cells withheld,
    are kept: the others say nothing of it."""
    n = len(names)
    current = {name: i for i, name in enumerate(names)}
    shown_before = np.zeros(n, dtype=bool)
    hidden_before = np.zeros(n, dtype=bool)
    positive = np.zeros(n, dtype=bool)
    extra: dict[tuple, int] = {}
    values: list[int] = []
    hidden: list[bool] = []
    lower: list[int] = []
    stated = {(r.total, tuple(sorted(r.members))) for r in relations}
    found: dict[tuple, Relation] = {}
    for earlier in handed_out:
        mapping = np.empty(len(earlier.names), dtype=np.int64)
        latent = np.zeros(len(earlier.names), bool) if earlier.latent is None else earlier.latent
        for j, (name, v, h, w, atom) in enumerate(
            zip(
                earlier.names,
                earlier.values.tolist(),
                earlier.hidden.tolist(),
                earlier.withdrawn.tolist(),
                latent.tolist(),
                strict=True,
            )
        ):
            i = current.get(name)
            if i is not None and now[i] == v:
                mapping[j] = i
                if h:
                    hidden_before[i] = True
                    positive[i] |= not w
                else:
                    shown_before[i] = True
                continue
            x = extra.setdefault((name, v), len(values))
            if x == len(values):
                values.append(v)
                hidden.append(bool(h))
                lower.append(-1 if atom else 0 if w else 1)  # -1: an atom (latent.py)
            else:  # shown by any release: known to all; suppressed in any: at least 1
                hidden[x] = hidden[x] and bool(h)
                if h and not w and not atom:
                    lower[x] = 1
            mapping[j] = n + x
        for rel in earlier.relations:
            total, members = int(mapping[rel.total]), tuple(mapping[list(rel.members)].tolist())
            signature = (total, tuple(sorted(members)))
            if signature not in stated and signature not in found:
                found[signature] = Relation(total, members, rel.kind)
    return _reaching(
        n,
        shown_before,
        hidden_before & ~shown_before,
        positive & ~shown_before,
        np.asarray(values, dtype=np.int64),
        np.asarray(hidden, dtype=bool),
        np.asarray(lower, dtype=np.int64),
        list(found.values()),
        len(handed_out),
    )


def protect_with(
    values: np.ndarray,
    relations: list[Relation],
    k: int,
    history: History,
    public: np.ndarray,
    withdrawn: np.ndarray,
    weights: np.ndarray,
    group_of: np.ndarray,
    implied: list[Relation] | None = None,
    atoms: int = 0,
    known: np.ndarray | None = None,
):
    """`protect` over one system: the new release's cells and relations, then the earlier
    releases' cells that are not among them and their relations (`History`). What a release
    handed out showed stays shown; what it withheld, unchanged, stays withheld; every cell of the
    system is proven, the earlier ones too. The last `atoms` of `values` are the new release's
    atoms, unknowns never published, as are the earlier atoms (psea.disclosure.latent); the
    other arrays cover the cells only. Returns (hidden, lower, audit) of the new cells and atoms."""
    n, m = len(values), history.size
    cells = n - atoms
    extend = np.zeros(atoms, dtype=bool)
    known = extend if known is None else known  # atoms every reader knows (the UN's figures)
    hidden, lower, result = protect(
        np.concatenate([values, history.values]),
        [*relations, *history.relations],
        k,
        weights=np.concatenate([weights, np.ones(atoms + m)]),
        implied=implied,
        locked=np.concatenate([public, known, ~history.hidden]) | _padded(history.keep_shown, m),
        keep_hidden=np.concatenate([history.keep_hidden, history.hidden]),
        withdrawn=np.concatenate(
            [withdrawn & ~history.keep_shown[:cells], extend, history.lower == 0]
        ),
        group_of=np.concatenate([group_of, np.full(atoms + m, -1)]),
        earlier=np.arange(n + m) >= n,
        positive=np.concatenate([history.positive, history.lower > 0]),
        latent=np.concatenate([np.arange(n) >= cells, history.lower < 0]),
    )
    hidden, lower = hidden[:n], lower[:n]
    result.cells, result.hidden = cells, int(hidden[:cells].sum())
    if result.known is not None:
        result.known = result.known[:cells]
    result.earlier = {
        "releases": history.releases,
        "cells": int((history.lower >= 0).sum()),
        "relations": len(history.relations),
        "hidden": int((history.hidden & (history.lower >= 0)).sum()),
        "atoms": atoms + int((history.lower < 0).sum()),
    }
    return hidden, lower, result


def _padded(mask: np.ndarray, m: int) -> np.ndarray:
    return np.concatenate([mask, np.zeros(m, dtype=bool)])


def _reaching(n, keep_shown, keep_hidden, positive, values, hidden, lower, relations, releases):
    """The history cut down to the earlier relations that reach a cell of the new release (through
    earlier cells withheld: a shown one is a constant and links nothing), its earlier cells
    numbered again from n."""
    m = len(values)
    anchor = m  # every cell of the new release
    rows, cols = [], []
    for rel in relations:
        nodes = [anchor if c < n else c - n for c in rel.cells if c < n or hidden[c - n]]
        rows += nodes[:-1]
        cols += nodes[1:]
    graph = sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(m + 1, m + 1))
    _, label = connected_components(graph, directed=False)
    reached = label == label[anchor]
    kept = [
        rel
        for rel in relations
        if any(c < n or (hidden[c - n] and reached[c - n]) for c in rel.cells)
    ]
    used = sorted({c - n for rel in kept for c in rel.cells if c >= n})
    renumber = {n + old: n + new for new, old in enumerate(used)}
    kept = [
        Relation(
            renumber.get(rel.total, rel.total),
            tuple(renumber.get(c, c) for c in rel.members),
            rel.kind,
        )
        for rel in kept
    ]
    return History(
        keep_shown=keep_shown,
        keep_hidden=keep_hidden,
        positive=positive,
        values=values[used],
        hidden=hidden[used],
        lower=lower[used],
        relations=kept,
        releases=releases,
    )
