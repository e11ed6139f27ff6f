"""The SFP meeting brief: the 11th meeting (2018-04-17, period since 2017-03-17) on a small synthetic
warehouse, checked in DOCX, PDF and Markdown against the metric layer and the suppression rule."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess

import polars as pl
import pytest
from conftest import copy_demo
from docx import Document
from PIL import Image
from pypdf import PdfReader
from typer.testing import CliRunner

from pipelines.warehouse import connect
from psea.brief import add_meeting, build_brief, meeting_period, meetings
from psea.brief import render as brief_render
from psea.brief.chapters import HEADLINE_HEADER
from psea.cli import app
from psea.disclosure import grid, published
from psea.metrics import Period, cases, catalog, facts, training
from psea.present.headlines import HEADLINES

MEETING = dt.date(2018, 4, 17)
# demo data up to mid-2018: the 11th meeting (2018-04-17) within its two years of snapshots
ELEVENTH_IN_WINDOW = dt.date(2018, 6, 30)
K = 5
SMALL = re.compile(r"^[1-4]$")
CASE_FIGURES = (
    "Allegations received",
    "Child victims",
    "Investigations opened",
    "Investigations completed",
    "Substantiated",
    "Victims assisted",
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, no_public_knowledge):
    path = tmp_path_factory.mktemp("brief") / "demo.duckdb"
    copy_demo(tmp_path_factory, path, seed=5, scale=0.05, end=ELEVENTH_IN_WINDOW)
    return path


@pytest.fixture(scope="module")
def con(warehouse):
    con = connect(warehouse)
    yield con
    con.close()


@pytest.fixture(scope="module")
def iom(con):
    return build_brief(con, MEETING, "IOM")


@pytest.fixture(scope="module")
def files(iom):
    return brief_render.render(iom)


def expected_headlines(con, entity: str | None) -> dict[str, str]:
    """Each headline as it must be published: the metric layer's exact count over the meeting's
    grid quarters on the release's data where the release shows the cell, "suppressed" where it
    hides it (checked against the release's own cell)."""
    release = published.latest(con, published.snapshot_cutoff(con, MEETING))
    quarters = grid.meeting(MEETING, catalog.meeting_dates(con))
    period = Period(quarters.period.start, quarters.period.end, release.cutoff)
    scope = entity or published.ALL
    shown = {}
    for h in HEADLINES:
        exact = facts.count(
            con, h.family, period, entity, None if h.breakdown == "total" else h.breakdown
        )
        value = (
            exact.item()
            if h.breakdown == "total"
            else dict(zip(exact[h.breakdown], exact["count"], strict=True)).get(h.group, 0)
        )
        cell = release.cell(h.family, h.breakdown, h.group, scope, quarters.key)
        if cell is None:  # too few allegations in the period to break them down
            shown[h.label] = "not broken down"
            continue
        # withheld with its zeros (lower bound 0): the gate's one label for that
        label = "not broken down" if cell[2] else "suppressed" if cell[1] else f"{value:,}"
        if h.denominator and not cell[1]:
            whole = release.cell(*h.denominator[:3], scope, quarters.key)
            if not whole[1]:
                label += f" of {facts.total(con, h.denominator[0], period, entity):,}"
        shown[h.label] = label
    duration = cases.investigation_duration(con, period, entity)
    shown["Median investigation duration"] = (
        "suppressed" if duration["n"] < K else f"{duration['median_days']:,.0f} days"
    )
    end = quarters.period.end
    coverage = training.mandatory_coverage(con, end, entity).row(0, named=True)
    shown["Mandatory coverage at the end of the period"] = f"{coverage['coverage']:.1%}"
    risk = training.audit_risk(con, end, entity)
    larger = risk.filter(pl.col("active") >= 10)  # smaller missions are listed apart
    shown["Missions flagged as audit risks"] = (
        f"{int(larger['flagged'].sum()):,} of {larger.height:,}"
    )

    def cell(family: str, breakdown: str, group: str, stock: bool = False) -> tuple[int, bool]:
        """The metric layer's exact count, and whether the release hides it or does not break
        the period down (None: no cell)."""
        key = grid.STOCK if stock else quarters.key
        found = release.cell(family, breakdown, group, scope, key)
        if stock:
            frame = facts.count_stock(con, family, release.cutoff, entity, breakdown)
        else:
            frame = facts.count(con, family, period, entity, breakdown)
        exact = dict(zip(frame[breakdown], frame["count"], strict=True)).get(group, 0)
        assert found is None or found[0] == exact  # the release holds the exact count
        return exact, None if found is None else found[1]

    def of(part: tuple[int, bool], whole: tuple[int, bool]) -> str:
        if part[1] is None:
            return "not broken down"
        if part[1] or whole[1] is None or whole[1]:
            return (
                "suppressed"
                if part[1]
                else f"{part[0]:,} of {'suppressed' if whole[1] else 'not broken down'}"
            )
        return f"{part[0]:,} of {whole[0]:,} ({part[0] / whole[0]:.0%})"

    victims = (facts.total(con, "victims", period, entity), False)
    shown["Victims still waiting for a needs assessment"] = of(
        cell("victims", "needs_assessed", "no"), victims
    )
    shown["Urgent investigations (a child victim) within 90 days"] = of(
        cell("findings", "urgency_duration", "urgent|within_90_days"),
        cell("findings", "urgency", "urgent"),
    )
    # the overdue cases are their own cell of the release: from case rows, the open cases past
    # the rule
    overdue = sum(cell("open_cases", "age", g, stock=True)[0] for g in facts.overdue_groups())
    found = release.cell("overdue", "total", "total", scope, grid.STOCK)
    shown["Overdue cases: open more than 180 days since received"] = of(
        (overdue, None if found is None else found[1]),
        (
            facts.count_stock(con, "open_cases", release.cutoff, entity).item(),
            release.cell("open_cases", "total", "total", scope, grid.STOCK)[1],
        ),
    )
    acted = cell("allegations", "action_taken", "substantiated_with_action")
    not_acted = cell("allegations", "action_taken", "substantiated_no_action")
    shown["Substantiated allegations with an action taken"] = of(
        acted,
        (acted[0] + not_acted[0], not_acted[1])
        if None not in (acted[0], not_acted[0])
        else (0, None),
    )
    return shown


def test_the_11th_meeting_covers_the_last_4_quarters_when_the_10th_is_longer_ago(con, iom):
    # the 10th meeting was in early 2017: five quarters ended since, so the brief reads the last four
    assert iom.grid_period.quarters == ("2017Q2", "2017Q3", "2017Q4", "2018Q1")
    assert iom.period == Period(dt.date(2017, 3, 31), dt.date(2018, 3, 31))
    assert iom.meeting_title == "PSEA Senior Focal Points meeting 11"
    assert not iom.ad_hoc
    assert len(meetings(con)) >= 11


def test_headlines_equal_the_metric_layer_and_some_are_suppressed(con, iom):
    expected = expected_headlines(con, "IOM")
    shown = {h.label: h.value for h in iom.headlines}
    assert shown == expected  # every headline figure, none left unchecked
    assert any(v == "suppressed" for v in shown.values()), (
        "the small demo must exercise suppression"
    )
    for h in iom.headlines:
        if h.label in CASE_FIGURES:
            assert not SMALL.match(h.value.replace(",", "")), h
            assert not SMALL.match(h.previous.replace(",", "")), h


def _docx_tables(data: bytes) -> list[list[list[str]]]:
    doc = Document(io.BytesIO(data))
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def test_docx_has_headings_tables_images_and_the_headline_figures(con, iom, files):
    data = files["sfp_brief_2018-04-17_iom.docx"]
    doc = Document(io.BytesIO(data))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0].startswith("Brief for the PSEA Senior Focal Points meeting of 2018-04-17")
    # the progress report first, then the figures annex, the sources and the rule at the end
    order = [
        "Key messages",
        "Accomplishments",
        "Challenges",
        "Requests to the IASC Principals",
        "Action points",
        "Figures annex",
        "Headline figures",
        "Training",
        "Data sources and the suppression rule",
    ]
    assert [h for h in headings if h in order] == order
    assert len(doc.inline_shapes) == 3
    tables = _docx_tables(data)
    front = dict((row[0], row[1]) for row in tables[0])
    assert front["Period"].startswith("2017 Q2 to 2018 Q1 (2017-04-01 to 2018-03-31)")
    assert front["Case data as of"].startswith("IOM 2018-03-31")
    assert any(row[2].startswith("L") for row in tables[-1][1:])  # load ids, at the end
    headline = next(t for t in tables if t[0] == HEADLINE_HEADER)
    rows = {row[0]: row[1] for row in headline[1:]}
    for label, value in expected_headlines(con, "IOM").items():
        assert rows[label] == value, label
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "withheld so that a smaller figure cannot be worked out" in text  # the rule in force


