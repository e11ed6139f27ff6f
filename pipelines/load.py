"""Validate extract files and load what passes: one DuckLake transaction per file, with its manifest.

Nothing of a rejected file reaches the extract tables; its problems are kept in `load_problems`
(the quarantine record) under a `rejected` manifest row (`pipelines.manifest`). Loading the same
bytes twice changes nothing. A different file for the same (extract, entity, as_of) replaces that
snapshot, and the manifest keeps both loads (the earlier one marked `superseded`). A load scoped to
an entity refuses any file with a row of another entity before anything is looked up or changed.
Dashboards and other commands read the store meanwhile: they see it before or after a load, never
half of one; two loads at once queue for the store's write lock (pipelines.store).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from data_contracts import contract_for, kinds_in_load_order
from data_contracts.model import ENTITY_PATTERN
from data_contracts.problems import ExtractRejected, Problem, shown_file_name
from data_contracts.rules import check_rows
from pipelines.manifest import (
    FileOutcome,
    Loader,
    already_loaded,
    audit_file,
    insert_manifest,
    known_entities,
    new_load_id,
    write_rejection,
)
from pipelines.read import RawExtract, detect_kind, read_extract_as
from pipelines.safety_net import SafetyNet, import_in_background
from pipelines.warehouse import note_commit, retrying, transaction

__all__ = ["FileOutcome", "expand_paths", "ingest"]
EXTRACT_SUFFIXES = {".csv", ".xlsx", ".parquet", ".txt"}
ProgressCallback = Callable[[str, str], None]  # (file name, stage)
# Called in the transaction of each load of case data, with everything written, before COMMIT:
# the app's and the CLI's rebuild and publication of the release (psea.disclosure), so that the
# release of the new data is published in the same snapshot as the data.
AfterCaseLoad = Callable[[duckdb.DuckDBPyConnection], None]
CASE_KINDS = ("cases", "case_victims", "case_subjects", "victim_assistance", "agency_returns")
# Any other failure while checking or loading a file rejects that file, with this message only: an
# exception's text may quote a cell of the file. (Polars' Rust panics are BaseExceptions.)
UNEXPECTED = (Exception, pl.exceptions.PanicException)
INTERNAL_ERROR = "an internal error stopped the check of this file; nothing was loaded"


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and every extract file inside a folder."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if p.is_file() and p.suffix.lower() in EXTRACT_SUFFIXES
                )
            )
        else:
            out.append(path)
    return out


def _detect(path: Path, kind: str | None) -> str | ExtractRejected:
    """The file's kind, or why it has none: decided once per file."""
    try:
        return detect_kind(path, kind)
    except ExtractRejected as rejected:
        return rejected


def _load_rank(file: tuple[Path, str | ExtractRejected]) -> tuple[int, str]:
    path, kind = file
    order = kinds_in_load_order()
    return (order.index(kind) if isinstance(kind, str) else len(order)), path.name


class _Batch:
    """Frames accepted earlier in this run, for references within one load (cases then victims)."""

    def __init__(self, con: duckdb.DuckDBPyConnection | None):
        self.con = con
        self.frames: dict[str, list[pl.DataFrame]] = defaultdict(list)

    def lookup(self, kind: str, entities: list[str], columns: list[str]) -> pl.DataFrame:
        parts = [
            f.filter(pl.col("entity").is_in(entities)).select(columns) for f in self.frames[kind]
        ]
        if self.con is not None:
            # each distinct row once (the warehouse holds one per snapshot), the latest last
            cols = ", ".join(columns)
            query = (
                f"select {cols} from {kind} where entity in (select unnest($entities)) "
                "group by all order by max(as_of)"
            )
            parts.insert(0, self.con.sql(query, params={"entities": entities}).pl())
        schema = {
            c.name: pl.String if c.is_text else pl.Date
            for c in contract_for(kind).columns
            if c.name in columns
        }
        return pl.concat([p.cast(schema) for p in parts]) if parts else pl.DataFrame(schema=schema)


@dataclass
class _Run:
    """What every file of one `ingest` call shares."""

    con: duckdb.DuckDBPyConnection | None
    writes: bool  # loading into the warehouse (else checking only)
    loader: Loader
    entity: str | None  # the loader's entity: every row of every file must be of it
    batch: _Batch
    note: ProgressCallback
    run_gx: bool
    after_case_load: AfterCaseLoad | None = None
    last_case_file: Path | None = None  # the one whose transaction calls after_case_load


