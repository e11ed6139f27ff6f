"""Looking after a store while it runs: backup, restore, migration to another store, maintenance.

A copy carries the whole history: the catalog (every snapshot, so that a brief can be rebuilt from
the snapshot it recorded) and the data files it refers to. The catalog is copied first, as one
consistent state (SQLite's online backup of the embedded catalog; one read transaction of a
PostgreSQL catalog); the data files are immutable, so copying them after is safe while loads go
on — a file a later commit adds is simply not referred to by the copy. Maintenance and a backup of
the same embedded store exclude each other (maintenance removes files a running copy may need).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.store import LAKE, Store, StoreError, extension_file, parse_store, write_lock

BACKUP_NOTE = "backup.json"
META = "meta"  # the alias of a catalog database attached as itself (not as a lake)


@contextmanager
def maintenance_lock(store: Store, exclusive: bool) -> Iterator[None]:
    """Backups share it, maintenance takes it alone (embedded store; nothing for PostgreSQL)."""
    if store.kind != "folder":
        yield
        return
    path = Path(store.location) / "maintenance.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- copying a store ----------------------------------------------------------------------------


def backup(source: Store, out: Path) -> dict:
    """A consistent, restorable copy of a running store in the folder `out` (itself an embedded
    store: point --warehouse at it to read it, or `restore` it anywhere)."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise StoreError(f"{out} is not empty: a backup goes into a new folder")
    target = parse_store(str(out))
    summary = copy_store(source, target)
    note = {"backup_of": source.describe(), "taken_at": dt.datetime.now(dt.UTC).isoformat()}
    note |= summary
    (out / BACKUP_NOTE).write_text(json.dumps(note, indent=2))
    return note


def restore(backup_dir: Path, target: Store) -> dict:
    """A backup brought back into an empty store."""
    source = parse_store(str(backup_dir))
    if source.kind != "folder" or not source.exists():
        raise StoreError(f"{backup_dir} is not a backup made by `psea backup`")
    return copy_store(source, target)


def copy_store(source: Store, target: Store) -> dict:
    """Copy `source` (history included) into the empty store `target`; returns what was copied."""
    if not source.exists():
        raise StoreError(f"{source.describe()} holds no warehouse")
    clock = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="psea-copy-") as tmp, maintenance_lock(source, False):
        catalog = _frozen_catalog(source, Path(tmp))
        _require_empty(target)
        _write_catalog(catalog, source, target)
        files = _copy_data_files(catalog, source, target)
    snapshot = _latest_snapshot(target)
    return {
        "snapshot": snapshot,
        "data_files": files,
        "seconds": round(time.perf_counter() - clock, 2),
    }


def _duck() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    con.execute(f"LOAD '{extension_file('duckdb_extension_sqlite_scanner', 'sqlite_scanner')}'")
    con.execute(f"LOAD '{extension_file('duckdb_extension_postgres_scanner', 'postgres_scanner')}'")
    return con


def _frozen_catalog(source: Store, tmp: Path) -> Path:
    """The source's catalog as one consistent SQLite file (taken while writers go on)."""
    copy = tmp / "catalog.sqlite"
    if source.kind == "folder":
        live = sqlite3.connect(source.catalog_file, timeout=60)
        frozen = sqlite3.connect(copy)
        try:
            live.backup(frozen)  # SQLite's online backup: one committed state
        finally:
            frozen.close()
            live.close()
        return copy
    con = _duck()
    try:
        con.execute(f"ATTACH '{source.location}' AS {META} (TYPE postgres, READ_ONLY)")
        con.execute(f"ATTACH '{copy}' AS frozen (TYPE sqlite)")
        tables = con.sql(
            f"select schema_name, table_name from duckdb_tables() where database_name = '{META}' "
            "and table_name like 'ducklake_%'"
        ).fetchall()
        con.execute("BEGIN TRANSACTION")  # one PostgreSQL transaction: one state of the catalog
        for schema, table in tables:
            con.execute(f'CREATE TABLE frozen.{table} AS SELECT * FROM {META}."{schema}".{table}')
        con.execute("COMMIT")
    finally:
        con.close()
    return copy


