"""The ledger of UN quarterly productions: every production recorded with the snapshots it read,
its counts, each file's SHA-256 and bytes (a production can be downloaded again exactly as
produced), the UN references it gave, and its audit record — in one transaction.

The tables have no keys (DuckLake has none): keys are kept here. A production id is new each time
(time and random part); a reference is given to one case_ref and a case_ref keeps one reference.
Two writers giving references at the same moment are caught after the commit: the later one is
undone (ReferenceConflict) and the caller produces again from what is kept then.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import uuid
from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.audit import record
from pipelines.warehouse import snapshot_id, transaction

FILES = ("allegations.csv", "updates.csv", "totals.csv")
MANIFEST = "manifest.json"
_WRITING = threading.Lock()  # one production at a time per process (dashboard sessions are threads)


class ReferenceConflict(RuntimeError):
    """Another production gave one of the same references (or to one of the same cases) meanwhile."""


@dataclass(frozen=True)
class Production:
    production_id: str
    produced_at: dt.datetime
    previous: str | None  # the latest earlier production of the same entity and quarter
    differs: bool | None  # its three files differ from this one's (None: no earlier production)
    manifest: bytes


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def latest_production(con, entity: str, quarter: str) -> dict | None:
    """The latest production of the entity's quarter (a row of un_productions), or None."""
    rows = con.sql(
        """select * from un_productions where entity = $entity and quarter = $quarter
           order by produced_at desc, production_id desc limit 1""",
        params={"entity": entity, "quarter": quarter},
    ).pl()
    return rows.row(0, named=True) if rows.height else None


def record_production(
    con,
    *,
    entity: str,
    quarter: str,
    snapshots: dict[str, dt.date | None],
    counts: dict[str, int],
    files: dict[str, bytes],
    references: pl.DataFrame,
    actor: str,
    role: str | None,
) -> Production:
    """Keep one production of the three `files` (allegations.csv, updates.csv, totals.csv) and
    its manifest; `counts` holds allegations, reported_late, updates, withdrawn; `references` the
    references the production gave (case_ref, un_reference, year_received, sequence, quarter)."""
    with _WRITING:
        produced_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        production_id = f"UN{produced_at:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
        previous = latest_production(con, entity, quarter)
        hashes = {name: sha256(data) for name, data in files.items()}
        differs = None
        if previous is not None:
            differs = any(previous[_sha_column(name)] != hashes[name] for name in files)
        row = {  # a row of un_productions, in its columns' order
            "production_id": production_id,
            "entity": entity,
            "quarter": quarter,
            "cases_as_of": snapshots["cases"],
            "snapshots": json.dumps(snapshots, default=str, sort_keys=True),
            **{k: counts[k] for k in ("allegations", "reported_late", "updates", "withdrawn")},
            **{_sha_column(name): hashes[name] for name in FILES},
            "produced_by": actor,
            "role": role,
            "produced_at": produced_at,
            "previous_production": previous and previous["production_id"],
            "differs_from_previous": differs,
        }
        manifest = _manifest(row, snapshots, hashes)
        try:
            _record(con, row, {**files, MANIFEST: manifest}, references)
        except duckdb.ConstraintException as err:  # a warehouse built when the table had keys
            raise ReferenceConflict(
                f"a UN reference of {entity} was kept meanwhile: {err}"
            ) from None
        _check_references(con, entity, production_id)
    return Production(production_id, produced_at, row["previous_production"], differs, manifest)


def _sha_column(file_name: str) -> str:
    return f"{file_name.removesuffix('.csv')}_sha256"


def _record(con, row: dict, files: dict[str, bytes], references: pl.DataFrame) -> None:
    """The production, its files, the references it gave and its audit record: one transaction."""
    read = snapshot_id(con)  # the store's snapshot the production was computed from
    with transaction(con):
        _keep_references(con, row["entity"], references, row["production_id"], read)
        con.execute(f"insert into un_productions values ({', '.join(f'${k}' for k in row)})", row)
        for name, data in files.items():
            con.execute(
                "insert into un_production_files values ($id, $name, $sha, $content)",
                {"id": row["production_id"], "name": name, "sha": sha256(data), "content": data},
            )
        record(
            con,
            row["produced_by"],
            row["role"],
            "produce_exact_figures",
            report="un_quarterly",
            production_id=row["production_id"],
            entity=row["entity"],
            quarter=row["quarter"],
            as_of=row["cases_as_of"],
            allegations=row["allegations"],
            updates=row["updates"],
        )


