"""Rules of totals (agency_returns): rows that must agree with each other — a total per quarter and
figure, groups adding up to it, the figures' own sums, quarters ended by as_of, none sent as case rows
too."""

from __future__ import annotations

import polars as pl

from data_contracts.rules.collector import Collector, ReferenceLookup


def quarter_end_expr(quarter: pl.Expr) -> pl.Expr:
    """The last day of a `YYYYQn` quarter."""
    first = pl.date(
        quarter.str.slice(0, 4).cast(pl.Int32), quarter.str.slice(5, 1).cast(pl.Int32) * 3 - 2, 1
    )
    return first.dt.offset_by("3mo").dt.offset_by("-1d")


def _quarter_ended_by_as_of(out: Collector, f: pl.DataFrame, p: dict) -> None:
    ends = f.select(quarter_end_expr(pl.col(p["column"]))).to_series()
    out.add(
        ends > f["as_of"],
        p["column"],
        "after_as_of",
        "the quarter ends after the extract's as_of date",
    )


def _groups_of_dimension(out: Collector, f: pl.DataFrame, p: dict) -> None:
    allowed = pl.Series([[*groups] for groups in p["groups"].values()], dtype=pl.List(pl.String))
    dims = pl.Series(list(p["groups"]), dtype=pl.String)
    lookup = pl.DataFrame({p["of"]: dims, "_allowed": allowed})
    joined = f.select(p["of"], p["column"]).join(
        lookup, on=p["of"], how="left", maintain_order="left"
    )
    bad = joined.select(
        pl.col("_allowed").is_not_null()
        & pl.col(p["column"]).is_not_null()
        & ~pl.col("_allowed").list.contains(pl.col(p["column"]))
    ).to_series()
    out.add(bad, p["column"], "group_of_dimension", f"not a group of this row's {p['of']}")


def _dimension_of_figure(out: Collector, f: pl.DataFrame, p: dict) -> None:
    pairs = [(fig, dim) for fig, dims in p["dimensions"].items() for dim in dims]
    allowed = pl.DataFrame(pairs, schema=[p["of"], p["column"]], orient="row").with_columns(
        pl.lit(True).alias("_ok")
    )
    joined = f.select(p["of"], p["column"]).join(
        allowed, on=[p["of"], p["column"]], how="left", maintain_order="left"
    )
    bad = f[p["of"]].is_not_null() & f[p["column"]].is_not_null() & joined["_ok"].is_null()
    out.add(
        bad,
        p["column"],
        "dimension_of_figure",
        f"this {p['of']} is not broken down by this {p['column']}",
    )


def _with_totals(f: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Each row with its (quarter, figure)'s total count (null when no total row)."""
    totals = (
        f.filter(pl.col("dimension") == "total")
        .group_by(keys)
        .agg(pl.col("count").first().alias("_total"))
    )
    return f.with_row_index("_row").join(totals, on=keys, how="left").sort("_row")


def _total_present(out: Collector, f: pl.DataFrame, p: dict) -> None:
    has_total = (
        f.filter(pl.col("dimension") == "total")
        .select(p["keys"])
        .unique()
        .with_columns(pl.lit(True).alias("_has"))
    )
    joined = f.select(p["keys"]).join(has_total, on=p["keys"], how="left", maintain_order="left")
    missing = (
        pl.Series(f.select(pl.all_horizontal(pl.col(p["keys"]).is_not_null())).to_series())
        & joined["_has"].is_null()
    )
    out.add(missing, p["column"], "total_present", "no total row for this quarter and figure")


def _groups_add_up(out: Collector, f: pl.DataFrame, p: dict) -> None:
    keys = p["keys"]
    rows = _with_totals(f, keys)
    sums = (
        rows.filter(pl.col("dimension") != "total")
        .group_by([*keys, "dimension"])
        .agg(pl.col("count").sum().alias("_sum"))
    )
    joined = rows.join(sums, on=[*keys, "dimension"], how="left").sort("_row")
    bad = (
        (pl.col("dimension") != "total")
        & pl.col("_total").is_not_null()
        & (pl.col("_sum") != pl.col("_total"))
    )
    out.add(
        joined.select(bad).to_series(),
        p["column"],
        "groups_add_up",
        "the groups of this dimension do not add up to the figure's total",
    )


def _figures_add_up(out: Collector, f: pl.DataFrame, p: dict) -> None:
    keys = p["keys"]
    sent = f.drop_nulls([*keys, "figure", "dimension", "count"])
    totals = sent.filter(pl.col("dimension") == "total").pivot(
        on="figure", index=keys, values="count", aggregate_function="first"
    )
    checks = []  # (the figures whose total rows are flagged, a boolean expression over the pivot)
    for whole, parts in p.get("sums", {}).items():
        present = [c for c in (whole, *parts) if c in totals.columns]
        if not present:
            continue
        sent = [pl.col(c).is_not_null() if c in present else pl.lit(False) for c in (whole, *parts)]
        bad = pl.any_horizontal(sent) & ~pl.all_horizontal(sent)  # one sent without the others
        if len(present) == len(parts) + 1:
            bad = bad | (pl.col(whole) != pl.sum_horizontal(pl.col(c) for c in parts))
        checks.append((present, bad, f"{whole} must equal {' + '.join(parts)} (all sent, or none)"))
    for part, whole in p.get("within", {}).items():
        if part not in totals.columns:
            continue
        bad = pl.col(part).is_not_null()
        if whole in totals.columns:
            bad = bad & (pl.col(whole).is_null() | (pl.col(part) > pl.col(whole)))
        checks.append(([part], bad, f"{part} is a part of {whole}: not more, and not without it"))
    for figures, bad, message in checks:
        failing = (
            totals.filter(bad.fill_null(False))
            .select(keys)
            .with_columns(pl.lit(True).alias("_bad"))
        )
        joined = f.select(*keys, "figure", "dimension").join(
            failing, on=keys, how="left", maintain_order="left"
        )
        mask = (
            joined["_bad"].fill_null(False)
            & joined["figure"].is_in(figures)
            & (joined["dimension"] == "total")
        )
        out.add(mask, p["column"], "figures_add_up", message)


TOTALS_RULES = {
    "quarter_ended_by_as_of": _quarter_ended_by_as_of,
    "groups_of_dimension": _groups_of_dimension,
    "dimension_of_figure": _dimension_of_figure,
    "total_present": _total_present,
    "groups_add_up": _groups_add_up,
    "figures_add_up": _figures_add_up,
}


def not_in_case_rows(out: Collector, f: pl.DataFrame, p: dict, lookup: ReferenceLookup) -> None:
    """A quarter that the entity's case extract reaches (a case snapshot whose as_of is on or
    after the quarter's first day) is counted from its case rows: the rows win."""
    entities = f["entity"].drop_nulls().unique().to_list()
    reach = (
        lookup(p["target"], entities, ["entity", "as_of"])
        .group_by("entity")
        .agg(pl.col("as_of").max().alias("_reach"))
    )
    first_day = quarter_end_expr(pl.col(p["column"])).dt.offset_by("-2mo").dt.month_start()
    joined = f.select("entity", p["column"]).join(
        reach, on="entity", how="left", maintain_order="left"
    )
    out.add(
        joined.select(pl.col("_reach").is_not_null() & (pl.col("_reach") >= first_day)).to_series(),
        p["column"],
        "quarter_in_case_rows",
        "the entity sends case rows that reach this quarter; its figures come from them, not a return",
    )
