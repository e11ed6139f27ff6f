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
from data_contracts.rules.cells import check_bounds, classify_failures, file_as_of, parse_column
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

    # Every column is parsed in one select: Polars runs the columns in parallel.
    parsed = text.select(
        expr
        for col in contract.columns
        for expr in parse_column(pl.col(col.name), col.name, col.psea_type, col.valid_values)
    )
    for col in contract.columns:
        s = text[col.name]
        if col.required:
            out.add(s.is_null(), col.name, "required", "a value is required")
        failing = parsed[f"{col.name}{INVALID}"]
        classify_failures(out, s, failing, col.name, col.psea_type, col.valid_values)
        check_bounds(out, parsed[col.name], col, as_of)

    frame = parsed.select(contract.column_names)
    for col in contract.columns:
        if col.unique:
            dup = frame[col.name].is_not_null() & ~frame[col.name].is_first_distinct()
            out.add(dup, col.name, "unique", f"{col.name} appears on an earlier row")
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
