"""The dashboard in a real browser: `streamlit run app.py` in demo mode on a free port, driven by
Playwright through Debian's chromium (no browser download). Marked `browser`; run with
`pytest -m browser` (the README's test command runs them after the unit tests)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

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
    page.keyboard.type(option)  # the list shows the options that match (a long list scrolls)
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


def test_a_page_outside_the_role_is_refused_by_url_with_its_title_and_who_may_open_it(server, page):
    from pagecheck import settle

    page.goto(f"{server}/audit?role=champion_office")
    settle(page)
    assert page.get_by_role("heading", name="Audit log", exact=True).count() == 1
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="not available for your role")
    assert "Audit log is for the administrator" in alert.inner_text()
    assert "signed in as IASC Champion's office" in alert.inner_text()
    assert page.locator('[data-testid="stDataFrame"]').count() == 0  # nothing of the page


def test_a_filter_changes_the_chart_and_downloads_are_valid_files(server, page):
    from PIL import Image
    from playwright.sync_api import expect

    page.goto(f"{server}/allegations?role=focal_point")
    _ready(page, "Allegations")
    # a meeting period: the release breaks down the calendar's meeting periods first (a year
    # across two meeting periods is not broken down: its difference would give a quarter)
    _pick(page, "Period", "Meeting of 2018-04-17 (2017 Q2 to 2018 Q1)")
    page.get_by_text("2017-04-01 to 2018-03-31").first.wait_for()
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
