"""The brief printed: no text under 9 pt in the PDF or the DOCX (tables included), a contents page
whose page numbers the word processor computes, no heading alone at the foot of a page, long
tables that repeat their header row and never split a row, and a table too wide for a portrait page
on a landscape one, none of its words broken."""

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
from docx.shared import Pt
from pypdf import PdfReader

from psea.brief import Brief, Figure, Headline, Section, Table
from psea.brief import render as brief_render
from psea.brief.render.layout import MIN_PT, PRINT_WIDTH_PT, chart_images, png_width_pt
from psea.disclosure import grid
from psea.metrics import Period
from psea.present import charts

STEM = "sfp_brief_2018-04-17_iom"
WORDY = "Progress on the referral pathways was discussed with the country teams. " * 6
MISSIONS = pl.DataFrame(
    {
        "Mission": [f"Duty station number {n}" for n in range(120)],
        "Personnel": [f"{40 + n}" for n in range(120)],
        "Coverage": [f"{50 + n % 40}.0%" for n in range(120)],
        "Reason": ["No staff session; coverage below 80%"] * 120,
    }
)
SIDE_BY_SIDE = pl.DataFrame(
    {
        "Figure": ["Investigations completed", "Allegations against own personnel per 1,000"],
        **{
            entity: ["suppressed", "not broken down"]
            for entity in ("IOM", "IRC", "NRC", "UNHCR", "UNICEF", "WFP", "All entities")
        },
    }
)


@pytest.fixture(scope="module")
def brief() -> Brief:
    trend = pl.DataFrame(
        {"quarter": [dt.date(2017, 1 + 3 * q, 1) for q in range(4)], "count": [14, 9, 11, 7]}
    )
    none = pl.DataFrame({"date": [], "label": []}, schema={"date": pl.Date, "label": pl.String})
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
        points=["38 of 164 victims are still waiting for a needs assessment."],
        sections=[
            Section(
                "Allegations over the last three years",
                ["Allegations per quarter."],
                figures=[Figure("Allegations per quarter", charts.quarterly_trend(trend, none))],
            ),
            *[Section(f"Progress, part {n}", [WORDY] * 4) for n in range(1, 6)],
            Section(
                "Missions flagged as audit risks",
                ["Most at risk first."],
                tables=[Table("Every mission flagged", MISSIONS)],
            ),
            Section("Each entity side by side", tables=[Table("Side by side", SIDE_BY_SIDE)]),
        ],
        generated_at=dt.datetime(2018, 4, 18, 9, 0, tzinfo=dt.UTC),
    )


@pytest.fixture(scope="module")
def files(brief) -> dict[str, bytes]:
    return brief_render.render(brief, ("docx", "pdf"))


@pytest.fixture(scope="module")
def pdf(files) -> PdfReader:
    return PdfReader(io.BytesIO(files[f"{STEM}.pdf"]))


@pytest.fixture(scope="module")
def docx(files):
    return Document(io.BytesIO(files[f"{STEM}.docx"]))


def text_items(page) -> list[tuple[float, str, float, str]]:
    """(y, font, size, text) of every piece of text on a PDF page."""
    items = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            items.append((tm[5], font.get("/BaseFont", "") if font else "", size, text.strip()))

    page.extract_text(visitor_text=visit)
    return items


def test_no_pdf_text_is_set_below_9_pt(pdf):
    for number, page in enumerate(pdf.pages, 1):
        sizes = re.findall(rb"/F\d+ ([\d.]+) Tf", page.get_contents().get_data())
        assert sizes, number
        assert min(float(s) for s in sizes) >= MIN_PT, number


def _size(paragraph, run, doc) -> float:
    """A run's size as Word resolves it: the run, its paragraph's style chain, the defaults."""
    if run.font.size is not None:
        return run.font.size.pt
    style = paragraph.style
    while style is not None:
        if style.font.size is not None:
            return style.font.size.pt
        style = style.base_style
    default = doc.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:sz"))
    return int(default.get(qn("w:val"))) / 2


def _paragraphs(doc):
    yield from doc.paragraphs
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs
    for section in doc.sections:
        yield from section.header.paragraphs
        yield from section.footer.paragraphs


def test_no_docx_text_is_set_below_9_pt(docx):
    sizes = [
        (_size(p, r, docx), r.text) for p in _paragraphs(docx) for r in p.runs if r.text.strip()
    ]
    assert len(sizes) > 300  # body, tables, header and footer all read
    small = [(s, t) for s, t in sizes if s < MIN_PT]
    assert not small, small[:5]
    cells = [
        r.font.size
        for t in docx.tables
        for row in t.rows
        for c in row.cells
        for p in c.paragraphs
        for r in p.runs
    ]
    assert set(cells) == {Pt(9)}  # tables at 9 pt, not the 7 pt they were


def _contents(docx) -> list[tuple[str, str]]:
    """(title, bookmark) of each contents entry: its link and its PAGEREF field."""
    out = []
    for p in docx.paragraphs:
        codes = [t.text.strip() for t in p._p.iter(qn("w:instrText"))]
        if codes and codes[0].startswith("PAGEREF"):
            out.append((p.text.strip(), codes[0].split()[1]))
    return out


