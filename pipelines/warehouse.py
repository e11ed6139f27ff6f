"""The warehouse's tables, declared once here (the extract tables follow from the contracts), and
opening it: `connect` attaches the DuckLake store (pipelines.store), creates what is missing, and
defines the connection's macros (pipelines.macros); `transaction` is one write.

DuckLake has no primary keys, unique constraints, indexes, sequences or foreign keys: the keys
noted below are kept by the code that writes (checked inside the write's transaction, one writer
at a time), and tests check that a duplicate is refused.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import threading
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from data_contracts import contracts
from pipelines import macros
from pipelines.macros import CASES_AS_AT, QUARTER_FIRST_DAY
from pipelines.store import (
    DATA_FOLDER,
    LAKE,
    Store,
    StoreError,
    open_lake,
    parse_store,
    use_lake,
)

# the writes' API, for the modules that write (they import it from here)
from pipelines.writes import (
    compact,
    in_transaction,
    note_commit,
    retrying,
    snapshot_id,
    transaction,
)

__all__ = [
    "CASES_AS_AT",
    "QUARTER_FIRST_DAY",
    "Warehouse",
    "compact",
    "connect",
    "in_transaction",
    "note_commit",
    "retrying",
    "snapshot_id",
    "transaction",
]

BOOKKEEPING_DDL = """
create table if not exists warehouse_info (key varchar not null, value varchar);  -- key: key
-- one row, updated by every write that checks a key: two such writes at once conflict
create table if not exists write_claims (name varchar not null, writes bigint not null);
create table if not exists load_manifest (
    load_id varchar not null, file_name varchar not null, sha256 varchar not null,
    kind varchar, file_format varchar, entities varchar, as_of date,
    rows_in bigint, rows_loaded bigint, rows_rejected bigint,
    status varchar not null,  -- accepted | rejected | superseded
    message varchar, notes varchar, contract_version varchar, gx_result json,
    started_at timestamp, finished_at timestamp, loaded_by varchar
);
create table if not exists load_problems (
    load_id varchar not null, row_number bigint, column_name varchar, rule varchar not null,
    message varchar, value varchar
);
-- the GX validation result of each load (counts, no data value); Data Docs are rendered from it
create table if not exists gx_validations (load_id varchar not null, result json not null);
create table if not exists audit_log (
    logged_at timestamp not null default current_timestamp, actor varchar not null, role varchar,
    action varchar not null, detail json
);
-- the protected release (psea.disclosure.release): published cells only, never a hidden value
create table if not exists releases (
    release_id varchar not null, purpose varchar not null, meeting_date date, cutoff date not null,
    coverage json, status varchar not null,  -- published | superseded | failed
    cells bigint, hidden bigint, primary_hidden bigint, audit json, seconds double,
    data_key varchar, built_at timestamp, built_by varchar
    -- its DuckLake snapshot: the one whose commit information names it (note_commit)
);
create table if not exists release_cells (
    release_id varchar not null, family varchar not null, breakdown varchar not null,
    "group" varchar not null, scope varchar not null, period varchar not null,
    value bigint, hidden boolean not null,
    -- withdrawn: the cell's breakdown is withheld as a whole (not broken down); public: the UN
    -- publishes it; missing: the entities an all-entities cell leaves out ("NRC:not_carried")
    withdrawn boolean, public boolean, missing varchar
);
create table if not exists release_statistics (
    release_id varchar not null, statistic varchar not null, measure varchar not null,
    scope varchar not null, period varchar not null, n bigint, value double, withheld boolean not null,
    missing varchar
);
-- the personnel figures the pages open on, computed when the data changed (psea.metrics.stored)
create table if not exists stored_figures (
    figure varchar not null, arguments varchar not null, loads varchar not null,
    computed_at timestamp not null, value blob not null
);
-- every brief handed out, as it was (pipelines.archive)
create table if not exists brief_archive (
    archive_id varchar not null, meeting_date date not null, entity varchar, release_id varchar,
    file_name varchar not null, sha256 varchar not null, content blob not null,
    produced_by varchar, role varchar, produced_at timestamp,
    data_snapshot bigint  -- the DuckLake snapshot the brief was built from
);
-- the SFP progress report (pipelines.progress): every version kept, the latest in force
create table if not exists progress_texts (
    meeting_date date not null, entity varchar not null,
    part varchar not null,  -- key_messages | accomplishments | challenges | requests
    version integer not null, items json not null,  -- the lines, in order
    written_by varchar not null, role varchar, written_at timestamp not null
    -- key: (meeting_date, entity, part, version)
);
create table if not exists action_points (
    point_id varchar not null, version integer not null, entity varchar not null,
    raised_at date not null,  -- the meeting that raised it
    written_in date not null,  -- the meeting whose workspace wrote this version
    action varchar not null, owner varchar not null, due date,
    status varchar not null,  -- open | in_progress | done | dropped
    written_by varchar not null, role varchar, written_at timestamp not null
    -- key: (point_id, version)
);
-- each entity's progress on the MOS-PSEA and the SG's four pillars (pipelines.commitments): every
-- version kept; the writer numbers versions per entity and commitment inside its transaction
create table if not exists commitment_status (
    entity varchar not null, commitment varchar not null, version integer not null,
    meeting_date date not null,  -- the meeting whose workspace wrote this version
    status varchar not null,  -- not_started | in_progress | in_place
    line varchar not null, written_by varchar not null, role varchar, written_at timestamp not null
    -- key: (entity, commitment, version)
);
create table if not exists sfp_meetings_added (
    meeting_date date not null, title varchar not null, notes varchar,  -- key: meeting_date
    added_by varchar, added_at timestamp default current_timestamp
);
"""

# The UN quarterly submission (psea.metrics.un_ledger, pipelines.un_submissions). Declared without
# keys, as DuckLake requires; pipelines.un_submissions enforces them:
# - un_references: one reference per (entity, case_ref), assigned once, kept across snapshots and
#   corrected re-sends, never reused (un_reference unique);
# - un_productions: one row per production (production_id unique): the snapshots it read, its counts
#   and its three files' SHA-256; un_production_files: each file as produced (manifest included).
UN_SUBMISSION_DDL = """
create table if not exists un_references (
    entity varchar not null, case_ref varchar not null, un_reference varchar not null,
    year_received integer not null, sequence integer not null,
    assigned_at timestamp not null default current_timestamp, assigned_in_quarter varchar not null,
    production_id varchar,  -- the production that kept it
    data_snapshot bigint  -- the DuckLake snapshot the production that assigned it read
);
create table if not exists un_productions (
    production_id varchar not null, entity varchar not null, quarter varchar not null,
    cases_as_of date not null,  -- the case snapshot read for the quarter's end
    snapshots json not null,  -- the as_of read of each case extract
    allegations bigint not null, reported_late bigint not null, updates bigint not null,
    withdrawn bigint not null,
    allegations_sha256 varchar not null, updates_sha256 varchar not null,
    totals_sha256 varchar not null, produced_by varchar not null, role varchar,
    produced_at timestamp not null,
    previous_production varchar,  -- the latest earlier production of the quarter, if any
    differs_from_previous boolean  -- null when there is none
);
create table if not exists un_production_files (
    production_id varchar not null, file_name varchar not null, sha256 varchar not null,
    content blob not null
);
"""


def declared_ddl() -> list[str]:
    """Every table of the store, in the order created: bookkeeping, UN submission, extracts."""
    extracts = [
        f"create table if not exists {c.kind} ("
        + ", ".join(f'"{col.name}" {col.duckdb_type}' for col in c.columns)
        + ", load_id varchar not null)"
        for c in contracts().values()
    ]
    return [BOOKKEEPING_DDL, UN_SUBMISSION_DDL, *extracts]


class Warehouse:
    """A connection to the store: DuckDB's connection (`sql`, `execute`, … pass through) that knows
    its store, for the write lock and for its cursors (one per thread: DuckDB connections are not
    thread-safe)."""

    __slots__ = ("_con", "pinned", "reads", "store")

    def __init__(self, con: duckdb.DuckDBPyConnection, store: Store, pinned: int | None = None):
        self._con = con
        self.store = store
        self.pinned = pinned  # the snapshot a time-travel connection reads, else None
        self.reads: dict | None = None  # one rerun's reads (pipelines.writes.read_snapshot)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def cursor(self) -> Warehouse:
        cursor = self._con.cursor()
        use_lake(cursor)
        return Warehouse(cursor, self.store, self.pinned)

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def warehouse_path(explicit: str | Path | None = None) -> str:
    """The store's name: `explicit`, else $PSEA_WAREHOUSE, else data/warehouse/."""
    return parse_store(explicit).key


