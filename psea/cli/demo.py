"""`psea demo`: a warehouse built from the bundled synthetic generator, and its templates."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from psea.cli.common import WarehouseOption, failure, open_warehouse, store_of, usage_error
from psea.metrics.status import warehouse_status


def demo(
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed builds the same warehouse.")
    ] = 7,
    scale: Annotated[
        float,
        typer.Option(help="Multiplies the population and all that follows (1 = default demo)."),
    ] = 1.0,
    write_extracts: Annotated[
        Path | None,
        typer.Option(
            "--write-extracts", help="Also write the extracts as files: the data owners' templates."
        ),
    ] = None,
    extract_format: Annotated[
        str, typer.Option("--extract-format", help="csv or xlsx, for --write-extracts.")
    ] = "csv",
    warehouse: WarehouseOption = None,
) -> None:
    """Build (or rebuild) a warehouse from the bundled synthetic generator. Nothing in it is real."""
    from psea.app.demo import build_demo

    if scale <= 0:
        usage_error("--scale must be positive")
    if extract_format not in ("csv", "xlsx"):
        usage_error("--extract-format is csv or xlsx")
    store = store_of(warehouse)
    path = store.key
    if store.exists():
        from pipelines.warehouse import is_demo

        con = open_warehouse(warehouse)
        try:
            loads = (
                warehouse_status(con)["loads"]["accepted"]
                + warehouse_status(con)["loads"]["rejected"]
            )
            real = loads > 0 and not is_demo(con)
        finally:
            con.close()
        if real:
            failure(
                f"{path} holds loaded extracts, not a demo: refusing to overwrite it; "
                "give another --warehouse"
            )
    started = time.perf_counter()
    try:
        summary = build_demo(
            store,
            seed=seed,
            scale=scale,
            extracts_dir=write_extracts,
            extract_format=extract_format,
        )
    except RuntimeError as err:
        failure(str(err))

    typer.echo(
        f"demo warehouse {path} built in {time.perf_counter() - started:.1f} s (seed {seed}, scale {scale}, cut-off {summary['end']})"
    )
    for kind, rows in summary["rows"].items():
        typer.echo(f"  {kind:<20}{rows:>10} rows")
    if write_extracts:
        typer.echo(f"extract files written to {write_extracts}")
