"""The `psea` command: load extracts and produce documents without opening the dashboard.

Exit status: 0 success, 1 something was rejected or failed, 2 wrong usage.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="PSEA Oversight: load anonymized extracts into the warehouse and produce reports and briefs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

WarehouseOption = Annotated[
    Path | None,
    typer.Option(
        "--warehouse",
        help="DuckDB warehouse file (default: $PSEA_WAREHOUSE, else data/warehouse.duckdb).",
    ),
]


def _usage_error(message: str) -> None:
    typer.echo(f"psea: {message}", err=True)
    raise typer.Exit(2)


def _failure(message: str) -> None:
    typer.echo(f"psea: {message}", err=True)
    raise typer.Exit(1)


def _open(warehouse: Path | None, read_only: bool = False):
    from pipelines.warehouse import connect, warehouse_path

    path = warehouse_path(warehouse)
    if read_only and not path.exists():
        _failure(f"no warehouse at {path}: run `psea demo` or `psea ingest` first")
    try:
        return connect(path, read_only=read_only)
    except RuntimeError as err:
        _failure(str(err))


class _Progress:
    """A progress bar on a terminal; silent otherwise."""

    def __init__(self, total: int, label: str):
        self.bar = None
        if sys.stderr.isatty() and total:
            from rich.progress import Progress

            self.bar = Progress(transient=True)
            self.task = self.bar.add_task(label, total=total)
            self.bar.start()
        self.seen: set[str] = set()

    def __call__(self, file: str, stage: str) -> None:
        if self.bar is None:
            return
        if file not in self.seen and self.seen:
            self.bar.advance(self.task)
        self.seen.add(file)
        self.bar.update(self.task, description=f"{file}: {stage}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _check_paths(paths: list[Path]) -> None:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        _usage_error(f"no such file or folder: {', '.join(missing)}")


def _report(outcomes, as_json: bool, verb: str) -> None:
    if as_json:
        typer.echo(json.dumps({"files": [o.as_dict() for o in outcomes]}, indent=2))
    else:
        for o in outcomes:
            label = {
                "accepted": "accepted",
                "rejected": "REJECTED",
                "already_loaded": "already loaded",
                "valid": "valid",
            }[o.status]
            detail = (
                f"{o.rows_loaded or o.rows_in} rows"
                if o.status != "rejected"
                else f"{o.problem_count} problem(s)"
            )
            suffix = f", as_of {o.as_of}" if o.as_of else ""
            typer.echo(f"{o.file}: {label} ({o.kind or 'unknown kind'}, {detail}{suffix})")
            for problem in o.problems[:10]:
                typer.echo(f"  {problem}")
            if o.problem_count > 10:
                typer.echo(f"  … and {o.problem_count - 10} more")
            for note in o.notes:
                typer.echo(f"  note: {note}")
    if any(o.status == "rejected" for o in outcomes):
        raise typer.Exit(1)


@app.command()
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Extract files, or folders of extract files.")
    ],
    kind: Annotated[
        str | None, typer.Option("--kind", help="Extract kind, when the file name does not say it.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON document on stdout.")
    ] = False,
    warehouse: WarehouseOption = None,
) -> None:
    """Validate each file against its contract and load what passes (one transaction per file)."""
    from data_contracts import contracts
    from pipelines.load import expand_paths
    from pipelines.load import ingest as run_ingest

    _check_paths(paths)
    if kind and kind not in contracts():
        _usage_error(f"unknown --kind {kind!r}; known: {', '.join(sorted(contracts()))}")
    con = _open(warehouse)
    files = expand_paths(paths)
    progress = _Progress(len(files), "loading")
    try:
        outcomes = run_ingest(
            con, files, kind=kind, load=True, actor=_actor(), role="analyst", progress=progress
        )
    finally:
        progress.close()
        con.close()
    _report(outcomes, as_json, "loaded")


@app.command()
def check(
    paths: Annotated[
        list[Path], typer.Argument(help="Extract files, or folders of extract files.")
    ],
    kind: Annotated[
        str | None, typer.Option("--kind", help="Extract kind, when the file name does not say it.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON document on stdout.")
    ] = False,
    warehouse: WarehouseOption = None,
) -> None:
    """The same validation as `ingest`, loading nothing (references are checked against the warehouse if it exists)."""
    from data_contracts import contracts
    from pipelines.load import expand_paths
    from pipelines.load import ingest as run_ingest
    from pipelines.warehouse import connect, warehouse_path

    _check_paths(paths)
    if kind and kind not in contracts():
        _usage_error(f"unknown --kind {kind!r}; known: {', '.join(sorted(contracts()))}")
    path = warehouse_path(warehouse)
    con = connect(path, read_only=True) if path.exists() else None
    files = expand_paths(paths)
    progress = _Progress(len(files), "checking")
    try:
        outcomes = run_ingest(con, files, kind=kind, load=False, progress=progress)
    finally:
        progress.close()
        if con is not None:
            con.close()
    _report(outcomes, as_json, "checked")


@app.command()
def status(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON document on stdout.")
    ] = False,
    warehouse: WarehouseOption = None,
) -> None:
    """What the warehouse holds: rows and latest as_of per extract, accepted and rejected loads."""
    from psea.metrics.status import warehouse_status

    con = _open(warehouse, read_only=True)
    try:
        report = warehouse_status(con)
    finally:
        con.close()
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    typer.echo(f"{'extract':<20}{'rows':>10}  {'latest as_of':<12}{'accepted':>10}{'rejected':>10}")
    for kind, info in report["extracts"].items():
        typer.echo(
            f"{kind:<20}{info['rows']:>10}  {info['latest_as_of'] or '-':<12}{info['accepted']:>10}{info['rejected']:>10}"
        )
    typer.echo(
        f"loads: {report['loads']['accepted']} accepted, {report['loads']['rejected']} rejected"
    )


@app.command()
def demo(
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed builds the same warehouse.")
    ] = 7,
    scale: Annotated[
        float,
        typer.Option(help="Multiplies the population and all that follows (1 = default demo)."),
    ] = 1.0,
    write_extracts: Annotated[
        Path | None,
        typer.Option(
            "--write-extracts", help="Also write the extracts as files: the data owners' templates."
        ),
    ] = None,
    extract_format: Annotated[
        str, typer.Option("--extract-format", help="csv or xlsx, for --write-extracts.")
    ] = "csv",
    warehouse: WarehouseOption = None,
) -> None:
    """Build (or rebuild) a warehouse from the bundled synthetic generator. Nothing in it is real."""
    from pipelines.demo_build import build_demo
    from pipelines.warehouse import warehouse_path

    if scale <= 0:
        _usage_error("--scale must be positive")
    if extract_format not in ("csv", "xlsx"):
        _usage_error("--extract-format is csv or xlsx")
    path = warehouse_path(warehouse)
    if path.exists():
        from pipelines.warehouse import is_demo

        con = _open(path, read_only=True)
        try:
            loads = con.sql("select count(*) from load_manifest").fetchall()[0][0]
            real = loads > 0 and not is_demo(con)
        finally:
            con.close()
        if real:
            _failure(
                f"{path} holds loaded extracts, not a demo: refusing to overwrite it; "
                "give another --warehouse"
            )
    started = time.perf_counter()
    try:
        summary = build_demo(
            path, seed=seed, scale=scale, extracts_dir=write_extracts, extract_format=extract_format
        )
    except RuntimeError as err:
        _failure(str(err))
    typer.echo(
        f"demo warehouse {path} built in {time.perf_counter() - started:.1f} s (seed {seed}, scale {scale}, cut-off {summary['end']})"
    )
    for kind, rows in summary["rows"].items():
        typer.echo(f"  {kind:<20}{rows:>10} rows")
    if write_extracts:
        typer.echo(f"extract files written to {write_extracts}")


@app.command()
def pseudonymize(
    file: Annotated[
        Path, typer.Argument(help="The extract before sending (CSV, XLSX or Parquet).")
    ],
    columns: Annotated[
        str, typer.Option("--columns", help="Comma-separated identifier columns to replace.")
    ],
    key_file: Annotated[
        Path, typer.Option("--key-file", help="File holding the organization's secret key.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Where to write the pseudonymized file.")],
) -> None:
    """Replace identifier columns by keyed pseudonyms (HMAC-SHA256, 16 hex characters), for data owners."""
    from pipelines.pseudonymize import pseudonymize_file

    _check_paths([file, key_file])
    try:
        rows = pseudonymize_file(file, [c for c in columns.split(",") if c.strip()], key_file, out)
    except (KeyError, ValueError) as err:
        _failure(str(err).strip("'\""))
    typer.echo(f"{out}: {rows} rows, column(s) {columns} pseudonymized")


report_app = typer.Typer(
    help="Official reports (exact figures, audit-logged).", no_args_is_help=True
)
app.add_typer(report_app, name="report")


@report_app.command("un-quarterly")
def report_un_quarterly(
    entity: Annotated[str, typer.Option("--entity", help="The reporting entity, e.g. IOM.")],
    quarter: Annotated[str, typer.Option("--quarter", help="The quarter, e.g. 2018Q2.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for allegations.csv and totals.csv.")],
    warehouse: WarehouseOption = None,
) -> None:
    """The UN quarterly submission for allegations received in the quarter (exact figures)."""
    from psea.metrics import un_quarterly

    try:
        period = un_quarterly.parse_quarter(quarter)
    except ValueError as err:
        _usage_error(str(err))
    con = _open(warehouse)
    try:
        rows = un_quarterly.allegations(con, entity, period)
        totals = un_quarterly.totals(rows)
        out.mkdir(parents=True, exist_ok=True)
        rows.drop("case_ref").write_csv(out / "allegations.csv")
        totals.write_csv(out / "totals.csv")
        _record(
            con,
            "analyst",
            "produce_exact_figures",
            report="un_quarterly",
            entity=entity,
            quarter=quarter,
            allegations=rows.height,
        )
    finally:
        con.close()
    typer.echo(
        f"{out / 'allegations.csv'}: {rows.height} allegations; {out / 'totals.csv'}: {totals.height} lines"
    )


def _actor() -> str:
    """Who runs a command, in the audit log and the load manifest: the signed-in system user."""
    import getpass

    return f"cli:{getpass.getuser()}"


def _record(con, role: str | None, action: str, **detail) -> None:
    """An audit-log entry for a command run by the signed-in system user."""
    from pipelines.audit import record

    record(con, _actor(), role, action, **detail)


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _usage_error(f"{option} must be a date YYYY-MM-DD, got {value!r}")


def _check_entity(con, entity: str | None) -> None:
    if entity is None:
        return
    known = sorted(
        r[0]
        for r in con.sql(
            "select distinct entity from roster union select distinct entity from cases"
        ).fetchall()
    )
    if entity not in known:  # the caller's `finally` closes the connection
        _usage_error(f"unknown --entity {entity!r}; the warehouse holds {', '.join(known)}")


@app.command()
def indicators(
    as_of: Annotated[str, typer.Option("--as-of", help="The cut-off date, YYYY-MM-DD.")],
    out: Annotated[Path, typer.Option("--out", help="The CSV file to write.")],
    entity: Annotated[
        str | None, typer.Option("--entity", help="One entity, e.g. IOM (default: all).")
    ] = None,
    warehouse: WarehouseOption = None,
) -> None:
    """The manager PSEA performance indicators at a cut-off, one row per manager (exact figures)."""
    from psea.metrics import managers

    cutoff = _date(as_of, "--as-of")
    con = _open(warehouse)
    try:
        _check_entity(con, entity)
        table = managers.indicators_table(con, cutoff, entity)
        out.parent.mkdir(parents=True, exist_ok=True)
        managers.write_indicators_csv(table, out)
        _record(
            con,
            "analyst",
            "produce_exact_figures",
            report="manager_indicators",
            entity=entity,
            as_of=as_of,
            managers=table.height,
        )
    finally:
        con.close()
    typer.echo(f"{out}: {table.height} managers at {cutoff.isoformat()}")


@app.command()
def brief(
    meeting: Annotated[
        str, typer.Option("--meeting", help="The meeting date, YYYY-MM-DD (calendar or ad hoc).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder to write the brief into.")],
    entity: Annotated[
        str | None,
        typer.Option("--entity", help="One entity (default: all, the Champion's office variant)."),
    ] = None,
    formats: Annotated[
        str, typer.Option("--formats", help="Comma-separated: docx, pdf, md.")
    ] = "docx,pdf,md",
    warehouse: WarehouseOption = None,
) -> None:
    """The SFP meeting brief for the period since the previous meeting (suppressed figures)."""
    from psea import brief_render
    from psea.brief import build_brief

    day = _date(meeting, "--meeting")
    chosen = [f.strip().lower() for f in formats.split(",") if f.strip()]
    unknown = sorted(set(chosen) - set(brief_render.FORMATS))
    if unknown or not chosen:
        _usage_error(
            f"unknown format(s) {', '.join(unknown) or '(none)'}; known: {', '.join(brief_render.FORMATS)}"
        )
    con = _open(warehouse)
    try:
        _check_entity(con, entity)
        document = build_brief(con, day, entity)
        paths = brief_render.write(document, out, chosen)
        _record(
            con,
            None,
            "export",
            what="sfp_brief",
            meeting=day,
            entity=entity,
            formats=chosen,
        )
    finally:
        con.close()
    typer.echo(
        f"brief for {document.meeting_title}, period {document.period.label}, {document.scope}:"
    )
    for path in paths:
        typer.echo(f"  {path}")


def main() -> None:
    app()
