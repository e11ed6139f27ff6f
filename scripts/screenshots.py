"""Screenshots of the dashboard in headless Chromium (Debian's), by the same tooling as the
browser tests: starts `streamlit run app.py` in demo mode on a free port and opens pages in a
1400-px window.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]
        the README's screenshots: each page as the role it is for, first screen, 1000-px PNGs
    .venv/bin/python scripts/screenshots.py --every-role --out docs/screenshots/pages/after
        every page as every role (a page a role may not open too, reached by URL), the whole
        page, with `checks.json` beside them: per page and role, axe-core's WCAG 2.1 A/AA
        violations (rule: elements), card labels cut short and hidden values drawn as bars

Uses the demo store ($PSEA_WAREHOUSE, else $PSEA_DEMO_WAREHOUSE, else data/demo/; built if missing).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from devserver import CHROMIUM_FLAGS, ROOT, chromium, running_app
from pagecheck import (
    accessibility_violations,
    fit_to_content,
    hidden_values_drawn_as_bars,
    settle,
    truncated_labels,
)

PAGES = {  # page -> the role the README shows it as
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
ROLES = ("champion_office", "focal_point", "analyst", "admin")
WIDTH = 1000  # the README's width in pixels
WINDOW = 1400  # the window the pages are looked at in


def save(png: bytes, path: Path, width: int) -> None:
    shot = Image.open(io.BytesIO(png))
    if shot.width != width:
        shot = shot.resize((width, round(shot.height * width / shot.width)), Image.LANCZOS)
    shot.convert("P", palette=Image.ADAPTIVE, colors=128).save(path, optimize=True)
    print(path, f"{path.stat().st_size // 1024} KB", flush=True)


def readme_shots(page, url: str, out: Path, names: list[str], full: bool) -> None:
    for name in names:
        page.set_viewport_size({"width": WINDOW, "height": 1300})
        page.goto(f"{url}/{name}?role={PAGES[name]}")
        settle(page)
        if full:
            fit_to_content(page, WINDOW)
        save(page.screenshot(), out / f"{name}.png", WIDTH)


def every_role(page, url: str, out: Path, names: list[str], width: int) -> None:
    """Every page as every role, the whole page, with what the checks found."""
    from psea.app.shell import PAGES as ALL_PAGES

    checks = {}
    for name in names or list(ALL_PAGES):
        for role in ROLES:
            page.set_viewport_size({"width": WINDOW, "height": 1000})
            page.goto(f"{url}/{name}?role={role}")
            settle(page)
            found = accessibility_violations(page)
            checks[f"{name} · {role}"] = {
                "axe": {v.rule: v.nodes for v in found},
                "axe_where": sorted({t for v in found for t in v.targets}),
                "axe_elements": sum(v.nodes for v in found),
                "truncated_labels": truncated_labels(page),
                "hidden_values_as_bars": len(hidden_values_drawn_as_bars(page)),
            }
            print(name, role, checks[f"{name} · {role}"], flush=True)
            fit_to_content(page, WINDOW)
            save(page.screenshot(), out / f"{name}-{role}.png", width)
    (out / "checks.json").write_text(json.dumps(checks, indent=1, sort_keys=True) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs/screenshots"))
    parser.add_argument("--pages", nargs="*", default=None, help="only these pages")
    parser.add_argument(
        "--full", action="store_true", help="the whole page, not the first screen (for review)"
    )
    parser.add_argument(
        "--every-role", action="store_true", help="every page × role, whole pages, with checks"
    )
    parser.add_argument("--width", type=int, default=WINDOW, help="PNG width (--every-role)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with running_app() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": WINDOW, "height": 1300})
        page.set_default_timeout(180_000)
        if args.every_role:
            every_role(page, url, out, args.pages or [], args.width)
        else:
            readme_shots(page, url, out, args.pages or list(PAGES), args.full)
        browser.close()


if __name__ == "__main__":
    main()
