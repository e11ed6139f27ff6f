"""Where the warehouse lives: a DuckLake store (a SQL catalog and immutable Parquet data files).

A store is named by `--warehouse` / `$PSEA_WAREHOUSE`: a folder (the embedded default: the catalog
is a SQLite file in the folder, the data files beside it) or `postgres:` connection parameters (a
PostgreSQL catalog; `$PSEA_DATA_PATH` names the data files' folder). Both are opened the same way
(`open_lake`); the DuckDB extensions come from their wheels and are loaded by path, never downloaded.

Writers take the store's write lock: on the embedded store a file lock in the folder (SQLite lets
one writer commit at a time, and a writer whose catalog read went stale cannot commit at all, so
writers queue instead of failing); on a PostgreSQL catalog DuckLake settles concurrent commits
itself and a real conflict is refused with a clear message (`WriteConflict`).
"""

from __future__ import annotations

import fcntl
import importlib.util
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

DEFAULT_STORE = "data/warehouse/"
CATALOG_FILE = "catalog.sqlite"
DATA_FOLDER = "data"
LAKE = "lake"  # the alias every connection gives the store
POSTGRES = "postgres:"
# Small inserts (an audit entry, a manifest row, a brief's files) go into the catalog itself
# instead of one Parquet file each; `psea maintain` flushes them into Parquet.
INLINING_ROW_LIMIT = 50
WRITE_WAIT_SECONDS = float(os.environ.get("PSEA_WRITE_WAIT_SECONDS", "600"))


class StoreError(RuntimeError):
    """The store cannot be opened as configured: a message for the operator."""


class WriteConflict(RuntimeError):
    """Another writer changed the same data at the same time; nothing of this write was kept."""


@dataclass(frozen=True)
class Store:
    kind: str  # "folder" | "postgres"
    location: str  # the folder, or the PostgreSQL connection parameters
    data_path: str  # the data files' folder (with a trailing slash)

    @property
    def key(self) -> str:
        """The store's name, as caches and the app's session key it."""
        return self.location if self.kind == "folder" else POSTGRES + self.location

    @property
    def catalog_file(self) -> Path | None:
        return Path(self.location) / CATALOG_FILE if self.kind == "folder" else None

    def describe(self) -> str:
        if self.kind == "folder":
            return f"the warehouse folder {self.location}"
        return f"the PostgreSQL catalog ({_without_password(self.location)})"

    def exists(self) -> bool:
        """Something was ever written to it (a folder store: its catalog file exists)."""
        if self.kind == "folder":
            return self.catalog_file.exists()
        return True  # a PostgreSQL catalog is the operator's: opening it says whether it holds one

    def attach_sql(self, read_only: bool = False, snapshot: int | None = None) -> str:
        options = [f"DATA_PATH {_quote(self.data_path)}"]
        if self.kind == "folder":
            # the data files are beside the catalog wherever the folder was moved or restored
            options += ["OVERRIDE_DATA_PATH true", "META_JOURNAL_MODE 'WAL'"]
            options.append("META_BUSY_TIMEOUT 60000")
            target = f"ducklake:sqlite:{self.catalog_file}"
        else:
            target = f"ducklake:postgres:{self.location}"
        if read_only or snapshot is not None:
            options.append("READ_ONLY")
        if snapshot is not None:
            options.append(f"SNAPSHOT_VERSION {int(snapshot)}")
        return f"ATTACH {_quote(target)} AS {LAKE} ({', '.join(options)})"


def parse_store(spec: str | Path | None = None) -> Store:
    """The store named by `spec`, else $PSEA_WAREHOUSE, else the embedded default."""
    text = str(spec or os.environ.get("PSEA_WAREHOUSE") or DEFAULT_STORE).strip()
    if text.startswith(POSTGRES):
        params = text[len(POSTGRES) :].strip()
        data = os.environ.get("PSEA_DATA_PATH", "").strip()
        if not params:
            raise StoreError("a postgres: store needs connection parameters (dbname=… host=…)")
        if not data:
            raise StoreError(
                "a postgres: store needs PSEA_DATA_PATH: the folder (or bucket) of its data files"
            )
        return Store("postgres", params, _folder(data))
    if Path(text).is_file():
        raise StoreError(
            f"{text} is a file: the warehouse is now a DuckLake store, a folder (or "
            "postgres: parameters). See docs/operations.md, 'Upgrade', to move its data over."
        )
    folder = Path(text).absolute()
    return Store("folder", str(folder), _folder(str(folder / DATA_FOLDER)))


