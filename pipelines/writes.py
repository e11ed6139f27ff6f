"""Writing to the store: one write is one DuckLake transaction under the store's write lock
(pipelines.store), run again when another writer got there first, and signed in its snapshot's
commit information (what it committed: loads, releases, audited actions)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import duckdb

from pipelines.store import (
    LAKE,
    WriteConflict,
    conflict_message,
    current_snapshot,
    is_conflict,
    write_lock,
)

T = TypeVar("T")

_IN_TRANSACTION: set[int] = set()  # ids of the connections inside `transaction`
_NOTES: dict[int, dict] = {}  # what each open transaction will say of itself in its snapshot
_GUARD = threading.Lock()
_WRITES = [0]  # writes this process committed: what a rerun has read before one is read again


def note_commit(con, what: str, value: str, author: str | None = None) -> None:
    """Name something this write commits (`what`: loads, releases, actions) in its DuckLake
    snapshot's commit information: an immutable pointer from the snapshot to what it holds."""
    notes = _NOTES.get(id(con))
    if notes is None:
        return
    notes.setdefault(what, []).append(value)
    if author and not notes.get("author"):
        notes["author"] = author


def _sign(con) -> None:
    notes = _NOTES.get(id(con)) or {}
    author = notes.pop("author", None)
    if not notes:
        return
    message = "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(notes.items()))
    con.execute(
        f"CALL {LAKE}.set_commit_message($author, $message, extra_info => $info)",
        {"author": author or "psea", "message": message[:500], "info": json.dumps(notes)},
    )


@contextmanager
def transaction(con, claim: bool = True) -> Iterator[None]:
    """One write: the store's write lock, BEGIN … COMMIT, ROLLBACK on any error; a `transaction`
    inside another on the same connection is part of it. With `claim` (a write that checks a key
    before it writes), the write updates the claims row, so that two such writes at once on a
    PostgreSQL catalog conflict and the second is refused (`WriteConflict`) instead of both
    committing. A commit another writer made impossible raises `WriteConflict`, nothing kept."""
    if id(con) in _IN_TRANSACTION:
        yield
        return
    with write_lock(con.store).held():
        con.execute("begin transaction")
        with _GUARD:
            _IN_TRANSACTION.add(id(con))
            _NOTES[id(con)] = {}
        try:
            if claim and con.store.kind == "postgres":  # (the embedded store's lock suffices)
                con.execute("update write_claims set writes = writes + 1")
            yield
            _sign(con)
        except BaseException as err:
            con.execute("rollback")
            if is_conflict(err):
                raise WriteConflict(conflict_message(con.store)) from err
            raise
        finally:
            with _GUARD:
                _IN_TRANSACTION.discard(id(con))
                _NOTES.pop(id(con), None)
        try:
            con.execute("commit")
        except duckdb.Error as err:
            if is_conflict(err):
                raise WriteConflict(conflict_message(con.store)) from err
            raise
        finally:
            with _GUARD:
                _WRITES[0] += 1


def in_transaction(con) -> bool:
    return id(con) in _IN_TRANSACTION


def retrying(con, write: Callable[[], T], what: str = "write", attempts: int = 6) -> T:
    """Run `write` (which makes its own transaction) again when another writer got there first;
    after `attempts`, the conflict reaches the caller with its clear message."""
    for attempt in range(attempts):
        try:
            return write()
        except WriteConflict:
            if attempt == attempts - 1 or in_transaction(con):
                raise
            time.sleep(0.1 * 1.5**attempt)
    raise AssertionError("unreachable")


def compact(con) -> None:
    """Merge the store's small data files (DuckLake keeps every snapshot readable)."""
    with write_lock(con.store).held("compaction"):
        con.execute(f"CALL ducklake_merge_adjacent_files('{LAKE}')")


def snapshot_id(con) -> int:
    """The DuckLake snapshot this connection reads now (the store's latest, or the pinned one)."""
    return current_snapshot(con)


def read_snapshot(con) -> int:
    """The snapshot a reader's cache keys rest on (the loads' state, the release in force, the
    pages' data version). A page's rerun reads it once (`Warehouse.reads`, set by the dashboard's
    session for one rerun), until this process commits a write: another process's write is seen at
    the next rerun, not halfway through one. Any other connection, or one inside a write, asks the
    store every time (one catalog query, 5-8 ms on DuckLake)."""
    reads = getattr(con, "reads", None)
    if reads is None or in_transaction(con):
        return current_snapshot(con)
    held = reads.get("snapshot")
    if held is None or held[0] != _WRITES[0]:
        held = reads["snapshot"] = (_WRITES[0], current_snapshot(con))
    return held[1]
