"""`psea status`: what the warehouse holds."""

from __future__ import annotations

import json

import typer

from psea.cli.common import JsonOption, WarehouseOption, open_warehouse


def status(
    as_json: JsonOption = False,
    warehouse: WarehouseOption = None,
) -> None:
    """What the warehouse holds: rows and latest as_of per extract, accepted and rejected loads."""
    from psea.metrics.status import warehouse_status

    con = open_warehouse(warehouse, read_only=True)
    try:
        report = warehouse_status(con)
    finally:
        con.close()
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    typer.echo(f"{'extract':<20}{'rows':>10}  {'latest as_of':<12}{'accepted':>10}{'rejected':>10}")
    for kind, info in report["extracts"].items():
        typer.echo(
            f"{kind:<20}{info['rows']:>10}  {info['latest_as_of'] or '-':<12}{info['accepted']:>10}{info['rejected']:>10}"
        )
    typer.echo(
        f"loads: {report['loads']['accepted']} accepted, {report['loads']['rejected']} rejected"
    )