def _require_empty(target: Store) -> None:
    if target.kind == "folder":
        folder = Path(target.location)
        if folder.exists() and any(p.name != "write.lock" for p in folder.iterdir()):
            raise StoreError(f"{target.describe()} is not empty: copy into a new folder")
        return
    con = _duck()
    try:
        con.execute(f"ATTACH '{target.location}' AS {META} (TYPE postgres, READ_ONLY)")
        tables = con.sql(
            f"select count(*) from duckdb_tables() where database_name = '{META}' "
            "and table_name like 'ducklake_%'"
        ).fetchall()[0][0]
    finally:
        con.close()
    if tables:
        raise StoreError(f"{target.describe()} already holds a DuckLake catalog: give an empty one")


def _write_catalog(catalog: Path, source: Store, target: Store) -> None:
    """The frozen catalog becomes the target's, with the target's data path. Between two folders
    the SQLite file itself is copied; otherwise DuckLake first creates its catalog tables (with
    the keys its conflict detection rests on) in the target, and every row is copied into them."""
    if target.kind == "folder" and source.kind == "folder":
        Path(target.location).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(catalog, target.catalog_file)
        db = sqlite3.connect(target.catalog_file)
        try:
            db.execute(
                "update ducklake_metadata set value = ? where key = 'data_path'",
                [target.data_path],
            )
            db.execute("pragma journal_mode = wal")
            db.commit()
        finally:
            db.close()
        return
    from pipelines.store import open_lake

    open_lake(target).close()  # an empty DuckLake: its catalog tables, their keys, snapshot 0
    con = _duck()
    try:
        con.execute(f"ATTACH '{catalog}' AS frozen (TYPE sqlite, READ_ONLY)")
        if target.kind == "folder":
            con.execute(f"ATTACH '{target.catalog_file}' AS {META} (TYPE sqlite)")
        else:
            con.execute(f"ATTACH '{target.location}' AS {META} (TYPE postgres)")
        have = {
            r[0]
            for r in con.sql(
                f"select table_name from duckdb_tables() where database_name = '{META}'"
            ).fetchall()
        }
        tables = [
            r[0]
            for r in con.sql(
                "select table_name from duckdb_tables() where database_name = 'frozen'"
            ).fetchall()
        ]
        con.execute("BEGIN TRANSACTION")
        for table in tables:
            if table in have:
                con.execute(f"DELETE FROM {META}.{table}")
                con.execute(f"INSERT INTO {META}.{table} BY NAME SELECT * FROM frozen.{table}")
            else:  # a table of inlined rows
                con.execute(f"CREATE TABLE {META}.{table} AS SELECT * FROM frozen.{table}")
        con.execute(
            f"UPDATE {META}.ducklake_metadata SET value = $p WHERE key = 'data_path'",
            {"p": target.data_path},
        )
        con.execute("COMMIT")
    finally:
        con.close()


def _copy_data_files(catalog: Path, source: Store, target: Store) -> int:
    """Every data and delete file the copied catalog refers to, at the same relative place."""
    db = sqlite3.connect(catalog)
    try:
        rows = db.execute(
            """
            with tables as (
                select distinct t.table_id, t.path as table_path, t.path_is_relative as table_rel,
                       s.path as schema_path, s.path_is_relative as schema_rel
                from ducklake_table t join ducklake_schema s using (schema_id)
            ),
            files as (
                select table_id, path, path_is_relative from ducklake_data_file
                union all
                select table_id, path, path_is_relative from ducklake_delete_file
            )
            select distinct f.path, f.path_is_relative, t.table_path, t.table_rel, t.schema_path,
                   t.schema_rel
            from files f join tables t using (table_id)
            """
        ).fetchall()
    finally:
        db.close()
    copied = 0
    for path, rel, table_path, table_rel, schema_path, schema_rel in rows:
        relative = _relative(path, rel, table_path, table_rel, schema_path, schema_rel)
        if relative is None:
            continue  # an absolute path outside the data folder: it stays where it is
        origin = Path(source.data_path) / relative
        destination = Path(target.data_path) / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if not origin.exists():
            raise StoreError(f"the data file {relative} of {source.describe()} is missing")
        shutil.copy2(origin, destination)
        copied += 1
    Path(target.data_path).mkdir(parents=True, exist_ok=True)
    return copied


