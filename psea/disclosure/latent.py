"""The same open cases counted twice: by their status at the cut-off and by their age.

The release publishes each entity's allegations of a period by their status at the cut-off, and its
open cases at the date of its data by stage and days since received. A case still open is in both:
the allegations of a period at one open stage are the open cases of that stage received in the
period, whose ages run from the cut-off minus the period's end to the cut-off minus its start. A
reader who lays the two families side by side learns, for example, that the 2 cases of the last
two quarters still at "Received" are the open received cases within 90 days when the older
buckets are 0 (docs/disclosure.md, "Suppression": counted twice).

Neither family's own relations say so, and the age buckets (90 and 180 days) do not fall on the
quarters. The audit models the link exactly with unknowns it never publishes: the open cases of one
entity and stage received in one quarter within one age bucket (the *atoms*). Every status cell of
an open stage is the sum of its quarters' atoms, every stage-by-age cell the sum of its bucket's;
an atom is at least 0, and it is a variable of the linear programs, not a figure: the audit proves
the published cells' hidden values, not the atoms'.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from psea.disclosure import grid
from psea.disclosure.audit import LATENT, Relation, prove_component
from psea.disclosure.breakdowns import STOCK, public_entities
from psea.metrics.facts.family import OPEN_STAGES, bucket_codes, bucket_sql
from psea.metrics.facts.open_cases import age_bounds


@dataclass(frozen=True)
class Atoms:
    """The atoms of a release: their names across releases (entity, stage, quarter received, age
    bucket, the date of the data they are counted at) and exact counts (in memory only)."""

    names: list[tuple]
    values: np.ndarray
    relations: list[Relation]  # cells numbered 0..n-1, atoms from n
    known: np.ndarray  # the UN's own figures among them (a quarter's status, known to all)

    def __len__(self) -> int:
        return len(self.names)


def _bucket_ranges() -> list[tuple[str, int, int | None]]:
    """(code, first day, last day or None) of each age bucket."""
    bounds = age_bounds()
    starts = [0, *(b + 1 for b in bounds)]
    ends = [*bounds, None]
    return list(zip(bucket_codes(bounds), starts, ends, strict=True))


def atoms_of(
    con,
    index: dict[tuple, int],
    data_dates: dict[str, dt.date],
    first_quarter: str,
    spans: dict[str, tuple[str, ...]],
    rows_through: dict[str, dt.date] | None = None,
) -> Atoms:
    """The atoms of the entities with case rows (`data_dates`: each one's date of data, the date of
    its open cases), and the relations that tie them to the cells of `index` (key -> position):
    each open stage's status cells of every period in `spans` (period -> its quarters) and its
    stage-by-age cells. An atom is made for every quarter from `first_quarter` to the date of the
    data and every age bucket the quarter's ages reach, zeros included (a reader does not know
    which are 0).

    Only the quarters of an entity's case rows are atoms (`rows_through`: the first day of the
    last complete quarter they reach); a period reaching past them into its quarterly returns is
    tied to no atom. For an entity whose submissions the UN publishes, each complete quarter's
    allegations by status are public, whether or not the release publishes that quarter: each is
    an unknown too, known to every reader, the sum of its quarter's atoms."""
    rows_through = rows_through or {}
    last_of = {
        e: grid.quarter_key(rows_through[e]) if e in rows_through else "0000Q0" for e in data_dates
    }
    n = len(index)
    ranges = _bucket_ranges()
    names: list[tuple] = []
    values: list[int] = []
    position: dict[tuple, dict[tuple, int]] = {}  # (entity, stage) -> (quarter, bucket) -> atom
    counts = _counted(con, data_dates)
    for entity, day in sorted(data_dates.items()):
        quarters = grid.quarters_between(grid.quarter_first_day(first_quarter), day)
        for stage in OPEN_STAGES:
            for q in quarters:
                start = grid.quarter_first_day(q)
                youngest = max((day - grid.quarter_end(start)).days, 0)
                oldest = (day - start).days
                for code, low, high in ranges:
                    if oldest < low or (high is not None and youngest > high):
                        continue
                    key = (entity, stage, q, code)
                    position.setdefault((entity, stage), {})[q, code] = n + len(names)
                    names.append(("atom", *key, f"at {day.isoformat()}"))
                    values.append(counts.pop(key, 0))
    if counts:  # a case received before the first quarter: the grid would state a falsehood
        raise ValueError(f"open cases outside the release's quarters: {sorted(counts)[:3]}")
    relations: list[Relation] = []
    known = [False] * len(names)
    listed = set(public_entities())
    for entity, day in sorted(data_dates.items()):
        if entity not in listed:
            continue
        last = last_of[entity]
        for stage in OPEN_STAGES:
            quarters: dict[str, list[int]] = {}
            for (q, _), i in position[entity, stage].items():
                if q <= last:
                    quarters.setdefault(q, []).append(i)
            for q, parts in sorted(quarters.items()):
                relations.append(Relation(n + len(names), tuple(parts), LATENT))
                names.append(("published by the UN", entity, stage, q, f"at {day.isoformat()}"))
                values.append(sum(values[i - n] for i in parts))
                known.append(True)
    for entity in sorted(data_dates):
        for stage in OPEN_STAGES:
            mine = position[entity, stage]
            for code, _, _ in ranges:
                cell = index.get(("open_cases", "stage_age", f"{stage}|{code}", entity, STOCK))
                parts = tuple(i for (_, c), i in mine.items() if c == code)
                if cell is not None and parts:
                    relations.append(Relation(cell, parts, LATENT))
            for period, quarters in spans.items():
                cell = index.get(("allegations", "status", stage, entity, period))
                if max(quarters, default="9999Q9") > last_of[entity]:
                    continue  # a quarter of its returns: not the case rows' open cases
                inside = set(quarters)
                parts = tuple(i for (q, _), i in mine.items() if q in inside)
                if cell is not None and parts:
                    relations.append(Relation(cell, parts, LATENT))
    return Atoms(
        names, np.asarray(values, dtype=np.int64), relations, np.asarray(known, dtype=bool)
    )


