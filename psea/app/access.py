"""Who may see what (docs/access.md): roles, the pages of each role, and the signed-in viewer.

Roles and entities come from a server-side file keyed on the identity provider's e-mail or subject
claim, looked up on every rerun; nothing the browser sends decides a role, except in demo mode, where
every figure is synthetic. The file is checked whole before anyone signs in: one entry the app cannot
trust refuses the file (docs/access.md, "Failing closed").
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import yaml

ROLES = ("champion_office", "focal_point", "analyst", "admin")
ROLE_LABELS = {
    "champion_office": "IASC Champion's office",
    "focal_point": "Senior focal point",
    "analyst": "Analyst",
    "admin": "Administrator",
}
# page key -> roles that may open it
PAGE_ROLES = {
    "overview": ("champion_office", "focal_point", "analyst"),
    "allegations": ("champion_office", "focal_point", "analyst"),
    "investigations": ("champion_office", "focal_point", "analyst"),
    "victims": ("champion_office", "focal_point", "analyst"),
    "training": ("champion_office", "focal_point", "analyst"),
    "managers": ("focal_point", "analyst"),
    "country_capacity": ("champion_office", "focal_point", "analyst"),
    "briefs": ("champion_office", "focal_point", "analyst", "admin"),  # admin: the calendar only
    "un_quarterly": ("analyst",),
    "load": ("analyst", "admin"),
    "data_quality": ("analyst", "admin"),
    "audit": ("admin",),
}
# the roles as a sentence names who may open a page ("senior focal points and analysts")
ROLE_GROUPS = {
    "champion_office": "the IASC Champion's office",
    "focal_point": "senior focal points",
    "analyst": "analysts",
    "admin": "the administrator",
}
EXACT_ROLES = ("analyst",)
ENTITY_ROLES = ("focal_point", "analyst")  # see one entity; the others see every entity
ENTITY_CODE = re.compile(r"[A-Z]{2,12}")
ENTRY_FIELDS = ("role", "entity")
DEMO_ENTITY = "IOM"


@dataclass(frozen=True)
class Viewer:
    role: str
    entity: str | None  # None = every entity (the Champion's office)
    identity: str
    demo: bool

    @property
    def exact(self) -> bool:
        """May see exact case figures (no small-cell suppression)."""
        return self.role in EXACT_ROLES

    def may_open(self, page: str) -> bool:
        return self.role in PAGE_ROLES[page]


def who_may_open(page: str) -> str:
    """The roles that may open a page, in words: "the IASC Champion's office, senior focal
    points and analysts"."""
    groups = [ROLE_GROUPS[r] for r in PAGE_ROLES[page]]
    return groups[0] if len(groups) == 1 else ", ".join(groups[:-1]) + " and " + groups[-1]


@dataclass(frozen=True)
class Assignment:
    """A users-file entry: the role, and the entity of a role that sees one."""

    role: str
    entity: str | None


@dataclass(frozen=True)
class SignInDenied:
    """A signed-in user the app lets in nowhere, and why (for the audit log, not the screen)."""

    claim: str  # the identity claim used: "email", "sub", or "none"
    identity: str  # that claim's value
    reason: str


class UsersFileError(Exception):
    """The users file cannot be trusted. Each problem names its line and never the identity there:
    the message is shown on the stopped app's screen, to anyone who opens it."""

    def __init__(self, path: str, problems: tuple[str, ...]) -> None:
        self.path, self.problems = path, problems
        super().__init__(f"{path}: " + "; ".join(problems))


def users_file() -> Path:
    return Path(os.environ.get("PSEA_USERS", "config/users.yaml"))


def load_users(path: Path | None = None) -> Mapping[str, Assignment]:
    """The users file's assignments by identity; raises UsersFileError if it cannot be read or any
    entry is refused. Parsed again only when the file changes (its mtime and size are the key)."""
    path = path or users_file()
    try:
        stat = path.stat()
    except OSError as err:
        raise UsersFileError(str(path), (f"cannot be read ({err.strerror})",)) from err
    users, problems = _checked_users(str(path), stat.st_mtime_ns, stat.st_size)
    if problems:
        raise UsersFileError(str(path), problems)
    return users


