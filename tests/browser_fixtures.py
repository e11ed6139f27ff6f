"""The browser tests' dashboard and browser (a plugin of tests/conftest.py): one demo warehouse and one
`streamlit run app.py` for the whole session (building the demo is most of their time), driven
through Debian's chromium (no browser download)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from devserver import CHROMIUM_FLAGS, chromium, running_app

CHROMIUM = chromium()


# demo data up to mid-2018: the 11th meeting (2018-04-17) within its two years of snapshots
ELEVENTH_IN_WINDOW = dt.date(2018, 6, 30)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    from psea.app.demo import build_demo

    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: the README's test command installs it")
    path = tmp_path_factory.mktemp("e2e") / "demo.duckdb"
    # enough allegations for yearly breakdowns per entity; the 11th meeting within its snapshots
    build_demo(path, seed=13, scale=0.5, end=ELEVENTH_IN_WINDOW)
    with (
        (tmp_path_factory.getbasetemp() / "streamlit.log").open("w") as log,
        running_app({"PSEA_DEMO_WAREHOUSE": str(path)}, log) as url,
    ):
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()
