"""Figures kept in the store: the personnel figures the pages open on, computed when the data
change (after a load, psea.app.precompute) and read by every process and replica that serves the
dashboard, so that no viewer waits for them.

A figure is kept under its function, its arguments (with the settings in force) and the state of
the loads it was computed on (psea.metrics.memo.loads_state): a later load moves the state on, and a
kept figure of an earlier state is never read again (the next precompute replaces it). A frame is
kept as Arrow IPC, a count as its digits: nothing is unpickled from the store.
"""

from __future__ import annotations

import io

import duckdb
import polars as pl

from pipelines.writes import transaction

_FRAME, _INTEGER = b"F", b"I"


def fetch(con, figure: str, arguments: str, loads: str):
    """The kept value, else None (none kept, or a store from before this table: nothing read)."""
    try:
        rows = con.execute(
            "select value from stored_figures where figure = ? and arguments = ? and loads = ? "
            "limit 1",
            [figure, arguments, loads],
        ).fetchall()
    except duckdb.CatalogException:
        return None
    return decode(rows[0][0]) if rows else None


def keep(con, loads: str, figures: list[tuple[str, str, object]]) -> int:
    """Keep `figures` ((figure, arguments, value)) for the loads' state `loads` in place of every
    figure kept so far (each precompute computes the whole set), in one write; how many were
    kept."""
    rows = [(f, a, loads, encode(v)) for f, a, v in figures if encodable(v)]
    with transaction(con, claim=False):
        con.execute("delete from stored_figures")
        if rows:
            con.executemany(
                "insert into stored_figures values (?, ?, ?, current_timestamp, ?)", rows
            )
    return len(rows)


def encodable(value) -> bool:
    return isinstance(value, pl.DataFrame) or (
        isinstance(value, int) and not isinstance(value, bool)
    )


def encode(value) -> bytes:
    if isinstance(value, pl.DataFrame):
        buffer = io.BytesIO()
        value.write_ipc(buffer, compression="zstd")
        return _FRAME + buffer.getvalue()
    return _INTEGER + str(int(value)).encode()


def decode(blob: bytes):
    blob = bytes(blob)
    if blob[:1] == _FRAME:
        return pl.read_ipc(io.BytesIO(blob[1:]))
    if blob[:1] == _INTEGER:
        return int(blob[1:].decode())
    raise ValueError("a kept figure of an unknown kind")
