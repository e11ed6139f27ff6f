"""The README's screenshots, taken in headless Chromium (Debian's) by the same tooling as the
browser tests: starts `streamlit run app.py` in demo mode on a free port, opens each page as the
role it is for, and writes small PNGs to docs/screenshots/.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Uses the demo store ($PSEA_WAREHOUSE, else $PSEA_DEMO_WAREHOUSE, else data/demo/; built if missing).
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from devserver import CHROMIUM_FLAGS, ROOT, chromium, running_app

PAGES = {  # page -> (role, what to wait for)
    "overview": "champion_office",
    "allegations": "champion_office",
    "investigations": "focal_point",
    "victims": "focal_point",
    "training": "focal_point",
    "managers": "focal_point",
    "briefs": "champion_office",
    "country_capacity": "champion_office",
    "load": "analyst",
    "data_quality": "analyst",
}
WIDTH = 1000  # committed width in pixels


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs/screenshots"))
    parser.add_argument("--pages", nargs="*", default=list(PAGES), help="only these pages")
    parser.add_argument(
        "--full", action="store_true", help="the whole page, not the first screen (for review)"
    )
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with running_app() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS)
        # Streamlit scrolls inside its own container: a whole page needs a tall window
        page = browser.new_page(viewport={"width": 1400, "height": 4200 if args.full else 1300})
        page.set_default_timeout(180_000)
        for name, role in ((n, PAGES[n]) for n in args.pages):
            page.goto(f"{url}/{name}?role={role}")
            page.wait_for_selector("h1")
            page.wait_for_load_state("networkidle")
            page.wait_for_function(
                "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
            )
            page.wait_for_timeout(2500)
            shot = Image.open(io.BytesIO(page.screenshot()))
            small = shot.resize((WIDTH, round(shot.height * WIDTH / shot.width)), Image.LANCZOS)
            small = small.convert("P", palette=Image.ADAPTIVE, colors=128)
            small.save(out / f"{name}.png", optimize=True)
            print(out / f"{name}.png", f"{(out / f'{name}.png').stat().st_size // 1024} KB")
        browser.close()


if __name__ == "__main__":
    main()
