"""`psea pseudonymize`: keyed pseudonyms for identifier columns, for data owners."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from psea.cli.common import check_paths, failure


def pseudonymize(
    file: Annotated[
        Path, typer.Argument(help="The extract before sending (CSV, XLSX or Parquet).")
    ],
    columns: Annotated[
        str, typer.Option("--columns", help="Comma-separated identifier columns to replace.")
    ],
    key_file: Annotated[
        Path, typer.Option("--key-file", help="File holding the organization's secret key.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Where to write the pseudonymized file.")],
) -> None:
    """Replace identifier columns by keyed pseudonyms (HMAC-SHA256, 16 hex characters), for data owners."""
    from pipelines.pseudonymize import pseudonymize_file

    check_paths([file, key_file])
    try:
        rows = pseudonymize_file(file, [c for c in columns.split(",") if c.strip()], key_file, out)
    except (KeyError, ValueError) as err:
        failure(str(err).strip("'\""))
    typer.echo(f"{out}: {rows} rows, column(s) {columns} pseudonymized")
