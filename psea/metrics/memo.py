"""Figures computed once per state of the loaded extracts: a figure function wrapped here runs
once per (store, loads, settings, arguments) in this process, and later calls get the same result
back. Any load (accepted, rejected or a corrected re-send) adds a row to the load manifest, so a
new extract is seen at once; what does not change extracts (a saved key message, a release, an
audit entry) keeps the figures. A connection inside an open write transaction (whose uncommitted
writes the manifest may not show yet) is never served from the memo.

Personnel figures (training coverage, the auditors' risk list, the managers' scorecard) scan the
whole roster and training history: pages, a brief and its annex ask for the same ones many times,
and a focal point regenerates a brief after each edit of its text.
"""

from __future__ import annotations

import functools
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from pipelines.writes import in_transaction, snapshot_id
from psea.settings import settings

T = TypeVar("T")

MAX_ENTRIES = 512  # per function; a figure is a small frame (one row per mission at most)


class Bounded:
    """A thread-safe dict of at most `size` entries: the least recently used goes first."""

    MISSING = object()

    def __init__(self, size: int = MAX_ENTRIES):
        self._entries: OrderedDict = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key):
        """The value kept under `key`, else `Bounded.MISSING`."""
        with self._lock:
            if key not in self._entries:
                return self.MISSING
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key, value) -> None:
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def per_load_state(fn: Callable[..., T]) -> Callable[..., T]:
    """`fn(con, *args)` of extract data only, memoised by the loads: its results must not be
    modified by callers (Polars frames are not modified in place here)."""
    entries = Bounded()

    @functools.wraps(fn)
    def wrapper(con, *args, **kwargs):
        store = getattr(con, "store", None)
        if store is None or in_transaction(con):
            return fn(con, *args, **kwargs)
        try:
            key = (store_identity(store), loads_state(con), _frozen(args), _frozen(kwargs))
            hash(key)
        except TypeError:  # an argument that cannot be a key: computed, not memoised
            return fn(con, *args, **kwargs)
        value = entries.get(key)
        if value is Bounded.MISSING:
            value = fn(con, *args, **kwargs)
            entries.put(key, value)
        return value

    wrapper.cache_clear = entries.clear  # type: ignore[attr-defined]
    return wrapper


def loads_state(con) -> tuple:
    """What the extracts hold: the load manifest's rows and its latest end (a time-travel
    connection reads the manifest of its snapshot), read once per store snapshot (the snapshot id
    is one small catalog query, the manifest a scan of its files)."""
    key = (store_identity(con.store), snapshot_id(con))
    state = _STATES.get(key)
    if state is Bounded.MISSING:
        state = con.sql(
            "select count(*), max(finished_at)::varchar, max(started_at)::varchar "
            "from load_manifest"
        ).fetchall()[0]
        _STATES.put(key, state)
    return state


_STATES = Bounded()


def _frozen(value):
    """Arguments as a key: lists as tuples, keyword arguments sorted, and the settings in force
    (figures read their thresholds from them; tests change them)."""
    if isinstance(value, dict):
        return (tuple(sorted((k, _frozen(v)) for k, v in value.items())), repr(settings()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def store_identity(store) -> tuple:
    """The store, and for a folder its catalog file's inode: a demo rebuilt in the same folder
    starts its snapshot ids and manifest again, in a new catalog file."""
    catalog = store.catalog_file
    try:
        return (store.key, os.stat(catalog).st_ino if catalog is not None else None)
    except OSError:
        return (store.key, None)