def test_no_case_figure_between_1_and_k_minus_1_in_any_format(iom, files):
    docx_tables = _docx_tables(files["sfp_brief_2018-04-17_iom.docx"])
    for table in docx_tables:
        header = table[0]
        status_table = [h.lower() for h in header] == ["status", "cases"]
        case_table = header == HEADLINE_HEADER or status_table
        for row in table[1:]:
            if case_table and (row[0] in CASE_FIGURES or status_table):
                assert not any(SMALL.match(c.replace(",", "")) for c in row[1:3]), row
    md = files["sfp_brief_2018-04-17_iom.md"].decode()
    for line in md.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells and (cells[0] in CASE_FIGURES or cells[0] in cases.STATUSES):
            assert not any(SMALL.match(c.replace(",", "")) for c in cells[1:3]), line
    pdf_text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(files["sfp_brief_2018-04-17_iom.pdf"])).pages
    )
    for label in CASE_FIGURES:
        for match in re.finditer(re.escape(label) + r"[ \n]+(\S+)[ \n]+(\S+)", pdf_text):
            assert not any(SMALL.match(g.replace(",", "")) for g in match.groups()), match[0]
    for point in iom.points:
        for label in CASE_FIGURES:
            if point.startswith(label):
                assert not re.search(r"from [1-4] to|to [1-4] \(", point), point


