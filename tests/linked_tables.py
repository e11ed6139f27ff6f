"""Small linked tables for the protection's tests: counts by entity, quarter and group, related as
the release relates its cells (groups to totals, quarters to years and meeting periods, entities to
all entities)."""

from __future__ import annotations

import numpy as np
import polars as pl

from psea.disclosure.protect import Relation


def linked_instance(rng, entities=3, quarters=8, groups=4):
    """Random entity x quarter x group counts with their totals (`linked_tables`)."""
    return linked_tables(rng.poisson(rng.uniform(0.5, 6), size=(entities, quarters, groups)))


def linked_tables(atoms: np.ndarray) -> tuple[pl.DataFrame, list[Relation]]:
    """Entity x quarter x group counts (`atoms`, 8 quarters) with their totals: group -> total,
    quarters -> years and two overlapping 'meeting periods', entities -> all entities."""
    entities, quarters, groups = atoms.shape
    keys, values = [], []
    periods = {f"Q{q}": [q] for q in range(quarters)}
    periods |= {"Y0": [0, 1, 2, 3], "Y1": [4, 5, 6, 7], "M0": [0, 1, 2], "M1": [3, 4, 5, 6, 7]}
    for e in [*range(entities), "ALL"]:
        for p, qs in periods.items():
            for g in [*range(groups), "total"]:
                ee = slice(None) if e == "ALL" else e
                gg = slice(None) if g == "total" else g
                keys.append(
                    (
                        "f",
                        "b" if g != "total" else "total",
                        str(g) if g != "total" else "total",
                        str(e),
                        p,
                    )
                )
                values.append(
                    int(atoms[ee, qs, :][..., gg].sum())
                    if g == "total"
                    else int(atoms[ee, qs, g].sum())
                )
    cells = pl.DataFrame(
        keys, schema=["family", "breakdown", "group", "scope", "period"], orient="row"
    )
    cells = cells.with_columns(pl.Series("value", values))
    index = {k: i for i, k in enumerate(keys)}
    relations = []
    for e in [*map(str, range(entities)), "ALL"]:
        for p in periods:
            relations.append(
                Relation(
                    index[("f", "total", "total", e, p)],
                    tuple(index[("f", "b", str(g), e, p)] for g in range(groups)),
                )
            )
            for g in [*map(str, range(groups)), "total"]:
                b = "total" if g == "total" else "b"
                if p[0] in "YM":
                    relations.append(
                        Relation(
                            index[("f", b, g, e, p)],
                            tuple(index[("f", b, g, e, f"Q{q}")] for q in periods[p]),
                        )
                    )
                if e == "ALL":
                    relations.append(
                        Relation(
                            index[("f", b, g, "ALL", p)],
                            tuple(index[("f", b, g, str(x), p)] for x in range(entities)),
                        )
                    )
    return cells, relations
