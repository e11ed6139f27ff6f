"""`psea ingest` and `psea check`: one validation of extract files against their contracts, which
`ingest` follows with the load of what passes and `check` does not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from psea.cli.common import (
    JsonOption,
    Progress,
    WarehouseOption,
    actor,
    check_paths,
    open_warehouse,
    store_of,
    usage_error,
)
from psea.metrics.catalog import CASE_KINDS

PathsArgument = Annotated[
    list[Path], typer.Argument(help="Extract files, or folders of extract files.")
]
KindOption = Annotated[
    str | None, typer.Option("--kind", help="Extract kind, when the file name does not say it.")
]
EntityOption = Annotated[
    str | None,
    typer.Option(
        "--entity",
        envvar="PSEA_ENTITY",
        help="The operator's entity (default: $PSEA_ENTITY): a file with a row of another entity "
        "is rejected.",
    ),
]
LABELS = {
    "accepted": "accepted",
    "rejected": "REJECTED",
    "already_loaded": "already loaded",
    "valid": "valid",
}


def ingest(
    paths: PathsArgument,
    kind: KindOption = None,
    entity: EntityOption = None,
    as_json: JsonOption = False,
    warehouse: WarehouseOption = None,
) -> None:
    """Validate each file against its contract and load what passes (one transaction per file)."""
    _check_arguments(paths, kind, entity)
    _import_gx_meanwhile()
    _validate(open_warehouse(warehouse), paths, kind, entity, as_json, load=True)


def check(
    paths: PathsArgument,
    kind: KindOption = None,
    entity: EntityOption = None,
    as_json: JsonOption = False,
    warehouse: WarehouseOption = None,
) -> None:
    """The same validation as `ingest`, loading nothing (references are checked against the warehouse if it exists)."""
    _check_arguments(paths, kind, entity)
    _import_gx_meanwhile()
    store = store_of(warehouse)
    con = open_warehouse(warehouse, read_only=True) if store.exists() else None
    _validate(con, paths, kind, entity, as_json, load=False)


def _import_gx_meanwhile() -> None:
    """Great Expectations takes seconds to import in a fresh process: its import starts before the
    store is opened, and goes on while the files are read and checked."""
    from pipelines.safety_net import import_in_background

    import_in_background()


def _check_arguments(paths: list[Path], kind: str | None, entity: str | None) -> None:
    import re

    from data_contracts import contracts
    from data_contracts.model import ENTITY_PATTERN

    check_paths(paths)
    if kind and kind not in contracts():
        usage_error(f"unknown --kind {kind!r}; known: {', '.join(sorted(contracts()))}")
    if entity is not None and not re.fullmatch(ENTITY_PATTERN, entity):
        usage_error("--entity (or $PSEA_ENTITY) must be an entity code: 2-12 uppercase letters")


def _validate(
    con, paths: list[Path], kind: str | None, entity: str | None, as_json: bool, load: bool
) -> None:
    """Check (and with `load`, load) every file, report each, exit 1 if any was rejected."""
    from pipelines.load import expand_paths
    from pipelines.load import ingest as run_ingest
    from psea.app.precompute import precompute
    from psea.disclosure.published import ensure

    files = expand_paths(paths)
    progress = Progress(len(files), "loading" if load else "checking")
    try:
        outcomes = run_ingest(
            con,
            files,
            kind=kind,
            load=load,
            actor=actor(),
            role="analyst",
            progress=progress,
            entity=entity,
            # the release of the new case data is published in the load's own transaction
            after_case_load=lambda c: ensure(c, actor(), "analyst"),
        )
        if load and any(o.status == "accepted" and o.kind in CASE_KINDS for o in outcomes):
            ensure(con, actor(), "analyst")  # nothing to do when the last load published it
        if load and any(o.status == "accepted" for o in outcomes):
            precompute(con)  # the figures the pages open on, for the new data
    finally:
        progress.close()
        if con is not None:
            con.close()
    _report(outcomes, as_json)


def _report(outcomes, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"files": [o.as_dict() for o in outcomes]}, indent=2))
    else:
        for o in outcomes:
            detail = (
                f"{o.rows_loaded or o.rows_in} rows"
                if o.status != "rejected"
                else f"{o.problem_count} problem(s)"
            )
            suffix = f", as_of {o.as_of}" if o.as_of else ""
            typer.echo(
                f"{o.file}: {LABELS[o.status]} ({o.kind or 'unknown kind'}, {detail}{suffix})"
            )
            for problem in o.problems[:10]:
                typer.echo(f"  {problem}")
            if o.problem_count > 10:
                typer.echo(f"  … and {o.problem_count - 10} more")
            for note in o.notes:
                typer.echo(f"  note: {note}")
    if any(o.status == "rejected" for o in outcomes):
        raise typer.Exit(1)