def ingest(
    con: duckdb.DuckDBPyConnection | None,
    paths: Iterable[Path],
    kind: str | None = None,
    load: bool = True,
    actor: str = "cli",
    progress: ProgressCallback | None = None,
    run_gx: bool = True,
    role: str | None = None,
    entity: str | None = None,
    after_case_load: AfterCaseLoad | None = None,
) -> list[FileOutcome]:
    """Check each file against its contract and, with `load`, load what passes (cases before victims).
    A load writes its audit-log entry (as `actor` in `role`) in the transaction of its manifest row.
    With `entity` (the loader's), a file with any row of another entity is rejected. With
    `after_case_load`, the load of the call's last file of case data calls it inside its
    transaction (the caller ensures the release when that file was not loaded)."""
    files = sorted(((path, _detect(path, kind)) for path in expand_paths(paths)), key=_load_rank)
    if run_gx and files:
        import_in_background()
    note = progress or (lambda _f, _s: None)
    writes = load and con is not None
    last_case = [path for path, detected in files if detected in CASE_KINDS][-1:]
    run = _Run(
        con,
        writes,
        Loader(actor, role),
        entity,
        _Batch(con),
        note,
        run_gx,
        after_case_load,
        last_case[0] if last_case else None,
    )
    return [_one_file(run, path, detected) for path, detected in files]


def _one_file(run: _Run, path: Path, detected: str | ExtractRejected) -> FileOutcome:
    started = dt.datetime.now()
    clock = time.perf_counter()
    kind = detected if isinstance(detected, str) else None
    raw: RawExtract | None = None
    run.note(shown_file_name(path.name), "reading")
    try:
        if isinstance(detected, ExtractRejected):
            raise detected
        raw = read_extract_as(path, detected)
        _require_entity(raw, run.entity)
        outcome = _check_and_load(run, raw, started)
    except ExtractRejected as rejected:
        outcome = _rejected(path, None, rejected.problem)
    except UNEXPECTED:  # a bug or a broken dependency: this file is rejected, the others go on
        outcome = _rejected(path, kind, Problem(path.name, "internal_error", INTERNAL_ERROR))
    if outcome.status == "rejected":
        _forget_values(run, outcome)
    if outcome.status == "rejected" and run.writes:
        sha256, file_format = (raw.sha256, raw.file_format) if raw else (_sha(path), None)
        outcome.load_id = retrying(
            run.con,
            lambda: write_rejection(
                run.con, run.loader, outcome, sha256, started, kind, file_format
            ),
        )
    elif outcome.status == "already_loaded" and run.writes:
        audit_file(run.con, run.loader, outcome, outcome.kind, None, rows_loaded=0)
    outcome.seconds = time.perf_counter() - clock
    return outcome


def _require_entity(raw: RawExtract, entity: str | None) -> None:
    """A load scoped to an entity takes none of another's rows: refused before any lookup or write."""
    if entity is None:
        return
    cells = raw.frame[
        contract_for(raw.kind).entity_column
    ]  # a malformed code is the entity_code rule's, not another entity
    other = (cells.str.contains(ENTITY_PATTERN).fill_null(False) & (cells != entity)).arg_true()
    if len(other):
        raise ExtractRejected(
            Problem(
                raw.name,
                "other_entity",
                f"a row of another entity than {entity} (the loader's); nothing was loaded",
                row=int(other[0]) + 1,
                column=contract_for(raw.kind).entity_column,
            )
        )


def _forget_values(run: _Run, outcome: FileOutcome) -> None:
    """A rejected file's as_of and entity codes are values of it (a birth date, a surname in
    capitals): the outcome keeps the loader's entity, or codes the warehouse already knows."""
    outcome.as_of = None
    if run.entity is not None:
        outcome.entities = [run.entity]
    elif outcome.entities:
        known = known_entities(run.con)
        outcome.entities = [e for e in outcome.entities if e in known]


def _rejected(path: Path, kind: str | None, problem: Problem) -> FileOutcome:
    return FileOutcome(path.name, kind, "rejected", problem_count=1, problems=[problem])


def _check_and_load(run: _Run, raw: RawExtract, started: dt.datetime) -> FileOutcome:
    if run.writes and already_loaded(run.con, raw.sha256):
        return FileOutcome(raw.name, raw.kind, "already_loaded", rows_in=raw.frame.height)
    run.note(raw.name, "checking rules")
    contract = contract_for(raw.kind)
    checked = check_rows(raw.frame, contract, raw.name, raw.file_date, run.batch.lookup)
    outcome = FileOutcome(
        raw.name,
        raw.kind,
        "rejected",
        rows_in=checked.rows,
        problem_count=checked.problem_count,
        problems=checked.problems,
        as_of=checked.as_of.isoformat() if checked.as_of else None,
        entities=checked.entities,
        notes=checked.notes,
    )
    if checked.as_of is None and not outcome.problems:
        outcome.problems.append(Problem(raw.name, "required", "no as_of date", column="as_of"))
        outcome.problem_count = 1
    if outcome.problem_count:
        return outcome
    gx = SafetyNet(contract, checked) if run.run_gx else None  # GX, while the rows are inserted
    if run.writes:
        run.note(raw.name, "loading")
        outcome.status = _load_accepted(run, raw, checked.frame, outcome, started, gx)
    else:
        _gx_verdict(gx, outcome)
        outcome.status = "rejected" if outcome.problem_count else "valid"
    if outcome.status in ("valid", "accepted"):
        run.batch.frames[raw.kind].append(checked.frame)
    return outcome