@functools.lru_cache(maxsize=8)
def _checked_users(
    path: str, mtime_ns: int, size: int
) -> tuple[Mapping[str, Assignment], tuple[str, ...]]:
    try:
        root = yaml.compose(Path(path).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError) as err:
        return MappingProxyType({}), (f"cannot be read ({type(err).__name__})",)
    except yaml.MarkedYAMLError as err:  # its str() quotes the file's line: keep the position only
        line = err.problem_mark.line + 1 if err.problem_mark else "?"
        return MappingProxyType({}), (f"line {line}: not valid YAML ({err.problem})",)
    except yaml.YAMLError:
        return MappingProxyType({}), ("not valid YAML",)
    users_node = _users_node(root)
    if isinstance(users_node, str):
        return MappingProxyType({}), (users_node,)
    users: dict[str, Assignment] = {}
    first_line: dict[str, int] = {}
    problems: list[str] = []
    for key, value in users_node.value:
        line = key.start_mark.line + 1
        identity = key.value if isinstance(key, yaml.ScalarNode) else ""
        if not identity.strip():
            problems.append(f"line {line}: an entry needs an e-mail or subject claim as its key")
            continue
        if identity in first_line:
            problems.append(f"line {line}: the same identity as line {first_line[identity]}")
            continue
        first_line[identity] = line
        assignment = _assignment(value)
        if isinstance(assignment, str):
            problems.append(f"line {line}: {assignment}")
        else:
            users[identity] = assignment
    return MappingProxyType(users), tuple(problems)


def _users_node(root: yaml.Node | None) -> yaml.MappingNode | str:
    """The `users:` mapping of the file, or what is wrong with the file's shape."""
    if not isinstance(root, yaml.MappingNode):
        return "line 1: the file must be a mapping with one key, users"
    found: yaml.Node | None = None
    for key, value in root.value:
        if not (isinstance(key, yaml.ScalarNode) and key.value == "users"):
            return f"line {key.start_mark.line + 1}: unknown key (the file has one key, users)"
        found = value
    if not isinstance(found, yaml.MappingNode):
        line = found.start_mark.line + 1 if found is not None else 1
        return f"line {line}: users must be a mapping of identity to role and entity"
    return found


def _assignment(node: yaml.Node) -> Assignment | str:
    """An entry's role and entity, or why the entry is refused."""
    if not isinstance(node, yaml.MappingNode):
        return "an entry must be a mapping such as {role: analyst, entity: IOM}"
    fields: dict[str, str] = {}
    for key, value in node.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else ""
        if name not in ENTRY_FIELDS or name in fields or not isinstance(value, yaml.ScalarNode):
            return f"only one role and one entity per entry (fields: {', '.join(ENTRY_FIELDS)})"
        fields[name] = value.value
    role, entity = fields.get("role"), fields.get("entity")
    if role not in ROLES:
        return f"no valid role (one of {', '.join(ROLES)})"
    if role in ENTITY_ROLES and entity is None:
        return f"the role {role} needs an entity"
    if role not in ENTITY_ROLES and entity is not None:
        return f"the role {role} sees every entity: remove its entity"
    if entity is not None and not ENTITY_CODE.fullmatch(entity):
        return "the entity must be an upper-case code of 2 to 12 letters (e.g. IOM)"
    return Assignment(role, entity)


def _verified(flag: object) -> bool:
    # some identity providers send the claim as the string "true"
    return flag is True or (isinstance(flag, str) and flag.lower() == "true")


def sign_in(claims: Mapping, users: Mapping[str, Assignment]) -> Viewer | SignInDenied:
    """The viewer for a signed-in user's claims, or why they are let in nowhere. An entry keyed on
    an e-mail (it has an @) matches only a verified e-mail claim; any other key matches only the
    subject claim, which the identity provider assigns."""
    email, sub = claims.get("email"), claims.get("sub")
    email = email if isinstance(email, str) and "@" in email else None
    sub = sub if isinstance(sub, str) and sub and "@" not in sub else None
    if email in users and _verified(claims.get("email_verified")):
        return _viewer(email, users[email])
    if sub in users:
        return _viewer(sub, users[sub])
    if email in users:
        return SignInDenied("email", email, "e-mail not verified")
    if email or sub:
        return SignInDenied("email" if email else "sub", email or sub, "unknown user")
    return SignInDenied("none", "(no identity claim)", "no e-mail or subject claim")


def _viewer(identity: str, assignment: Assignment) -> Viewer:
    return Viewer(assignment.role, assignment.entity, identity, demo=False)


def demo_viewer(role: str) -> Viewer:
    role = role if role in ROLES else "champion_office"
    entity = None if role in ("champion_office", "admin") else DEMO_ENTITY
    return Viewer(role, entity, f"demo-{role}", demo=True)
