"""Build the demo warehouse: generate, write extract files, load them through the real pipeline,
and add the SFP meetings held since the seed's last one, and the next."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from itertools import groupby
from pathlib import Path

from pipelines.demo.commitments import set_commitments
from pipelines.demo.extracts import generate
from pipelines.demo.files import is_correction, write_extracts
from pipelines.demo.meetings import add_demo_meetings
from pipelines.load import ingest
from pipelines.store import Store, parse_store
from pipelines.warehouse import compact, connect, forget, mark_demo
from pipelines.writes import transaction

ACTOR = "psea demo"


def build_demo(
    path: str | Path | Store,
    seed: int = 7,
    scale: float = 1.0,
    extracts_dir: Path | None = None,
    extract_format: str = "csv",
    end: dt.date | None = None,
) -> dict:
    """(Re)build the store `path` from synthetic extracts loaded through the contracts.

    A folder store is built beside the old one and swapped in at the end, so a failed build leaves
    the previous demo in place; a PostgreSQL catalog is built in place (an empty one). The row
    engine checks every demo file; the GX suite is skipped here for speed (`psea check` on
    `--write-extracts` files runs both).
    """
    extracts = generate(seed=seed, scale=scale, end=end)
    store = path if isinstance(path, Store) else parse_store(path)
    folder = Path(store.location) if store.kind == "folder" else None
    partial = folder.with_name(folder.name + ".building") if folder else None
    if partial:
        shutil.rmtree(partial, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="psea-demo-") as tmp:
        files = write_extracts(extracts, Path(tmp), "parquet")
        sent = sorted((f for f in files if not is_correction(f)), key=_as_of_in_name)
        con = connect(str(partial) if partial else store)
        try:
            # one load per snapshot date: a load re-reads its own earlier files for every
            # reference; the corrected re-send comes after everything else
            loads = [list(same) for _, same in groupby(sent, key=_as_of_in_name)]
            loads.append([f for f in files if is_correction(f)])
            outcomes = [
                outcome
                for load in loads
                for outcome in ingest(con, load, actor=ACTOR, run_gx=False)
            ]
            rejected = [o for o in outcomes if o.status != "accepted"]
            if rejected:
                first = rejected[0]
                raise RuntimeError(
                    f"a demo extract was not loaded (a generator bug): {first.file} "
                    f"{first.status} {first.problems[:3]}"
                )
            with transaction(con):  # the workspace, the meetings and the mark: one snapshot
                set_commitments(con, seed)  # the focal points' workspace, the app's writer
                add_demo_meetings(con, extracts.meetings, ACTOR)
                mark_demo(con, seed, scale)
            compact(con)  # one load per file made many small data files
            rows = {
                kind: con.sql(f"select count(*)::bigint from {kind}_current").fetchall()[0][0]
                for kind in extracts.snapshots
            }
        finally:
            con.close()
    if folder:
        forget(str(partial))
        forget(store)
        _swap_in(partial, folder)
    if extracts_dir:
        write_extracts(extracts, Path(extracts_dir), extract_format)
    return {"end": extracts.end.isoformat(), "rows": rows, "story": extracts.story}


def _swap_in(built: Path, folder: Path) -> None:
    """The new store takes the folder's name; the old one is removed after (never half of each)."""
    old = folder.with_name(f"{folder.name}.old-{os.getpid()}")
    if folder.exists():
        folder.rename(old)
    built.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def _as_of_in_name(path: Path) -> str:
    return path.stem.rsplit("_", 1)[-1]
