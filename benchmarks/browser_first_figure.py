"""Benchmark: time to the first figure of every page in headless Chromium, as a newcomer's first
click: a dashboard server started on a demo store, each page opened in a new browser page, timed
from navigation until the page's first figure (a metric, chart or table) is drawn, and until
Streamlit's run has ended (the whole page). Not a test: it waits for states, and reports times.

    .venv/bin/python benchmarks/browser_first_figure.py --warehouse STORE [--repeat 2]

STORE is a store built by `psea demo` (e.g. benchmarks/cost_curve.py's /tmp/psea-curve/scale_10).
The server is new, so each page's first open is its first render in that process; the second
open (--repeat) is a newcomer arriving after someone else opened it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

PAGES = [  # (url path, role)
    ("", "champion_office"),
    ("allegations", "champion_office"),
    ("investigations", "champion_office"),
    ("victims", "champion_office"),
    ("training", "focal_point"),
    ("managers", "focal_point"),
    ("country_capacity", "focal_point"),
    ("briefs", "focal_point"),
    ("briefs", "champion_office"),
    ("un_quarterly", "analyst"),
    ("data_quality", "analyst"),
]
FIGURE = "[data-testid='stMetric'], [data-testid='stVegaLiteChart'], [data-testid='stDataFrame']"
RUNNING = "[data-testid='stStatusWidget']"


def main() -> None:
    from devserver import CHROMIUM_FLAGS, chromium, running_app
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser()
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    env = {"PSEA_WAREHOUSE": str(Path(args.warehouse).absolute()), "PSEA_DEMO": "1"}
    rows = []
    with running_app(env) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS)
        for path, role in PAGES:
            times = []
            for _ in range(args.repeat):
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(300_000)
                started = time.perf_counter()
                page.goto(f"{url}/{path}?role={role}")
                shown = page.locator(f"{FIGURE} >> visible=true")  # hidden tabs hold some
                shown.first.wait_for()
                first = time.perf_counter() - started
                page.wait_for_function(f'() => !document.querySelector("{RUNNING}")')
                whole = time.perf_counter() - started
                assert page.get_by_text("This app has encountered an error").count() == 0, path
                times.append((first, whole))
                page.close()
            rows.append((path or "overview", role, times))
        browser.close()
    print(
        "| page (role) | first figure, first open | whole page | second open: first figure | whole |"
    )
    print("|---|---|---|---|---|")
    for page, role, times in rows:
        cells = " | ".join(f"{a:.2f} s | {b:.2f} s" for a, b in times)
        print(f"| {page} ({role}) | {cells} |")


if __name__ == "__main__":
    main()
