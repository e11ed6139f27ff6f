"""The demo as extract files, one per kind and as_of: the data owners' templates."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from data_contracts import contract_for
from pipelines.demo.extracts import DemoExtracts

CORRECTED = "corrected"  # in the name of a file re-sent for the same snapshot: `cases_corrected_…`


def write_extracts(
    extracts: DemoExtracts, folder: str | Path, file_format: str = "csv"
) -> list[Path]:
    """Every non-empty snapshot as `<kind>_<as_of>.<ext>` in `folder`, and a snapshot sent twice
    as its first file under that name and its correction as `<kind>_corrected_<as_of>.<ext>`
    (which sorts after it, so `psea ingest` of the folder loads it second); the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, snaps in extracts.snapshots.items():
        for as_of, frame in snaps:
            first = extracts.first_sent.get((kind, as_of))
            if first is not None:
                written.append(_write(first, kind, as_of, folder / kind, file_format))
                written.append(
                    _write(frame, kind, as_of, folder / f"{kind}_{CORRECTED}", file_format)
                )
            elif not frame.is_empty():  # a header-only file carries no as_of: nothing to send
                written.append(_write(frame, kind, as_of, folder / kind, file_format))
    return written


def _write(frame: pl.DataFrame, kind: str, as_of, stem: Path, file_format: str) -> Path:
    path = stem.with_name(f"{stem.name}_{as_of.isoformat()}.{file_format}")
    out = frame.with_columns(pl.lit(as_of).alias("as_of")).select(contract_for(kind).column_names)
    if file_format == "csv":
        out.write_csv(path)
    elif file_format == "xlsx":
        out.write_excel(path, worksheet=kind)
    else:
        out.write_parquet(path)
    return path


def is_correction(path: Path) -> bool:
    return f"_{CORRECTED}_" in path.name
