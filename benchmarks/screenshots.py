"""Screenshots of the dashboard in headless Chromium (Debian's), for the README and for review.

.venv/bin/streamlit run app.py --server.port 8599 &   # demo mode
.venv/bin/python benchmarks/screenshots.py [--url http://localhost:8599] [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
PAGES = {
    "overview": "champion_office",
    "allegations": "champion_office",
    "investigations": "focal_point",
    "victims": "analyst",
    "training": "focal_point",
    "managers": "focal_point",
    "un_quarterly": "analyst",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://localhost:8599")
    parser.add_argument("--out", default="docs/screenshots")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        for name, role in PAGES.items():
            page.goto(f"{args.url}/{name}?role={role}")
            page.wait_for_selector("h1", timeout=60_000)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(2500)
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            print(out / f"{name}.png")
        browser.close()


if __name__ == "__main__":
    main()
