"""The Data-quality page's tables and chart: a contract's columns and rules as a reader meets them,
the Great Expectations suite built from it, and the rows loaded per snapshot."""

from __future__ import annotations

import json

import altair as alt
import polars as pl


def _allowed(column) -> str:
    if column.valid_values:
        return ", ".join(column.valid_values)
    if column.minimum is not None and column.maximum is not None:
        return f"{column.minimum} to {column.maximum}"
    return f"at least {column.minimum}" if column.minimum is not None else ""


def contract_columns(contract) -> pl.DataFrame:
    """One row per column of a contract: type, required, unique, what is allowed, description."""
    return pl.DataFrame(
        [
            {
                "column": c.name,
                "type": c.psea_type,
                "required": c.required,
                "unique": c.unique,
                "allowed": _allowed(c),
                "description": c.description,
            }
            for c in contract.columns
        ]
    )


def contract_rules(contract) -> pl.DataFrame:
    """One row per table rule of a contract."""
    return pl.DataFrame(
        [
            {"rule": r.rule, "columns": r.column, "description": r.description}
            for r in contract.rules
        ]
    )


def suite_table(expectations) -> pl.DataFrame:
    """One row per expectation of a GX suite, with its arguments (never a data value)."""
    return pl.DataFrame(
        [
            {
                "expectation": getattr(e, "expectation_type", type(e).__name__),
                "arguments": json.dumps(
                    {k: v for k, v in e.configuration.kwargs.items() if k != "batch_id"},
                    default=str,
                ),
            }
            for e in expectations
        ]
    )


def rows_loaded_chart(over_time: pl.DataFrame) -> alt.Chart:
    """Rows loaded per extract kind and snapshot as_of, on a log scale."""
    return (
        alt.Chart(over_time)
        .mark_line(point=True)
        .encode(
            x=alt.X("as_of:T", title="snapshot as_of"),
            y=alt.Y("rows_loaded:Q", title="rows loaded (log scale)", scale=alt.Scale(type="log")),
            color=alt.Color("kind:N", legend=alt.Legend(orient="bottom", title=None)),
            tooltip=["kind", "as_of:T", "rows_loaded:Q"],
        )
        .properties(width="container", height=260)
    )


def release_lines(info: dict) -> tuple[list[tuple[str, str, str | None]], list[str]]:
    """The published release in brief: its four figures (label, value, help) and two lines of
    detail (the same summary as `psea release`)."""
    audit = info["audit"]
    figures = [
        ("Cells", f"{info['cells']:,}", None),
        ("Hidden", f"{info['hidden']:,}", f"of which {info['hidden_primary']:,} below K"),
        ("Components", f"{audit['components']:,}", None),
        ("Audit", "passed" if audit["passed"] else "FAILED", None),
    ]
    lines = [
        f"Release {info['release_id']} · cut-off {info['cutoff']} · built in {info['build_seconds']} s "
        f"(audit {audit['seconds']} s, {audit['linear_programs']:,} linear programs) · "
        f"largest component {audit['largest_component']:,} cells · narrowest proven range "
        f"{audit['narrowest_proven_range']} · widest {audit['widest_proven_range']}",
        "Case data as of: "
        + ", ".join(f"{e} {d}" for e, d in info["as_of"]["cases"].items())
        + ("" if info["current"] else " (data loaded since: a new release is being prepared)"),
    ]
    earlier = audit.get("earlier_releases")
    if earlier and earlier.get("releases"):
        lines.append(
            f"Proven together with the {earlier['releases']:,} releases handed out before it: "
            f"{earlier['cells']:,} of their figures not among its own ({earlier['hidden']:,} "
            f"hidden) and {earlier['relations']:,} of their sums"
        )
    return figures, lines
