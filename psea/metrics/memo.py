"""Figures computed once per state of the loaded extracts: a figure function wrapped here runs
once per (store, loads, settings, arguments) in this process, and later calls get the same result
back. Any load (accepted, rejected or a corrected re-send) adds a row to the load manifest, so a
new extract is seen at once; what does not change extracts (a saved key message, a release, an
audit entry) keeps the figures. A connection inside an open write transaction (whose uncommitted
writes the manifest may not show yet) is never served from the memo.

Personnel figures (training coverage, the auditors' risk list, the managers' scorecard) scan the
whole roster and training history: pages, a brief and its annex ask for the same ones many times,
and a focal point regenerates a brief after each edit of its text. The ones the pages open on are
computed when the data change and kept in the store (psea.metrics.stored, psea.app.precompute):
a process that has not computed a figure yet reads it from there before computing it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import TypeVar

from pipelines.writes import in_transaction, read_snapshot
from psea.metrics import stored
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


def per_load_state(fn: Callable[..., T] | None = None, *, figure: bool = True):
    """`fn(con, *args)` of extract data only, memoised by the loads (in this process, then in the
    store): its results must not be modified by callers (Polars frames are not modified in place
    here). With `figure=False`, a lookup the pages make on every rerun (a key, a date), not a
    figure: memoised in this process only, neither kept in the store nor counted in COMPUTED."""
    if fn is None:
        return lambda f: per_load_state(f, figure=figure)
    entries = Bounded()
    name = f"{fn.__module__}.{fn.__qualname__}"
    compute = _computed if figure else (lambda _name, f, *a, **k: f(*a, **k))

    @functools.wraps(fn)
    def wrapper(con, *args, **kwargs):
        store = getattr(con, "store", None)
        if store is None or in_transaction(con):
            return compute(name, fn, con, *args, **kwargs)
        recording = _RECORDING.get() if figure else None
        try:
            arguments = (_frozen(args), _frozen(kwargs))
            loads = recording[1] if recording is not None else loads_state(con)
            key = (store_identity(store), loads, arguments)
            hash(key)
        except TypeError:  # an argument that cannot be a key: computed, not memoised
            return compute(name, fn, con, *args, **kwargs)
        value = entries.get(key)
        if value is Bounded.MISSING:
            value = (
                None
                if recording is not None or not figure
                else stored.fetch(con, name, repr(arguments), repr(loads), key[0])
            )
            if value is None:
                value = compute(name, fn, con, *args, **kwargs)
            entries.put(key, value)
        if recording is not None:
            recording[0][(name, repr(arguments))] = value
        return value

    wrapper.cache_clear = entries.clear  # type: ignore[attr-defined]
    return wrapper


COMPUTED: Counter = Counter()  # how many times each figure was computed in this process


def _computed(name: str, fn, con, *args, **kwargs):
    COMPUTED[name] += 1
    return fn(con, *args, **kwargs)


_RECORDING: ContextVar[tuple | None] = ContextVar("recording", default=None)


@contextlib.contextmanager
def recording(loads: tuple) -> Iterator[dict[tuple[str, str], object]]:
    """Every memoised figure asked for inside the block, once: (figure, arguments) -> value,
    what psea.app.precompute keeps in the store. Inside, the figures are computed (nothing is read
    from the store) for the loads' state `loads`: the caller's, read once before (the block
    writes nothing)."""
    figures: dict[tuple[str, str], object] = {}
    token = _RECORDING.set((figures, loads))
    try:
        yield figures
    finally:
        _RECORDING.reset(token)


def loads_state(con) -> tuple:
    """What the extracts hold: the load manifest's rows and its latest end (a time-travel
    connection reads the manifest of its snapshot), read once per store snapshot (the snapshot id
    is one small catalog query, the manifest a scan of its files)."""
    key = (store_identity(con.store), read_snapshot(con))
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