def connect(
    where: str | Path | Store | None = None, read_only: bool = False, snapshot: int | None = None
) -> Warehouse:
    """A connection to the store (creating what its schema lacks, unless read-only); `snapshot`
    opens it as it stood at that DuckLake snapshot, read-only. The store is attached once per
    process (the extensions, the catalog and the connection's macros take a second or two): each
    `connect` is a new DuckDB connection of that instance, reading the latest committed snapshot."""
    store = where if isinstance(where, Store) else parse_store(where)
    key = (store.key, snapshot)  # a reader shares the instance (it writes nothing)
    with _INSTANCE_GUARD:
        base = _INSTANCES.pop(key, None)
        if base is None:
            if read_only and snapshot is None and not store.exists():
                raise RuntimeError(f"{store.describe()} holds no warehouse")
            base = _open_instance(store, False, snapshot)
        _INSTANCES[key] = base  # the most recently used last
        while len(_INSTANCES) > MAX_INSTANCES:  # cursors given out keep their instance alive
            _INSTANCES.pop(next(iter(_INSTANCES))).close()
        cursor = base.cursor()
    use_lake(cursor)
    return Warehouse(cursor, store, snapshot)


def forget(store: Store | str | Path) -> None:
    """Drop this process's instances of a store whose files were replaced (a rebuilt demo, a
    restore): the next `connect` attaches it again."""
    name = store.key if isinstance(store, Store) else parse_store(store).key
    with _INSTANCE_GUARD:
        for key in [k for k in _INSTANCES if k[0] == name]:
            _INSTANCES.pop(key).close()


