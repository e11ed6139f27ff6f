"""The append-only audit log: sign-ins, loads, exports and productions of exact figures."""

from __future__ import annotations

import json

import duckdb

from pipelines.warehouse import note_commit, transaction


def record(
    con: duckdb.DuckDBPyConnection, actor: str, role: str | None, action: str, **detail
) -> None:
    """One entry, appended (inside the caller's transaction, if any: a load and its entry commit
    together); an append claims no key, so it never conflicts with another writer's."""
    with transaction(con, claim=False):
        con.execute(
            "insert into audit_log (actor, role, action, detail) values (?, ?, ?, ?)",
            [actor, role, action, json.dumps(detail, default=str)],
        )
        note_commit(con, "actions", action, author=actor)


def actions(con) -> list[str]:
    return [r[0] for r in con.sql("select distinct action from audit_log order by 1").fetchall()]


def first_day(con):
    return con.sql("select min(logged_at)::date from audit_log").fetchall()[0][0]


def entries(con, chosen: list[str], start, end, actor_contains: str):
    """The log's entries of the chosen actions between two days, latest first."""
    return con.sql(
        """select logged_at, actor, role, action, detail from audit_log
           where list_contains($a, action) and logged_at::date between $start and $end
             and ($who = '' or contains(lower(actor), lower($who)))
           order by logged_at desc""",
        params={"a": chosen or [""], "start": start, "end": end, "who": actor_contains.strip()},
    ).pl()