def _sha(path: Path) -> str:
    """The digest of a file refused before it was read: streamed, whatever its size."""
    if not path.is_file():
        return ""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _gx_verdict(gx: SafetyNet | None, outcome: FileOutcome) -> dict | None:
    """Wait for the suite; its failures become the file's problems. The result for the manifest."""
    if gx is None:
        return None
    problems, result = gx.verdict(outcome.file)
    outcome.problems.extend(problems)
    outcome.problem_count += len(problems)
    return result


def before_commit() -> None:
    """Called in a load's transaction with everything written, just before COMMIT: nothing here;
    the seam where tests interrupt a load (a failure, a killed process) to see it leave no trace."""


class _GxFailed(Exception):
    """The GX suite failed on rows already written: the load's transaction is rolled back."""


def _load_accepted(
    run: _Run, raw: RawExtract, frame: pl.DataFrame, outcome: FileOutcome, started, gx
) -> str:
    """Load the checked rows and their manifest row in one transaction: "accepted", "rejected"
    (the GX suite failed: rolled back), or "already_loaded" (another session or process loaded
    the file first: checked inside the transaction, one writer at a time). A write another writer
    made impossible (a PostgreSQL catalog) is run again, from the check."""
    load_id = new_load_id(started, raw.sha256)
    verdict: dict = {}  # the suite's result, waited for once whatever the attempts
    try:
        return retrying(
            run.con,
            lambda: _write_load(run, raw, frame, outcome, started, (gx, verdict), load_id),
            "load",
        )
    except _GxFailed:
        return "rejected"


def _write_load(
    run: _Run, raw: RawExtract, frame: pl.DataFrame, outcome: FileOutcome, started, gx, load_id
) -> str:
    con = run.con
    contract = contract_for(raw.kind)
    rows = frame.select(contract.column_names)  # noqa: F841 - scanned by DuckDB
    snapshot = {"entities": outcome.entities, "as_of": outcome.as_of, "kind": raw.kind}
    cols = ", ".join(f'"{c}"' for c in contract.column_names)
    with transaction(con):
        loaded, replaced = con.sql(
            """select count(*) filter (where sha256 = $sha and status in ('accepted', 'superseded')),
                      count(*) filter (where status = 'accepted' and kind = $kind and as_of = $as_of
                          and list_has_any(string_split(entities, ','), $entities))
               from load_manifest""",
            params={**snapshot, "sha": raw.sha256},
        ).fetchall()[0]
        if loaded:  # another session or process loaded the same bytes first
            return "already_loaded"
        if replaced:  # a corrected re-send: the earlier file's rows go, its manifest row stays
            con.execute(
                f"delete from {raw.kind} where as_of = $as_of "
                f"and {contract.entity_column} in (select unnest($entities))",
                {"as_of": snapshot["as_of"], "entities": snapshot["entities"]},
            )
            con.execute(
                """update load_manifest set status = 'superseded'
                   where status = 'accepted' and kind = $kind and as_of = $as_of
                     and list_has_any(string_split(entities, ','), $entities)""",
                snapshot,
            )
        con.execute(
            f"insert into {raw.kind} ({cols}, load_id) select {cols}, $load_id from rows",
            {"load_id": load_id},
        )
        gx_net, verdict = gx
        if "result" not in verdict:
            verdict["result"] = _gx_verdict(gx_net, outcome)
        if outcome.problem_count:
            raise _GxFailed
        gx_result = dict(verdict["result"] or {})
        validation = gx_result.pop("validation", None)
        insert_manifest(
            con,
            load_id=load_id,
            file_name=raw.name,
            sha256=raw.sha256,
            kind=raw.kind,
            file_format=raw.file_format,
            entities=",".join(outcome.entities),
            as_of=outcome.as_of,
            rows_in=outcome.rows_in,
            rows_loaded=frame.height,
            rows_rejected=0,
            status="accepted",
            notes="; ".join(outcome.notes) or None,
            contract_version=contract.version,
            gx_result=json.dumps(gx_result) if gx_result else None,
            started_at=started,
            loaded_by=run.loader.actor,
        )
        audit_file(con, run.loader, outcome, raw.kind, load_id, frame.height, status="accepted")
        note_commit(con, "loads", load_id, author=run.loader.actor)
        if validation:  # its Data Docs page is rendered from it when someone asks for it
            con.execute(
                "insert into gx_validations (load_id, result) values (?, ?)",
                [load_id, json.dumps(validation)],
            )
        if run.after_case_load is not None and raw.path == run.last_case_file:
            run.after_case_load(con)
        before_commit()
    outcome.load_id = load_id
    outcome.rows_loaded = frame.height
    return "accepted"
