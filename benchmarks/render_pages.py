"""Benchmark: how long each page takes to render in AppTest on the demo warehouse, cold (first run
of a fresh session) and warm (the median of 5 reruns), at demo scale 1 and a larger scale; and the time to build
and write an SFP brief (DOCX, PDF, Markdown).

    .venv/bin/python benchmarks/render_pages.py [--scales 1,10] [--folder /tmp/psea-bench]

Warehouses are built once per scale in --folder and reused.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = [  # (page, role): the release's readers on every case page, the analyst on theirs
    *[
        (p, r)
        for p in ("overview", "allegations", "investigations", "victims")
        for r in ("champion_office", "focal_point")
    ],
    ("training", "focal_point"),
    ("managers", "focal_point"),
    ("briefs", "champion_office"),
    ("briefs", "focal_point"),
    ("un_quarterly", "analyst"),
    ("data_quality", "analyst"),
]


WARM_RERUNS = 5


def warehouse(folder: Path, scale: float) -> Path:
    from psea.app.demo import build_demo

    path = folder / f"demo_scale_{scale:g}.duckdb"
    if not path.exists():
        started = time.perf_counter()
        build_demo(path, scale=scale)
        print(f"built scale {scale:g} in {time.perf_counter() - started:.1f} s", flush=True)
    return path


def render_times(path: Path, pages=PAGES, reruns: int = WARM_RERUNS) -> dict[str, tuple]:
    """(cold, warm) seconds of each (page, role) on the demo store `path`: the page's first run
    in a new session (after the front page), and the median of `reruns` reruns (None without)."""
    from streamlit.testing.v1 import AppTest

    import psea.app.shell as shell

    shell.DEMO_WAREHOUSE = path
    shell.demo_warehouse.clear()
    out = {}
    for page, role in pages:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
        at.query_params["role"] = role
        at.run()
        started = time.perf_counter()
        at.switch_page(str(ROOT / shell.PAGES[page][0])).run()
        cold = time.perf_counter() - started
        assert not at.exception, (page, [e.value for e in at.exception])
        times = []
        for _ in range(reruns):  # the median: one rerun is at the mercy of the machine's load
            started = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - started)
        out[f"{page} ({role})"] = (cold, statistics.median(times) if times else None)
    return out


def brief_time(path: Path) -> tuple[float, float, float, float]:
    """Seconds to build the brief the Briefs page opens on (IOM, the next meeting) and to write it
    as DOCX, PDF and Markdown: in this new process, then again as a focal point's edit regenerates
    it (the same process: its figures and chart images already in memory)."""
    from pipelines.warehouse import connect
    from psea.brief import build_brief
    from psea.brief import render as brief_render
    from psea.metrics import catalog

    con = connect(path)  # a meeting's release is built and kept the first time it is asked for
    meeting = catalog.meeting_dates(con)[-1]  # the next meeting, the one the Briefs page opens on
    out = []
    for _ in range(2):
        started = time.perf_counter()
        brief = build_brief(con, meeting, "IOM")
        out.append(time.perf_counter() - started)
        with tempfile.TemporaryDirectory() as tmp:
            brief_render.write(brief, Path(tmp))
        out.append(time.perf_counter() - started)
    con.close()
    return out[0], out[1], out[2], out[3]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--folder", default=str(Path(tempfile.gettempdir()) / "psea-bench"))
    args = parser.parse_args()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    results = {}
    for scale in [float(s) for s in args.scales.split(",")]:
        path = warehouse(folder, scale)
        built, total, rebuilt, retotal = brief_time(path)
        print(
            f"scale {scale:g}: brief of the next meeting, IOM, built in {built:.2f} s, "
            f"written (DOCX+PDF+MD) in {total:.2f} s; regenerated: {rebuilt:.2f} s, "
            f"{retotal:.2f} s",
            flush=True,
        )
        results[scale] = render_times(path)
    print(
        f"\n{'page (role)':<34}"
        + "".join(f"{'scale ' + format(s, 'g') + ' cold':>16}{'warm':>8}" for s in results)
    )
    for page, role in PAGES:
        key = f"{page} ({role})"
        print(
            f"{key:<34}"
            + "".join(
                f"{results[s][key][0]:>15.2f}s{results[s][key][1] * 1000:>6.0f}ms" for s in results
            )
        )


if __name__ == "__main__":
    main()
