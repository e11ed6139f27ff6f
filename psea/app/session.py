"""The warehouse connection of a dashboard session: one per store for the process, one cursor per
rerun (a DuckDB connection is not thread-safe, Streamlit sessions are threads). Other processes
(replicas, `psea` commands) write to the same store meanwhile: each query reads the latest
committed snapshot, and cached figures are keyed by its id (`data_version`)."""

from __future__ import annotations

import pandas  # noqa: F401  (loaded whole before any session draws: see below)
import streamlit as st

from pipelines.warehouse import Warehouse, connect
from psea.metrics.status import data_version as _data_version

# Every page imports this module first, so pandas is imported here, once, before any session's
# thread draws a chart or a table. Imported lazily instead, one session's first st.dataframe
# imports it while another's Altair validation peeks at the half-imported module in sys.modules
# ("partially initialized module 'pandas' has no attribute 'Timestamp'", seen once in a stress
# run of four concurrent sessions).

_OPEN: dict[str, Warehouse] = {}  # the same connections, for download threads


@st.cache_resource
def _connection(path: str) -> Warehouse:
    _OPEN[path] = connect(path)
    return _OPEN[path]


def open_connection(path: str) -> Warehouse:
    """The process's connection to `path`, from a thread without Streamlit's context (downloads)."""
    return _OPEN[path]


def warehouse_cursor(path: str) -> Warehouse:
    """A cursor of the process's connection to `path`, before a session's warehouse is chosen."""
    return _connection(path).cursor()


def connection() -> Warehouse:
    """A cursor of this session's warehouse, for one rerun: the snapshot its caches rest on is read
    once (pipelines.writes.read_snapshot)."""
    cursor = warehouse_cursor(st.session_state["warehouse"])
    cursor.reads = {}
    return cursor


def data_version(con) -> str:
    """What the warehouse holds, as a cache key: the store's snapshot id (any process's write)."""
    return _data_version(con)
