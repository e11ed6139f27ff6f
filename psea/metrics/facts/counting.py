"""Counting a family's rows over any period at any cut-off (the analysts' exact figures), at a
cut-off (the stocks), and per grid quarter (the release), its returns' cells included."""

from __future__ import annotations

import datetime as dt

import polars as pl

from psea.metrics import Period
from psea.metrics.facts.family import Family
from psea.metrics.facts.open_cases import overdue_groups
from psea.metrics.facts.registry import family
from psea.metrics.facts.returns import return_cells_sql, return_stock


def count(
    con, name: str, period: Period, entity: str | None = None, by: str | None = None
) -> pl.DataFrame:
    """Rows of the family in the period (start, end] as of its cut-off: `count`, or `by` and
    `count` with every fixed group present (zero where none). An entity's returns count their
    quarters that end in the period; where an entity's return in the period does not break the
    family down by `by`, every count of that entity is null ("not broken down", never 0), and all
    entities (`entity` None) sum the entities that report the breakdown (as the release does)."""
    fam = family(name)
    group = f"{by} as {by}, " if by else ""
    params = {"cutoff": period.as_of, "start": period.start, "end": period.end, "entity": entity}
    out = con.sql(
        f"""with f as ({fam.sql})
            select {group}count(*)::bigint as count from f
            where day > $start and day <= $end and ($entity is null or entity = $entity)
            {"group by all order by 1" if by else ""}""",
        params=params,
    ).pl()
    returned = con.sql(
        f"""select * from ({return_cells_sql()})
            where family = $family and day > $start and day <= $end
              and ($entity is null or entity = $entity)""",
        params={**params, "family": name},
    ).pl()
    if entity is None and by and returned.height:  # all entities: those that report the detail
        returned = returned.filter(pl.col("entity").is_in(sorted(_carrying(returned, by))))
    if returned.height:
        out = _with_returns(out, returned, by)
    if by and by in fam.groups:
        out = (
            pl.DataFrame({by: list(fam.groups[by])})
            .join(out, on=by, how="full", coalesce=True, maintain_order="left")
            .with_columns(pl.col("count").fill_null(0))
        )
        if returned.height and _not_broken_down(returned, by):
            out = out.with_columns(pl.lit(None, dtype=pl.Int64).alias("count"))
    return out


def _with_groups(out: pl.DataFrame, fam: Family, by: str | None) -> pl.DataFrame:
    if by and by in fam.groups:
        out = (
            pl.DataFrame({by: list(fam.groups[by])})
            .join(out, on=by, how="full", coalesce=True, maintain_order="left")
            .with_columns(pl.col("count").fill_null(0))
        )
    return out


def count_stock(
    con, name: str, cutoff: dt.date, entity: str | None = None, by: str | None = None
) -> pl.DataFrame:
    """Rows of a stock family at the cut-off: `count`, or `by` and `count` with every fixed group
    present (zero where none)."""
    fam = family(name)
    group = f"{by} as {by}, " if by else ""
    out = con.sql(
        f"""with f as ({fam.sql})
            select {group}count(*)::bigint as count from f
            where ($entity is null or entity = $entity) {f"and {by} is not null" if by else ""}
            {"group by all order by 1" if by else ""}""",
        params={"cutoff": cutoff, "entity": entity},
    ).pl()
    out = _with_groups(out, fam, by)
    stated = _returned_overdue(con, cutoff, entity) if name == "open_cases" else {}
    if stated:  # returns state their overdue cases only: every other open-case count is unknown
        over = overdue_groups()
        known = by == "age" and len(over) == 1
        out = out.with_columns(
            pl.when(pl.lit(known) & (pl.col(by) == over[0]) if known else pl.lit(False))
            .then(pl.col("count") + sum(stated.values()))
            .otherwise(None)
            .cast(pl.Int64)
            .alias("count")
        )
    return out


def _returned_overdue(con, cutoff: dt.date, entity: str | None) -> dict[str, int]:
    """The overdue cases (open more than the overdue days since received) that entities without
    case rows state in their returns, at the end of their latest quarter."""
    with_rows = {
        r[0]
        for r in con.sql(
            "select distinct entity from cases_at($cutoff)", params={"cutoff": cutoff}
        ).fetchall()
    }
    return {
        e: n
        for e, n in return_stock(con, "overdue", cutoff).items()
        if e not in with_rows and (entity is None or e == entity)
    }


