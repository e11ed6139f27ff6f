"""Releases beside the releases handed out before them (psea.disclosure.history): a late report
revises a quarter between two releases, and a reader holds both.

The revised cells are new unknowns; the unrevised ones are the same unknowns in both releases, so
the two releases' sums together narrow what each alone left wide. The attacker (tests/attacker.py,
written apart from the audit) solves every release handed out at once.
"""

from __future__ import annotations

import numpy as np
import pytest
from attacker import attack_releases
from linked_tables import linked_tables

from psea.disclosure.history import Earlier, join, protect_with
from psea.disclosure.protect import protect

K = 5
KEY = ["family", "breakdown", "group", "scope", "period"]


def _revised(rng, atoms: np.ndarray) -> np.ndarray:
    """Late reports: one to three counts of the last four quarters go up by 1 or 2."""
    out = atoms.copy()
    entities, quarters, groups = atoms.shape
    for _ in range(int(rng.integers(1, 4))):
        e, q, g = (
            rng.integers(0, entities),
            rng.integers(quarters - 4, quarters),
            rng.integers(0, groups),
        )
        out[e, q, g] += int(rng.integers(1, 3))
    return out


def _chain(seed: int, releases: int = 3):
    """A first release protected alone, then each revision protected beside all the releases
    before it. Returns the releases as the attacker holds them, and the last one's audit."""
    rng = np.random.default_rng(seed)
    atoms = rng.poisson(rng.uniform(0.5, 4), size=(3, 8, 4))
    handed_out: list[Earlier] = []
    packs = []
    result = None
    for _ in range(releases):
        cells, relations = linked_tables(atoms)
        values = cells["value"].to_numpy()
        names = cells.select(KEY).rows()
        n = len(values)
        history = join(names, values, relations, handed_out)
        hidden, lower, result = protect_with(
            values,
            relations,
            K,
            history,
            public=np.zeros(n, dtype=bool),
            withdrawn=np.zeros(n, dtype=bool),
            weights=np.ones(n),
            group_of=np.full(n, -1),
        )
        assert result.passed
        handed_out.append(Earlier(names, values, hidden, lower == 0, relations))
        packs.append((names, values, hidden, lower, [(r.total, r.members) for r in relations]))
        atoms = _revised(rng, atoms)
    return packs, result


@pytest.mark.parametrize("seed", range(2))
def test_a_reader_of_every_release_handed_out_works_out_nothing(seed):
    packs, result = _chain(seed)
    assert result.earlier["releases"] == 2 and result.earlier["cells"] > 0
    found = attack_releases(packs, K)
    assert found.hidden > 100
    assert (len(found.determined), len(found.proven_small)) == (0, 0), seed


def test_protected_alone_the_same_revision_gives_cells_away():
    """The control: the rule of the last stop (a cell an earlier release showed stays shown, one
    it withheld stays withheld, a revised one is free) passes each release's own audit, yet a
    reader of both works out hidden cells. The audit over one system is what closes it."""
    rng = np.random.default_rng(1)
    atoms = rng.poisson(rng.uniform(0.5, 4), size=(3, 8, 4))
    cells, relations = linked_tables(atoms)
    before = cells["value"].to_numpy()
    hidden_before, lower_before, _ = protect(before, relations, K)
    cells, _ = linked_tables(_revised(rng, atoms))
    after = cells["value"].to_numpy()
    same = after == before
    hidden, lower, alone = protect(
        after, relations, K, locked=same & ~hidden_before, keep_hidden=same & hidden_before
    )
    assert alone.passed
    names = cells.select(KEY).rows()
    rel = [(r.total, r.members) for r in relations]
    found = attack_releases(
        [(names, before, hidden_before, lower_before, rel), (names, after, hidden, lower, rel)], K
    )
    assert found.determined or found.proven_small


def test_an_earlier_cell_is_one_unknown_per_name_and_value():
    """A cell two earlier releases hold with one value is one unknown; a revised one is another;
    shown by either, it is known; an earlier relation the new release states itself is not
    repeated."""
    packs, _ = _chain(3, releases=2)
    (names, v1, h1, _, _), (_, v2, h2, _, _) = packs
    _, relations = linked_tables(np.zeros((3, 8, 4), dtype=np.int64))
    first = Earlier(names, v1, h1, np.zeros(len(v1), dtype=bool), relations)
    second = Earlier(names, v2, h2, np.zeros(len(v2), dtype=bool), relations)
    history = join(names, v2, relations, [first, second])
    revised = v1 != v2
    assert history.size == revised.sum()  # the first release's revised cells, once each
    # the second release holds every cell with its value now; the first, the unrevised ones
    assert (history.keep_shown == (~h2 | (~revised & ~h1))).all()
    assert (history.keep_hidden == (h2 & (revised | h1))).all()
    stated = {(r.total, tuple(sorted(r.members))) for r in relations}
    assert not stated & {(r.total, tuple(sorted(r.members))) for r in history.relations}
    again = join(names, v2, relations, [second])
    assert again.size == 0 and again.relations == []  # nothing revised: nothing new to state
