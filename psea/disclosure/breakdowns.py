"""The release's breakdowns: which the UN already publishes (public knowledge), which are withheld
as a whole ("not broken down", zeros included), and the cell each breakdown adds up to."""

from __future__ import annotations

import polars as pl

from psea.disclosure import grid
from psea.metrics import facts
from psea.settings import settings

ALL = "ALL"  # the all-entities scope
STOCK = grid.STOCK  # the period key of figures counted at the cut-off (the open cases)

BREAKDOWN_MINIMUM = 2  # times K: a breakdown of a smaller total is not broken down
# The dimensions of the UN submission's totals (docs/cli.md) as the release's breakdowns: public for
# an entity whose submissions the UN publishes.
PUBLIC_BREAKDOWNS = {
    "allegations": (
        "total",
        "category",
        "un_personnel_group",
        "status",
        "referred",
        "incident_year",
    ),
    "victims": ("total", "un_group"),
    "subjects": ("total", "gender"),
}


def public_entities() -> list[str]:
    return list(settings()["suppression"].get("un_published_entities") or [])


def top_of(family: str, breakdown: str) -> tuple[str, str]:
    """(breakdown, group) of the cell a breakdown's groups add up to: the family's total, or the
    group it partitions (facts.Family.within; substantiated cases with or without an action)."""
    if breakdown == "action_taken":
        return ("status", "substantiated")
    return within(family, breakdown) or ("total", "total")


def within(name: str, breakdown: str) -> tuple[str, str] | None:
    """The group a breakdown partitions when it is not the family's total (facts.Family.within)."""
    found = {**facts.families(), **facts.stocks()}.get(name)
    return found.within.get(breakdown) if found else None


SMALL_SERIES = 1 / 3  # a quarterly series with more small quarters than this is shown by year only


def _quarterly_series_withdrawn(cells: pl.DataFrame, k: int) -> pl.DataFrame:
    """(family, scope) whose quarterly figures are withheld as a whole, zeros included: an entity
    the UN does not publish whose quarters are mostly small (more than SMALL_SERIES of them 1..K-1)
    is shown by year and meeting period only. Each small quarter would otherwise cost its
    neighbours and all entities' quarter too; a quarter not broken down costs nothing else."""
    quarters = cells.filter(
        (pl.col("breakdown") == "total")
        & pl.col("period").str.contains(r"^\d{4}Q\d$")
        & (pl.col("scope") != ALL)
        & ~pl.col("public")
    )
    return (
        quarters.group_by("family", "scope")
        .agg(((pl.col("value") > 0) & (pl.col("value") < k)).mean().alias("small_share"))
        .filter(pl.col("small_share") > SMALL_SERIES)
        .select("family", "scope", pl.lit(True).alias("series_withdrawn"))
    )


def withdrawn(cells: pl.DataFrame, k: int) -> pl.DataFrame:
    """Which cells are withheld as a whole (not broken down, zeros included, so a reader knows only
    that each is at least 0): the breakdowns of a total below BREAKDOWN_MINIMUM x K for a scope and
    period, those whose small groups could not be protected even with every non-zero group hidden
    (total - non-zero groups + 1 < K), and the quarters of a series shown by year only
    (`_quarterly_series_withdrawn`) — never a public cell. A breakdown nobody publishes for a period
    (withheld for every scope) is dropped from the release, and so are the entities' groups of one
    that only all entities together publish."""
    series = _quarterly_series_withdrawn(cells, k)
    cells = cells.join(
        series, on=["family", "scope"], how="left", maintain_order="left"
    ).with_columns(
        (
            pl.col("series_withdrawn").fill_null(False)
            & pl.col("period").str.contains(r"^\d{4}Q\d$")
            & ~pl.col("public")
        ).alias("series_withdrawn")
    )
    split = cells.filter(pl.col("breakdown") != "total")
    per = split.group_by("family", "breakdown", "scope", "period").agg(
        pl.col("value").filter(pl.col("group") != "total").sum().alias("whole"),
        (pl.col("value").filter(pl.col("group") != "total") > 0).sum().alias("nonzero"),
        ((pl.col("value") > 0) & (pl.col("value") < k) & (pl.col("group") != "total"))
        .any()
        .alias("small"),
        pl.col("public").all().alias("public"),
        pl.col("series_withdrawn").any().alias("series_withdrawn"),
    )
    per = per.with_columns(
        (
            ~pl.col("public")
            & (
                pl.col("series_withdrawn")
                | (pl.col("whole") < BREAKDOWN_MINIMUM * k)
                | (pl.col("small") & (pl.col("whole") - pl.col("nonzero") + 1 < k))
            )
        ).alias("withdrawn")
    )
    anyone = per.group_by("family", "breakdown", "period").agg(
        (~pl.col("withdrawn")).any().alias("somewhere"),
        (~pl.col("withdrawn") & (pl.col("scope") != ALL)).any().alias("some_entity"),
    )
    decided = (
        split.join(
            per.select("family", "breakdown", "scope", "period", "withdrawn"),
            on=["family", "breakdown", "scope", "period"],
        )
        .join(anyone, on=["family", "breakdown", "period"])
        .filter(pl.col("somewhere") & ((pl.col("scope") == ALL) | pl.col("some_entity")))
        .with_columns(pl.col("withdrawn") & (pl.col("group") != "total"))
    )
    totals = cells.filter(pl.col("breakdown") == "total").with_columns(
        pl.col("series_withdrawn").alias("withdrawn")
    )
    columns = [c for c in totals.columns if c != "series_withdrawn"]
    return pl.concat([totals.select(columns), decided.select(columns)])


def public(cells: pl.DataFrame, entities: list[str]) -> pl.Expr:
    """Cells the UN publishes: an entity of the settings list, a dimension of the submission's
    totals, a period of complete quarters (never the stock at the cut-off)."""
    pairs = pl.DataFrame(
        [(f, b) for f, bs in PUBLIC_BREAKDOWNS.items() for b in bs],
        schema={"family": pl.String, "breakdown": pl.String},
        orient="row",
    ).with_columns(pl.lit(True).alias("public_pair"))
    listed = public_entities()
    scope_public = pl.col("scope").is_in(listed) | (
        (pl.col("scope") == ALL)
        & pl.lit(bool(entities) and all(e in listed for e in entities))
        & pl.col("missing").is_null()
    )
    return (
        cells.join(pairs, on=["family", "breakdown"], how="left", maintain_order="left")
        .with_columns(
            (
                pl.col("public_pair").fill_null(False) & scope_public & (pl.col("period") != STOCK)
            ).alias("public")
        )
        .drop("public_pair")
    )
