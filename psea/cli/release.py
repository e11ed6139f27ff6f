"""`psea release`: the published release (its id, cut-off, coverage, cells and audit), and
`--rebuild` to build, audit and publish it (the previous release stays when the audit fails)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from psea.cli.common import WarehouseOption, actor, failure, open_warehouse


def describe(con) -> dict | None:
    """The release in force as `psea release --json` prints it."""
    from psea.disclosure.published import summary

    return summary(con)


def release(
    rebuild: Annotated[
        bool,
        typer.Option("--rebuild", help="Build, audit and publish a release of the current data."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")] = False,
    warehouse: WarehouseOption = None,
) -> None:
    """The published release of case figures for roles without exact access."""
    con = open_warehouse(warehouse, read_only=not rebuild)
    try:
        if rebuild:
            from psea.disclosure.release import build, publish
            from psea.metrics.catalog import case_data_key

            built = build(con)
            passed = publish(con, built, "current", actor(), "analyst", case_data_key(con))
            if not passed:
                failure(
                    f"the audit of release {built.release_id} failed for {built.audit.hidden} hidden "
                    f"cells ({len(built.audit.failed)} not proven): the previous release stays in force"
                )
        info = describe(con)
    finally:
        con.close()
    if info is None:
        failure("no release is published yet: load case data, then `psea release --rebuild`")
    if as_json:
        typer.echo(json.dumps(info, indent=2))
        return
    audit = info["audit"]
    typer.echo(
        f"release {info['release_id']} (cut-off {info['cutoff']}): {info['cells']:,} cells, "
        f"{info['hidden']:,} hidden ({info['hidden_primary']:,} below K), audit "
        f"{'passed' if audit['passed'] else 'FAILED'} over {audit['components']} components in "
        f"{audit['seconds']} s; built in {info['build_seconds']} s"
        + ("" if info["current"] else " — data were loaded since: run --rebuild")
    )
    for entity, as_of in info["as_of"]["cases"].items():
        typer.echo(f"  {entity}: case data as of {as_of}")


__all__ = ["Path", "release"]
