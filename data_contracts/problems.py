"""What a rejected file says: file, row, column, rule."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    rule: str
    message: str
    row: int | None = None  # 1-based, header excluded; None for a file-level problem
    column: str | None = None
    value: str | None = None  # only when not sensitive

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "file"
        col = f", column {self.column}" if self.column else ""
        shown = f" (value {self.value!r})" if self.value is not None else ""
        return f"{self.file}: {where}{col}: {self.rule}: {self.message}{shown}"

    def as_dict(self) -> dict:
        return asdict(self)


class ExtractRejected(Exception):
    """A file-level problem that stops reading the file."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem
