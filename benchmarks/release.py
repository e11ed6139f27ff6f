"""Build and audit the protected release of a demo warehouse (not a timed test).

    .venv/bin/python benchmarks/release.py [--scale 1] [--seed 7]

Builds the demo at the scale (without its release) in a temporary folder, then times the release
build (counting, relating, protecting, auditing) and prints the audit's figures and the cells
hidden per figure (hidden in all, and of them below K: the information lost beyond the primary
rule).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import polars as pl

from pipelines.demo.build import build_demo
from pipelines.warehouse import connect
from psea.disclosure.release import build


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.duckdb"
        started = time.perf_counter()
        build_demo(path, seed=args.seed, scale=args.scale)
        print(f"demo warehouse (scale {args.scale}) built in {time.perf_counter() - started:.1f} s")
        con = connect(path)
        wall, cpu = time.perf_counter(), time.process_time()
        built = build(con)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        audit = built.audit.as_dict()
        print(
            f"release: {built.cells.height:,} cells, {audit['hidden']:,} hidden "
            f"({built.primary_hidden:,} below K), {audit['components']} components (largest "
            f"{audit['largest_component']}), {audit['linear_programs']:,} linear programs, audit "
            f"{'passed' if audit['passed'] else 'FAILED'}; build + audit {wall:.1f} s wall, "
            f"{cpu:.1f} s CPU (audit {audit['seconds']} s); narrowest proven range "
            f"{audit['narrowest_proven_range']}, widest {audit['widest_proven_range']}; peak "
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        )
        values = built.values
        lost = (
            built.cells.with_columns(pl.Series("exact", values))
            .group_by("family")
            .agg(
                pl.len().alias("cells"),
                pl.col("hidden").sum().alias("hidden"),
                ((pl.col("exact") > 0) & (pl.col("exact") < 5)).sum().alias("below_k"),
            )
            .with_columns((pl.col("hidden") - pl.col("below_k")).alias("hidden_beyond_primary"))
            .sort("family")
        )
        with pl.Config(tbl_rows=30):
            print(lost)
        con.close()


if __name__ == "__main__":
    main()
