"""Who may see what (access.md): roles, the pages of each role, and the signed-in viewer.

Roles and entities come from a server-side file keyed on the identity provider's e-mail or subject
claim, looked up on every rerun; nothing the browser sends decides a role, except in demo mode, where
every figure is synthetic.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

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
    "briefs": ("champion_office", "focal_point", "analyst", "admin"),  # admin: the calendar only
    "un_quarterly": ("analyst",),
    "load": ("analyst", "admin"),
    "data_quality": ("analyst", "admin"),
    "audit": ("admin",),
}
EXACT_ROLES = ("analyst",)
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


def users_file() -> Path:
    return Path(os.environ.get("PSEA_USERS", "config/users.yaml"))


def lookup_role(identity_claims: dict) -> Viewer | None:
    """The viewer for a signed-in user, from the server-side users file; None if not authorised."""
    path = users_file()
    if not path.exists():
        return None
    users = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("users", {})
    for key in (identity_claims.get("email"), identity_claims.get("sub")):
        entry = users.get(key) if key else None
        if entry and entry.get("role") in ROLES:
            return Viewer(entry["role"], entry.get("entity"), str(key), demo=False)
    return None


def demo_viewer(role: str) -> Viewer:
    role = role if role in ROLES else "champion_office"
    entity = None if role in ("champion_office", "admin") else DEMO_ENTITY
    return Viewer(role, entity, f"demo-{role}", demo=True)