def test_pdf_has_text_and_markdown_links_its_charts(con, files):
    reader = PdfReader(io.BytesIO(files["sfp_brief_2018-04-17_iom.pdf"]))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) >= 4
    assert "Key messages" in text and "Headline figures" in text
    assert "2017-04-01 to 2018-03-31" in text
    for label, value in expected_headlines(con, "IOM").items():
        assert value in text, label
    md = files["sfp_brief_2018-04-17_iom.md"].decode()
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert len(links) == 3
    for link in links:
        image = Image.open(io.BytesIO(files[link]))
        assert image.format == "PNG" and image.info["dpi"][0] >= 150
    for label, value in expected_headlines(con, "IOM").items():
        assert f"| {label} | {value} |" in md


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_pages_render(files, tmp_path):
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(files["sfp_brief_2018-04-17_iom.pdf"])
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == len(PdfReader(pdf).pages)
    for page in pages:
        with Image.open(page) as image:
            assert image.size[0] > 200, page.name


def test_champions_variant_sets_entities_side_by_side_suppressed_with_their_total(con):
    brief = build_brief(con, MEETING, None)
    table = brief.by_entity
    assert table is not None and table.columns[-1] == "All entities"
    entities = table.columns[1:-1]
    assert len(entities) == 6  # IOM's case rows and five entities' returns
    for row in table.filter(table["figure"].is_in(CASE_FIGURES)).iter_rows(named=True):
        shown = [row[e] for e in entities] + [row["All entities"]]
        assert not any(SMALL.match(v.replace(",", "")) for v in shown), row
        if any(v == "not broken down" for v in shown):
            continue  # too few to break down: nothing of the entities is published
        hidden = [v for v in shown if v == "suppressed"]
        assert len(hidden) != 1, row  # one hidden cell beside its total would be recoverable
    total = expected_headlines(con, None)["Allegations received"]
    assert table.filter(table["figure"] == "Allegations received")["All entities"][0] == total