def _counted(con, data_dates: dict[str, dt.date]) -> dict[tuple, int]:
    """The open cases of each entity at the date of its data by stage, quarter received and age
    bucket (only the non-zero ones)."""
    out: dict[tuple, int] = {}
    for day in sorted(set(data_dates.values())):
        entities = sorted(e for e, d in data_dates.items() if d == day)
        rows = con.sql(
            f"""select entity, status, date_trunc('quarter', date_received)::date as q,
                    {bucket_sql("($day::date - date_received)", age_bounds())} as age,
                    count(*)::bigint
                from cases_at($day) where status in {OPEN_STAGES}
                    and list_contains($entities, entity)
                group by all""",
            params={"day": day, "entities": entities},
        ).fetchall()
        for entity, stage, q, age, n in rows:
            out[(entity, stage, grid.quarter_key(q), age)] = int(n)
    return out


TIED = ("open_cases", "overdue")  # the families the atoms tie to the statuses


def known_through_atoms(
    cells, values: np.ndarray, relations: list[Relation], atoms: Atoms, known: np.ndarray, k: int
) -> np.ndarray:
    """The cells a reader works out from the `known` ones (the UN's figures) through the atoms,
    with every other cell of the open cases and of the statuses hidden: an entity whose statuses
    the UN publishes for every quarter has its open cases by stage published with them. Only the
    open and overdue cases, the status cells and the atoms enter this system, and only the
    relations among them; a relation left out can only make its reader weaker, so every cell
    found is known to the reader of the whole release: hiding it would protect nothing, and the
    release shows it (as it does with `protect`'s "known anyway"). Returns a mask over the cells."""
    n = cells.height
    found = np.zeros(n, dtype=bool)
    if not len(atoms):
        return found
    system = np.concatenate([values, atoms.values])
    family, breakdown = cells["family"].to_numpy(), cells["breakdown"].to_numpy()
    status = (family == "allegations") & (breakdown == "status")
    entities = sorted({name[1] for name in atoms.names})  # those with case rows
    mine = np.isin(cells["scope"].to_numpy(), entities)
    inside = np.concatenate([(np.isin(family, TIED) | status) & mine, np.ones(len(atoms), bool)])
    withdrawn = cells["withdrawn"].to_numpy()
    lower = np.concatenate([np.where(withdrawn, 0, 1), np.full(len(atoms), -1)])
    zero = (system == 0) & (lower > 0)  # zeros are shown
    knows = np.concatenate([known, atoms.known]) | zero
    unknown = inside & ~knows
    rel_ids = [
        r
        for r, rel in enumerate(relations)
        if any(unknown[c] for c in rel.cells) and all(inside[c] or knows[c] for c in rel.cells)
    ]
    cells_in = np.flatnonzero(unknown).tolist()
    bad, _, _ = prove_component(system, unknown, relations, rel_ids, cells_in, k, lower[cells_in])
    found[[c for c in bad if c < n]] = True
    return found
