"""The load page in the app: a valid upload loads, every bad file of the contract tests shows its
problems and leaves the warehouse unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from extracts import AS_OF, VALID, write_csv
from streamlit.testing.v1 import AppTest
from test_contracts import FILE_CASES, ROW_CASES, _latin1_cases

import psea.app.shell as shell
from data_contracts import contracts

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, request):
    from pipelines.load import ingest
    from pipelines.warehouse import connect, mark_demo

    folder = tmp_path_factory.mktemp("load_page")
    path = folder / "w.duckdb"
    con = connect(path)
    from extracts import write_all

    src = folder / "valid"
    src.mkdir()
    assert all(o.status == "accepted" for o in ingest(con, write_all(src), run_gx=False))
    # synthetic test extracts: demo mode opens only a warehouse marked demo
    mark_demo(con, seed=0, scale=0)
    con.close()
    return path


def counts(path: Path) -> dict[str, int]:
    from psea.app.session import _connection

    con = _connection(str(path)).cursor()  # the app's own connection to this file
    return {k: con.sql(f"select count(*) from {k}").fetchall()[0][0] for k in contracts()}


def open_load_page(path: Path, role: str = "analyst") -> AppTest:
    shell.DEMO_WAREHOUSE = path
    shell.demo_warehouse.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["role"] = role
    at.run()
    at.switch_page(str(ROOT / shell.PAGES["load"][0])).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader(key="load_files").set_value((name, content, "text/csv")).run()
    next(b for b in at.button if b.label == "Check and load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_valid_upload_loads_and_the_same_file_again_changes_nothing(warehouse, tmp_path):
    at = open_load_page(warehouse)
    before = counts(warehouse)
    rows = [{**r, "as_of": "2018-09-30"} for r in VALID["awareness_sessions"]()]
    content = write_csv(tmp_path, "awareness_sessions_2018-09-30.csv", rows).read_bytes()
    upload(at, "awareness_sessions_2018-09-30.csv", content)
    assert any("accepted and loaded" in s.value for s in at.success), [e.value for e in at.error]
    after = counts(warehouse)
    assert after["awareness_sessions"] == before["awareness_sessions"] + len(rows)
    upload(at, "awareness_sessions_2018-09-30.csv", content)
    assert any("already loaded" in i.value for i in at.info)
    assert counts(warehouse) == after


def test_every_bad_file_shows_its_problems_and_changes_nothing(warehouse, tmp_path):
    at = open_load_page(warehouse)
    before = counts(warehouse)
    cases = [
        (
            name,
            f"{kind}_{AS_OF}.csv",
            write_csv(tmp_path, f"{i}.csv", rows).read_bytes(),
            rule,
            column,
            row,
        )
        for i, (name, kind, rows, rule, column, row) in enumerate(ROW_CASES)
    ]
    cases += [
        (
            name,
            f"cases_{AS_OF}.csv",
            content if content is not None else _latin1_cases(tmp_path),
            rule,
            None,
            row,
        )
        for name, content, rule, row in FILE_CASES
    ]
    for name, file_name, content, rule, column, row in cases:
        upload(at, file_name, content)
        assert any("rejected: nothing loaded" in e.value for e in at.error), name
        problems = at.dataframe[-1].value
        hits = problems[(problems["rule"] == rule)]
        if column is not None:
            hits = hits[hits["column"] == column]
        if row is not None:
            hits = hits[hits["row"] == row]
        assert len(hits), (name, problems.to_dict("records"))
        assert counts(warehouse) == before, name
    assert len(cases) >= 37


def test_a_file_name_is_shown_as_plain_text_and_two_of_one_name_are_both_checked(
    warehouse, tmp_path
):
    name = "cases_[Session expired: sign in](https:__evil.example)_<img src=x onerror=alert(1)>.csv"
    rows = [{**VALID["cases"]()[0], "category": "x"}]
    content = write_csv(tmp_path, "any.csv", rows).read_bytes()
    at = open_load_page(warehouse)
    at.file_uploader(key="load_files").set_value([(name, content, "text/csv")] * 2).run()
    next(b for b in at.button if b.label == "Check and load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.text] == [f"{name} (Cases)"] * 2  # the kind in words
    assert len(at.error) == 2
    markup = [e.value for e in [*at.error, *at.success, *at.info, *at.markdown, *at.caption]]
    assert not any("evil.example" in m or "onerror" in m for m in markup), markup
    assert any("at most 64 columns" in c.value for c in at.caption)  # the limits are shown


def test_the_load_page_is_not_for_focal_points(warehouse):
    shell.DEMO_WAREHOUSE = warehouse
    shell.demo_warehouse.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["role"] = "focal_point"
    at.run()
    try:
        at.switch_page(str(ROOT / shell.PAGES["load"][0])).run()
    except ValueError:
        return
    assert any("not available for your role" in e.value for e in at.error)
    assert not at.get("file_uploader")
