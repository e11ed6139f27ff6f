"""The demo contracts: suppliers, service providers and implementing partners, with PSEA clauses."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines.demo.scenario import START, as_dates, day_number, random_refs


def entity_contracts(
    rng: np.random.Generator,
    entity: str,
    codes: list[str],
    weights: np.ndarray,
    scale: float,
    end: dt.date,
) -> pl.DataFrame:
    """An eighth of the missions are lax about the PSEA clause; before 2015 every mission was laxer."""
    years = end.year - START.year + 1
    n = int(len(codes) * 6 * years * max(scale, 0.05))
    mission = rng.choice(len(codes), n, p=weights)
    signed = day_number(START) + rng.integers(0, day_number(end) - day_number(START) + 1, n)
    lax = np.isin(mission, rng.choice(len(codes), max(1, len(codes) // 8), replace=False))
    clause = rng.random(n) < np.where(lax, 0.78, 0.985) - np.where(
        signed < day_number(dt.date(2015, 1, 1)), 0.1, 0
    )
    kind = rng.choice(
        ["supplier", "service_provider", "implementing_partner"], n, p=[0.5, 0.3, 0.2]
    )
    flowdown = np.where(
        kind == "supplier", "not_applicable", np.where(clause & (rng.random(n) < 0.9), "yes", "no")
    )
    return pl.DataFrame(
        {
            "contract_ref": random_refs(rng, n),
            "entity": entity,
            "mission": np.array(codes)[mission],
            "contractor_type": kind,
            "signed_on": as_dates(signed),
            "psea_clause": clause,
            "subcontract_flowdown": flowdown,
        }
    )
