"""What a rejected file says: file, row, column, rule — and never a value or a header text of it.

A problem names positions (row, header column), contract column names and rule names only; its
message is a fixed sentence of the code (contract names, limits and positions filled in), so
nothing a file carries can reach a screen, a log or the warehouse through it (access.md).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

FILE_NAME_SHOWN = 120  # characters of a user-supplied file name kept in outcomes and the manifest
MESSAGE_MAX = 300  # a message is a sentence of the code; the bound is a safety net
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Problem:
    file: str
    rule: str
    message: str
    row: int | None = None  # 1-based, header excluded; None for a file-level problem
    column: str | None = None  # a contract column, or "#3" (a header position) when it is not one

    def __post_init__(self) -> None:
        object.__setattr__(self, "file", shown_file_name(self.file))
        if len(self.message) > MESSAGE_MAX:
            object.__setattr__(self, "message", self.message[: MESSAGE_MAX - 1] + "…")

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "file"
        col = f", column {self.column}" if self.column else ""
        return f"{self.file}: {where}{col}: {self.rule}: {self.message}"

    def as_dict(self) -> dict:
        return asdict(self)


def shown_file_name(name: str) -> str:
    """A file's name as outcomes, the manifest and the pages show it: users need it, but it is
    user-supplied, so control and bidirectional characters go and its length is bounded."""
    name = CONTROL.sub("?", name)
    return name if len(name) <= FILE_NAME_SHOWN else name[: FILE_NAME_SHOWN - 1] + "…"


def header_position(index: int) -> str:
    """A header column that is not a contract column, by its 1-based position (never its text)."""
    return f"#{index + 1}"


class ExtractRejected(Exception):
    """A file-level problem that stops reading the file."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem
