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


def freshness(con: duckdb.DuckDBPyConnection, today=None):
    """Per extract and entity: the latest as_of against the quarterly rhythm (an extract is expected
    for every complete quarter: its latest as_of should be the last quarter end before today)."""
    import datetime as dt

    import polars as pl

    from psea.calendar import last_complete_quarter_end

    today = today or dt.date.today()
    expected = last_complete_quarter_end(today)
    frames = [
        con.sql(
            f"select '{kind}' as extract, {c.entity_column} as entity, max(as_of) as latest_as_of, "
            f"count(distinct as_of)::bigint as snapshots from {kind} group by all"
        ).pl()
        for kind, c in sorted(contracts().items())
    ]
    out = (
        pl.concat([f for f in frames if f.height], how="vertical_relaxed")
        if any(f.height for f in frames)
        else pl.DataFrame(
            schema={
                "extract": pl.String,
                "entity": pl.String,
                "latest_as_of": pl.Date,
                "snapshots": pl.Int64,
            }
        )
    )
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
    """What the warehouse holds, as a cache key: changes with every load and added meeting."""
    row = con.sql(
        """select coalesce((select max(finished_at) from load_manifest)::varchar, '') || '|' ||
                  (select count(*) from sfp_meetings_added)::varchar"""
    ).fetchall()[0][0]
    return row or ""