def test_the_docx_contents_give_each_chapter_a_computed_page_number(docx):
    entries = _contents(docx)
    headings = {
        b.get(qn("w:name")): p.text
        for p in docx.paragraphs
        if p.style.name.startswith("Heading")
        for b in p._p.iter(qn("w:bookmarkStart"))
    }
    assert [t for t, _ in entries][:3] == [
        "Figures annex",
        "Headline figures",
        "Allegations over the last three years",
    ]
    assert "Missions flagged as audit risks" in [t for t, _ in entries]
    for title, name in entries:  # each number is the page of the heading, not a typed number
        assert headings[name] == title
    assert docx.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"


def test_headings_keep_with_what_follows_them_in_the_docx(docx):
    for p in docx.paragraphs:
        if p.style.name.startswith("Heading"):
            assert p.paragraph_format.keep_with_next or p.style.paragraph_format.keep_with_next
    picture = next(p for p in docx.paragraphs if p._p.findall(".//" + qn("w:drawing")))
    assert picture.paragraph_format.keep_with_next  # a chart stays with its caption


def test_a_long_docx_table_repeats_its_header_and_never_splits_a_row(docx):
    table = next(t for t in docx.tables if t.rows[0].cells[0].text == "Mission")
    assert len(table.rows) == 121
    header = table.rows[0]._tr.trPr
    assert header.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)


def test_a_long_pdf_table_repeats_its_header_row_on_every_page(pdf):
    pages = [p for p in pdf.pages if "Duty station number" in p.extract_text()]
    assert len(pages) >= 3
    for page in pages:
        top = sorted(text_items(page), key=lambda i: -i[0])
        first_cell = next(
            i for i in top if i[3] in ("Mission", "Every mission flagged") or "Duty" in i[3]
        )
        assert first_cell[3] in ("Mission", "Every mission flagged")  # the header before any row


def test_no_pdf_page_ends_on_a_heading(pdf):
    for number, page in enumerate(pdf.pages, 1):
        body = [i for i in text_items(page) if i[0] > 60 and i[2] < 16]  # above the footer
        last = min(body, key=lambda i: i[0])
        assert not ("Bold" in last[1] and last[2] > 10), (number, last)


def test_a_table_too_wide_for_portrait_is_on_a_landscape_page_with_its_words_whole(pdf, docx):
    page = next(p for p in pdf.pages if "Side by side" in p.extract_text())
    assert page.mediabox.width > page.mediabox.height
    text = page.extract_text()
    assert text.count("suppressed") == 7 and text.count("broken") == 7
    sections = docx.sections
    assert any(s.page_width > s.page_height for s in sections)
    assert sections[-1].page_width < sections[-1].page_height  # portrait again after it


def test_charts_print_one_point_per_point_so_their_labels_keep_their_size(brief, docx):
    (png,) = chart_images(brief).values()
    drawn = png_width_pt(png)  # the chart's own width: its 10-13 px labels print at 10-13 pt
    assert 300 < drawn <= PRINT_WIDTH_PT + 1
    assert docx.inline_shapes[0].width.pt == pytest.approx(drawn, abs=1)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_numbers_the_contents_with_the_headings_pages(files, tmp_path):
    path = tmp_path / "brief.docx"
    path.write_bytes(files[f"{STEM}.docx"])
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pages = [p.extract_text() for p in PdfReader(tmp_path / "brief.pdf").pages]
    listed = dict(re.findall(r"^(Progress, part \d|Figures annex)\.*\s*(\d+)\s*$", pages[0], re.M))
    assert len(listed) == 6, pages[0]
    for title, number in listed.items():
        found = next(i for i, text in enumerate(pages[1:], 2) if title in text)
        assert int(number) == found, title


def test_a_small_table_drawn_at_once_is_one_the_trial_rendering_finds_fits(brief, monkeypatch):
    """A small table starts on a new page rather than split. Measuring it on the wide side spares
    the trial rendering where it surely fits; wherever the measure says so, the trial agrees."""
    import dataclasses

    from psea.brief.render import pdf_file

    checked = []
    measured = pdf_file._fits

    def fits(doc, caption, header, rows):
        sure = measured(doc, caption, header, rows)
        if sure:
            with doc.offset_rendering() as trial:
                pdf_file._heading(trial, caption, pdf_file.HEADING_PT[3])
                pdf_file._table(trial, header, rows)
            assert not trial.page_break_triggered, (caption, doc.get_y())
        checked.append(sure)
        return sure

    monkeypatch.setattr(pdf_file, "_fits", fits)
    words = ["load_2018-03-31_cases_IOM_a1b2c3d4e5f6", "not compared: hidden", "1,234", "12.5%"]
    sections = [
        Section(
            f"Part {n}",
            [WORDY * (n % 4)] * (n % 3),
            tables=[
                Table(
                    f"Table {n}: figures of the period, each with its reason",
                    pl.DataFrame(
                        {
                            "Figure": [f"{words[(n + r) % 4]} {WORDY[: 7 * r]}" for r in range(n)],
                            "Value": [words[(n * r) % 4] for r in range(n)],
                        }
                    ),
                )
            ],
        )
        for n in range(1, 16)
    ]
    brief_render.render(dataclasses.replace(brief, sections=sections), ("pdf",))
    assert checked.count(True) >= 8 and False in checked  # both ways taken
