"""What every `psea` command shares: the warehouse option, opening the warehouse, the exit status of
a failure or a usage error, the progress bar and the audit-log entry of a command."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer

WarehouseOption = Annotated[
    str | None,
    typer.Option(
        "--warehouse",
        help="The store: a folder, or postgres: connection parameters with $PSEA_DATA_PATH "
        "(default: $PSEA_WAREHOUSE, else data/warehouse/).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


def usage_error(message: str) -> None:
    typer.echo(f"psea: {message}", err=True)
    raise typer.Exit(2)


def failure(message: str) -> None:
    typer.echo(f"psea: {message}", err=True)
    raise typer.Exit(1)


def store_of(warehouse: str | None):
    """The store named by --warehouse (else $PSEA_WAREHOUSE, else data/warehouse/)."""
    from pipelines.store import StoreError, parse_store

    try:
        return parse_store(warehouse)
    except StoreError as err:
        usage_error(str(err))


def open_warehouse(
    warehouse: str | None,
    read_only: bool = False,
    snapshot: int | None = None,
    existing: bool = False,
):
    """The store named by --warehouse; one that holds no warehouse yet is refused (nothing is
    created) when the command only reads, or reads what a load wrote (`existing`: a brief, a
    report, the indicators), so that a mistyped path fails closed instead of answering from an
    empty store."""
    from pipelines.warehouse import connect

    store = store_of(warehouse)
    if (read_only or existing or snapshot is not None) and not store.exists():
        failure(f"no warehouse in {store.location}: run `psea demo` or `psea ingest` first")
    try:
        return connect(store, read_only=read_only, snapshot=snapshot)
    except RuntimeError as err:
        failure(str(err))


def check_paths(paths: list[Path]) -> None:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        usage_error(f"no such file or folder: {', '.join(missing)}")


def parse_date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        usage_error(f"{option} must be a date YYYY-MM-DD, got {value!r}")


def check_entity(con, entity: str | None) -> None:
    if entity is None:
        return
    from psea.metrics.catalog import known_entities

    known = known_entities(con)
    if entity not in known:  # the caller's `finally` closes the connection
        usage_error(f"unknown --entity {entity!r}; the warehouse holds {', '.join(known)}")


def actor() -> str:
    """Who runs a command, in the audit log and the load manifest: the signed-in system user."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name and no password-file entry for this uid
        return "cli:unknown"


def record(con, role: str | None, action: str, **detail) -> None:
    """An audit-log entry for a command run by the signed-in system user."""
    from pipelines.audit import record as audit_record

    audit_record(con, actor(), role, action, **detail)


class Progress:
    """A progress bar on a terminal; silent otherwise."""

    def __init__(self, total: int, label: str):
        self.bar = None
        if sys.stderr.isatty() and total:
            from rich.progress import Progress as RichProgress

            self.bar = RichProgress(transient=True)
            self.task = self.bar.add_task(label, total=total)
            self.bar.start()
        self.seen: set[str] = set()

    def __call__(self, file: str, stage: str) -> None:
        if self.bar is None:
            return
        if file not in self.seen and self.seen:
            self.bar.advance(self.task)
        self.seen.add(file)
        from rich.markup import escape  # a file's name is user-supplied: never console markup

        self.bar.update(self.task, description=f"{escape(file)}: {stage}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
