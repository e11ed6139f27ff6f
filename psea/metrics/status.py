"""What the warehouse holds, per extract kind (`psea status`, the data-quality page)."""

from __future__ import annotations

import json

import duckdb
import polars as pl

from data_contracts import contracts
from psea.metrics.memo import per_load_state


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


@per_load_state(figure=False)
def _latest_snapshots(con) -> pl.DataFrame:
    """Per extract and entity: the latest as_of and the number of snapshots held, once per state
    of the loads (it scans every extract: 0.3 s at scale 10, on every rerun of the page)."""
    frames = [
        con.sql(
            f"select '{kind}' as extract, {c.entity_column} as entity, max(as_of) as latest_as_of, "
            f"count(distinct as_of)::bigint as snapshots from {kind} group by all"
        ).pl()
        for kind, c in sorted(contracts().items())
    ]
    if not any(f.height for f in frames):
        return pl.DataFrame(
            schema={
                "extract": pl.String,
                "entity": pl.String,
                "latest_as_of": pl.Date,
                "snapshots": pl.Int64,
            }
        )
    return pl.concat([f for f in frames if f.height], how="vertical_relaxed")


def freshness(con: duckdb.DuckDBPyConnection, today=None):
    """Per extract and entity: the latest as_of against the quarterly rhythm (an extract is expected
    for every complete quarter: its latest as_of should be the last quarter end before today)."""
    import datetime as dt

    import polars as pl

    from psea.calendar.quarters import last_complete_quarter_end

    today = today or dt.date.today()
    expected = last_complete_quarter_end(today)
    out = _latest_snapshots(con)
    behind = (
        (pl.lit(expected.year) - pl.col("latest_as_of").dt.year()) * 4
        + (pl.lit((expected.month - 1) // 3) - (pl.col("latest_as_of").dt.month() - 1) // 3)
    ).cast(pl.Int64)
    return (
        out.with_columns(
            pl.lit(expected).alias("expected_as_of"),
            behind.clip(lower_bound=0).alias("quarters_behind"),
        )
        .with_columns(
            pl.when(pl.col("quarters_behind") == 0)
            .then(pl.lit("current"))
            .when(pl.col("quarters_behind") == 1)
            .then(pl.lit("one quarter late"))
            .otherwise(pl.format("{} quarters late", pl.col("quarters_behind")))
            .alias("freshness")
        )
        .sort("extract", "entity")
    )


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """What the warehouse holds, as a cache key: the store's DuckLake snapshot id, which every
    committed write (a load, an added meeting, a saved report or commitment) moves on, in any process."""
    from pipelines.writes import read_snapshot

    return str(read_snapshot(con))


# --- the load manifest as the Data-quality page reads it, limited to the viewer's entity ----------

# load_manifest.entities lists a file's entities; $entity null = every load (the administrator)
_OWN_LOADS = """($entity is null
    or list_contains(list_transform(string_split(entities, ','), lambda e: trim(e)), $entity))"""


def load_counts(con, entity: str | None) -> tuple[int, int]:
    """Accepted (superseded included) and rejected loads of the entity."""
    return con.sql(
        f"""select count(*) filter (where status in ('accepted', 'superseded')),
                  count(*) filter (where status = 'rejected')
           from load_manifest where {_OWN_LOADS}""",
        params={"entity": entity},
    ).fetchall()[0]


def load_history(con, entity: str | None, limit: int = 1000) -> pl.DataFrame:
    return con.sql(
        f"""select load_id, file_name, kind, as_of, status, rows_in, rows_loaded, rows_rejected,
                  message, loaded_by, finished_at
           from load_manifest where {_OWN_LOADS} order by finished_at desc limit {int(limit)}""",
        params={"entity": entity},
    ).pl()


def load_outcome(con, load_id: str, entity: str | None) -> tuple | None:
    """status, kind, the GX summary (JSON) and the message of one of the entity's loads."""
    rows = con.sql(
        f"""select status, kind, gx_result, message from load_manifest
            where load_id = $id and {_OWN_LOADS}""",
        params={"id": load_id, "entity": entity},
    ).fetchall()
    return rows[0] if rows else None


def load_problems(con, load_id: str, entity: str | None) -> pl.DataFrame:
    """A rejected load's problems: positions, contract columns and rules (never a value)."""
    return con.sql(
        f"""select row_number as row, column_name as column, rule, message
           from load_problems where load_id = $id
             and load_id in (select load_id from load_manifest where {_OWN_LOADS})
           order by rule, row""",
        params={"id": load_id, "entity": entity},
    ).pl()


def gx_validation(con, load_id: str) -> dict | None:
    """GX's stored validation result of a load (counts only), for its Data Docs."""
    rows = con.sql(
        "select result from gx_validations where load_id = $id", params={"id": load_id}
    ).fetchall()
    return json.loads(rows[0][0]) if rows else None


def rows_loaded_over_time(con, entity: str | None) -> pl.DataFrame:
    return con.sql(
        f"""select kind, as_of, sum(rows_loaded)::bigint as rows_loaded from load_manifest
           where status in ('accepted', 'superseded') and {_OWN_LOADS} group by all order by all""",
        params={"entity": entity},
    ).pl()
