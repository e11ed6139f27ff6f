"""The data-quality page shows each viewer the loads of their own entity, renders a stored rejection
message as plain text, and audit-logs the problems-list download (docs/access.md, "Failing closed")."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

import psea.app.shell as shell
from pipelines.warehouse import connect, mark_demo

ROOT = Path(__file__).resolve().parent.parent
LINK = "[Session expired: sign in again](https://evil.example/login)"
# load_id, file_name, entities, status, message
LOADS = [
    ("l-iom", "cases_2018-06-30.csv", "IOM", "accepted", None),
    ("l-unhcr", "unhcr_cases_2018-06-30.csv", "UNHCR", "accepted", None),
    ("l-both", "both_training_2018-06-30.csv", "IOM,UNHCR", "rejected", "rows of two entities"),
    ("l-iom-bad", "iom_bad_2018-06-30.csv", "IOM", "rejected", f"header not recognised {LINK}"),
    ("l-nobody", "nobody_2018-06-30.csv", None, "rejected", "no entity known"),
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data_quality") / "demo.duckdb"
    con = connect(path)
    mark_demo(con, seed=0, scale=0)  # demo mode opens only a demo warehouse
    for minute, (load_id, file_name, entities, status, message) in enumerate(LOADS):
        con.execute(
            """insert into load_manifest (load_id, file_name, sha256, kind, entities, as_of,
                   status, message, finished_at) values (?, ?, ?, 'cases', ?, ?, ?, ?, ?)""",
            [
                load_id,
                file_name,
                load_id,
                entities,
                dt.date(2018, 6, 30),
                status,
                message,
                dt.datetime(2018, 7, 1, 9, minute),
            ],
        )
        if status == "rejected":
            con.execute(
                "insert into load_problems values (?, 2, 'entity', 'allowed_values', ?, null)",
                [load_id, LINK],
            )
    con.close()
    return path


def open_data_quality(path: Path, role: str) -> AppTest:
    shell.DEMO_WAREHOUSE = path
    shell.demo_warehouse.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["role"] = role
    at.run()
    at.switch_page(str(ROOT / shell.PAGES["data_quality"][0])).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def history(at: AppTest) -> list[str]:
    frame = next(f.value for f in at.dataframe if "file_name" in f.value.columns)
    return sorted(frame["file_name"])


def test_an_iom_analyst_sees_only_iom_loads(warehouse):
    at = open_data_quality(warehouse, "analyst")  # the demo analyst is IOM's
    assert history(at) == [
        "both_training_2018-06-30.csv",
        "cases_2018-06-30.csv",
        "iom_bad_2018-06-30.csv",
    ]
    assert sorted(at.selectbox(key="dq_load").options) == sorted(
        f"{name} · {status} · 2018-06-30"
        for _, name, entities, status, _ in LOADS
        if entities and "IOM" in entities
    )
    assert [m.value for m in at.metric][:2] == ["1", "2"]


def test_the_administrator_sees_every_load_and_those_of_no_known_entity(warehouse):
    at = open_data_quality(warehouse, "admin")
    assert history(at) == sorted(name for _, name, *_ in LOADS)


def test_a_markdown_link_in_a_rejection_message_renders_as_text(warehouse):
    at = open_data_quality(warehouse, "analyst")
    at.selectbox(key="dq_load").set_value("l-iom-bad").run()
    assert f"header not recognised {LINK}" in [t.value for t in at.text]
    shown = [e.value for e in at.error] + [m.value for m in at.markdown]
    assert not any("evil.example" in s for s in shown), shown


def test_the_problems_download_is_audit_logged(warehouse, monkeypatch):
    from psea.app.session import warehouse_cursor

    produced = {}
    add_deferred = MediaFileManager.add_deferred

    def keep(self, data, mimetype, coordinates, file_name=None, **kwargs):
        produced[file_name] = data  # what the browser's click would run
        return add_deferred(self, data, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    at = open_data_quality(warehouse, "analyst")
    at.selectbox(key="dq_load").set_value("l-iom-bad").run()
    assert "Download the problems (CSV)" in [b.label for b in at.get("download_button")]
    csv = produced["problems_l-iom-bad.csv"]().decode()
    assert csv.splitlines()[1].startswith("2,entity,allowed_values")
    logged = (
        warehouse_cursor(str(warehouse))
        .sql("select actor, role, action, detail from audit_log where action = 'export'")
        .fetchall()
    )
    assert [(a, r, json.loads(d)) for a, r, _, d in logged] == [
        ("demo-analyst", "analyst", {"what": "load_problems", "load_id": "l-iom-bad"})
    ]
