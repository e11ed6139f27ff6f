"""Which mode the deployment runs in, from the operator's configuration: demo or login.

Demo mode is chosen explicitly: no secrets file, a secrets file without `[auth]`, or PSEA_DEMO=1.
Anything else that is wrong — a secrets file that cannot be parsed, an incomplete `[auth]`, PSEA_DEMO=1
beside `[auth]` — raises ConfigurationError, and the app stops with its message (docs/access.md, "Failing
closed"): a broken configuration never falls back to demo mode.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import streamlit as st
from streamlit import config
from streamlit.errors import StreamlitSecretNotFoundError

AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
Mode = Literal["demo", "login"]


class ConfigurationError(Exception):
    """A configuration the operator must fix; the app stops with this message. It names settings,
    never their values (the stopped app shows it to anyone who opens it)."""


def demo_requested() -> bool:
    """PSEA_DEMO=1; unset, empty or 0 means not asked. Any other value is a typo, not a choice."""
    value = os.environ.get("PSEA_DEMO", "").strip()
    if value not in ("", "0", "1"):
        raise ConfigurationError("PSEA_DEMO must be 1 (demo mode) or unset.")
    return value == "1"


def read_secrets() -> Mapping | None:
    """The secrets file's contents; None when there is no secrets file at all."""
    try:
        return st.secrets.to_dict()
    except StreamlitSecretNotFoundError as err:
        no_file = getattr(err, "error_id", None) == "no-secrets-found" and not any(
            Path(p).expanduser().exists() for p in config.get_option("secrets.files")
        )
        if no_file:
            return None
        raise ConfigurationError(
            "The secrets file (.streamlit/secrets.toml) cannot be parsed. Fix it and restart; "
            "the server log says where the parser stopped."
        ) from err
    except Exception as err:  # whatever else goes wrong reading it, the app stays closed
        raise ConfigurationError(
            "The secrets file (.streamlit/secrets.toml) cannot be read. Fix it and restart."
        ) from err


def check_auth(auth: object) -> None:
    """An `[auth]` section Streamlit's st.login can use, or ConfigurationError naming what is missing."""
    if not isinstance(auth, Mapping):
        raise ConfigurationError("[auth] in .streamlit/secrets.toml must be a table of settings.")
    missing = [k for k in AUTH_KEYS if not (isinstance(auth.get(k), str) and auth[k].strip())]
    if missing:
        raise ConfigurationError(
            "[auth] in .streamlit/secrets.toml is incomplete: set " + ", ".join(missing) + "."
        )
    if not auth["redirect_uri"].rstrip().endswith("/oauth2callback"):
        raise ConfigurationError("[auth] redirect_uri must end with /oauth2callback.")


def deployment_mode() -> Mode:
    """ "demo" or "login", or ConfigurationError for a configuration the app cannot trust."""
    demo = demo_requested()
    secrets = read_secrets() or {}
    misspelt = [k for k in secrets if k.lower() == "auth" and k != "auth"]
    if misspelt:  # a [Auth] section is a login meant, not demo mode chosen
        raise ConfigurationError("The secrets file has [" + misspelt[0] + "]: name it [auth].")
    if "auth" not in secrets:
        return "demo"
    if demo:
        raise ConfigurationError(
            "PSEA_DEMO=1 and an [auth] section contradict each other: unset PSEA_DEMO to run "
            "with login, or remove [auth] to run the demo."
        )
    check_auth(secrets["auth"])
    return "login"
