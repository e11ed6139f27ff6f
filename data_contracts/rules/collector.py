"""What every rule reports into: the outcome of a file's check, the collector of failing rows (all
counted, a few listed per rule and per file), the patterns that recognise a direct identifier, and the
lookup of references in this load and the warehouse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from data_contracts.problems import Problem
from psea.settings import settings

EARLIEST = dt.date(2000, 1, 1)
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
EMAIL = r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}"
PHONE_INTERNATIONAL = r"(?:^|\s)(?:\+|00)\d[\d\s\-./()]{5,}\d"
PHONE_ONLY = r"^\(?\d[\d\s\-./()]*$"  # a cell of digits and separators ...
DATE_LIKE = r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$"  # ... that is not a date
NAME_LIKE = r"^[A-Za-z][A-Za-z'\-]+(?:\s+[A-Za-z][A-Za-z'\-.]+)+$"  # two or more words
SINGLE_NAME = r"^[A-Z][a-z'\-]+$"  # where a ref is expected, "Amina" is a name
FORMULA = r"^[=+\-@\t\r]"
BOOLEAN_TEXT = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
INVALID = "\x00invalid"  # suffix of the parsed frame's invalid-mask columns

# (kind, entities, columns) -> frame of those columns from this load's earlier files and the warehouse
ReferenceLookup = Callable[[str, list[str], list[str]], pl.DataFrame]


@dataclass
class RowCheck:
    """The outcome of checking one file's rows against its contract."""

    frame: pl.DataFrame | None  # typed rows, only when there is no problem
    problems: list[Problem]
    problem_count: int
    rows: int
    as_of: dt.date | None
    entities: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0


class Collector:
    """Every failing row is counted; a few per rule and per file are listed (the list stays short)."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self.count = 0
        self.per_rule = int(settings()["ingest"]["problems_kept_per_rule"])
        self.per_file = int(settings()["ingest"]["problems_kept_per_file"])

    def add(self, mask: pl.Series, column: str | None, rule: str, message: str) -> None:
        rows = mask.fill_null(False).arg_true()
        if not len(rows):
            return
        self.count += len(rows)
        room = max(0, min(self.per_rule, self.per_file - len(self.problems)))
        self.problems.extend(
            Problem(self.file, rule, message, row=index + 1, column=column)
            for index in rows[:room].to_list()
        )
