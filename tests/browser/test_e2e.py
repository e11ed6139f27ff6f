"""The dashboard in a real browser: `streamlit run app.py` in demo mode on a free port, driven by
Playwright through Debian's chromium (no browser download). Marked `browser`; run with
`pytest -m browser` (the README's test command runs them after the unit tests)."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from devserver import CHROMIUM_FLAGS, chromium, running_app

# demo data up to mid-2018: the 11th meeting (2018-04-17) within its two years of snapshots
ELEVENTH_IN_WINDOW = dt.date(2018, 6, 30)

pytestmark = pytest.mark.browser

CHROMIUM = chromium()
TITLES = {  # page key -> the page's heading
    "overview": "Overview",
    "allegations": "Allegations",
    "investigations": "Investigations",
    "victims": "Victims and assistance",
    "training": "Training and awareness",
    "managers": "Manager PSEA performance indicators",
    "briefs": "Briefs for the SFP meetings",
    "country_capacity": "Country PSEA capacity",
    "un_quarterly": "UN quarterly submission",
    "load": "Load extracts",
    "data_quality": "Data quality",
    "audit": "Audit log",
}
SMALL = re.compile(r"^[1-4]$")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from psea.demo import build_demo

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


@pytest.fixture(scope="module")
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


def _ready(page, title: str) -> None:
    page.get_by_role("heading", name=title, exact=True).first.wait_for()
    page.wait_for_load_state("networkidle")
    _settled(page)
    assert page.get_by_text("This app has encountered an error").count() == 0, title


def _settled(page) -> None:
    """Wait until Streamlit has finished the run (no running indicator)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )


