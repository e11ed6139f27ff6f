"""The app shell: which warehouse, who is signed in, which pages they may open.

With an identity provider configured (`[auth]` in .streamlit/secrets.toml), users sign in with
`st.login` and their role comes from the server-side users file. Without one, the app runs in demo
mode on the bundled synthetic warehouse only, with a banner on every page and a role picker.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from pipelines.audit import record
from pipelines.warehouse import warehouse_path
from psea.app.access import ROLE_LABELS, ROLES, Viewer, demo_viewer, lookup_role
from psea.app.session import connection

DEMO_WAREHOUSE = Path(os.environ.get("PSEA_DEMO_WAREHOUSE", "data/demo.duckdb"))

PAGES = {
    "overview": ("pages/overview.py", "Overview", ":material/dashboard:"),
    "allegations": ("pages/allegations.py", "Allegations", ":material/report:"),
    "investigations": ("pages/investigations.py", "Investigations", ":material/gavel:"),
    "victims": ("pages/victims.py", "Victims and assistance", ":material/volunteer_activism:"),
    "training": ("pages/training.py", "Training and awareness", ":material/school:"),
    "managers": ("pages/managers.py", "Manager indicators", ":material/badge:"),
    "briefs": ("pages/briefs.py", "SFP meeting briefs", ":material/article:"),
    "un_quarterly": ("pages/un_quarterly.py", "UN quarterly submission", ":material/table:"),
    "load": ("pages/load.py", "Load extracts", ":material/upload_file:"),
    "data_quality": ("pages/data_quality.py", "Data quality", ":material/fact_check:"),
    "audit": ("pages/audit.py", "Audit log", ":material/history:"),
}


def login_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


@st.cache_resource(show_spinner="Building the synthetic demo warehouse (first start only)…")
def demo_warehouse() -> str:
    from pipelines.demo_build import build_demo

    if not DEMO_WAREHOUSE.exists():
        build_demo(DEMO_WAREHOUSE)
    return str(DEMO_WAREHOUSE)


def _demo_role_chosen() -> str:
    """The demo role: the picker's value, else the role chosen on an earlier page (a widget's
    state does not survive a page switch, a plain session key does), else the `?role=` preset,
    else the Champion's office."""
    role = (
        st.session_state.get("demo_role")
        or st.session_state.get("demo_role_kept")
        or st.query_params.get("role")
    )
    return role if role in ROLES else "champion_office"


def _demo_role() -> str:
    st.session_state["demo_role"] = _demo_role_chosen()
    role = st.sidebar.selectbox(
        "Try the dashboard as",
        ROLES,
        key="demo_role",
        format_func=lambda r: ROLE_LABELS[r],
        help="Demo mode only: with login configured, roles come from the server-side users file.",
    )
    st.session_state["demo_role_kept"] = role
    st.query_params["role"] = role
    return role


def _signed_in_viewer() -> Viewer:
    if not st.user.is_logged_in:
        st.title("PSEA Oversight")
        st.write("Sign in with your organization's account to continue.")
        st.button("Sign in", on_click=st.login, type="primary")
        st.stop()
    viewer = lookup_role(st.user.to_dict())
    if viewer is None:
        st.error("Your account has no role in PSEA Oversight. Ask the administrator to add you.")
        st.button("Sign out", on_click=st.logout)
        st.stop()
    return viewer


def current_viewer() -> Viewer | None:
    """Who is looking, from server-side state only (renders nothing); None before sign-in."""
    if login_configured():
        return lookup_role(st.user.to_dict()) if st.user.is_logged_in else None
    return demo_viewer(_demo_role_chosen())


def resolve_viewer() -> Viewer:
    """Who is looking, with what they see of it: the sign-in, or the demo banner and role picker,
    and the links to the role's pages. Each page calls it once per run (psea.app.page.require_page)."""
    if login_configured():
        viewer = _signed_in_viewer()
        st.session_state["warehouse"] = str(warehouse_path())
        st.sidebar.caption(f"Signed in as {viewer.identity} ({ROLE_LABELS[viewer.role]})")
        st.sidebar.button("Sign out", on_click=st.logout)
        if not st.session_state.get("signed_in_logged"):
            record(connection(), viewer.identity, viewer.role, "sign_in")
            st.session_state["signed_in_logged"] = True
    else:
        st.session_state["warehouse"] = demo_warehouse()
        viewer = demo_viewer(_demo_role())
        st.warning(
            "Demo mode: every figure comes from bundled synthetic data. Nothing here is real.",
            icon=":material/science:",
        )
    page_links(viewer)
    return viewer


def run() -> None:
    viewer = current_viewer() or resolve_viewer()  # resolve_viewer stops at the sign-in screen
    pages = [
        st.Page(path, title=title, icon=icon, url_path=key, default=(i == 0))
        for i, (key, (path, title, icon)) in enumerate(
            (k, v) for k, v in PAGES.items() if viewer.may_open(k)
        )
    ]
    # Streamlit's own page list stays hidden (client.showSidebarNavigation = false): with a pages/
    # folder beside app.py, a page URL may run that page without app.py, so the page itself
    # resolves the viewer and draws the role's links (psea.app.page.require_page).
    navigation = st.navigation(pages, position="hidden")
    navigation.run()


def page_links(viewer: Viewer) -> None:
    """The sidebar links to the pages of the viewer's role, and to no other page."""
    for key, (path, title, icon) in PAGES.items():
        if viewer.may_open(key):
            st.sidebar.page_link(path, label=title, icon=icon)
