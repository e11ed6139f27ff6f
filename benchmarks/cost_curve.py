"""Benchmark: how the steps users wait for grow with the data — the demo's loads (every extract
through the contracts), the release build and audit, the first render of the heaviest pages, and
an SFP brief (Markdown + DOCX, then with the PDF) — at several demo scales. Not a test.

    .venv/bin/python benchmarks/cost_curve.py [--scales 1,10,30] [--folder /tmp/psea-curve]

Each scale runs in a child process of its own (its peak memory is its own), with the read limits
raised for the size of its files (`large_files`), builds its demo store once in --folder (kept: a second run times the release, pages and brief only) and prints one
Markdown row; the table is docs/performance.md's "Cost curve".
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = [("training", "focal_point"), ("managers", "focal_point"), ("overview", "champion_office")]


def measure(folder: Path, scale: float) -> dict:
    from pipelines.demo.build import build_demo
    from pipelines.warehouse import connect
    from psea.brief import build_brief
    from psea.brief import render as brief_render
    from psea.disclosure import published
    from psea.metrics import catalog

    out: dict = {"scale": scale}
    path = folder / f"scale_{scale:g}"
    if not (path / "built").exists():
        started = time.perf_counter()
        summary = build_demo(path, seed=7, scale=scale)
        out["loads_s"] = time.perf_counter() - started
        (path / "built").write_text(json.dumps(summary["rows"]))
    rows = json.loads((path / "built").read_text())
    out["rows"] = sum(rows.values())
    out["training_rows"] = rows.get("training", 0)
    con = connect(path)
    started = time.perf_counter()
    release = published.ensure(con, "benchmark", None)
    out["release_s"] = time.perf_counter() - started
    out["cells"] = getattr(getattr(release, "cells", None), "height", 0)
    meeting = catalog.meeting_dates(con)[-1]
    started = time.perf_counter()
    brief = build_brief(con, meeting, "IOM")
    brief_render.render(brief, ("md", "docx"))
    out["brief_md_docx_s"] = time.perf_counter() - started
    started = time.perf_counter()
    brief = build_brief(con, meeting, "IOM")  # again: what a focal point waits for after an edit
    brief_render.render(brief, ("md", "docx", "pdf"))
    out["brief_again_with_pdf_s"] = time.perf_counter() - started
    con.close()
    out["pages_s"] = first_renders(path)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def first_renders(path: Path) -> dict[str, float]:
    from render_pages import render_times  # the same first render, without its reruns

    times = render_times(path, PAGES, reruns=0)
    return {page: times[f"{page} ({role})"][0] for page, role in PAGES}


def large_files(folder: Path, scale: float) -> Path:
    """The settings an organisation of this size runs with: the read limits (5M rows, 200 MB per
    file) raised with the scale (the demo's training snapshot passes 5M rows from scale 17)."""
    import yaml

    from psea.settings import DEFAULT_SETTINGS

    values = yaml.safe_load(DEFAULT_SETTINGS.read_text(encoding="utf-8"))
    limits = values["ingest"]["limits"]
    grow = max(1.0, scale / 10)
    for name in ("rows", "file_mb", "inflated_mb"):
        limits[name] = int(limits[name] * grow)
    path = folder / f"settings_scale_{scale:g}.yaml"
    path.write_text(yaml.safe_dump(values), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="1,10,30")
    parser.add_argument("--folder", default=str(Path(tempfile.gettempdir()) / "psea-curve"))
    parser.add_argument("--child", type=float)
    args = parser.parse_args()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    if args.child is not None:
        print(json.dumps(measure(folder, args.child)))
        return
    print(
        "| scale | rows held (training) | loads | release + audit (cells) | first render: "
        + ", ".join(p for p, _ in PAGES)
        + " | brief MD+DOCX | again, with PDF | peak MB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for scale in [float(s) for s in args.scales.split(",")]:
        done = subprocess.run(
            [sys.executable, __file__, "--folder", str(folder), "--child", str(scale)],
            capture_output=True,
            text=True,
            env={**os.environ, "PSEA_SETTINGS": str(large_files(folder, scale))},
        )
        if done.returncode:
            print(f"| {scale:g} | failed: {done.stderr.strip().splitlines()[-1:]} |")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        loads = f"{r['loads_s']:.0f} s" if "loads_s" in r else "(built before)"
        pages = ", ".join(f"{s:.2f} s" for s in r["pages_s"].values())
        print(
            f"| {scale:g} | {r['rows']:,} ({r['training_rows']:,}) | {loads} | "
            f"{r['release_s']:.1f} s ({r['cells']:,}) | {pages} | {r['brief_md_docx_s']:.2f} s | "
            f"{r['brief_again_with_pdf_s']:.2f} s | {r['peak_mb']:,.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
