"""`psea report`: the official reports (exact figures, audit-logged)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from psea.cli.common import (
    WarehouseOption,
    actor,
    check_entity,
    failure,
    open_warehouse,
    usage_error,
)

report_app = typer.Typer(
    help="Official reports (exact figures, audit-logged).", no_args_is_help=True
)


@report_app.command("un-quarterly")
def report_un_quarterly(
    entity: Annotated[str, typer.Option("--entity", help="The reporting entity, e.g. IOM.")],
    quarter: Annotated[str, typer.Option("--quarter", help="The quarter, e.g. 2018Q2.")],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Folder for allegations.csv, updates.csv, totals.csv and manifest.json.",
        ),
    ],
    warehouse: WarehouseOption = None,
) -> None:
    """The UN quarterly submission, a ledger (exact figures): the allegations going out as new
    (received in the quarter, or entered late), the updates of those sent before, the totals.
    Every production is recorded; producing a quarter again says whether anything differs since.
    Refuses (exit 1, writing nothing) when the entity's case data do not reach the quarter's end."""
    from psea.metrics import un_quarterly
    from psea.metrics.un_production import produce

    try:
        period = un_quarterly.parse_quarter(quarter)
    except ValueError as err:
        usage_error(str(err))
    con = open_warehouse(warehouse, existing=True)
    try:
        check_entity(con, entity)
        try:
            made = produce(con, entity, period, actor(), "analyst")
        except un_quarterly.NotYetReported as err:
            failure(f"{entity} {quarter}: {err}; nothing written")
    finally:
        con.close()
    out.mkdir(parents=True, exist_ok=True)
    for name, data in made.files().items():
        (out / name).write_bytes(data)
    typer.echo(f"{out}:")
    for line in made.summary():
        typer.echo(f"  {line}")
