"""The bundled synthetic demo, ready to show: the warehouse built by the demo generator
(pipelines.demo), the release of its case figures, built, audited and published, and the meeting
workspace of its last four meetings (psea.app.demo_workspace)."""

from __future__ import annotations

from pathlib import Path

from pipelines.demo.build import build_demo as build_demo_warehouse
from pipelines.store import Store
from pipelines.warehouse import connect
from pipelines.writes import transaction
from psea.app.demo_workspace import write_meeting_workspace
from psea.app.precompute import precompute
from psea.disclosure.published import ensure


def build_demo(path: str | Path | Store, **options) -> dict:
    """`pipelines.demo.build.build_demo`, then the release of the demo's latest data, the meeting
    workspace and the figures the pages open on."""
    summary = build_demo_warehouse(path, **options)
    con = connect(path)
    try:
        ensure(con, "psea demo", None)
        with transaction(con):  # the focal points' texts and points: one snapshot
            write_meeting_workspace(con, summary["story"])
        precompute(con)  # the figures the pages open on
    finally:
        con.close()
    return summary