_INSTANCES: dict[tuple, duckdb.DuckDBPyConnection] = {}
_INSTANCE_GUARD = threading.RLock()
MAX_INSTANCES = 8


def _open_instance(
    store: Store, read_only: bool, snapshot: int | None
) -> duckdb.DuckDBPyConnection:
    if store.kind == "folder" and not store.exists() and not (read_only or snapshot is not None):
        _start_from_template(store)
    try:
        con = open_lake(store, read_only=read_only, snapshot=snapshot)
    except StoreError as err:
        raise RuntimeError(str(err)) from None
    wh = Warehouse(con, store, snapshot)
    try:
        if not (read_only or snapshot is not None):
            retrying(wh, lambda: ensure_schema(wh), "the schema")
        elif missing_tables(wh):
            raise RuntimeError(f"{store.describe()} holds no PSEA warehouse (or an older one)")
        con.execute("begin transaction")  # one read of the catalog for all the definitions
        macros.define(wh)
        con.execute("commit")
    except BaseException:
        con.close()
        raise
    return con


_TEMPLATE_GUARD = threading.Lock()


@cache
def _template_catalog() -> Path:
    """An empty embedded catalog with the declared schema, made once per process: a new folder
    store starts as a copy of it (creating DuckLake's catalog and the tables takes seconds)."""
    folder = Path(tempfile.mkdtemp(prefix="psea-catalog-"))
    store = parse_store(str(folder / "store"))
    con = open_lake(store)
    try:
        ensure_schema(Warehouse(con, store))
        _seed_statistics(con)
    finally:
        con.close()
    return store.catalog_file


_PLACEHOLDER = {"VARCHAR": "''", "DATE": "date '2000-01-01'", "BOOLEAN": "false", "JSON": "'{}'"}


