"""Failing closed (docs/access.md): the users file checked line by line, the identity claim verified, and
the dashboard stopped by a configuration it cannot trust, never fallen back to demo mode."""

from __future__ import annotations

import os
import time

import pytest

from psea.app.access import (
    Assignment,
    SignInDenied,
    UsersFileError,
    Viewer,
    load_users,
    sign_in,
)
from psea.app.deployment import ConfigurationError, check_auth, demo_requested

VALID = """\
users:
  champion.office@example.org: {role: champion_office}
  sfp@example.org: {role: focal_point, entity: IOM}
  analyst@example.org:
    role: analyst
    entity: UNHCR
  "00u1abcd": {role: admin}
"""


def users_at(tmp_path, text: str):
    path = tmp_path / "users.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path, text: str) -> tuple[str, ...]:
    with pytest.raises(UsersFileError) as caught:
        load_users(users_at(tmp_path, text))
    return caught.value.problems


def test_a_valid_users_file_gives_each_identity_its_role_and_entity(tmp_path):
    users = load_users(users_at(tmp_path, VALID))
    assert users == {
        "champion.office@example.org": Assignment("champion_office", None),
        "sfp@example.org": Assignment("focal_point", "IOM"),
        "analyst@example.org": Assignment("analyst", "UNHCR"),
        "00u1abcd": Assignment("admin", None),
    }


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("{role: analyst}", "line 3: the role analyst needs an entity"),
        ("{role: focal_point}", "line 3: the role focal_point needs an entity"),
        ("{entity: IOM}", "line 3: no valid role"),
        ("{role: superuser, entity: IOM}", "line 3: no valid role"),
        ("{role: analyst, entity: iom}", "line 3: the entity must be an upper-case code"),
        ("{role: analyst, entity: I}", "line 3: the entity must be an upper-case code"),
        ("{role: analyst, entity: ABCDEFGHIJKLM}", "line 3: the entity must be an upper-case code"),
        ("{role: analyst, entity: 'IOM; UNHCR'}", "line 3: the entity must be an upper-case code"),
        ("{role: analyst, entitiy: IOM}", "line 3: only one role and one entity per entry"),
        ("{role: admin, entity: IOM}", "line 3: the role admin sees every entity"),
        ("analyst", "line 3: an entry must be a mapping"),
    ],
)
def test_an_entry_the_app_cannot_trust_is_refused_with_its_line(tmp_path, entry, problem):
    text = f"users:\n  sfp@example.org: {{role: focal_point, entity: IOM}}\n  who@example.org: {entry}\n"
    problems = refused(tmp_path, text)
    assert len(problems) == 1 and problems[0].startswith(problem), problems
    assert "who@example.org" not in problems[0]  # the screen never shows who is listed


def test_the_users_file_is_refused_whole_with_every_problem_and_a_duplicate(tmp_path):
    text = (
        "users:\n"
        "  a@example.org: {role: analyst}\n"
        "  b@example.org: {role: admin}\n"
        "  b@example.org: {role: analyst, entity: IOM}\n"
    )
    assert refused(tmp_path, text) == (
        "line 2: the role analyst needs an entity",
        "line 4: the same identity as line 3",
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "line 1: the file must be a mapping"),
        ("users: [a@example.org]\n", "line 1: users must be a mapping"),
        ("admins:\n  a@example.org: {role: admin}\n", "line 1: unknown key"),
        ("users:\n  a@example.org: {role: admin\n  b@example.org: x\n", "line 3: not valid YAML"),
    ],
)
def test_a_users_file_of_the_wrong_shape_is_refused(tmp_path, text, problem):
    problems = refused(tmp_path, text)
    assert problems[0].startswith(problem), problems
    assert "example.org" not in " ".join(problems)  # YAML's own message quotes the line: not shown


def test_a_missing_users_file_is_refused(tmp_path):
    with pytest.raises(UsersFileError, match="cannot be read"):
        load_users(tmp_path / "absent.yaml")


def test_the_users_file_is_parsed_once_per_change_and_read_on_every_lookup(tmp_path, monkeypatch):
    import yaml

    path = users_at(tmp_path, VALID)
    parses = []
    compose = yaml.compose
    monkeypatch.setattr(yaml, "compose", lambda *a, **k: parses.append(1) or compose(*a, **k))
    load_users(path)
    load_users(path)
    assert len(parses) == 1
    path.write_text(VALID.replace("entity: IOM", "entity: WFP"), encoding="utf-8")
    later = time.time() + 5  # a change within the file system's timestamp resolution
    os.utime(path, (later, later))
    assert load_users(path)["sfp@example.org"] == Assignment("focal_point", "WFP")
    assert len(parses) == 2


USERS = {
    "analyst@example.org": Assignment("analyst", "IOM"),
    "00u1abcd": Assignment("admin", None),
}


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        (
            {"email": "analyst@example.org", "email_verified": True},
            Viewer("analyst", "IOM", "analyst@example.org", demo=False),
        ),
        (
            {"email": "analyst@example.org", "email_verified": "true"},
            Viewer("analyst", "IOM", "analyst@example.org", demo=False),
        ),
        (
            {"email": "analyst@example.org"},
            SignInDenied("email", "analyst@example.org", "e-mail not verified"),
        ),
        (
            {"email": "analyst@example.org", "email_verified": False, "sub": "x1"},
            SignInDenied("email", "analyst@example.org", "e-mail not verified"),
        ),
        ({"sub": "00u1abcd", "email": "x@y.org"}, Viewer("admin", None, "00u1abcd", demo=False)),
        # an e-mail entry never matches the subject claim, nor a subject entry the e-mail claim
        (
            {"sub": "analyst@example.org"},
            SignInDenied("none", "(no identity claim)", "no e-mail or subject claim"),
        ),
        (
            {"email": "00u1abcd", "email_verified": True, "sub": "s9"},
            SignInDenied("sub", "s9", "unknown user"),
        ),
        (
            {"email": "stranger@example.org", "email_verified": True, "name": "A Stranger"},
            SignInDenied("email", "stranger@example.org", "unknown user"),
        ),
    ],
)
def test_sign_in_uses_a_verified_identity_claim_only(claims, expected):
    assert sign_in(claims, USERS) == expected


AUTH = {
    "redirect_uri": "https://psea.example.org/oauth2callback",
    "cookie_secret": "s" * 32,
    "client_id": "psea",
    "client_secret": "c",
    "server_metadata_url": "https://login.example.org/.well-known/openid-configuration",
}


@pytest.mark.parametrize(
    ("auth", "message"),
    [
        ({k: v for k, v in AUTH.items() if k != "client_secret"}, "incomplete: set client_secret"),
        ({**AUTH, "cookie_secret": " "}, "incomplete: set cookie_secret"),
        ({**AUTH, "redirect_uri": "https://psea.example.org/"}, "must end with /oauth2callback"),
        ("on", "must be a table"),
    ],
)
def test_an_incomplete_auth_section_is_refused(auth, message):
    with pytest.raises(ConfigurationError, match=message):
        check_auth(auth)
    assert "psea" not in message


@pytest.mark.parametrize(("value", "demo"), [("", False), ("0", False), ("1", True)])
def test_psea_demo_is_one_or_unset(monkeypatch, value, demo):
    monkeypatch.setenv("PSEA_DEMO", value)
    assert demo_requested() is demo


def test_psea_demo_with_another_value_is_refused(monkeypatch):
    monkeypatch.setenv("PSEA_DEMO", "yes")
    with pytest.raises(ConfigurationError, match="PSEA_DEMO must be 1"):
        demo_requested()
