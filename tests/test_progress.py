"""The SFP progress report: messages and action points written in the meeting workspace, kept with
their history, audit-logged, refused when they hold an identifier, and carried into the briefs of
later meetings in every format until closed; no brief prints a contract's code."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import polars as pl
import pytest
from conftest import copy_demo
from docx import Document
from pypdf import PdfReader

from data_contracts import contracts
from data_contracts.free_text import identifier_in
from pipelines.progress import TextRefused, add_action_point, save_part, update_action_point
from pipelines.warehouse import connect
from psea.brief import build_brief
from psea.brief import render as brief_render
from psea.metrics import progress
from psea.present.side_by_side import OWN_LABEL, RATE_LABEL

M10, M11 = dt.date(2017, 3, 17), dt.date(2018, 4, 17)
# demo data up to mid-2018: the 11th meeting (2018-04-17) within its two years of snapshots
ELEVENTH_IN_WINDOW = dt.date(2018, 6, 30)
LATER = dt.date(2018, 10, 2)  # a meeting after the 11th, not in the calendar
FP = ("focal.point@example.org", "focal_point")


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("progress") / "demo.duckdb"
    copy_demo(tmp_path_factory, path, seed=5, scale=0.05, end=ELEVENTH_IN_WINDOW)
    con = connect(path)
    yield con
    con.close()


@pytest.fixture(scope="module")
def written(con):
    """The 10th meeting raised two points; at the 11th, IOM wrote its report, closed one point and
    raised another."""
    carried = add_action_point(
        con,
        M10,
        "IOM",
        "Roll out the CBCM training of trainers",
        "PSEA Unit",
        dt.date(2017, 12, 31),
        *FP,
    )
    closed = add_action_point(
        con,
        M10,
        "IOM",
        "Share the SOP with implementing partners",
        "Regional Office for Asia and the Pacific",
        None,
        *FP,
    )
    save_part(
        con,
        M11,
        "IOM",
        "key_messages",
        ["Reporting rose where the CBCMs started.", "Coverage passed 85%."],
        *FP,
    )
    save_part(
        con,
        M11,
        "IOM",
        "key_messages",
        ["Reporting rose where the CBCMs started in Iraq and Yemen.", "Coverage passed 85%."],
        *FP,
    )
    save_part(
        con, M11, "IOM", "challenges", ["Investigation backlog in West and Central Africa."], *FP
    )
    save_part(con, M11, "IOM", "requests", ["Joint funding for inter-agency CBCMs."], *FP)
    update_action_point(con, closed, "IOM", M11, *FP, status="done")
    new = add_action_point(
        con, M11, "IOM", "Report the backlog plan to the Champion", "OIG", None, *FP
    )
    return {"carried": carried, "closed": closed, "new": new}


def _texts(files: dict[str, bytes], stem: str) -> dict[str, str]:
    doc = Document(io.BytesIO(files[f"{stem}.docx"]))
    docx = "\n".join(
        [p.text for p in doc.paragraphs]
        + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    )
    pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(files[f"{stem}.pdf"])).pages)
    return {"docx": docx, "pdf": pdf, "md": files[f"{stem}.md"].decode()}


@pytest.mark.parametrize(
    "text, rule",
    [
        ("Amina Diallo reported late", "no_personal_name"),
        ("Follow up with Ms Diallo", "no_personal_name"),
        ("The CoM, Pierre Martin, agreed", "no_personal_name"),
        ("Write to focal.point@iom.int", "no_email"),
        ("Call +41 22 717 9111", "no_phone_number"),
        ("Call 0791234567 after 18:00", "no_phone_number"),
        ("Case 0a1b2c3d4e5f6789 is pending", "no_reference"),
    ],
)
def test_identifier_like_text_is_refused_with_its_rule(text, rule):
    refusal = identifier_in("A clean first line.\n" + text)
    assert refusal is not None and (refusal.line, refusal.rule) == (2, rule)


@pytest.mark.parametrize(
    "text",
    [
        "Roll out the CBCM in South Sudan and the Democratic Republic of the Congo by 2018-06-30.",
        "The Chief of Mission in Yemen and the Senior Focal Point brief the IASC Principals.",
        "Mandatory coverage rose to 87.2% (37,865 of 43,405 personnel).",
        "Regional Office for Asia and the Pacific to train 120 managers in Q3.",
    ],
)
def test_the_words_of_a_progress_report_pass(text):
    assert identifier_in(text) is None


def test_refused_text_writes_nothing_and_is_not_repeated(con):
    before = con.sql(
        "select (select count(*) from progress_texts), (select count(*) from action_points), "
        "(select count(*) from audit_log)"
    ).fetchall()
    with pytest.raises(TextRefused) as err:
        save_part(con, M11, "UNHCR", "challenges", ["Fine line.", "Ask Amina Diallo"], *FP)
    assert (err.value.line, err.value.rule) == (2, "no_personal_name")
    assert "Amina" not in str(err.value) and "Diallo" not in str(err.value)
    with pytest.raises(TextRefused):
        add_action_point(con, M11, "UNHCR", "Call the CoM", "Jean Dupont", None, *FP)
    after = con.sql(
        "select (select count(*) from progress_texts), (select count(*) from action_points), "
        "(select count(*) from audit_log)"
    ).fetchall()
    assert after == before


def test_every_version_is_kept_with_who_and_when_and_audit_logged(con, written):
    versions = con.sql(
        "select version, items, written_by from progress_texts "
        "where meeting_date = $m and entity = 'IOM' and part = 'key_messages' order by version",
        params={"m": M11},
    ).fetchall()
    assert [v[0] for v in versions] == [1, 2] and {v[2] for v in versions} == {FP[0]}
    assert progress.report(con, M11, "IOM")["key_messages"][0].endswith("in Iraq and Yemen.")
    # saving the same text again makes no version
    assert (
        save_part(
            con,
            M11,
            "IOM",
            "challenges",
            ["Investigation backlog in West and Central Africa."],
            *FP,
        )
        == 1
    )
    history = progress.history(con, M11, "IOM")
    assert {"key_messages", "challenges", "requests"} <= set(history["what"])
    assert history.filter(pl.col("what") == f"action point {written['closed']}")[
        "change"
    ].to_list() == ["status done"]
    log = con.sql(
        "select actor, action, detail from audit_log "
        "where action like 'progress%' or action like 'action_point%'"
    ).fetchall()
    assert {a for actor, a, _ in log if actor == FP[0]} == {
        "progress_report_saved",
        "action_point_raised",
        "action_point_updated",
    }
    for actor, _, detail in log:  # counts and ids, never the text (the demo's reports' too)
        assert "Iraq" not in detail and "backlog" not in detail.lower()
        if actor == FP[0]:
            assert json.loads(detail)["entity"] == "IOM"


def test_another_entitys_point_cannot_be_changed(con, written):
    with pytest.raises(ValueError, match="no such action point"):
        update_action_point(con, written["carried"], "UNHCR", M11, *FP, status="dropped")


def test_the_11th_brief_leads_with_the_report_and_carries_the_points(con, written):
    brief = build_brief(con, M11, "IOM")
    files = brief_render.render(brief)
    for fmt, text in _texts(files, brief_render.file_stem(brief)).items():
        flat = " ".join(text.split())
        assert flat.index("Key messages") < flat.index("Headline figures"), fmt
        assert "Reporting rose where the CBCMs started in Iraq and Yemen." in flat, fmt
        assert "Investigation backlog in West and Central Africa." in flat, fmt
        assert "Joint funding for inter-agency CBCMs." in flat, fmt
        # the 10th meeting's open point, carried with its age; the closed one, closed here
        assert "Roll out the CBCM training of trainers" in flat, fmt
        assert "396 days" in flat, fmt
        assert (
            "Closed at this meeting" in flat and "Share the SOP with implementing partners" in flat
        ), fmt
        assert "Report the backlog plan to the Champion" in flat, fmt
        assert flat.rindex("Data sources and the suppression rule") > flat.index(
            "Headline figures"
        ), fmt


def test_an_open_point_is_carried_until_closed(con, written):
    later = progress.action_points(con, LATER, "IOM")
    state = dict(zip(later["point_id"], later["status"], strict=True))
    assert state[written["carried"]] == "open" and state[written["new"]] == "open"
    assert state[written["closed"]] == "done"
    assert not later.filter(pl.col("point_id") == written["closed"])["closed_here"].item()
    # at the 10th meeting the closed point was still open: a brief of M10 stays as it was
    at_10 = progress.action_points(con, M10, "IOM")
    assert set(at_10["status"]) == {"open"} and written["new"] not in at_10["point_id"].to_list()
    brief = build_brief(con, LATER, "IOM")
    text = brief_render.to_markdown(brief)[0]
    assert "Roll out the CBCM training of trainers" in text
    assert "Share the SOP with implementing partners" not in text  # closed at an earlier meeting
    update_action_point(con, written["carried"], "IOM", LATER, *FP, status="done")
    text = brief_render.to_markdown(build_brief(con, LATER, "IOM"))[0]
    assert "Closed at this meeting" in text
    assert re.search(r"\| Roll out the CBCM training of trainers \|[^\n]*\| Done \|", text)


def test_the_champions_report_gathers_each_entitys_report_with_rates(con, written):
    brief = build_brief(con, M11, None)
    text = brief_render.to_markdown(brief)[0]
    assert "## The entities' progress reports" in text and "### IOM" in text
    assert "Reporting rose where the CBCMs started in Iraq and Yemen." in text
    assert "Joint funding for inter-agency CBCMs." in text
    assert "Report the backlog plan to the Champion" in text
    assert "No progress report written for this meeting" in text  # the entities that wrote nothing
    table = {row.pop("figure"): row for row in brief.by_entity.iter_rows(named=True)}
    rates = table[RATE_LABEL]  # own personnel's allegations over own personnel: they match
    for scope in ("IOM", "All entities"):
        count = table[OWN_LABEL][scope]
        staff = table["Own personnel at the end of the period"][scope]
        if count.replace(",", "").isdigit():
            expected = 1000 * int(count.replace(",", "")) / int(staff.replace(",", ""))
            assert rates[scope] == f"{expected:.2f}"
        else:
            assert rates[scope] == count  # a hidden count hides its rate
    assert "more allegations can mean better reporting" in text.lower()


def test_no_brief_prints_a_contract_code(con, written):
    codes = {
        value
        for contract in contracts().values()
        for column in contract.columns
        for value in column.valid_values
    }
    multiword = {c for c in codes if "_" in c}
    assert len(multiword) > 20
    for entity in ("IOM", None):
        brief = build_brief(con, M11, entity)
        files = brief_render.render(brief)
        for fmt, text in _texts(files, brief_render.file_stem(brief)).items():
            for code in multiword:
                assert not re.search(rf"\b{re.escape(code)}\b", text), (fmt, code)
            if fmt != "pdf":  # a PDF's lines are wrapped text, not cells
                cells = {c.strip() for line in text.splitlines() for c in line.split("|")}
                assert not cells & codes, (fmt, cells & codes)  # a one-word code as itself
