"""What a load records: the outcome of each file, its `load_manifest` row, a rejected file's
problems (the quarantine record in `load_problems`) and its audit-log entry. Positions, contract
columns, rule names and counts only: `load_problems.value` stays for older warehouses and is
always NULL (access.md, "Bad input never hurts").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

import duckdb
import polars as pl

from data_contracts import contract_for
from data_contracts.problems import Problem, shown_file_name
from pipelines.audit import record
from pipelines.warehouse import note_commit, transaction

PROBLEM_SCHEMA = {  # a Problem's fields, as load_problems keeps them
    "file": pl.String,
    "rule": pl.String,
    "message": pl.String,
    "row": pl.Int64,
    "column": pl.String,
}


@dataclass
class FileOutcome:
    file: str
    kind: str | None
    status: str  # accepted | rejected | already_loaded | valid (check only)
    rows_in: int = 0
    rows_loaded: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    load_id: str | None = None
    as_of: str | None = None
    entities: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def __post_init__(self) -> None:
        self.file = shown_file_name(self.file)

    def as_dict(self) -> dict:
        return asdict(self) | {"seconds": round(self.seconds, 3)}  # problems as dicts too


@dataclass(frozen=True)
class Loader:
    """Who loads, as the manifest and the audit log name them."""

    actor: str
    role: str | None


def already_loaded(con: duckdb.DuckDBPyConnection, sha256: str) -> bool:
    rows = con.sql(
        "select count(*) from load_manifest where sha256 = ? and status in ('accepted', 'superseded')",
        params=[sha256],
    ).fetchall()
    return rows[0][0] > 0


def known_entities(con: duckdb.DuckDBPyConnection | None) -> set[str]:
    """The entities of the loads accepted so far: the only codes a rejected file's row may name."""
    if con is None:
        return set()
    rows = con.sql(
        """select distinct trim(unnest(string_split(entities, ','))) from load_manifest
           where status in ('accepted', 'superseded')"""
    ).fetchall()
    return {r[0] for r in rows}


def new_load_id(started: dt.datetime, sha256: str) -> str:
    return f"L{started:%Y%m%d%H%M%S%f}-{sha256[:8]}"


def write_rejection(
    con: duckdb.DuckDBPyConnection,
    loader: Loader,
    outcome: FileOutcome,
    sha256: str,
    started: dt.datetime,
    kind: str | None,
    file_format: str | None,
) -> str:
    """The rejected file's manifest row, its problems and its audit entry, in one transaction."""
    load_id = new_load_id(started, sha256 or "0" * 8)
    problems = (  # noqa: F841 - scanned by DuckDB
        pl.DataFrame([p.as_dict() for p in outcome.problems], schema=PROBLEM_SCHEMA, orient="row")
        .select(pl.lit(load_id).alias("load_id"), pl.exclude("file"))
        .rename({"row": "row_number", "column": "column_name"})
    )
    first = outcome.problems[0] if outcome.problems else None
    with transaction(con):
        insert_manifest(
            con,
            load_id=load_id,
            file_name=outcome.file,
            sha256=sha256,
            kind=kind,
            file_format=file_format,
            entities=",".join(outcome.entities) or None,
            as_of=outcome.as_of,
            rows_in=outcome.rows_in,
            rows_loaded=0,
            rows_rejected=outcome.rows_in,
            status="rejected",
            message=str(first) if first else None,
            contract_version=contract_for(kind).version if kind else None,
            started_at=started,
            loaded_by=loader.actor,
        )
        audit_file(con, loader, outcome, kind, load_id, rows_loaded=0)
        con.execute("insert into load_problems by name select * from problems")
        note_commit(con, "loads", load_id, author=loader.actor)
    return load_id


def insert_manifest(con: duckdb.DuckDBPyConnection, **row) -> None:
    """One `load_manifest` row, its columns named; finished now."""
    columns = ", ".join(row)
    values = ", ".join(f"${name}" for name in row)
    con.execute(
        f"insert into load_manifest ({columns}, finished_at) values ({values}, current_timestamp)",
        row,
    )


def audit_file(
    con: duckdb.DuckDBPyConnection,
    loader: Loader,
    outcome: FileOutcome,
    kind: str | None,
    load_id: str | None,
    rows_loaded: int,
    status: str | None = None,
) -> None:
    """The audit-log entry of a file loaded or rejected: names and counts, no value of the file."""
    status = status or outcome.status
    record(
        con,
        loader.actor,
        loader.role,
        "load_rejected" if status == "rejected" else "load",
        file=outcome.file,
        kind=kind,
        load_id=load_id,
        status=status,
        rows_in=outcome.rows_in,
        rows_loaded=rows_loaded,
    )