def count_stock_by_entity(con, name: str, cutoffs: dict[str, dt.date]) -> pl.DataFrame:
    """Each entity's rows of a stock family at its own cut-off (the date of its data), in total and
    by each breakdown: entity, breakdown ('total' for the total), group, count (observed only)."""
    fam = family(name)
    sets = ", ".join(["(entity)", *[f"(entity, {b})" for b in fam.breakdowns]])
    pick = " ".join(f"when grouping({b}) = 0 then '{b}'" for b in fam.breakdowns)
    grp = " ".join(f"when grouping({b}) = 0 then {b}::varchar" for b in fam.breakdowns)
    frames = []
    for day in sorted(set(cutoffs.values())):
        entities = [e for e, d in cutoffs.items() if d == day]
        frames.append(
            con.sql(
                f"""with f as ({fam.sql})
                    select entity, case {pick} else 'total' end as breakdown,
                           case {grp} else 'total' end as "group", count(*)::bigint as count
                    from f where list_contains($entities, entity)
                    group by grouping sets ({sets})""",
                params={"cutoff": day, "entities": entities},
            )
            .pl()
            .filter(pl.col("group").is_not_null())  # rows outside a `within` breakdown's group
        )
    schema = {"entity": pl.String, "breakdown": pl.String, "group": pl.String, "count": pl.Int64}
    return pl.concat([f.cast(schema) for f in frames]) if frames else pl.DataFrame(schema=schema)


def _carrying(returned: pl.DataFrame, by: str) -> set[str]:
    """The entities whose every return of the period breaks the family down by `by`."""
    return {key[0] for key, part in returned.group_by("entity") if not _not_broken_down(part, by)}


def _not_broken_down(returned: pl.DataFrame, by: str) -> bool:
    """Whether a return of the period lacks the breakdown (a zero total breaks down into zeros)."""
    carried = returned.group_by("entity", "quarter").agg(
        ((pl.col("breakdown") == by) | ((pl.col("breakdown") == "total") & (pl.col("count") == 0)))
        .any()
        .alias("carried")
    )
    return not carried["carried"].all()


def _with_returns(out: pl.DataFrame, returned: pl.DataFrame, by: str | None) -> pl.DataFrame:
    if by is None:
        extra = int(returned.filter(pl.col("breakdown") == "total")["count"].sum())
        return out.with_columns(pl.col("count") + extra)
    if _not_broken_down(returned, by):  # one row at least, so that callers see the null
        nulls = pl.DataFrame({by: [None], "count": [None]}, schema=out.schema)
        return pl.concat([out, nulls]).with_columns(pl.lit(None, dtype=pl.Int64).alias("count"))
    extra = (
        returned.filter(pl.col("breakdown") == by)
        .group_by(pl.col("group").alias(by))
        .agg(pl.col("count").sum())
    )
    return (
        pl.concat([out, extra.select(out.columns)], how="vertical_relaxed")
        .group_by(by)
        .agg(pl.col("count").sum())
        .sort(by)
    )


def total(con, name: str, period: Period, entity: str | None = None) -> int:
    return int(count(con, name, period, entity).item())


def count_by_quarter(con, name: str, cutoff: dt.date) -> pl.DataFrame:
    """Every entity's rows per calendar quarter of `day`, in total and by each breakdown, as of
    the cut-off, and the cells of the entities' returns: entity, quarter (its first day),
    breakdown ('total' for the total), group, count."""
    fam = family(name)
    sets = ", ".join(["(entity, quarter)", *[f"(entity, quarter, {b})" for b in fam.breakdowns]])
    pick = " ".join(f"when {b} is not null then '{b}'" for b in fam.breakdowns)
    grp = " ".join(f"when {b} is not null then {b}::varchar" for b in fam.breakdowns)
    return con.sql(
        f"""with f as ({fam.sql}),
            q as (select *, date_trunc('quarter', day)::date as quarter from f where day <= $cutoff)
            select entity, quarter,
                   {f"case {pick} else 'total' end" if fam.breakdowns else "'total'"} as breakdown,
                   {f"case {grp} else 'total' end" if fam.breakdowns else "'total'"} as "group",
                   count(*)::bigint as count
            from q group by grouping sets ({sets})
            union all
            select entity, quarter, breakdown, "group", count from ({return_cells_sql()})
            where family = $family""",
        params={"cutoff": cutoff, "family": name},
    ).pl()
