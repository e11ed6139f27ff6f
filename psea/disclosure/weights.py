"""What withholding each cell of a release costs (tau-ARGUS's cost weights): the secondary
suppression of psea.disclosure.protect hides the cheapest cells first."""

from __future__ import annotations

import numpy as np
import polars as pl

from psea.disclosure.cells import ALL, STOCK

# The cost of withholding a cell grows with its level (tau-ARGUS's cost weights): a group of a
# fine, little-read breakdown goes first, then the other breakdowns' groups, then the figures'
# totals (dearest for the headline figures and the quarters and meeting periods the trend and the
# brief show), each dearer again for all entities. Within a level the smaller count goes first.
FINE_BREAKDOWNS = {
    "allegations": ("region", "incident_year", "reporting_channel", "personnel_group", "delay"),
    "services": ("service",),
    "actions": ("action",),
    "victims": ("needs_assessed", "declined"),
    "findings": ("duration",),
}


HEADLINE_FAMILIES = ("allegations", "victims", "investigations_opened", "findings", "overdue")


WEIGHT_FINE_GROUP = 1.0


WEIGHT_GROUP = 3.0


WEIGHT_TOTAL = {"year": 30.0, "quarter": 60.0, "meeting": 60.0, "stock": 60.0}


WEIGHT_HEADLINE = 2.0  # times a total's weight, for HEADLINE_FAMILIES


WEIGHT_ALL = 3.0  # times any weight, for the all-entities scope


def _period_kind(period: str) -> str:
    if period == STOCK:
        return "stock"
    if period.startswith(("M", "S")):  # a meeting's period, or the quarters since the last one
        return "meeting"
    return "quarter" if "Q" in period else "year"


def cell_weights(cells: pl.DataFrame) -> np.ndarray:
    """Each cell's weight (see FINE_BREAKDOWNS): the cost of withholding it is weight x (count + 1)."""
    fine = pl.DataFrame(
        [(f, b) for f, bs in FINE_BREAKDOWNS.items() for b in bs],
        schema={"family": pl.String, "breakdown": pl.String},
        orient="row",
    ).with_columns(pl.lit(True).alias("fine"))
    total = pl.col("period").map_elements(
        lambda p: WEIGHT_TOTAL[_period_kind(p)], return_dtype=pl.Float64
    ) * pl.when(pl.col("family").is_in(HEADLINE_FAMILIES)).then(WEIGHT_HEADLINE).otherwise(1.0)
    weight = (
        cells.select("family", "breakdown", "group", "scope", "period")
        .join(fine, on=["family", "breakdown"], how="left", maintain_order="left")
        .select(
            pl.when((pl.col("breakdown") == "total") | (pl.col("group") == "total"))
            .then(total)
            .when(pl.col("fine").fill_null(False))
            .then(WEIGHT_FINE_GROUP)
            .otherwise(WEIGHT_GROUP)
            * pl.when(pl.col("scope") == ALL).then(WEIGHT_ALL).otherwise(1.0)
        )
        .to_series()
    )
    return weight.to_numpy()
