"""`psea indicators`: the manager PSEA performance indicators (exact figures)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from psea.cli.common import WarehouseOption, check_entity, open_warehouse, parse_date, record

# docs/cli.md, "Columns of indicators": these twelve exactly, in this order
CSV_COLUMNS = (
    "entity",
    "mission",
    "person_ref",
    "role",
    "team_size",
    "team_coverage",
    "team_induction_30d",
    "own_training_current",
    "mission_staff_sessions",
    "contract_clause_rate",
    "appraisal_year",
    "appraisal_rating",
)
LINE_CSV_COLUMNS = ("line_size", "line_coverage")  # appended after the twelve
RATES = ("team_coverage", "team_induction_30d", "contract_clause_rate", "line_coverage")


def indicators_table(con, on: dt.date, entity: str | None = None):
    """The exact table of `psea indicators`: the twelve columns, then the reporting line's."""
    from psea.metrics import managers

    return managers.scorecard(con, on, entity).select(*CSV_COLUMNS, *LINE_CSV_COLUMNS)


def write_indicators_csv(frame, path: Path) -> None:
    """Rates with at least 4 decimals, empty where undefined or not applicable; booleans true/false."""
    import polars as pl

    frame.with_columns(
        *[pl.col(c).map_elements(lambda v: f"{v:.6f}", return_dtype=pl.String) for c in RATES],
        pl.col("own_training_current").cast(pl.String).str.to_lowercase(),
    ).write_csv(path, null_value="")


def indicators(
    as_of: Annotated[str, typer.Option("--as-of", help="The cut-off date, YYYY-MM-DD.")],
    out: Annotated[Path, typer.Option("--out", help="The CSV file to write.")],
    entity: Annotated[
        str | None, typer.Option("--entity", help="One entity, e.g. IOM (default: all).")
    ] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """The manager PSEA performance indicators at a cut-off, one row per manager (exact figures),
    with the size and coverage of each manager's reporting line in the last two columns."""
    cutoff = parse_date(as_of, "--as-of")
    con = open_warehouse(warehouse, existing=True)
    try:
        check_entity(con, entity)
        table = indicators_table(con, cutoff, entity)
        out.parent.mkdir(parents=True, exist_ok=True)
        write_indicators_csv(table, out)
        record(
            con,
            "analyst",
            "produce_exact_figures",
            report="manager_indicators",
            entity=entity,
            as_of=as_of,
            managers=table.height,
        )
    finally:
        con.close()
    typer.echo(f"{out}: {table.height} managers at {cutoff.isoformat()}")
