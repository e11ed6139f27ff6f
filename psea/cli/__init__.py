"""The `psea` command: load extracts and produce documents without opening the dashboard.

Exit status: 0 success, 1 something was rejected or failed, 2 wrong usage. One module per command
(`ingest` and `check` share theirs), over the helpers of `psea.cli.common`.
"""

from __future__ import annotations

import typer

from psea.cli import brief, demo, indicators, ingest, pseudonymize, release, report, status, store

app = typer.Typer(
    help="PSEA Oversight: load anonymized extracts into the warehouse and produce reports and briefs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
for command in (
    ingest.ingest,
    ingest.check,
    status.status,
    demo.demo,
    pseudonymize.pseudonymize,
    indicators.indicators,
    brief.brief,
    release.release,
    store.backup,
    store.restore,
    store.maintain,
    store.migrate,
):
    app.command()(command)
app.add_typer(report.report_app, name="report")


def main() -> None:
    app()
