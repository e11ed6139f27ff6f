"""The append-only audit log: sign-ins, loads, exports and productions of exact figures."""

from __future__ import annotations

import json

import duckdb


def record(
    con: duckdb.DuckDBPyConnection, actor: str, role: str | None, action: str, **detail
) -> None:
    con.execute(
        "insert into audit_log (actor, role, action, detail) values (?, ?, ?, ?)",
        [actor, role, action, json.dumps(detail, default=str)],
    )