def _manifest(row: dict, snapshots: dict[str, dt.date | None], hashes: dict[str, str]) -> bytes:
    """manifest.json: the one file that names the production, who made it and when."""
    document = {
        **{k: row[k] for k in ("production_id", "entity", "quarter", "produced_by", "role")},
        "produced_at": row["produced_at"].isoformat() + "Z",
        "snapshots_read": {kind: day and day.isoformat() for kind, day in snapshots.items()},
        **{k: row[k] for k in ("allegations", "reported_late", "updates", "withdrawn")},
        "files": {name: {"sha256": digest} for name, digest in sorted(hashes.items())},
        "previous_production": row["previous_production"],
        "differs_from_previous": row["differs_from_previous"],
    }
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def _keep_references(con, entity: str, given: pl.DataFrame, production_id: str, read: int) -> None:
    rows = given.with_columns(  # noqa: F841 - scanned by DuckDB below
        pl.lit(entity).alias("entity"),
        pl.lit(production_id).alias("production_id"),
        pl.lit(read, dtype=pl.Int64).alias("data_snapshot"),
    )
    con.execute(
        """insert into un_references (entity, case_ref, un_reference, year_received, sequence,
               assigned_at, assigned_in_quarter, production_id, data_snapshot)
           select entity, case_ref, un_reference, year_received, sequence, current_timestamp,
               quarter, production_id, data_snapshot
           from rows n
           where not exists (select 1 from un_references r
                             where r.entity = n.entity and r.case_ref = n.case_ref)"""
    )


def _check_references(con, entity: str, production_id: str) -> None:
    """After the commit: a reference of this production given twice, or a case of it referenced
    twice, means another writer kept its own meanwhile: this production is undone."""
    clash = con.sql(
        """with mine as (select * from un_references where production_id = $id)
           select count(*) from un_references r join mine m
             on r.entity = m.entity and (r.un_reference = m.un_reference or r.case_ref = m.case_ref)
           where r.production_id is distinct from $id""",
        params={"id": production_id},
    ).fetchall()[0][0]
    if not clash:
        return
    with transaction(con):
        for table in ("un_references", "un_production_files", "un_productions"):
            con.execute(f"delete from {table} where production_id = $id", {"id": production_id})
        record(con, "system", None, "un_production_undone", production_id=production_id)
    raise ReferenceConflict(
        f"another production of {entity} gave UN references at the same moment; produce again"
    )


def ledger_version(con, entity: str) -> str:
    """What the ledger of the entity holds, as a cache key: changes with every production."""
    row = con.sql(
        """select (select count(*) from un_productions where entity = $entity)::varchar || '|' ||
                  (select count(*) from un_references where entity = $entity)::varchar""",
        params={"entity": entity},
    ).fetchall()[0][0]
    return row


def productions(con, entity: str | None = None) -> pl.DataFrame:
    """Every production, latest first (an entity's own only, when given)."""
    return con.sql(
        """select production_id, entity, quarter, cases_as_of, allegations, reported_late,
                  updates, withdrawn, produced_by, produced_at, previous_production,
                  differs_from_previous, allegations_sha256, updates_sha256, totals_sha256
           from un_productions where $entity is null or entity = $entity
           order by produced_at desc, production_id desc""",
        params={"entity": entity},
    ).pl()


def production_files(con, production_id: str) -> dict[str, bytes]:
    """The files of a production, exactly as produced."""
    rows = con.sql(
        """select file_name, content from un_production_files where production_id = $id
           order by file_name""",
        params={"id": production_id},
    ).fetchall()
    return {name: bytes(content) for name, content in rows}
