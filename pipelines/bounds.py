"""Bounded reading: a file's size, its columns, rows and line length (and, for XLSX and Parquet, what
it inflates to) are checked on its bytes before any parser opens it, so that a hostile file is
refused before it costs memory (access.md, "Bad input never hurts"). The limits are the deployment's
`ingest.limits`; a refusal names the limit and a position, never a byte of the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from data_contracts.problems import ExtractRejected, Problem
from psea.settings import settings

SCAN_CHUNK = 1 << 20  # bytes scanned at a time for line lengths: bounded working memory
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\xd0\xcf\x11\xe0", b"\x1f\x8b")


@dataclass(frozen=True)
class ReadLimits:
    file_bytes: int
    inflated_bytes: int
    zip_entries: int
    columns: int
    line_bytes: int
    rows: int

    @property
    def parquet_footer_bytes(self) -> int:
        """A Parquet footer describes each column of each row group: a line's worth per column."""
        return self.columns * self.line_bytes

    def described(self) -> list[str]:
        """The limits in words, as the Load page lists them."""
        return [
            f"a file up to {self.file_bytes // 10**6:,} MB",
            f"an XLSX inflating to at most {self.inflated_bytes // 10**6:,} MB in at most "
            f"{self.zip_entries} parts (a Parquet file's pages likewise)",
            f"at most {self.columns} columns and {self.rows:,} rows",
            f"CSV lines up to {self.line_bytes // 1024} KB",
        ]


def read_limits() -> ReadLimits:
    limits = settings()["ingest"]["limits"]
    return ReadLimits(
        file_bytes=int(limits["file_mb"]) * 10**6,
        inflated_bytes=int(limits["inflated_mb"]) * 10**6,
        zip_entries=int(limits["zip_entries"]),
        columns=int(limits["columns"]),
        line_bytes=int(limits["line_kb"]) * 1024,
        rows=int(limits["rows"]),
    )


def refuse(name: str, rule: str, message: str, row: int | None = None) -> None:
    raise ExtractRejected(Problem(name, rule, message, row=row))


def check_file_size(path: Path, limits: ReadLimits) -> None:
    """Before a byte is read."""
    if path.stat().st_size > limits.file_bytes:
        refuse(path.name, "file_too_large", f"larger than {limits.file_bytes // 10**6:,} MB")


def check_columns(name: str, columns: int, limits: ReadLimits) -> None:
    if columns > limits.columns:
        refuse(name, "too_many_columns", f"{columns:,} columns; the limit is {limits.columns}")


def check_rows(name: str, rows: int, limits: ReadLimits) -> None:
    if rows > limits.rows:
        refuse(name, "too_many_rows", f"more than {limits.rows:,} rows")


def check_csv_bytes(name: str, data: bytes, limits: ReadLimits) -> None:
    """Text, not binary; the header line's length and width from the first bytes; then every line's
    length and the number of lines, in bounded chunks."""
    if data.startswith(UTF16_BOMS):
        refuse(name, "encoding", "UTF-16 text; save the file as UTF-8 (CSV UTF-8)")
    nul = data.find(b"\x00")
    if data.startswith(BINARY_MAGIC) or nul >= 0:
        binary = data.startswith(BINARY_MAGIC) or nul < 0
        row = None if binary else data.count(b"\n", 0, nul)  # the header is line 0
        refuse(name, "file_format", "not a CSV, XLSX or Parquet file (binary content)", row or None)
    end = data.find(b"\n", 0, limits.line_bytes + 1)
    if end < 0 and len(data) > limits.line_bytes:
        refuse(name, "line_too_long", f"the header line is longer than {limits.line_bytes:,} bytes")
    header = data if end < 0 else data[:end]
    delimiter = b";" if header.count(b";") > header.count(b",") else b","
    check_columns(name, header.count(delimiter) + 1, limits)  # quotes can only lower the count
    row, lines = _first_long_line(data, limits.line_bytes)
    if row is not None:
        refuse(name, "line_too_long", f"a line longer than {limits.line_bytes:,} bytes", row)
    check_rows(name, lines - 1, limits)


def _first_long_line(data: bytes, limit: int) -> tuple[int | None, int]:
    """The 0-based line number (the header is line 0, so a data row's number) of the first line
    longer than `limit` bytes, or None; and the number of lines."""
    import numpy as np

    array = np.frombuffer(data, dtype=np.uint8)
    start, lines = 0, 0  # where the current line starts, lines ended so far
    for offset in range(0, len(array), SCAN_CHUNK):
        ends = np.flatnonzero(array[offset : offset + SCAN_CHUNK] == 10) + offset
        if len(ends):
            lengths = np.diff(ends, prepend=start - 1) - 1
            too_long = np.flatnonzero(lengths > limit)
            if len(too_long):
                return lines + int(too_long[0]), lines
            start, lines = int(ends[-1]) + 1, lines + len(ends)
        if min(offset + SCAN_CHUNK, len(array)) - start > limit:
            return lines, lines
    return None, lines + (start < len(array))


def check_parquet(name: str, data: bytes, limits: ReadLimits) -> None:
    """The footer's size, then its counts: columns, rows and the pages' uncompressed size."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    footer = int.from_bytes(data[-8:-4], "little") if len(data) >= 12 else -1
    if not 0 < footer <= len(data) - 12 or not data.endswith(b"PAR1"):
        refuse(name, "file_format", "not a readable Parquet file")
    if footer > limits.parquet_footer_bytes:
        refuse(name, "too_many_columns", "the Parquet footer describes too many columns")
    try:
        meta = pq.read_metadata(pa.BufferReader(data))
    except Exception:  # pyarrow's message may quote the file's column names
        refuse(name, "file_format", "not a readable Parquet file")
    check_columns(name, meta.num_columns, limits)
    check_rows(name, meta.num_rows, limits)
    inflated = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if inflated > limits.inflated_bytes:
        refuse(
            name,
            "inflated_too_large",
            f"its pages uncompress to more than {limits.inflated_bytes // 10**6:,} MB",
        )