def extension_file(package: str, name: str) -> str:
    """The extension file shipped in its wheel (signed; loaded by path: nothing is downloaded)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise StoreError(f"the Python package {package} is missing: reinstall the app")
    folder = Path(next(iter(spec.submodule_search_locations)))
    path = folder / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.exists():
        raise StoreError(f"{path} is missing: {package} does not match duckdb {duckdb.__version__}")
    return str(path)


EXTENSIONS = {
    "folder": [("duckdb_extension_sqlite_scanner", "sqlite_scanner")],
    "postgres": [("duckdb_extension_postgres_scanner", "postgres_scanner")],
}


def open_lake(
    store: Store, read_only: bool = False, snapshot: int | None = None
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection (in memory) with the store attached as `lake` and used by default;
    `snapshot` attaches it read-only as it stood at that DuckLake snapshot (time travel)."""
    if store.kind == "folder":
        if read_only or snapshot is not None:
            if not store.exists():
                raise StoreError(
                    f"no warehouse in {store.location}: run `psea demo` or `psea ingest`"
                )
        else:
            Path(store.data_path).mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    try:
        con.execute(f"LOAD {_quote(extension_file('duckdb_extension_ducklake', 'ducklake'))}")
        for package, name in EXTENSIONS[store.kind]:
            con.execute(f"LOAD {_quote(extension_file(package, name))}")
        con.execute(f"SET ducklake_default_data_inlining_row_limit = {INLINING_ROW_LIMIT}")
        con.execute(store.attach_sql(read_only, snapshot))
    except duckdb.Error as err:
        con.close()
        raise StoreError(f"{store.describe()} cannot be opened: {_first_line(err)}") from None
    use_lake(con)
    return con


def use_lake(con: duckdb.DuckDBPyConnection) -> None:
    """Unqualified names mean the store's tables, then the connection's own macros and reference
    tables (psea.warehouse); needed once per DuckDB connection and per cursor."""
    con.execute("SET enable_progress_bar = false")  # never a bar on a command's output
    con.execute(f"USE {LAKE}")
    con.execute(f"SET search_path = '{LAKE}.main,memory.main'")


def current_snapshot(con: duckdb.DuckDBPyConnection) -> int:
    """The store's latest committed snapshot id (or the pinned one of a time-travel connection)."""
    return int(
        con.sql(f"select id from ducklake_current_snapshot('{LAKE}') t(id)").fetchall()[0][0]
    )


# --- the write lock -----------------------------------------------------------------------------


class _WriteLock:
    """One writer at a time for a store: threads of this process (an RLock, re-entrant) and, on
    the embedded store, other processes (an exclusive lock on a file in the folder)."""

    def __init__(self, store: Store):
        self.store = store
        self.thread_lock = threading.RLock()
        self.depth = 0
        self.handle = None

    @contextmanager
    def held(self, what: str = "write") -> Iterator[None]:
        deadline = time.monotonic() + WRITE_WAIT_SECONDS
        if not self.thread_lock.acquire(timeout=WRITE_WAIT_SECONDS):
            raise WriteConflict(_busy(self.store, what))
        try:
            if self.depth == 0 and self.store.kind == "folder":
                self._lock_file(deadline, what)
            self.depth += 1
            try:
                yield
            finally:
                self.depth -= 1
                if self.depth == 0 and self.handle is not None:
                    fcntl.flock(self.handle, fcntl.LOCK_UN)
                    self.handle.close()
                    self.handle = None
        finally:
            self.thread_lock.release()

    def _lock_file(self, deadline: float, what: str) -> None:
        path = Path(self.store.location) / "write.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a")
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.handle = handle
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    handle.close()
                    raise WriteConflict(_busy(self.store, what)) from None
                time.sleep(0.05)


_LOCKS: dict[str, _WriteLock] = {}
_LOCKS_GUARD = threading.Lock()


def write_lock(store: Store) -> _WriteLock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(store.key, _WriteLock(store))


def is_conflict(err: BaseException) -> bool:
    """A commit refused because another writer got there first (DuckLake or its catalog)."""
    text = str(err).lower()
    return isinstance(err, duckdb.TransactionException | duckdb.Error) and any(
        s in text for s in ("conflict", "database is locked", "retry count", "could not serialize")
    )


def conflict_message(store: Store) -> str:
    return (
        f"another writer changed the same data in {store.describe()} at the same time; "
        "nothing of this change was kept: run it again"
    )


def _busy(store: Store, what: str) -> str:
    return (
        f"{store.describe()} was busy with another write for {WRITE_WAIT_SECONDS:.0f} s "
        f"(a long load?); this {what} was not made: try again later"
    )


def _folder(path: str) -> str:
    return path if path.endswith("/") or "://" in path else path + "/"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _first_line(err: BaseException) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def _without_password(params: str) -> str:
    return " ".join(p for p in params.split() if not p.lower().startswith("password"))
