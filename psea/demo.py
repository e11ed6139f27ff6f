"""The bundled synthetic demo, ready to show: the warehouse built by the demo generator
(pipelines.demo) and the release of its case figures, built, audited and published."""

from __future__ import annotations

from pathlib import Path

from pipelines.demo.build import build_demo as build_demo_warehouse
from pipelines.store import Store
from pipelines.warehouse import connect
from psea.disclosure.published import ensure


def build_demo(path: str | Path | Store, **options) -> dict:
    """`pipelines.demo.build.build_demo`, then the release of the demo's latest data."""
    summary = build_demo_warehouse(path, **options)
    con = connect(path)
    try:
        ensure(con, "psea demo", None)
    finally:
        con.close()
    return summary
