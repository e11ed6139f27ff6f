"""The demo as extract files, one per kind and as_of: the data owners' templates."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from data_contracts import contract_for
from pipelines.demo.extracts import DemoExtracts


def write_extracts(
    extracts: DemoExtracts, folder: str | Path, file_format: str = "csv"
) -> list[Path]:
    """Every non-empty snapshot as `<kind>_<as_of>.<ext>` in `folder`; the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, snaps in extracts.snapshots.items():
        columns = contract_for(kind).column_names
        for as_of, frame in snaps:
            if frame.is_empty():  # a header-only file carries no as_of: nothing to send
                continue
            path = folder / f"{kind}_{as_of.isoformat()}.{file_format}"
            out = frame.with_columns(pl.lit(as_of).alias("as_of")).select(columns)
            if file_format == "csv":
                out.write_csv(path)
            elif file_format == "xlsx":
                out.write_excel(path, worksheet=kind)
            else:
                out.write_parquet(path)
            written.append(path)
    return written
