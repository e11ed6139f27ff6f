"""The app shell: which warehouse, who is signed in, which pages they may open.

With an identity provider configured (`[auth]` in .streamlit/secrets.toml), users sign in with
`st.login` and their role comes from the server-side users file. Demo mode, chosen explicitly
(psea.app.deployment), runs on the bundled synthetic warehouse only, with a banner on every page and
a role picker. A configuration the app cannot trust stops it with a message for the operator.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

import streamlit as st

from pipelines.audit import record
from pipelines.warehouse import is_demo, warehouse_path
from psea.app.access import (
    ROLE_LABELS,
    ROLES,
    SignInDenied,
    UsersFileError,
    Viewer,
    demo_viewer,
    load_users,
    sign_in,
)
from psea.app.deployment import ConfigurationError, Mode, deployment_mode
from psea.app.session import connection, warehouse_cursor

log = logging.getLogger(__name__)

# Demo mode's store: $PSEA_WAREHOUSE like every mode, else $PSEA_DEMO_WAREHOUSE, else data/demo/.
DEMO_WAREHOUSE = (
    os.environ.get("PSEA_WAREHOUSE") or os.environ.get("PSEA_DEMO_WAREHOUSE") or "data/demo/"
)

PAGES = {
    "overview": ("pages/overview.py", "Overview", ":material/dashboard:"),
    "allegations": ("pages/allegations.py", "Allegations", ":material/report:"),
    "investigations": ("pages/investigations.py", "Investigations", ":material/gavel:"),
    "victims": ("pages/victims.py", "Victims and assistance", ":material/volunteer_activism:"),
    "training": ("pages/training.py", "Training and awareness", ":material/school:"),
    "managers": ("pages/managers.py", "Manager indicators", ":material/badge:"),
    "country_capacity": ("pages/country_capacity.py", "Country capacity", ":material/public:"),
    "briefs": ("pages/briefs.py", "SFP meeting briefs", ":material/article:"),
    "un_quarterly": ("pages/un_quarterly.py", "UN quarterly submission", ":material/table:"),
    "load": ("pages/load.py", "Load extracts", ":material/upload_file:"),
    "data_quality": ("pages/data_quality.py", "Data quality", ":material/fact_check:"),
    "audit": ("pages/audit.py", "Audit log", ":material/history:"),
}


# A metric's label and value wrap instead of ending in "…" ("Investigations comple…"): a rule of
# style only, no value of any kind is written into it.
WRAPPED_METRICS = """<style>
[data-testid="stMetricLabel"] div, [data-testid="stMetricLabel"] p,
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: normal; word-break: normal;
}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * { line-height: 1.15; }
</style>"""


def page_setup() -> None:
    """The browser tab's title, the wide layout and metrics that wrap. Called by app.py and again
    by every page: a page opened by its URL in a new session can run before app.py's navigation
    does."""
    st.set_page_config(page_title="PSEA Oversight", page_icon=":material/shield:", layout="wide")
    st.html(WRAPPED_METRICS)


def login_configured() -> bool:
    """Login is configured and complete; raises ConfigurationError for a configuration that is
    neither a complete login nor an explicit demo."""
    return deployment_mode() == "login"


@st.cache_resource(show_spinner="Building the synthetic demo warehouse (first start only)…")
def demo_warehouse() -> str:
    """The demo warehouse, built on first start; one not marked demo (it may hold loaded real
    extracts) is never opened in demo mode."""
    from pipelines.store import StoreError, parse_store
    from psea.app.demo import build_demo

    try:
        store = parse_store(str(DEMO_WAREHOUSE))
        if not store.exists():  # never into an existing store: it may be meant for real data
            build_demo(store)
        demo = is_demo(warehouse_cursor(store.key))
    except (StoreError, Exception) as err:  # not a warehouse at all: refuse it the same way
        raise ConfigurationError("The demo warehouse cannot be opened.") from err
    if not demo:
        raise ConfigurationError(
            "The demo's store (PSEA_WAREHOUSE, else PSEA_DEMO_WAREHOUSE, else data/demo/) is not "
            "one built by `psea demo`: demo mode never opens a store that may hold real extracts. "
            "Point PSEA_WAREHOUSE at a store built by `psea demo`, or unset it."
        )
    return store.key


def _claims() -> Mapping:
    """The signed-in user's identity claims (st.user; AppTest sets them through `AppTest.user`)."""
    return st.user.to_dict()