def _seed_statistics(con) -> None:
    """One row written and deleted in every table: DuckLake keeps a table's statistics from its
    first write on, and plans a query over a table never written with one catalog query per
    column, every time (measured: 19 catalog queries for a scan of an empty table, 9 after)."""
    con.execute("begin transaction")
    for table, columns in declared_tables().items():
        values = ", ".join(
            _PLACEHOLDER.get(kind, "''::blob" if kind == "BLOB" else f"0::{kind}")
            if kind != "TIMESTAMP"
            else "timestamp '2000-01-01'"
            for _, kind in columns
        )
        con.execute(f"insert into {table} values ({values})")
        con.execute(f"delete from {table}")
    con.execute("commit")


def _start_from_template(store: Store) -> None:
    with _TEMPLATE_GUARD:
        template = _template_catalog()
        Path(store.data_path).mkdir(parents=True, exist_ok=True)
        if (template.parent / DATA_FOLDER).exists():
            shutil.copytree(template.parent / DATA_FOLDER, store.data_path, dirs_exist_ok=True)
        source, copy = sqlite3.connect(template), sqlite3.connect(store.catalog_file)
        try:
            source.backup(copy)
            copy.execute(
                "update ducklake_metadata set value = ? where key = 'data_path'", [store.data_path]
            )
            copy.execute("pragma journal_mode = wal")
            copy.commit()
        finally:
            copy.close()
            source.close()


def missing_tables(con) -> list[str]:
    have = {
        r[0]
        for r in con.sql(
            f"select table_name from duckdb_tables() where database_name = '{LAKE}'"
        ).fetchall()
    }
    return [t for t in declared_tables() if t not in have]


def declared_tables() -> dict[str, list[tuple[str, str]]]:
    """Each declared table's columns (name, type), as DuckDB reads the declarations."""
    scratch = duckdb.connect()
    try:
        for ddl in declared_ddl():
            scratch.execute(ddl)
        rows = scratch.sql(
            "select table_name, column_name, data_type from duckdb_columns() "
            "where database_name = 'memory' and schema_name = 'main' "
            "order by table_name, column_index"
        ).fetchall()
    finally:
        scratch.close()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        tables.setdefault(table, []).append((column, kind))
    return tables


def ensure_schema(con: Warehouse) -> None:
    """Create the declared tables and columns the store lacks, in one write; nothing when none is
    missing (so that opening the store writes nothing)."""
    declared = declared_tables()
    have: dict[str, set[str]] = {}
    for table, column in con.sql(
        f"select table_name, column_name from duckdb_columns() where database_name = '{LAKE}'"
    ).fetchall():
        have.setdefault(table, set()).add(column)
    missing = {t: cols for t, cols in declared.items() if t not in have}
    added = {
        t: [(c, k) for c, k in cols if c not in have[t]]
        for t, cols in declared.items()
        if t in have and any(c not in have[t] for c, _ in cols)
    }
    if not missing and not added and _claims_ready(con):
        return
    with transaction(con, claim=False):
        for ddl in declared_ddl():
            con.execute(ddl)
        for table, columns in added.items():
            for column, kind in columns:
                con.execute(f'alter table {table} add column if not exists "{column}" {kind}')
        if not _claims_ready(con):
            con.execute("insert into write_claims values ('writes', 0)")


def _claims_ready(con) -> bool:
    try:
        return con.sql("select count(*) from write_claims").fetchall()[0][0] > 0
    except duckdb.CatalogException:
        return False


def mark_demo(con: Warehouse, seed: int, scale: float) -> None:
    with transaction(con):
        con.execute("delete from warehouse_info where key in ('kind', 'demo_seed', 'demo_scale')")
        con.execute(
            "insert into warehouse_info values ('kind', 'demo'), ('demo_seed', ?), ('demo_scale', ?)",
            [str(seed), str(scale)],
        )


def is_demo(con) -> bool:
    rows = con.sql("select value from warehouse_info where key = 'kind'").fetchall()
    return bool(rows) and rows[0][0] == "demo"
