"""Each entity's figures beside all entities', for the Overview and the Champion's report alike
(one definition): the headline counts read through the gate, the allegations against the entity's
own personnel and against its implementing partners' apart, and one rate whose numerator and
denominator match: allegations against own personnel per 1,000 of the entity's own personnel.

A rate is given only where the entity sends its personnel (its quarterly return, else its roster):
no roster is assumed for an entity that sends none, and the reason is said in the cell.
"""

from __future__ import annotations

import polars as pl

from psea.disclosure.figures import Shown
from psea.metrics.personnel import per_thousand
from psea.present.headlines import HEADLINES

OWN = ("allegations", "un_personnel_group", "agencies_funds_programmes")
PARTNERS = ("allegations", "un_personnel_group", "implementing_partner")
OWN_LABEL = "Allegations against own personnel (staff, non-staff, contractors)"
PARTNERS_LABEL = "Allegations against implementing partners' personnel (no rate)"
RATE_LABEL = "Allegations against own personnel per 1,000 own personnel"
NO_PERSONNEL = "no rate: no personnel count sent"
NOT_EVERY_ENTITY = "no rate: not every entity sends its personnel"
SOURCES = {"return": "its quarterly return", "roster": "its roster"}
ALL = "All entities"


def rate_cell(count: Shown, personnel: int | None, missing: str = NO_PERSONNEL) -> str:
    """Own-personnel allegations per 1,000 own personnel, or why there is no rate."""
    if not count.published:
        return count.label
    rate = per_thousand(count.value, personnel)
    return missing if rate is None else f"{rate:.2f}"


def side_by_side(figures, entities: list[str], personnel: pl.DataFrame) -> pl.DataFrame:
    """One row per figure, one column per entity and all entities: the headline counts, the
    allegations by whose personnel they are against, the personnel at the period's end and where
    it comes from, and the own-personnel rate. `figures` reads all entities
    (`figures.for_entity(e)` each); `personnel`: psea.metrics.personnel's frame (entity,
    personnel, source), entities that send none absent from it."""
    scopes: list[str | None] = [*entities, None]
    column = {s: ALL if s is None else s for s in scopes}
    scoped = {s: figures.for_entity(s) for s in scopes}
    known = {e: (n, src) for e, n, src in personnel.select("entity", "personnel", "source").rows()}
    headcount: dict[str | None, int | None] = {e: known.get(e, (None, ""))[0] for e in entities}
    every = bool(entities) and all(headcount.values())
    headcount[None] = sum(headcount.values()) if every else None  # type: ignore[arg-type]

    def row(label: str, cell) -> dict:
        return {"figure": label} | {column[s]: cell(s) for s in scopes}

    rows = [row(h.label, lambda s, h=h: h.shown(scoped[s]).label) for h in HEADLINES]
    rows += [
        row(OWN_LABEL, lambda s: scoped[s].count(*OWN).label),
        row(PARTNERS_LABEL, lambda s: scoped[s].count(*PARTNERS).label),
        row(
            "Own personnel at the end of the period",
            lambda s: f"{headcount[s]:,}" if headcount[s] else "not sent",
        ),
        row(
            "Personnel counted from",
            lambda s: (
                SOURCES.get(known.get(s, (None, ""))[1], "not sent")
                if s is not None
                else ("every entity's count" if every else "not every entity sends one")
            ),
        ),
        row(
            RATE_LABEL,
            lambda s: rate_cell(
                scoped[s].count(*OWN), headcount[s], NO_PERSONNEL if s else NOT_EVERY_ENTITY
            ),
        ),
    ]
    return pl.DataFrame(rows)
