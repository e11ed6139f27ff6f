"""`psea indicators`: the manager PSEA performance indicators (exact figures)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from psea.cli.common import WarehouseOption, check_entity, open_warehouse, parse_date, record


def indicators(
    as_of: Annotated[str, typer.Option("--as-of", help="The cut-off date, YYYY-MM-DD.")],
    out: Annotated[Path, typer.Option("--out", help="The CSV file to write.")],
    entity: Annotated[
        str | None, typer.Option("--entity", help="One entity, e.g. IOM (default: all).")
    ] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """The manager PSEA performance indicators at a cut-off, one row per manager (exact figures)."""
    from psea.metrics import managers

    cutoff = parse_date(as_of, "--as-of")
    con = open_warehouse(warehouse)
    try:
        check_entity(con, entity)
        table = managers.indicators_table(con, cutoff, entity)
        out.parent.mkdir(parents=True, exist_ok=True)
        managers.write_indicators_csv(table, out)
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
