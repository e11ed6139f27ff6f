"""Build the demo warehouse: generate, write extract files, and load them through the real pipeline."""

from __future__ import annotations

import datetime as dt
import tempfile
from itertools import groupby
from pathlib import Path

from pipelines.demo.commitments import set_commitments
from pipelines.demo.extracts import generate
from pipelines.demo.files import write_extracts
from pipelines.load import ingest
from pipelines.warehouse import connect, mark_demo


def build_demo(
    path: Path,
    seed: int = 7,
    scale: float = 1.0,
    extracts_dir: Path | None = None,
    extract_format: str = "csv",
    end: dt.date | None = None,
) -> dict:
    """(Re)build the warehouse at `path` from synthetic extracts loaded through the contracts.

    The new warehouse is built beside the old one and swapped in at the end, so a failed build
    leaves the previous demo in place. The row engine checks every demo file; the GX suite is skipped
    here for speed (`psea check` on `--write-extracts` files runs both).
    """
    extracts = generate(seed=seed, scale=scale, end=end)
    path = Path(path)
    partial = path.with_name(path.name + ".building")
    for leftover in (partial, Path(f"{partial}.wal")):
        leftover.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="psea-demo-") as tmp:
        files = write_extracts(extracts, Path(tmp), "parquet")
        con = connect(partial)
        try:
            # one load per snapshot date: a load re-reads its own earlier files for every reference
            outcomes = [
                outcome
                for _, same_date in groupby(sorted(files, key=_as_of_in_name), key=_as_of_in_name)
                for outcome in ingest(con, list(same_date), actor="psea demo", run_gx=False)
            ]
            rejected = [o for o in outcomes if o.status != "accepted"]
            if rejected:
                raise RuntimeError(
                    f"a demo extract was rejected (a generator bug): {rejected[0].problems[:3]}"
                )
            set_commitments(con, seed)  # the focal points' workspace, through the app's writer
            mark_demo(con, seed, scale)
            rows = {
                kind: con.sql(f"select count(*)::bigint from {kind}_current").fetchall()[0][0]
                for kind in extracts.snapshots
            }
            con.execute("checkpoint")
        finally:
            con.close()
    for old in (path, Path(f"{path}.wal")):
        old.unlink(missing_ok=True)
    partial.rename(path)
    if extracts_dir:
        write_extracts(extracts, Path(extracts_dir), extract_format)
    return {"end": extracts.end.isoformat(), "rows": rows}


def _as_of_in_name(path: Path) -> str:
    return path.stem.rsplit("_", 1)[-1]