def _relative(path, rel, table_path, table_rel, schema_path, schema_rel) -> str | None:
    """A file's path under the data folder (files, tables and schemas nest relative paths)."""
    if not rel:
        return None
    parts = [path]
    if table_rel in (1, True, None):
        parts.insert(0, table_path or "")
        if schema_rel in (1, True, None):
            parts.insert(0, schema_path or "")
    return "".join(parts)


def _latest_snapshot(store: Store) -> int:
    from pipelines.store import current_snapshot, open_lake

    con = open_lake(store, read_only=True)
    try:
        return current_snapshot(con)
    finally:
        con.close()


# --- maintenance --------------------------------------------------------------------------------


def kept_snapshots(con) -> set[int]:
    """The snapshots a release, a brief or a UN submission recorded: never expired."""
    queries = [  # a release: the snapshot whose commit names it (its data and itself)
        f"""select snapshot_id from ducklake_snapshots('{LAKE}')
            where len(json_extract_string(try_cast(commit_extra_info as json),
                '$.releases[*]')) > 0""",
        "select data_snapshot from brief_archive",
        "select data_snapshot from un_references",
    ]
    kept: set[int] = set()
    for query in queries:
        kept |= {r[0] for r in con.sql(query).fetchall() if r[0] is not None}
    return kept


def maintain(con, older_than_days: float = 30, files_older_than_minutes: float = 60) -> dict:
    """Expire the snapshots older than `older_than_days` that no release, brief or UN submission
    recorded (the latest is always kept), merge small data files, and delete the files no kept
    snapshot needs once they were released `files_older_than_minutes` ago (a reader may still be
    scanning a file for a moment after)."""
    store = con.store
    clock = time.perf_counter()
    with maintenance_lock(store, True):
        before = _data_files(store)
        kept = kept_snapshots(con)
        cutoff = dt.datetime.now() - dt.timedelta(days=older_than_days)
        latest = con.sql(f"select max(snapshot_id) from ducklake_snapshots('{LAKE}')").fetchall()
        expire = [
            r[0]
            for r in con.sql(
                f"""select snapshot_id from ducklake_snapshots('{LAKE}')
                    where snapshot_time::timestamp < $cutoff and snapshot_id < $latest
                    order by snapshot_id""",
                params={"cutoff": cutoff, "latest": latest[0][0]},
            ).fetchall()
            if r[0] not in kept
        ]
        with write_lock(store).held("maintenance"):
            if expire:
                con.execute(
                    f"CALL ducklake_expire_snapshots('{LAKE}', versions => $v)", {"v": expire}
                )
            con.execute(f"CALL ducklake_merge_adjacent_files('{LAKE}')")
        con.execute(
            f"CALL ducklake_cleanup_old_files('{LAKE}', older_than => $t)",
            {"t": dt.datetime.now() - dt.timedelta(minutes=files_older_than_minutes)},
        )
        after = _data_files(store)
    return {
        "expired_snapshots": len(expire),
        "kept_snapshots": len(kept),
        "data_files_before": before[0],
        "data_files_after": after[0],
        "bytes_before": before[1],
        "bytes_after": after[1],
        "seconds": round(time.perf_counter() - clock, 2),
    }


def _data_files(store: Store) -> tuple[int, int]:
    folder = Path(store.data_path)
    if not folder.exists():
        return 0, 0
    sizes = [p.stat().st_size for p in folder.rglob("*") if p.is_file()]
    return len(sizes), sum(sizes)