def _stop_for_operator(err: Exception) -> None:
    """The app closed: what the operator must fix, and nothing else (no figures, no role picker)."""
    log.error("PSEA Oversight stopped: %s", err, exc_info=err.__cause__)
    st.title("PSEA Oversight is closed")
    st.error("The app's configuration cannot be trusted, so nothing is shown. For the operator:")
    problems = err.problems if isinstance(err, UsersFileError) else ()
    where = f"The users file ({err.path}) is refused:" if problems else str(err)
    st.text("\n".join([where, *problems, "Fix it and reload this page; the server log has more."]))
    st.stop()


def _mode() -> Mode:
    """The deployment's mode, its configuration checked on every rerun (cheaply: the secrets are
    parsed once, the users file once per change); an untrusted configuration stops the app here."""
    try:
        mode = deployment_mode()
        if mode == "login":
            load_users()
        else:
            demo_warehouse()
    except (ConfigurationError, UsersFileError) as err:
        _stop_for_operator(err)
    return mode


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
    outcome = sign_in(_claims(), load_users())
    if isinstance(outcome, SignInDenied):
        _record_once(
            "sign_in_denied", outcome.identity, None, claim=outcome.claim, reason=outcome.reason
        )
        # the same words for every reason: the screen never tells whether an account is listed
        st.error("No access: your account has no role in PSEA Oversight. Ask the administrator.")
        st.button("Sign out", on_click=st.logout)
        st.stop()
    return outcome


def _record_once(action: str, actor: str, role: str | None, **detail) -> None:
    """An audit entry once per session and identity, not on every rerun."""
    if st.session_state.get(f"{action}_logged") != actor:
        record(connection(), actor, role, action, **detail)
        st.session_state[f"{action}_logged"] = actor


def current_viewer() -> Viewer | None:
    """Who is looking, from server-side state only; None before sign-in or for a user let in
    nowhere. Renders nothing, unless the configuration stops the app."""
    if _mode() == "login":
        if not st.user.is_logged_in:
            return None
        outcome = sign_in(_claims(), load_users())
        return None if isinstance(outcome, SignInDenied) else outcome
    return demo_viewer(_demo_role_chosen())


def resolve_viewer() -> Viewer:
    """Who is looking, with what they see of it: the sign-in, or the demo banner and role picker,
    and the links to the role's pages. Each page calls it once per run (psea.app.page.require_page)."""
    page_setup()
    if _mode() == "login":
        st.session_state["warehouse"] = warehouse_path()
        viewer = _signed_in_viewer()
        # plain text: the identity is the provider's claim, never rendered as Markdown
        st.sidebar.text(f"Signed in as {viewer.identity} ({ROLE_LABELS[viewer.role]})")
        st.sidebar.button("Sign out", on_click=st.logout)
        _record_once("sign_in", viewer.identity, viewer.role)
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
    allowed = [k for k in PAGES if viewer.may_open(k)]
    # Every page is registered, so that a page reached by its URL outside the role answers with
    # its title and who may open it (psea.app.context.require_page) rather than "page not found";
    # the navigation stays hidden (client.showSidebarNavigation = false) and the sidebar links
    # only the role's pages (page_links). With a pages/ folder beside app.py, a page URL may run
    # that page without app.py, so the page itself resolves the viewer and draws the links.
    pages = [
        st.Page(path, title=title, icon=icon, url_path=key, default=(key == allowed[0]))
        for key, (path, title, icon) in PAGES.items()
    ]
    navigation = st.navigation(pages, position="hidden")
    navigation.run()


def page_links(viewer: Viewer) -> None:
    """The sidebar links to the pages of the viewer's role, and to no other page."""
    for key, (path, title, icon) in PAGES.items():
        if viewer.may_open(key):
            st.sidebar.page_link(path, label=title, icon=icon)
