"""Country PSEA capacity (the psea_capacity extract), as the IASC PSEA dashboard tracks it: per
country, each item's status for each reporter and for the in-country network, and how it changed
since the reporter's previous as_of. Not case data: not suppressed."""

from __future__ import annotations

import datetime as dt

import polars as pl

from data_contracts import contract_for

ITEMS = contract_for("psea_capacity").column("item").valid_values  # in the contract's order
STATUS_RANK = {"no": 0, "partial": 1, "yes": 2}  # not_applicable is not ranked
GAPS = ("no", "partial")
NETWORK = "NETWORK"

DEFINITIONS = {
    "status": "Each reporter's status of the item in its latest report dated on or before the date: "
    "yes, partly, no or not applicable. The network is the in-country PSEA network.",
    "change": "Against the same reporter's previous report: better, worse, same, or new (no "
    "earlier status).",
    "gaps": "Items whose status is no or partly, over the country's reporters; countries with "
    "gaps come first.",
}


def capacity(con, on: dt.date | None = None, since: dt.date | None = None) -> pl.DataFrame:
    """One row per (country, reporter, item) at each reporter's latest as_of not after `on`
    (default: the latest): country, country_name, reporter, item, status, since, as_of,
    previous_status, previous_as_of, change. The previous status is the reporter's earlier
    as_of, or with `since` (the previous meeting) its latest as_of not after that date (the same
    as_of when it has reported nothing since: every item 'same')."""
    return (
        con.sql(
            """
        with latest as (
            select reporter, max(as_of) as as_of from psea_capacity
            where $on is null or as_of <= $on group by 1
        ),
        previous as (
            select p.reporter, max(p.as_of) as as_of from psea_capacity p
            join latest l on l.reporter = p.reporter
                and (p.as_of < l.as_of and $since is null or p.as_of <= $since)
            group by 1
        ),
        now as (select c.* from psea_capacity c join latest using (reporter, as_of)),
        before as (select c.* from psea_capacity c join previous using (reporter, as_of)),
        final as (
            select n.country, coalesce(m.name, n.country) as country_name, n.reporter, n.item,
                n.status, n.since, n.as_of, b.status as previous_status,
                b.as_of as previous_as_of
            from now n
            left join before b using (reporter, country, item)
            left join ref_missions m on m.code = n.country
        )
        select * from final order by country, reporter, item
        """,
            params={"on": on, "since": since},
        )
        .pl()
        .with_columns(change=_change(pl.col("status"), pl.col("previous_status")))
    )


def _change(now: pl.Expr, before: pl.Expr) -> pl.Expr:
    rank_now = now.replace_strict(STATUS_RANK, default=None, return_dtype=pl.Int8)
    rank_before = before.replace_strict(STATUS_RANK, default=None, return_dtype=pl.Int8)
    return (
        pl.when(before.is_null())
        .then(pl.lit("new"))
        .when(now == before)
        .then(pl.lit("same"))
        .when(rank_now > rank_before)
        .then(pl.lit("better"))
        .when(rank_now < rank_before)
        .then(pl.lit("worse"))
        .otherwise(pl.lit("changed"))
    )


def by_country(frame: pl.DataFrame) -> pl.DataFrame:
    """Per country: reporters, gaps (items no or partial), items better and worse since the
    previous as_of; countries with gaps first, the most gaps first."""
    return (
        frame.group_by("country", "country_name")
        .agg(
            pl.col("reporter").n_unique().alias("reporters"),
            pl.col("status").is_in(GAPS).sum().alias("gaps"),
            (pl.col("status") == "no").sum().alias("no"),
            (pl.col("change") == "better").sum().alias("better"),
            (pl.col("change") == "worse").sum().alias("worse"),
            pl.col("as_of").max().alias("latest_as_of"),
        )
        .sort(["gaps", "no", "country"], descending=[True, True, False])
    )


def grid(frame: pl.DataFrame, countries: list[str] | None = None) -> pl.DataFrame:
    """Country x reporter rows, one column per item: its status, with the change since the
    previous as_of in words where there was one ("partial, was no"). The network first."""
    shown = frame.with_columns(
        pl.when(pl.col("change").is_in(["better", "worse", "changed"]))
        .then(pl.col("status") + pl.lit(", was ") + pl.col("previous_status"))
        .otherwise(pl.col("status"))
        .alias("shown")
    )
    if countries is not None:
        shown = shown.filter(pl.col("country").is_in(countries))
    wide = shown.pivot(
        on="item", index=["country", "country_name", "reporter"], values="shown"
    ).with_columns((pl.col("reporter") != NETWORK).alias("_not_network"))
    items = [i for i in ITEMS if i in wide.columns]
    order = {c: i for i, c in enumerate(countries or [])}
    return (
        wide.with_columns(
            pl.col("country").replace_strict(order, default=len(order)).alias("_order")
        )
        .sort(["_order", "country", "_not_network", "reporter"])
        .select("country", "country_name", "reporter", *items)
    )


def item_grid(frame: pl.DataFrame, country: str) -> pl.DataFrame:
    """One country: a row per item (in the contract's order), a column per reporter (the network
    first), each cell its status with the change since the previous report ("partial, was no")."""
    one = grid(frame, [country])
    reporters = one["reporter"].to_list()
    items = [c for c in one.columns if c in ITEMS]
    return (
        one.select("reporter", *items)
        .transpose(include_header=True, header_name="item", column_names="reporter")
        .select("item", *reporters)
    )
