"""The row-level contract engine: every rule of a contract, checked on every row with Polars.

It turns a frame of text cells into a typed frame and a list of problems that name the row
(1-based, header excluded), the column and the rule. No cell's value is ever repeated in a problem:
a surname passes any "code-like" test, so the messages are fixed sentences of the code.

The rules live by kind: one cell (cells.py), a whole file (table.py), other extracts (references.py),
quarterly totals (totals.py); collector.py holds what they report into.
"""

from __future__ import annotations

import polars as pl

from data_contracts.model import Contract
from data_contracts.rules.cells import bounds_checks, classify_failures, file_as_of, parse_column
from data_contracts.rules.collector import (
    EMAIL,
    INVALID,
    PHONE_INTERNATIONAL,
    Collector,
    ReferenceLookup,
    RowCheck,
)
from data_contracts.rules.references import load_notes
from data_contracts.rules.table import check_table_rule

CHECK = "\x00check"  # prefix of the parsed frame's rule-mask columns
__all__ = ["EMAIL", "PHONE_INTERNATIONAL", "ReferenceLookup", "RowCheck", "check_rows"]


def check_rows(
    text: pl.DataFrame,
    contract: Contract,
    file: str,
    file_date: str | None = None,
    lookup: ReferenceLookup | None = None,
) -> RowCheck:
    out = Collector(file)
    as_of = file_as_of(text, out, file_date)

    # One lazy pass over the file: every column parsed (Polars runs the columns in parallel) and,
    # beside it, the mask of every rule of one cell or one column; the masks are counted, and
    # only a failing one is looked at row by row.
    text_checks = [  # on the text cells
        [(pl.col(c.name).is_null(), c.name, "required", "a value is required")]
        if c.required
        else []
        for c in contract.columns
    ]
    typed_checks = [  # on the typed values (null where the cell is not valid for its type)
        bounds_checks(pl.col(c.name), c, as_of) for c in contract.columns
    ]
    unique_checks = [
        (
            pl.col(c.name).is_not_null() & ~pl.col(c.name).is_first_distinct(),
            c.name,
            "unique",
            f"{c.name} appears on an earlier row",
        )
        for c in contract.columns
        if c.unique
    ]
    named: dict[int, str] = {}  # id of a check -> its mask's column

    def masks(checks: list[tuple[pl.Expr, str, str, str]]) -> list[pl.Expr]:
        for entry in checks:
            named[id(entry)] = f"{CHECK}{len(named)}"
        return [entry[0].fill_null(False).alias(named[id(entry)]) for entry in checks]

    parse = [
        expr
        for col in contract.columns
        for expr in parse_column(pl.col(col.name), col.name, col.psea_type, col.valid_values)
    ]
    parsed = (
        text.lazy()
        .select(*parse, *masks([e for checks in text_checks for e in checks]))
        .with_columns(*masks([e for checks in typed_checks for e in checks] + unique_checks))
        .collect()
    )
    counts = parsed.select(pl.col(pl.Boolean).sum()).row(0, named=True)

    def report(checks: list[tuple[pl.Expr, str, str, str]]) -> None:
        for entry in checks:
            _, column, rule, message = entry
            if counts[named[id(entry)]]:
                out.add(parsed[named[id(entry)]], column, rule, message)

    for col, on_text, on_typed in zip(contract.columns, text_checks, typed_checks, strict=True):
        report(on_text)
        if counts[f"{col.name}{INVALID}"]:
            failing = parsed[f"{col.name}{INVALID}"]
            classify_failures(
                out, text[col.name], failing, col.name, col.psea_type, col.valid_values
            )
        report(on_typed)
    report(unique_checks)

    frame = parsed.select(contract.column_names)
    for rule in contract.rules:
        check_table_rule(out, frame, rule.rule, rule.params, lookup)

    entities = sorted(frame[contract.entity_column].drop_nulls().unique().to_list())
    notes = load_notes(frame, contract.kind, entities, lookup) if out.count == 0 else []
    return RowCheck(
        frame=frame if out.count == 0 else None,
        problems=out.problems,
        problem_count=out.count,
        rows=text.height,
        as_of=as_of,
        entities=entities,
        notes=notes,
    )
