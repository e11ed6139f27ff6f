"""`psea brief`: the SFP meeting brief (suppressed figures)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from psea.cli.common import (
    WarehouseOption,
    actor,
    check_entity,
    failure,
    open_warehouse,
    parse_date,
    record,
    usage_error,
)


def brief(
    meeting: Annotated[
        str, typer.Option("--meeting", help="The meeting date, YYYY-MM-DD (calendar or ad hoc).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder to write the brief into.")],
    entity: Annotated[
        str | None,
        typer.Option("--entity", help="One entity (default: all, the Champion's office variant)."),
    ] = None,
    formats: Annotated[
        str, typer.Option("--formats", help="Comma-separated: docx, pdf, md.")
    ] = "docx,pdf,md",
    at_snapshot: Annotated[
        int | None,
        typer.Option(
            "--at-snapshot",
            help="Rebuild from the store as it stood at this DuckLake snapshot (the one a past "
            "brief recorded in the archive).",
        ),
    ] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """The SFP meeting brief for the period since the previous meeting (suppressed figures), built
    from one snapshot of the store (loads committed meanwhile are not half in it)."""
    from pipelines.archive import archive_brief
    from psea.brief import build_brief
    from psea.brief import render as brief_render
    from psea.brief.build import NoCaseData, data_day
    from psea.disclosure.published import ReleaseRefused

    day = parse_date(meeting, "--meeting")
    chosen = [f.strip().lower() for f in formats.split(",") if f.strip()]
    unknown = sorted(set(chosen) - set(brief_render.FORMATS))
    if unknown or not chosen:
        usage_error(
            f"unknown format(s) {', '.join(unknown) or '(none)'}; known: {', '.join(brief_render.FORMATS)}"
        )
    from pipelines.warehouse import snapshot_id
    from psea.disclosure.published import ensure

    con = open_warehouse(warehouse, existing=True)
    try:
        check_entity(con, entity)
        try:
            if at_snapshot is None:  # the meeting's release, published if new
                ensure(con, actor(), "analyst", data_day(con, day))
            snapshot = snapshot_id(con) if at_snapshot is None else at_snapshot
            pinned = open_warehouse(warehouse, snapshot=snapshot)
            try:
                document = build_brief(pinned, day, entity, actor(), "analyst")
            finally:
                pinned.close()
        except (NoCaseData, ReleaseRefused) as refused:
            failure(str(refused))
        files = brief_render.render(document, chosen)
        paths = brief_render.write_files(files, out)
        archive_brief(con, day, entity, document.release_id, files, actor(), "analyst", snapshot)
        record(
            con,
            None,
            "export",
            what="sfp_brief",
            meeting=day,
            entity=entity,
            formats=chosen,
        )
    finally:
        con.close()
    typer.echo(
        f"brief for {document.meeting_title}, period {document.period.label}, {document.scope} "
        f"(snapshot {snapshot}):"
    )
    for path in paths:
        typer.echo(f"  {path}")
