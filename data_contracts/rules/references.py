"""Rules across extracts: a reference to a row of another extract of the same entity (in this load
or the warehouse), and a date that may not come before the referenced row's date."""

from __future__ import annotations

import polars as pl

from data_contracts.rules.collector import Collector, ReferenceLookup


def check_reference_rule(
    out: Collector, f: pl.DataFrame, rule: str, p: dict, lookup: ReferenceLookup
) -> None:
    entities = f["entity"].drop_nulls().unique().to_list()
    keys = ["entity", *(p.get("columns") or p.get("match_on", []))]
    if rule == "reference":
        target = lookup(p["target"], entities, keys).unique()
        found = f.select(keys).join(
            target.with_columns(pl.lit(True).alias("_found")),
            on=keys,
            how="left",
            nulls_equal=False,
            maintain_order="left",
        )
        missing = found["_found"].is_null() & pl.Series(
            f.select(pl.all_horizontal(pl.col(keys).is_not_null())).to_series()
        )
        label = " and ".join(keys[1:])
        out.add(
            missing,
            keys[-1],
            "unknown_reference",
            f"no {p['target']} with this {label} for the entity in this load or the warehouse",
        )
    else:
        target = lookup(p["target"], entities, [*keys, p["target_column"]]).unique(
            subset=keys, keep="last"
        )
        joined = f.select([*keys, p["column"]]).join(
            target, on=keys, how="left", maintain_order="left"
        )
        out.add(
            joined[p["column"]] < joined[p["target_column"]],
            p["column"],
            "date_order",
            f"{p['column']} before the case's {p['target_column']}",
        )


def load_notes(
    f: pl.DataFrame, kind: str, entities: list[str], lookup: ReferenceLookup | None
) -> list[str]:
    if kind != "training" or lookup is None:
        return []
    roster = lookup("roster", entities, ["entity", "person_ref"]).unique()
    unknown = (
        f.select("entity", "person_ref")
        .join(roster, on=["entity", "person_ref"], how="anti")
        .height
    )
    return (
        [f"{unknown} completion(s) by persons not in the roster (counted, not rejected)"]
        if unknown
        else []
    )
