"""`psea backup`, `restore`, `maintain` and `migrate`: looking after the store while it runs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from psea.cli.common import (
    JsonOption,
    WarehouseOption,
    failure,
    open_warehouse,
    record,
    store_of,
    usage_error,
)


def _report(summary: dict, as_json: bool, line: str) -> None:
    typer.echo(json.dumps(summary, indent=2, default=str) if as_json else line)


def _copied(copy: Callable[[], dict], recorded_in: str | None, action: str, **detail) -> dict:
    """Run a copy of a store (a backup, a restore, a migration): its refusal as the command's
    failure; done, the audit entry in the store `recorded_in`, with the snapshot copied."""
    from pipelines.store import StoreError

    try:
        summary = copy()
    except StoreError as err:
        failure(str(err))
    con = open_warehouse(recorded_in)
    try:
        record(con, "admin", action, **detail, snapshot=summary["snapshot"])
    finally:
        con.close()
    return summary


def backup(
    out: Annotated[Path, typer.Option("--out", help="A new folder for the copy.")],
    as_json: JsonOption = False,
    warehouse: WarehouseOption = None,
) -> None:
    """A consistent copy of the store at its latest snapshot, history included, taken while
    dashboards and loads run; `psea restore` brings it back."""
    from pipelines.store_admin import backup as run_backup

    store = store_of(warehouse)
    summary = _copied(lambda: run_backup(store, out), warehouse, "backup", out=str(out))
    _report(
        summary,
        as_json,
        f"backup of {store.describe()} in {out}: snapshot {summary['snapshot']}, "
        f"{summary['data_files']} data files, {summary['seconds']} s",
    )


def restore(
    backup_dir: Annotated[Path, typer.Argument(help="A folder written by `psea backup`.")],
    as_json: JsonOption = False,
    warehouse: WarehouseOption = None,
) -> None:
    """Bring a backup back into an empty store (--warehouse TARGET)."""
    from pipelines.store_admin import restore as run_restore

    if not backup_dir.is_dir():
        usage_error(f"no such folder: {backup_dir}")
    target = store_of(warehouse)
    summary = _copied(
        lambda: run_restore(backup_dir, target), warehouse, "restore", backup=str(backup_dir)
    )
    _report(
        summary,
        as_json,
        f"restored {backup_dir} into {target.describe()}: snapshot {summary['snapshot']}, "
        f"{summary['data_files']} data files",
    )


def migrate(
    to: Annotated[str, typer.Option("--to", help="The new, empty store (a folder or postgres:…).")],
    as_json: JsonOption = False,
    warehouse: WarehouseOption = None,
) -> None:
    """Copy the whole store, history included, to another store (e.g. the embedded folder to a
    PostgreSQL catalog); the source is left as it was."""
    from pipelines.store_admin import copy_store

    source, target = store_of(warehouse), store_of(to)
    summary = _copied(lambda: copy_store(source, target), to, "migrate", source=source.describe())
    _report(
        summary,
        as_json,
        f"copied {source.describe()} to {target.describe()}: snapshot {summary['snapshot']}, "
        f"{summary['data_files']} data files",
    )


def maintain(
    older_than_days: Annotated[
        float, typer.Option("--older-than-days", help="Expire snapshots older than this.")
    ] = 30,
    files_older_than_minutes: Annotated[
        float,
        typer.Option(
            "--files-older-than-minutes",
            help="Delete unneeded data files released at least this long ago.",
        ),
    ] = 60,
    as_json: JsonOption = False,
    warehouse: WarehouseOption = None,
) -> None:
    """Expire old snapshots and compact small data files, keeping every snapshot a release, brief
    or UN submission recorded."""
    from pipelines.store_admin import maintain as run_maintain

    con = open_warehouse(warehouse)
    try:
        summary = run_maintain(con, older_than_days, files_older_than_minutes)
        record(con, "admin", "maintain", **summary)
    finally:
        con.close()
    _report(
        summary,
        as_json,
        f"expired {summary['expired_snapshots']} snapshots (kept {summary['kept_snapshots']} "
        f"recorded ones); data files {summary['data_files_before']} -> "
        f"{summary['data_files_after']}, {summary['bytes_before']:,} -> "
        f"{summary['bytes_after']:,} bytes",
    )
