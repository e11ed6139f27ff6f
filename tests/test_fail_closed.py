"""The dashboard fails closed (docs/access.md): a configuration it cannot trust stops it with a message
for the operator — no demo banner, no role picker, no figure — and a signed-in user not in the users
file, or with an unverified e-mail, sees "no access" and is in the audit log (AppTest drives app.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit
from conftest import copy_demo
from streamlit.runtime.secrets import Secrets
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options
from test_access import AUTH, VALID

import psea.app.shell as shell
from pipelines.warehouse import connect

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def login(tmp_path, monkeypatch):
    """A login deployment: an empty warehouse and the users file in tmp_path."""
    monkeypatch.delenv("PSEA_DEMO", raising=False)
    monkeypatch.setenv("PSEA_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("PSEA_USERS", str(tmp_path / "users.yaml"))
    connect(tmp_path / "w.duckdb").close()
    (tmp_path / "users.yaml").write_text(VALID, encoding="utf-8")
    return tmp_path


def open_app(secrets: dict | None = None, user: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets = dict(secrets or {})
    at.user = dict(user or {"is_logged_in": False})
    return at.run()


def assert_closed(at: AppTest, message: str) -> None:
    """Stopped with the operator's message, and nothing else of the app."""
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["PSEA Oversight is closed"]
    assert any(message in t.value for t in at.text), [t.value for t in at.text]
    assert not any("Demo mode" in w.value for w in at.warning)
    assert not at.selectbox and not at.metric and not at.dataframe and not at.button
    assert not at.sidebar.get("page_link")


def audit_rows(path: Path) -> list[tuple]:
    from psea.app.session import warehouse_cursor

    return (
        warehouse_cursor(str(path))
        .sql("select actor, role, action, detail from audit_log")
        .fetchall()
    )


def test_a_secrets_file_that_cannot_be_parsed_stops_the_app(tmp_path, monkeypatch):
    bad = tmp_path / "secrets.toml"
    bad.write_text('[auth\nclient_id = "psea"\n', encoding="utf-8")
    monkeypatch.setattr(streamlit, "secrets", Secrets())  # the real parser, reading this file
    monkeypatch.delenv("PSEA_DEMO", raising=False)
    with patch_config_options({"secrets.files": [str(bad)]}):
        at = open_app()
    assert_closed(at, "The secrets file (.streamlit/secrets.toml) cannot be parsed")


def test_no_secrets_file_at_all_is_demo_mode(tmp_path, tmp_path_factory, monkeypatch):
    monkeypatch.setattr(streamlit, "secrets", Secrets())
    monkeypatch.delenv("PSEA_DEMO", raising=False)
    copy_demo(tmp_path_factory, tmp_path / "demo.duckdb", seed=3, scale=0.02)
    monkeypatch.setattr(shell, "DEMO_WAREHOUSE", tmp_path / "demo.duckdb")
    shell.demo_warehouse.clear()
    with patch_config_options({"secrets.files": [str(tmp_path / "absent" / "secrets.toml")]}):
        at = open_app()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Demo mode" in w.value for w in at.warning)
    assert at.sidebar.selectbox(key="demo_role").value == "champion_office"


@pytest.mark.parametrize(
    ("auth", "message"),
    [
        ({k: v for k, v in AUTH.items() if k != "server_metadata_url"}, "set server_metadata_url"),
        (
            {"client_id": "psea"},
            "set redirect_uri, cookie_secret, client_secret, server_metadata_url",
        ),
    ],
)
def test_an_incomplete_auth_section_stops_the_app(login, auth, message):
    assert_closed(open_app({"auth": auth}), message)


def test_psea_demo_beside_auth_stops_the_app(login, monkeypatch):
    monkeypatch.setenv("PSEA_DEMO", "1")
    assert_closed(open_app({"auth": AUTH}), "PSEA_DEMO=1 and an [auth] section contradict")


def test_demo_mode_refuses_a_warehouse_not_built_as_a_demo(login, monkeypatch):
    monkeypatch.setenv("PSEA_DEMO", "1")
    monkeypatch.setattr(shell, "DEMO_WAREHOUSE", login / "w.duckdb")  # a real warehouse's file
    shell.demo_warehouse.clear()
    assert_closed(open_app({"other": "x"}), "is not one built by `psea demo`")


def test_a_users_file_entry_without_an_entity_stops_the_app_with_its_line(login):
    (login / "users.yaml").write_text(
        "users:\n"
        "  sfp@example.org: {role: focal_point, entity: IOM}\n"
        "  analyst@example.org: {role: analyst}\n",
        encoding="utf-8",
    )
    user = {"is_logged_in": True, "email": "analyst@example.org", "email_verified": True}
    at = open_app({"auth": AUTH}, user)
    assert_closed(at, "line 3: the role analyst needs an entity")
    assert not any("analyst@example.org" in t.value for t in at.text)
    assert audit_rows(login / "w.duckdb") == []  # nobody signed in


def test_a_users_file_that_cannot_be_read_stops_the_app(login):
    (login / "users.yaml").unlink()
    assert_closed(open_app({"auth": AUTH}), "cannot be read")


def test_a_listed_user_signs_in_to_the_pages_of_their_role(login):
    user = {"is_logged_in": True, "email": "analyst@example.org", "email_verified": True}
    at = open_app({"auth": AUTH}, user)
    assert not at.exception, [e.value for e in at.exception]
    assert not any("Demo mode" in w.value for w in at.warning)
    assert any("Signed in as analyst@example.org (Analyst)" in t.value for t in at.sidebar.text)
    assert "Load extracts" in [link.proto.label for link in at.sidebar.get("page_link")]
    at.run()
    assert audit_rows(login / "w.duckdb") == [("analyst@example.org", "analyst", "sign_in", "{}")]


@pytest.mark.parametrize(
    ("user", "actor", "detail"),
    [
        (
            {"email": "stranger@example.org", "email_verified": True, "name": "A Stranger"},
            "stranger@example.org",
            {"claim": "email", "reason": "unknown user"},
        ),
        (
            {"email": "analyst@example.org", "email_verified": False},
            "analyst@example.org",
            {"claim": "email", "reason": "e-mail not verified"},
        ),
        ({"sub": "00u9zzzz"}, "00u9zzzz", {"claim": "sub", "reason": "unknown user"}),
    ],
)
def test_a_user_let_in_nowhere_sees_no_access_and_is_audit_logged(login, user, actor, detail):
    at = open_app({"auth": AUTH}, {"is_logged_in": True, **user})
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [
        "No access: your account has no role in PSEA Oversight. Ask the administrator."
    ]
    assert [b.label for b in at.button] == ["Sign out"]
    assert not at.sidebar.get("page_link") and not at.metric and not at.dataframe
    at.run()  # a rerun is not a second attempt
    rows = audit_rows(login / "w.duckdb")
    assert [(a, r, act, json.loads(d)) for a, r, act, d in rows] == [
        (actor, None, "sign_in_denied", detail)
    ]
