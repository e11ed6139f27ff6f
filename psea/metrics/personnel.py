"""Personnel per entity: the denominators of the rates per 1,000 personnel (docs/indicators.md).

An entity that sends returns states its personnel at each quarter's end; for an entity that sends a
roster, its personnel are the persons active on the date (the coverage figures' definition).
Personnel figures are about the workforce, not about cases: they are not suppressed.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from psea.metrics import facts, training

DEFINITION = (
    "Allegations received in the period against the entity's own personnel (staff, non-staff and "
    "contractors, as the UN groups them) per 1,000 of its personnel at the period's end: personnel as "
    "the entity's return states them at the end of its latest quarter, else the persons active in its "
    "roster on that date; no rate for an entity that sends neither. Allegations against implementing "
    "partners' personnel are counts only: their workforce is not known. More reports can mean better "
    "reporting, not more abuse."
)


def personnel(con, on: dt.date) -> pl.DataFrame:
    """entity, personnel, source ('return' or 'roster'), one row per entity whose personnel are
    known on the date."""
    stated = facts.return_stock(con, "personnel", on)
    roster = training.mandatory_coverage(con, on, by="entity")
    rows = [(e, n, "return") for e, n in stated.items()]
    rows += [
        (e, int(n), "roster")
        for e, n in roster.select("entity", "active").iter_rows()
        if e not in stated
    ]
    return pl.DataFrame(
        sorted(rows),
        schema={"entity": pl.String, "personnel": pl.Int64, "source": pl.String},
        orient="row",
    )


def per_thousand(count: int | None, headcount: int | None) -> float | None:
    """A count per 1,000 personnel, None when either is unknown (or no personnel)."""
    if count is None or not headcount:
        return None
    return 1000 * count / headcount
