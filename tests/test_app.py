"""The dashboard as its users see it, in demo mode (AppTest drives the real app file)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import copy_demo
from streamlit.testing.v1 import AppTest

import psea.app.shell as shell
from psea.app.access import PAGE_ROLES, who_may_open
from psea.metrics import cases

ROOT = Path(__file__).resolve().parent.parent
# demo data up to mid-2018: the 11th meeting (2018-04-17) within its two years of snapshots
ELEVENTH_IN_WINDOW = dt.date(2018, 6, 30)
CASE_PAGES = ["overview", "allegations", "investigations", "victims"]
ROLES_PAGES = {
    role: [p for p, roles in PAGE_ROLES.items() if role in roles]
    for role in ("champion_office", "focal_point", "analyst", "admin")
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory, no_public_knowledge):
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    copy_demo(tmp_path_factory, path, seed=11, scale=0.05, end=ELEVENTH_IN_WINDOW)
    global DEMO_PATH
    DEMO_PATH = path
    return path


DEMO_PATH = None


def open_app(role: str) -> AppTest:
    # other test modules point the app at their own warehouse: point it back each time
    shell.DEMO_WAREHOUSE = DEMO_PATH
    shell.demo_warehouse.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["role"] = role
    return at.run()


@pytest.mark.parametrize("role", list(ROLES_PAGES))
def test_every_page_of_every_role_renders_with_the_demo_banner(demo, role):
    at = open_app(role)
    assert any("Demo mode" in w.proto.body for w in at.warning), role
    for page in ROLES_PAGES[role]:
        at.switch_page(str(ROOT / shell.PAGES[page][0])).run()
        assert not at.exception, (role, page, [e.value for e in at.exception])
        assert any("Demo mode" in w.proto.body for w in at.warning), (role, page)
        links = [link.proto.label for link in at.sidebar.get("page_link")]
        assert links == [shell.PAGES[p][1] for p in ROLES_PAGES[role]], (role, page, links)
        assert not at.error, (role, page, [e.value for e in at.error])


def test_overview_metric_equals_the_metric_layer(demo):
    at = open_app("analyst")
    from psea.app.page import period_choices
    from psea.app.session import _connection

    con = _connection(str(demo)).cursor()  # the app's own connection: one configuration per file

    cutoff = con.sql("select max(as_of) from cases").fetchall()[0][0]
    period = period_choices(con, cutoff)[at.selectbox(key="period").value]
    expected = cases.allegations_received(con, period, "IOM").item()
    shown = next(m.value for m in at.metric if m.label == "Allegations received")
    assert shown == f"{expected:,}"


def test_cached_figures_and_charts_follow_the_viewer(demo):
    """Personnel figures and charts are cached per warehouse state, role, entity and period: the
    Champion's office and a focal point, one after the other and back, each see their own
    figures (equal to the metric layer's for their scope), never the other's."""
    import json

    from psea.app.session import _connection
    from psea.disclosure import published
    from psea.metrics import training

    con = _connection(str(demo)).cursor()
    release = published.latest(con)
    seen = {}
    for role, entity in (("focal_point", "IOM"), ("champion_office", None), ("focal_point", "IOM")):
        at = open_app(role)
        label = at.selectbox(key="period").value
        end = release.periods(entity or published.ALL)[label].period.end
        expected = training.mandatory_coverage(con, end, entity).row(0, named=True)
        flagged = training.audit_risk(con, end, entity)
        captions = [c.value for c in at.caption]
        assert f"{expected['covered']:,} of {expected['active']:,}" in captions, (role, captions)
        risk = next(m.value for m in at.metric if m.label == "Missions flagged as audit risks")
        larger = flagged.filter(~flagged["small"])  # small missions are listed apart
        assert risk == f"{int(larger['flagged'].sum())} of {larger.height}", role
        at.switch_page(str(ROOT / shell.PAGES["allegations"][0])).run()
        assert not at.exception, [e.value for e in at.exception]
        charts = at.get("vega_lite_chart")
        assert charts and all(json.loads(c.proto.spec) for c in charts), role
        seen.setdefault(role, []).append([d.data.data for c in charts for d in c.proto.datasets])
    assert seen["focal_point"][0] == seen["focal_point"][1]
    assert seen["focal_point"][0] != seen["champion_office"][0]


@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("champion_office", "un_quarterly"),
        ("champion_office", "audit"),
        ("champion_office", "load"),
        ("focal_point", "load"),
        ("focal_point", "data_quality"),
        ("analyst", "audit"),
    ],
)
def test_a_page_outside_the_role_is_refused_even_by_url(demo, role, page):
    at = open_app(role)
    assert page not in ROLES_PAGES[role]
    try:
        at.switch_page(str(ROOT / shell.PAGES[page][0])).run()
    except ValueError:
        return  # not in the role's navigation at all: "page not found"
    assert any("not available for your role" in e.value for e in at.error)
    assert not at.dataframe
    # the page's own title, and who may open it, in words
    assert [t.value for t in at.title] == [shell.PAGES[page][1]]
    assert any(f"is for {who_may_open(page)}" in e.value for e in at.error)


SMALL = re.compile(r"^[1-4]$")


@pytest.mark.parametrize("role", ["champion_office", "focal_point"])
def test_no_rendered_case_figure_lies_between_1_and_k_minus_1(demo, role):
    at = open_app(role)
    periods = at.selectbox(key="period").options[:6]
    for page in CASE_PAGES:
        at.switch_page(str(ROOT / shell.PAGES[page][0])).run()
        for period in periods:
            at.selectbox(key="period").set_value(period).run()
            for metric in at.metric:
                if metric.label.startswith(("Mandatory PSEA", "Missions flagged")):
                    continue  # personnel figures, not suppressed (docs/indicators.md)
                assert not SMALL.match(metric.value.replace(",", "")), (
                    page,
                    period,
                    metric.label,
                    metric.value,
                )
            for frame in at.dataframe:
                for column in ("allegations", "subjects"):
                    if column in frame.value.columns:
                        assert not any(SMALL.match(str(v)) for v in frame.value[column]), (
                            page,
                            period,
                            column,
                        )


def _scorecard(at):
    return next(f.value for f in at.dataframe if "team_coverage" in f.value.columns)


def test_manager_page_withholds_small_teams_from_the_focal_point(demo):
    at = open_app("focal_point")
    at.switch_page(str(ROOT / shell.PAGES["managers"][0])).run()
    assert not at.exception, [e.value for e in at.exception]
    table = _scorecard(at)
    sizes = [int(v) for v in table["team_size"] if v == v and v is not None]
    assert sizes and min(s for s in sizes if s > 0) >= 5
    small = table[table["team coverage status"] == "team too small to report"]
    assert len(small) > 0 and small["team_coverage"].isna().all()


def test_manager_page_gives_the_analyst_the_metric_layer_figures(demo):
    from psea.app.session import _connection
    from psea.metrics import managers

    at = open_app("analyst")
    at.switch_page(str(ROOT / shell.PAGES["managers"][0])).run()
    assert not at.exception, [e.value for e in at.exception]
    con = _connection(str(demo)).cursor()
    cutoff = con.sql("select max(as_of) from cases").fetchall()[0][0]
    from psea.app.page import period_choices

    period = period_choices(con, cutoff)[at.selectbox(key="period").value]
    expected = managers.scorecard(con, period.end, "IOM")
    assert next(m.value for m in at.metric if m.label == "Managers") == f"{expected.height:,}"
    table = _scorecard(at)
    assert len(table) == expected.height
    assert (table["team_size"] < 5).any()  # exact figures for the analyst
    at.selectbox(key="mgr_mission").set_value(at.selectbox(key="mgr_mission").options[1]).run()
    assert len(_scorecard(at)) < expected.height


def test_manager_page_is_refused_to_the_champions_office(demo):
    at = open_app("champion_office")
    try:
        at.switch_page(str(ROOT / shell.PAGES["managers"][0])).run()
    except ValueError:
        return
    assert any("not available for your role" in e.value for e in at.error)
    assert not at.dataframe


def test_briefs_page_previews_the_brief_of_the_metric_layer_suppressed(demo):

    from psea.app.session import _connection
    from psea.brief import build_brief

    at = open_app("focal_point")
    at.switch_page(str(ROOT / shell.PAGES["briefs"][0])).run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="brief_meeting").set_value("2018-04-17").run()
    assert not at.exception, [e.value for e in at.exception]
    expected = build_brief(_connection(str(demo)).cursor(), dt.date(2018, 4, 17), "IOM")
    headline = next(f.value for f in at.dataframe if "This period" in f.value.columns)
    assert list(headline["This period"]) == [h.value for h in expected.headlines]
    for column in ("This period", "Previous period"):
        for label, value in zip(headline["Figure"], headline[column], strict=True):
            if label.startswith(("Mandatory", "Missions")):
                continue
            assert not SMALL.match(str(value).replace(",", "")), (label, value)
    assert [b.label for b in at.get("download_button")][:3] == [
        "Word (DOCX, to edit)",
        "PDF",
        "Markdown and charts (ZIP)",
    ]


def test_only_the_admin_adds_a_meeting_and_sees_only_the_calendar(demo):

    focal = open_app("focal_point")
    focal.switch_page(str(ROOT / shell.PAGES["briefs"][0])).run()
    assert not [b for b in focal.button if b.label == "Add to the calendar"]
    at = open_app("admin")
    at.switch_page(str(ROOT / shell.PAGES["briefs"][0])).run()
    at.date_input(key="new_meeting_date").set_value(dt.date(2026, 10, 20))
    at.text_input(key="new_meeting_title").set_value("PSEA SFP meeting, October 2026")
    next(b for b in at.button if b.label == "Add to the calendar").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Added the meeting of 2026-10-20" in s.value for s in at.success)
    admin = open_app("admin")
    admin.switch_page(str(ROOT / shell.PAGES["briefs"][0])).run()
    assert not admin.exception
    assert not [f for f in admin.dataframe if "This period" in f.value.columns]
    calendar = next(f.value for f in admin.dataframe if "meeting_date" in f.value.columns)
    assert "PSEA SFP meeting, October 2026" in list(calendar["title"])


def test_a_focal_point_writes_the_progress_report_in_the_meeting_workspace(demo):
    at = open_app("focal_point")
    at.switch_page(str(ROOT / shell.PAGES["briefs"][0])).run()
    at.selectbox(key="brief_meeting").set_value("2018-04-17").run()
    assert not at.exception, [e.value for e in at.exception]
    # prefilled with the figures' suggestions until saved
    assert at.text_area(key="ws-text-key_messages-2018-04-17").value
    at.text_area(key="ws-text-key_messages-2018-04-17").set_value(
        "Reporting rose where the CBCMs started.\nAsk Amina Diallo to follow up."
    )
    next(b for b in at.button if b.label == "Save key messages").click().run()
    errors = [e.value for e in at.error]
    assert any("line 2" in e and "no_personal_name" in e for e in errors), errors
    assert not any("Amina" in e or "Diallo" in e for e in errors)
    at.text_area(key="ws-text-key_messages-2018-04-17").set_value(
        "Reporting rose where the CBCMs started."
    )
    next(b for b in at.button if b.label == "Save key messages").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("version 1" in s.value for s in at.success), [s.value for s in at.success]
    assert any("1. Reporting rose where the CBCMs started." in t.value for t in at.text)
    at.text_input(key="ws-action").set_value("Share the SOP with implementing partners")
    at.text_input(key="ws-owner").set_value("PSEA Unit")
    next(b for b in at.button if b.label == "Raise").click().run()
    assert any("Action point raised" in s.value for s in at.success)
    points = [f.value for f in at.dataframe if "Owner" in f.value.columns]
    assert points and "Share the SOP with implementing partners" in list(points[0]["Action"])


def test_a_focal_point_sets_the_entity_s_commitments_in_the_workspace(demo):
    at = open_app("focal_point")
    at.switch_page(str(ROOT / shell.PAGES["briefs"][0])).run()
    at.selectbox(key="brief_meeting").set_value("2018-04-17").run()
    status = at.selectbox(key="ws-cm-status-mos-2018-04-17")
    assert status.value in ("not_started", "in_progress", "in_place")  # the demo's, as set
    line = at.text_input(key="ws-cm-line-victims_first-2018-04-17")
    line.set_value("Ask x.y@example.org for the pathway")
    next(b for b in at.button if b.label == "Save the commitments").click().run()
    errors = [e.value for e in at.error]
    assert any("Putting victims first" in e and "no_email" in e for e in errors), errors
    assert not any("example.org" in e for e in errors)
    at.selectbox(key="ws-cm-status-mos-2018-04-17").set_value("in_place")
    at.text_input(key="ws-cm-line-mos-2018-04-17").set_value("All standards met.")
    at.text_input(key="ws-cm-line-victims_first-2018-04-17").set_value("Pathways mapped.")
    next(b for b in at.button if b.label == "Save the commitments").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Commitments saved (2 changed)" in s.value for s in at.success)
    tables = [f.value for f in at.dataframe if "Where it stands" in f.value.columns]
    mos = tables[0].set_index("Commitment").loc["Minimum Operating Standards on PSEA"]
    assert mos["Status"].startswith("In place") and mos["Where it stands"] == "All standards met."


# --- timeliness of case handling (docs/indicators.md) -------------------------------------------

TIMELINESS_PAGES = ["investigations", "victims"]


def _metric(at, start: str):
    return next(m for m in at.metric if m.label.startswith(start))


def _analyst_period(demo, at):
    from psea.app.page import period_choices
    from psea.app.session import _connection

    con = _connection(str(demo)).cursor()
    cutoff = con.sql("select max(as_of) from cases").fetchall()[0][0]
    return con, period_choices(con, cutoff)[at.selectbox(key="period").value]


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "no data"


def _former_rule(con, cutoff, entity: str) -> int:
    """The former overdue rule counted straight from the case rows (an independent check of the
    open-cases family): open investigations opened more than the overdue days before the cut-off."""
    from psea.settings import settings

    days = int(settings()["investigations"]["overdue_after_days"])
    return con.sql(
        """select count(*) from cases_at($cutoff)
           where investigated and not finding_reached
             and investigation_opened_on < $cutoff - to_days($days) and entity = $entity""",
        params={"cutoff": cutoff, "entity": entity, "days": days},
    ).fetchall()[0][0]


def test_timeliness_on_the_investigations_page_equals_the_metric_layer_for_the_analyst(demo):
    from psea.metrics import timeliness

    at = open_app("analyst")
    at.switch_page(str(ROOT / shell.PAGES["investigations"][0])).run()
    assert not at.exception, [e.value for e in at.exception]
    con, period = _analyst_period(demo, at)
    ages = timeliness.open_cases_by_age(con, period.end, "IOM")
    open_cases = int(ages["count"].sum())
    overdue = timeliness.overdue(con, period.end, "IOM")
    assert overdue["overdue_investigations_former_rule"] == _former_rule(con, period.end, "IOM")
    assert _metric(at, "Open cases").value == f"{open_cases:,}"
    assert _metric(at, "Overdue cases").value == _share(overdue["overdue_cases"], open_cases)
    assert _metric(at, "Former rule").value == f"{overdue['overdue_investigations_former_rule']:,}"
    assert f"{overdue['overdue_cases']:,} of {open_cases:,}" in [c.value for c in at.caption]
    table = next(f.value for f in at.dataframe if "Stage" in f.value.columns)
    from psea.metrics import facts
    from psea.present.labels import label

    column = dict(
        zip(
            timeliness.age_buckets(),
            map(label, facts.bucket_codes(facts.age_bounds())),
            strict=True,
        )
    )
    rows = {label(stage): i for i, stage in enumerate(facts.OPEN_STAGES)}
    for stage, age, n in ages.iter_rows():  # every cell of the table, as the metric layer counts it
        assert table[column[age]].iloc[rows[label(stage)]] == f"{n:,}", (stage, age)
    assert table["Total"].iloc[len(rows)] == f"{open_cases:,}"
    outcome = timeliness.time_to_outcome(con, period, "IOM")
    assert _metric(at, "Outcomes ≤ 180 days").value == _share(
        outcome["within_aim"], outcome["outcomes"]
    )
    urgent = timeliness.urgent_investigations(con, period, "IOM").row(0, named=True)
    assert urgent["urgency"] == "urgent"
    assert _metric(at, "Urgent within").value == _share(urgent["within_aim"], urgent["completed"])


def test_victims_waiting_for_a_needs_assessment_equal_the_metric_layer_for_the_analyst(demo):
    from psea.metrics import timeliness

    at = open_app("analyst")
    at.switch_page(str(ROOT / shell.PAGES["victims"][0])).run()
    assert not at.exception, [e.value for e in at.exception]
    con, period = _analyst_period(demo, at)
    help_ = timeliness.victim_assistance(con, period, "IOM")
    assert _metric(at, "Awaiting assessment").value == _share(
        help_["waiting_for_needs_assessment"], help_["victims"]
    )
    assert _metric(at, "Needs assessed").value == _share(help_["needs_assessed"], help_["victims"])
    assert _metric(at, "Victims assisted").value == _share(help_["assisted"], help_["victims"])
    median = help_["median_days_waiting"]
    expected = "no data" if median is None else f"{median:,.0f} days"
    assert _metric(at, "Median days waiting").value == expected


@pytest.mark.parametrize("role", ["champion_office", "focal_point"])
def test_no_timeliness_figure_lies_between_1_and_k_minus_1_for_other_roles(demo, role):
    """Metrics, their 'x of y' captions and the open-cases table, over the periods and (for the
    Champion's office) the entities: none shows a count from 1 to K-1."""
    from psea.app.session import _connection
    from psea.disclosure import published

    at = open_app(role)
    release = published.latest(_connection(str(demo)).cursor())
    checked = 0
    for page in TIMELINESS_PAGES:
        at.switch_page(str(ROOT / shell.PAGES[page][0])).run()
        for period in at.selectbox(key="period").options[:4]:
            at.selectbox(key="period").set_value(period).run()
            assert not at.exception, [e.value for e in at.exception]
            for caption in at.caption:
                if match := re.fullmatch(r"(\S+) of (\S+)", caption.value):
                    assert not any(SMALL.match(g.replace(",", "")) for g in match.groups()), (
                        page,
                        period,
                        caption.value,
                    )
                    checked += 1
            for frame in at.dataframe:
                if "Stage" in frame.value.columns:
                    for column in frame.value.columns[1:]:
                        assert not any(SMALL.match(str(v)) for v in frame.value[column]), column
                    checked += 1
        if page == "investigations":
            scope = "IOM" if role == "focal_point" else published.ALL
            cell = release.cell("open_cases", "total", "total", scope, "cut-off")
            if cell is None:  # all entities, while some send returns (no open cases by stage)
                assert scope == published.ALL and any(e not in ("IOM",) for e in release.scopes)
                expected = "not broken down"
            else:
                expected = "suppressed" if cell[1] else f"{cell[0]:,}"
            assert _metric(at, "Open cases").value == expected
    assert checked