def test_an_ad_hoc_date_starts_at_the_previous_calendar_meeting(con):
    period, title, ad_hoc = meeting_period(con, dt.date(2018, 1, 15))
    assert ad_hoc and period.quarters == ("2017Q1", "2017Q2", "2017Q3", "2017Q4")
    assert title.startswith("Ad-hoc")


def test_a_meeting_added_in_the_app_joins_the_calendar_and_the_audit_log(tmp_path):
    from pipelines.meetings import remove_meeting

    con = connect(tmp_path / "w.duckdb")
    with pytest.raises(PermissionError, match="only the administrator"):
        add_meeting(con, dt.date(2018, 10, 9), "PSEA SFP meeting 12", None, "fp@x", "focal_point")
    add_meeting(con, dt.date(2018, 10, 9), "PSEA SFP meeting 12", "Agenda: CBCM", "ad@x", "admin")
    with pytest.raises(ValueError, match="already in the calendar"):
        add_meeting(con, dt.date(2018, 10, 9), "again", None, "ad@x", "admin")
    period, title, ad_hoc = meeting_period(con, dt.date(2018, 10, 9))
    assert (period.quarters, title, ad_hoc) == (("2018Q2", "2018Q3"), "PSEA SFP meeting 12", False)
    remove_meeting(con, dt.date(2018, 10, 9), "ad@x", "admin")  # undone in the app
    assert meeting_period(con, dt.date(2018, 10, 9))[2]  # an ad-hoc date again
    with pytest.raises(ValueError, match="no added meeting"):
        remove_meeting(con, dt.date(2017, 3, 17), "ad@x", "admin")  # the seed's history stays
    actions = con.sql("select action from audit_log order by logged_at").fetchall()
    assert actions == [("add_sfp_meeting",), ("remove_sfp_meeting",)]
    con.close()


def test_cli_brief_writes_the_requested_formats(warehouse, tmp_path):
    out = tmp_path / "briefs"
    result = CliRunner().invoke(
        app,
        [
            "brief",
            "--meeting",
            "2018-04-17",
            "--entity",
            "IOM",
            "--out",
            str(out),
            "--formats",
            "docx,md",
            "--warehouse",
            str(warehouse),
        ],
    )
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert names == {
        "sfp_brief_2018-04-17_iom.docx",
        "sfp_brief_2018-04-17_iom.md",
        "sfp_brief_2018-04-17_iom_charts",
    }
    bad = CliRunner().invoke(
        app,
        [
            "brief",
            "--meeting",
            "2018-04-17",
            "--out",
            str(out),
            "--formats",
            "odt",
            "--warehouse",
            str(warehouse),
        ],
    )
    assert bad.exit_code == 2


def _timeliness_expected(con, entity: str | None) -> dict[str, tuple[int, int | None]]:
    """Each row of the brief's timeliness table as the metric layer counts it on the release's
    data: (count, out of)."""
    from psea.metrics import timeliness

    release = published.latest(con, published.snapshot_cutoff(con, MEETING))
    quarters = grid.meeting(MEETING, catalog.meeting_dates(con))
    period = Period(quarters.period.start, quarters.period.end, release.cutoff)
    # a stock is counted for each entity at the date of its own data; all entities sum those
    # that send case rows (a share of the open cases: the returns' overdue cases are not in it)
    rows = catalog.case_coverage(con, release.cutoff, rows_only=True)
    days = {e: min(release.coverage[e], release.cutoff) for e in ([entity] if entity else rows)}
    each = {e: timeliness.overdue(con, d, e) for e, d in days.items()}
    open_cases = sum(
        int(timeliness.open_cases_by_age(con, d, e)["count"].sum()) for e, d in days.items()
    )
    overdue = {
        "overdue_cases": sum(v["overdue_cases"] for v in each.values()),
        "overdue_investigations_former_rule": sum(
            v["overdue_investigations_former_rule"] for v in each.values()
        ),
    }
    outcome = timeliness.time_to_outcome(con, period, entity)
    urgency = {
        r["urgency"]: r
        for r in timeliness.urgent_investigations(con, period, entity).iter_rows(named=True)
    }
    victims = timeliness.victim_assistance(con, period, entity)
    # a share of victims is taken of those of the entities that report its breakdown
    covered = {
        by: int(facts.count(con, "victims", period, entity, by)["count"].sum())
        for by in ("needs_assessed", "assisted", "declined")
    }
    return {
        "Open cases at the date of the data": (open_cases, None),
        "Overdue: open more than 180 days since received, any stage": (
            overdue["overdue_cases"],
            open_cases,
        ),
        "Former rule: investigations open more than 180 days since opened": (
            overdue["overdue_investigations_former_rule"],
            None,
        ),
        "Outcomes of the period within 180 days of receipt": (
            outcome["within_aim"],
            outcome["outcomes"],
        ),
        "Urgent investigations (a child victim) within 90 days": (
            urgency["urgent"]["within_aim"],
            urgency["urgent"]["completed"],
        ),
        "Other investigations within 180 days": (
            urgency["other"]["within_aim"],
            urgency["other"]["completed"],
        ),
        "Victims whose needs were assessed": (
            victims["needs_assessed"],
            covered["needs_assessed"],
        ),
        "Victims with at least one service provided": (victims["assisted"], covered["assisted"]),
        "Victims still waiting for a needs assessment": (
            victims["waiting_for_needs_assessment"],
            covered["needs_assessed"],
        ),
        "Victims who declined a service": (victims["declined"], covered["declined"]),
    }


