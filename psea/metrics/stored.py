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
import threading

import duckdb
import polars as pl

from pipelines.writes import transaction

_FRAME, _INTEGER = b"F", b"I"


def fetch(con, figure: str, arguments: str, loads: str, store: tuple | None = None):
    """The kept value, else None (none kept, or a store from before this table: nothing read).
    With `store` (the store's identity), every figure kept for `loads` is read at the first ask
    and held in this process (they never change: a later state of the loads is another key), so
    a page's first render asks the catalog once, not once per figure (about 35 ms each at scale
    10); nothing kept yet is not held, so figures kept a moment later are found."""
    if store is not None:
        blob = _kept(con, store, loads).get((figure, arguments))
        return decode(blob) if blob is not None else None
    try:
        rows = con.execute(
            "select value from stored_figures where figure = ? and arguments = ? and loads = ? "
            "limit 1",
            [figure, arguments, loads],
        ).fetchall()
    except duckdb.CatalogException:
        return None
    return decode(rows[0][0]) if rows else None


def _kept(con, store: tuple, loads: str) -> dict[tuple[str, str], bytes]:
    key = (store, loads)
    with _GUARD:
        found = _HELD.get(key)
    if found is not None:
        return found
    try:
        rows = con.execute(
            "select figure, arguments, value from stored_figures where loads = ?", [loads]
        ).fetchall()
    except duckdb.CatalogException:
        return {}
    found = {(f, a): bytes(v) for f, a, v in rows}
    if found:
        with _GUARD:
            _HELD[key] = found
            while len(_HELD) > 4:  # the states of the stores this process serves
                _HELD.pop(next(iter(_HELD)))
    return found


_HELD: dict[tuple, dict[tuple[str, str], bytes]] = {}
_GUARD = threading.Lock()


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
