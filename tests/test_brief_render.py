"""The brief as its reader holds it: the confidentiality notice and the page number on every page,
a table of contents in the DOCX, tables across the page width, codes in plain words."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess

import polars as pl
import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from psea.brief import Brief, Figure, Headline, Section, Table
from psea.brief import render as brief_render
from psea.disclosure import grid
from psea.metrics import Period
from psea.present import charts

NOTICE = "Confidential — contains PSEA case statistics"
STATUS = pl.DataFrame(
    {
        "status": ["received", "under_review_limited_information", "substantiated", "closed"],
        "cases": ["12", "<5", "<5", "0"],
    }
)


@pytest.fixture(scope="module")
def brief() -> Brief:
    trend = pl.DataFrame({"quarter": [dt.date(2017, 4, 1), dt.date(2017, 7, 1)], "count": [14, 9]})
    milestones = pl.DataFrame({"date": [dt.date(2017, 8, 1)], "label": ["Advocate appointed"]})
    return Brief(
        title="Brief for the PSEA Senior Focal Points meeting of 2018-04-17",
        meeting=dt.date(2018, 4, 17),
        meeting_title="PSEA Senior Focal Points meeting 11",
        ad_hoc=False,
        period=Period(dt.date(2016, 12, 31), dt.date(2018, 3, 31)),
        grid_period=grid.meeting(
            dt.date(2018, 4, 17), [dt.date(2017, 3, 17), dt.date(2018, 4, 17)]
        ),
        previous_period=None,
        entity="IOM",
        k=5,
        release_id="R-test",
        coverage={"IOM": dt.date(2018, 3, 31)},
        not_reported=[],
        loads=pl.DataFrame({"kind": ["cases"], "as_of": ["2018-03-31"], "load_id": ["L1"]}),
        headlines=[Headline("Allegations received", "23", "19", "+4", "Cases received.")],
        by_entity=None,
        points=["Allegations received rose from 19 to 23."],
        sections=[
            Section(
                "Allegations over the last three years",
                ["Allegations per quarter."],
                figures=[
                    Figure("Allegations per quarter", charts.quarterly_trend(trend, milestones))
                ],
            ),
            *[
                Section(
                    f"Cases received, part {n}",
                    ["Status at the cut-off of the cases received in the period."] * 12,
                    tables=[Table("Cases received in the period, by status", STATUS)],
                )
                for n in (1, 2, 3)
            ],
        ],
        generated_at=dt.datetime(2018, 4, 18, 9, 0, tzinfo=dt.UTC),
    )


@pytest.fixture(scope="module")
def files(brief):
    return brief_render.render(brief)


def docx_of(files) -> Document:
    return Document(io.BytesIO(files["sfp_brief_2018-04-17_iom.docx"]))


def test_every_docx_page_has_the_notice_and_its_number(files):
    section = docx_of(files).sections[0]
    assert section.header.paragraphs[0].text == NOTICE
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith(NOTICE + " · IOM · data as of 2018-03-31 · page ")
    codes = [t.text.strip() for t in footer._p.iter(qn("w:instrText"))]
    assert codes == ["PAGE", "NUMPAGES"]


def test_the_docx_has_a_table_of_contents_after_the_title(files):
    doc = docx_of(files)
    body = [p for p in doc.paragraphs if p.text.strip()]
    assert body[0].style.name == "Title"
    assert body[1].text == "Contents" and body[1].style.name == "TOC Heading"
    entries = [
        p.text.strip()
        for p in doc.paragraphs
        if any(t.text.strip().startswith("PAGEREF") for t in p._p.iter(qn("w:instrText")))
    ]
    assert "Headline figures" in entries and "Cases received, part 3" in entries
    assert doc.settings.element.find(qn("w:updateFields")) is not None  # Word fills in the pages


def test_docx_tables_span_the_page_and_show_words_not_codes(files):
    doc = docx_of(files)
    for table in doc.tables:
        width = table._tbl.tblPr.find(qn("w:tblW"))
        assert (width.get(qn("w:type")), width.get(qn("w:w"))) == ("pct", "5000")
    status = next(t for t in doc.tables if t.rows[0].cells[0].text == "Status")
    assert [c.text for c in status.rows[0].cells] == ["Status", "Cases"]
    assert [r.cells[0].text for r in status.rows[1:]] == [
        "Received",
        "Under review (limited information)",
        "Substantiated",
        "Closed without a finding",
    ]
    text = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "under_review_limited_information" not in text and "Extract" in text


def test_every_pdf_page_has_the_notice_and_page_n_of_m(files):
    pages = PdfReader(io.BytesIO(files["sfp_brief_2018-04-17_iom.pdf"])).pages
    assert len(pages) >= 3
    for number, page in enumerate(pages, 1):
        text = page.extract_text()
        assert text.count("Confidential - contains PSEA case statistics") == 2, number
        assert f"page {number} of {len(pages)}" in text
    assert "Under review (limited information)" in pages[-2].extract_text()
    assert "Data sources and the suppression rule" in pages[-1].extract_text()


def test_markdown_carries_the_notice_and_words(files):
    md = files["sfp_brief_2018-04-17_iom.md"].decode()
    assert md.startswith(f"*{NOTICE}*") and md.rstrip().endswith(f"*{NOTICE}*")
    assert "| Under review (limited information) | <5 |" in md


def test_short_columns_stay_whole_beside_a_long_one():
    rows = [["2018-03-31", "12", "no staff session in the last two complete quarters " * 3]]
    weights = brief_render.column_weights(["As of", "Cases", "Reason"], rows, capacity=80)
    assert weights[:2] == [13, 8] and sum(weights) == pytest.approx(80)
    words = brief_render.column_weights(["Figure", "IOM"], [["Investigations completed", "<5"]], 20)
    assert words[0] >= len("Investigations") + 2  # a column is never narrower than its longest word


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_prints_the_notice_and_numbers_on_every_page(files, tmp_path):
    docx = tmp_path / "brief.docx"
    docx.write_bytes(files["sfp_brief_2018-04-17_iom.docx"])
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pages = PdfReader(tmp_path / "brief.pdf").pages
    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):
        text = re.sub(r"\s+", " ", page.extract_text())
        assert NOTICE in text and f"page {number} of {len(pages)}" in text, number
