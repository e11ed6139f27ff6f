"""`psea report`: the official reports (exact figures, audit-logged)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from psea.cli.common import WarehouseOption, open_warehouse, record, usage_error

report_app = typer.Typer(
    help="Official reports (exact figures, audit-logged).", no_args_is_help=True
)


@report_app.command("un-quarterly")
def report_un_quarterly(
    entity: Annotated[str, typer.Option("--entity", help="The reporting entity, e.g. IOM.")],
    quarter: Annotated[str, typer.Option("--quarter", help="The quarter, e.g. 2018Q2.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for allegations.csv and totals.csv.")],
    warehouse: WarehouseOption = None,
) -> None:
    """The UN quarterly submission for allegations received in the quarter (exact figures)."""
    from psea.metrics import un_quarterly

    try:
        period = un_quarterly.parse_quarter(quarter)
    except ValueError as err:
        usage_error(str(err))
    con = open_warehouse(warehouse)
    try:
        rows = un_quarterly.allegations(con, entity, period)
        totals = un_quarterly.totals(rows)
        out.mkdir(parents=True, exist_ok=True)
        rows.drop("case_ref").write_csv(out / "allegations.csv")
        totals.write_csv(out / "totals.csv")
        record(
            con,
            "analyst",
            "produce_exact_figures",
            report="un_quarterly",
            entity=entity,
            quarter=quarter,
            allegations=rows.height,
        )
    finally:
        con.close()
    typer.echo(
        f"{out / 'allegations.csv'}: {rows.height} allegations; {out / 'totals.csv'}: {totals.height} lines"
    )
