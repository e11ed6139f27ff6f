"""What the warehouse holds, per extract kind (`psea status`, the data-quality page)."""

from __future__ import annotations

import duckdb

from data_contracts import contracts


def warehouse_status(con: duckdb.DuckDBPyConnection) -> dict:
    loads = dict(
        con.sql("select status, count(*)::bigint from load_manifest group by status").fetchall()
    )
    per_kind = {
        kind: (accepted, rejected)
        for kind, accepted, rejected in con.sql(
            """select kind, count(*) filter (where status in ('accepted', 'superseded'))::bigint,
                      count(*) filter (where status = 'rejected')::bigint
               from load_manifest where kind is not null group by kind"""
        ).fetchall()
    }
    extracts = {}
    for kind in sorted(contracts()):
        rows, latest = con.sql(
            f"select count(*)::bigint, max(as_of)::varchar from {kind}"
        ).fetchall()[0]
        accepted, rejected = per_kind.get(kind, (0, 0))
        extracts[kind] = {
            "rows": rows,
            "latest_as_of": latest,
            "accepted": accepted,
            "rejected": rejected,
        }
    return {
        "extracts": extracts,
        "loads": {
            "accepted": loads.get("accepted", 0) + loads.get("superseded", 0),
            "rejected": loads.get("rejected", 0),
        },
    }