@pytest.mark.parametrize("entity", ["IOM", None])
def test_case_status_and_timeliness_in_the_brief_are_the_metric_layers_figures_protected(
    con, entity
):
    brief = build_brief(con, MEETING, entity)
    section = next(s for s in brief.sections if s.title == "Case status and timeliness")
    table, ages = (t.frame for t in section.tables)
    expected = _timeliness_expected(con, entity)
    assert list(table["figure"]) == list(expected)
    published_counts = 0
    for figure, count, whole in table.select("figure", "count", "out of").iter_rows():
        for shown, exact in ((count, expected[figure][0]), (whole, expected[figure][1])):
            assert not SMALL.match(shown.replace(",", "")), (figure, shown)
            if shown and shown[0].isdigit():  # a published figure is the exact one
                assert exact is not None and shown == f"{exact:,}", (figure, shown)
                published_counts += 1
            elif shown:
                assert shown in (
                    "suppressed",
                    "not broken down",
                    "not yet reported",
                    "not in the returns",
                ), shown
    assert published_counts, "the demo must publish some timeliness figures"
    for column in ages.columns[1:]:
        assert not any(SMALL.match(v.replace(",", "")) for v in ages[column]), column
    assert ages["stage"].to_list()[-1] == "total"
    assert ages["total"].to_list()[-1] == table["count"][0]  # the open cases, one figure


def test_case_status_and_timeliness_in_every_format(files):
    docx = Document(io.BytesIO(files["sfp_brief_2018-04-17_iom.docx"]))
    headings = [p.text for p in docx.paragraphs if p.style.name.startswith("Heading")]
    assert "Case status and timeliness" in headings
    tables = _docx_tables(files["sfp_brief_2018-04-17_iom.docx"])
    ages = next(t for t in tables if t[0][:2] == ["Stage", "Within 90 days"])
    assert [r[0] for r in ages[1:]] == [
        "Received",
        "Preliminary assessment",
        "Under investigation",
        "Under review (limited information)",
        "Total",
    ]
    md = files["sfp_brief_2018-04-17_iom.md"].decode()
    assert "## Case status and timeliness" in md and "| Former rule: investigations open" in md
    pdf = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(files["sfp_brief_2018-04-17_iom.pdf"])).pages
    )
    assert "Case status and timeliness" in pdf and "still waiting for a needs assessment" in pdf


def test_the_training_part_gives_induction_within_the_window_with_its_denominator(con, iom):
    ind = training.induction_within_window(con, iom.period, "IOM").row(0, named=True)
    section = next(s for s in iom.sections if s.title == "Training")
    assert any(
        p.startswith(f"Induction within 30 days: {ind['inducted']:,} of {ind['joiners']:,}")
        for p in section.paragraphs
    )
