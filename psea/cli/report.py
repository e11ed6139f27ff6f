"""`psea report`: the official reports (exact figures, audit-logged)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from psea.cli.common import (
    WarehouseOption,
    check_entity,
    failure,
    open_warehouse,
    record,
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
        typer.Option("--out", help="Folder for allegations.csv, updates.csv and totals.csv."),
    ],
    warehouse: WarehouseOption = None,
) -> None:
    """The UN quarterly submission for allegations received in the quarter (exact figures); refuses
    (exit 1, writing nothing) when the entity's case data do not reach the quarter's end."""
    from pipelines.warehouse import snapshot_id
    from psea.metrics import un_quarterly

    try:
        period = un_quarterly.parse_quarter(quarter)
    except ValueError as err:
        usage_error(str(err))
    con = open_warehouse(warehouse)
    try:
        check_entity(con, entity)
        try:
            sent = un_quarterly.submission(con, entity, period)
        except un_quarterly.NotYetReported as err:
            failure(f"{entity} {quarter}: {err}; nothing written")
        out.mkdir(parents=True, exist_ok=True)
        sent.allegations.write_csv(out / "allegations.csv")
        sent.updates.write_csv(out / "updates.csv")
        sent.totals.write_csv(out / "totals.csv")
        record(
            con,
            "analyst",
            "produce_exact_figures",
            report="un_quarterly",
            entity=entity,
            quarter=quarter,
            as_of=sent.as_of,
            snapshot=snapshot_id(con),  # the DuckLake snapshot the submission read
            allegations=sent.allegations.height,
            updates=sent.updates.height,
        )
    finally:
        con.close()
    typer.echo(
        f"{out}: {sent.allegations.height} allegations, {sent.updates.height} updates, "
        f"{sent.totals.height} total lines (case data as of {sent.as_of.isoformat()})"
    )