def _download(page, click, attempts: int = 3):
    """A download button's file. A click that lands while the page is rerunning (an export's
    audit record reruns it) can be lost by the browser: wait for the run to end and click again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(attempts):
        try:
            with page.expect_download(timeout=40_000) as info:
                click()
            return info.value
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
            _settled(page)


def _pick(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label, exact=True).first.click()
    page.get_by_role("option", name=option, exact=True).click()
    _settled(page)


ROLES = {
    "champion_office": "IASC Champion's office",
    "focal_point": "Senior focal point",
    "analyst": "Analyst",
    "admin": "Administrator",
}


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_signs_in_through_the_picker_and_opens_each_of_its_pages(server, page, role):
    from playwright.sync_api import expect

    from psea.app.access import PAGE_ROLES
    from psea.app.shell import PAGES

    page.goto(server)
    _ready(page, "Overview")
    assert page.get_by_text("Demo mode").first.is_visible()
    _pick(page, "Try the dashboard as", ROLES[role])
    allowed = [k for k, roles in PAGE_ROLES.items() if role in roles]
    links = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]')
    expect(links.locator("p")).to_have_text([PAGES[k][1] for k in allowed])  # retries until drawn
    for key in allowed:
        page.locator('[data-testid="stSidebar"]').get_by_role("link", name=PAGES[key][1]).click()
        _ready(page, TITLES[key])
        assert page.get_by_text("Demo mode").first.is_visible(), key
        picker = page.get_by_role("combobox", name="Try the dashboard as", exact=True)
        expect(picker).to_have_value(ROLES[role])  # the role stays chosen from page to page


def test_a_page_outside_the_role_is_refused_by_url(server, page):
    page.goto(f"{server}/audit?role=champion_office")
    page.wait_for_load_state("networkidle")
    _settled(page)
    assert page.get_by_role("heading", name="Audit log").count() == 0
    assert (
        page.get_by_text("not available for your role").count()
        + page.get_by_text("Page not found").count()
        > 0
        or page.get_by_role("heading", name="Overview").count() > 0
    )


def test_a_filter_changes_the_chart_and_downloads_are_valid_files(server, page):
    from PIL import Image
    from playwright.sync_api import expect

    page.goto(f"{server}/allegations?role=focal_point")
    _ready(page, "Allegations")
    _pick(
        page, "Period", "Year 2025"
    )  # breakdowns are published where there is enough to break down
    page.get_by_text("Year 2025 (").first.wait_for()
    chart = page.locator('[data-testid="stVegaLiteChart"]').nth(1)
    chart.scroll_into_view_if_needed()
    before = chart.screenshot()
    _pick(page, "Breakdown", "Reporting channel")
    page.get_by_text("by reporting channel").first.wait_for()
    chart = page.locator('[data-testid="stVegaLiteChart"]').nth(1)
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    assert chart.screenshot() != before

    def png_click():
        page.get_by_role("button", name="Download chart").nth(1).click()
        _settled(page)
        page.get_by_role("button", name="PNG", exact=True).click()

    png = Image.open(io.BytesIO(Path(_download(page, png_click).path()).read_bytes()))
    assert png.format == "PNG" and png.info["dpi"][0] >= 150
    page.keyboard.press("Escape")

    csv = _download(page, lambda: page.get_by_role("button", name="CSV", exact=True).first.click())
    text = Path(csv.path()).read_text()
    header, *rows = text.strip().splitlines()
    assert header == "reporting_channel,allegations"
    assert rows and not any(SMALL.match(r.rsplit(",", 1)[1].strip('"')) for r in rows), rows

    # both downloads are in the append-only audit log, as the administrator sees it
    page.goto(f"{server}/audit?role=admin")
    _ready(page, "Audit log")
    expect(page.get_by_text("export", exact=True).first).to_be_visible()  # an action chosen
    page.get_by_label("Actor contains").fill("demo-focal_point")
    page.keyboard.press("Enter")
    _settled(page)
    entries = page.get_by_text(re.compile(r"^\d[\d,]* entries$"))
    expect(entries).not_to_have_text("0 entries")
    assert int(entries.inner_text().split()[0].replace(",", "")) >= 2  # the PNG and the CSV


def test_a_brief_is_generated_and_its_docx_downloads(server, page):
    from docx import Document

    page.goto(f"{server}/briefs?role=focal_point")
    _ready(page, "Briefs for the SFP meetings")
    _pick(page, "Meeting", "2018-04-17 · PSEA Senior Focal Points meeting 11")
    page.get_by_role(
        "heading", name="Brief for the PSEA Senior Focal Points meeting of 2018-04-17"
    ).wait_for()
    docx = _download(page, lambda: page.get_by_role("button", name="Word (DOCX, to edit)").click())
    assert docx.suggested_filename == "sfp_brief_2018-04-17_iom.docx"
    doc = Document(io.BytesIO(Path(docx.path()).read_bytes()))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert "Headline figures" in headings and len(doc.inline_shapes) == 3


def test_an_analyst_loads_a_file_and_downloads_its_great_expectations_data_docs(
    server, page, tmp_path
):
    """Upload through the Load page (the GX suite runs in the dashboard's process), then the Data
    Docs page of that load, rendered on click from the stored validation result."""
    from extracts import training, write_csv

    rows = training()  # IOM, the demo analyst's own entity (loads are scoped to it)
    path = write_csv(tmp_path, "training_2018-06-30.csv", rows)
    page.goto(f"{server}/load?role=analyst")
    _ready(page, "Load extracts")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.get_by_role("button", name="Check and load").click()
    page.get_by_text("1 of 1 file(s) passed").wait_for()

    page.goto(f"{server}/data_quality?role=analyst")
    _ready(page, "Data quality")
    page.get_by_text("Great Expectations suite").first.wait_for()  # the newest load is chosen
    docs = _download(
        page,
        lambda: page.get_by_role(
            "button", name="Great Expectations Data Docs of this load (HTML)"
        ).click(),
    )
    html = Path(docs.path()).read_text()
    assert "Expectation Validation Result" in html and "training_contract" in html
    assert rows[0]["person_ref"] not in html and "cdn.jsdelivr.net" not in html
