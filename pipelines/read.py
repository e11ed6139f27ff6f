"""Read an extract file (CSV, XLSX, Parquet) into a frame of text cells with canonical column names.

The file's type is decided by its content, never its name. Its size, width, rows and line length
are bounded before a parser opens it (`pipelines.bounds`, `pipelines.workbook`). Every cell comes
back as text (or null) so that the contract engine can report a bad value at its row and column
instead of failing on it. A problem names positions and contract columns, never the file's text.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from data_contracts import contract_for, contracts
from data_contracts.problems import ExtractRejected, Problem, header_position, shown_file_name
from pipelines.bounds import (
    ReadLimits,
    check_columns,
    check_csv_bytes,
    check_file_size,
    check_parquet,
    check_rows,
    read_limits,
    refuse,
)
from pipelines.workbook import inspect_workbook

FILE_DATE = re.compile(r"_(\d{4}-\d{2}-\d{2})$")
BLANK = re.compile(rb"[\xef\xbb\xbf \r\n\t]*")  # nothing but a BOM and white space
# Polars' Rust panics are BaseExceptions; any parser failure is a fixed sentence (it may quote a cell)
UNREADABLE = (Exception, pl.exceptions.PanicException)
NESTED = "holds lists, records or binary data, not plain values"


@dataclass
class RawExtract:
    path: Path
    kind: str
    file_format: str  # csv | xlsx | parquet
    sha256: str
    frame: pl.DataFrame  # all columns Utf8, canonical names, contract order
    file_date: str | None  # the date at the end of the file name, if any

    @property
    def name(self) -> str:
        return shown_file_name(self.path.name)


def detect_kind(path: Path, override: str | None = None) -> str:
    """The extract kind from `--kind` or the file name (`cases_2018-06-30.csv`, `training.xlsx`)."""
    if override:
        contract_for(override)  # raises on an unknown kind
        return override
    stem = FILE_DATE.sub("", path.stem.lower())
    for kind in sorted(contracts(), key=len, reverse=True):
        if stem == kind or stem.startswith(kind + "_") or stem.startswith(kind + "-"):
            return kind
    raise ExtractRejected(
        Problem(
            path.name,
            "extract_kind",
            f"cannot tell the extract from the file name; name it after one of "
            f"{', '.join(sorted(contracts()))} or pass --kind",
        )
    )


def sniff_format(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"PAR1"):
        return "parquet"
    return "csv"


def read_extract(path: Path, kind: str | None = None) -> RawExtract:
    """Read a file whose kind `--kind` or its name tells."""
    return read_extract_as(path, detect_kind(path, kind))


def read_extract_as(path: Path, kind: str, limits: ReadLimits | None = None) -> RawExtract:
    """Read a file as an extract of `kind` (already decided by `detect_kind`)."""
    limits = limits or read_limits()
    check_file_size(path, limits)
    data = path.read_bytes()
    if BLANK.fullmatch(data):
        refuse(path.name, "empty_file", "the file is empty (zero bytes or no header)")
    fmt = sniff_format(data)
    readers = {"csv": _read_csv, "xlsx": _read_xlsx, "parquet": _read_parquet}
    frame = readers[fmt](path.name, data, kind, limits)
    frame = _canonical_columns(path.name, frame, kind)
    date_match = FILE_DATE.search(path.stem)
    return RawExtract(
        path=path,
        kind=kind,
        file_format=fmt,
        sha256=hashlib.sha256(data).hexdigest(),
        frame=frame,
        file_date=date_match.group(1) if date_match else None,
    )


def _read_csv(name: str, data: bytes, kind: str, limits: ReadLimits) -> pl.DataFrame:
    check_csv_bytes(name, data, limits)
    data = data.removeprefix(b"\xef\xbb\xbf")
    bad = _first_non_utf8(data)
    if bad is not None:
        line = data[:bad].count(b"\n")  # header is line 0 -> data row number
        refuse(name, "encoding", "not UTF-8 text; save the file as CSV UTF-8", line or None)
    header = first_line(data)
    delimiter = csv_delimiter(header)
    if header.count(delimiter.encode()) == 0 and len(contract_for(kind).columns) > 1:
        refuse(
            name,
            "file_format",
            "not a CSV file: the first line has no comma or semicolon separated header",
        )
    # Polars parses the bytes; a decoded copy only serves quoted files
    text = data.decode("utf-8") if b'"' in data else None
    if text is not None or not _widths_add_up(data, delimiter):
        _check_field_counts(name, data, delimiter, text)
    try:
        return pl.read_csv(
            data if text is None else io.StringIO(text),
            separator=delimiter,
            infer_schema=False,
            raise_if_empty=True,
        )
    except UNREADABLE:  # Polars' message may quote the file: it is never shown
        _check_field_counts(name, data, delimiter, text)  # a row of the wrong width is named
        refuse(name, "csv_parse", "not readable as CSV")


def _first_non_utf8(data: bytes, step: int = 1 << 22) -> int | None:
    """The offset of the first byte that is not UTF-8 text, else None: decoded a slice at a time,
    so that checking a file makes no copy of it."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    for start in range(0, len(data), step):
        pending = len(decoder.getstate()[0])  # bytes of a character cut by the last slice
        try:
            decoder.decode(view[start : start + step], final=start + step >= len(data))
        except UnicodeDecodeError as err:
            return start - pending + err.start
    return None


def first_line(data: bytes) -> bytes:
    end = data.find(b"\n")
    return data if end < 0 else data[:end]


def csv_delimiter(header: bytes) -> str:
    """Semicolon when the header line has more semicolons than commas (Excel in many locales)."""
    return ";" if header.count(b";") > header.count(b",") else ","


def _widths_add_up(data: bytes, delimiter: str) -> bool:
    """A file without quotes has as many delimiters as its header's on every line, as far as a
    count over the whole file can tell (two bytes scans). A line with more is one Polars refuses;
    so with no line longer, the count adding up means no line is shorter (nor blank) either."""
    sep = delimiter.encode()
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    return data.count(sep) == first_line(data).count(sep) * lines


def _check_field_counts(name: str, data: bytes, delimiter: str, text: str | None) -> None:
    """Every row has as many fields as the header: a short last row means a truncated file.
    `text` is the decoded file when it has quotes (then only a CSV parser can tell the fields)."""
    if text is not None:
        rows = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
        try:
            width = len(next(rows))
            for number, fields in enumerate(rows, start=1):
                if fields and len(fields) != width:
                    _raise_width(name, number, len(fields), width)
        except csv.Error:  # its message may quote the file
            refuse(name, "csv_parse", "malformed CSV (truncated file?)")
        if text.count('"') % 2:
            refuse(name, "truncated", "an opened quote is never closed (truncated file?)")
        return
    try:  # every line as one field (no quotes in the file, \x01 never a delimiter): fast
        lines = pl.read_csv(
            data,
            has_header=False,
            separator="\x01",
            quote_char=None,
            infer_schema=False,
            new_columns=["line"],
        )
    except Exception:  # a \x01 byte in the file: split the text instead
        lines = pl.DataFrame({"line": data.decode("utf-8").split("\n")})
    line = pl.col("line")
    counts = lines.select(
        fields=line.str.count_matches(delimiter, literal=True),
        blank=line.is_null() | line.is_in(["", "\r"]),
    )
    width = counts["fields"][0]
    bad = ((counts["fields"] != width) & ~counts["blank"]).arg_true()
    if len(bad):
        number = int(bad[0])
        _raise_width(name, number, int(counts["fields"][number]) + 1, width + 1)


def _raise_width(name: str, row: int, found: int, width: int) -> None:
    raise ExtractRejected(
        Problem(
            name,
            "truncated" if found < width else "field_count",
            f"{found} fields where the header has {width}"
            + (" (truncated file?)" if found < width else ""),
            row=row,
        )
    )


def _to_text(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    exprs = []
    for index, (col, dtype) in enumerate(frame.schema.items()):
        c = pl.col(col)
        if dtype.is_nested() or dtype in (pl.Binary, pl.Object):
            refuse(name, "file_format", f"column {index + 1} {NESTED}")
        if dtype == pl.Date:
            exprs.append(c.dt.strftime("%Y-%m-%d"))
        elif isinstance(dtype, pl.Datetime):
            exprs.append(
                pl.when(c.dt.time() == pl.time(0))
                .then(c.dt.strftime("%Y-%m-%d"))
                .otherwise(c.cast(pl.String))
            )
        elif dtype.is_float():
            exprs.append(
                pl.when(c == c.floor())
                .then(c.cast(pl.Int64).cast(pl.String))
                .otherwise(c.cast(pl.String))
            )
        elif dtype == pl.Boolean:
            exprs.append(pl.when(c).then(pl.lit("true")).otherwise(pl.lit("false")))
        else:
            exprs.append(c.cast(pl.String))
    try:
        return frame.select([e.alias(col) for e, col in zip(exprs, frame.columns, strict=True)])
    except UNREADABLE:
        refuse(name, "file_format", f"a column {NESTED}")


def _read_xlsx(name: str, data: bytes, kind: str, limits: ReadLimits) -> pl.DataFrame:
    sheets = inspect_workbook(name, data, limits)  # before the parser opens anything
    try:
        import fastexcel

        names = fastexcel.read_excel(data).sheet_names
        index = next((i for i, s in enumerate(names) if s.strip().lower() == kind), 0)
    except UNREADABLE:
        refuse(name, "file_format", "not a readable XLSX workbook")
    facts = sheets.get(f"xl/worksheets/sheet{index + 1}.xml")
    for sheet in [facts] if facts else sheets.values():  # the sheet unknown: every one is bounded
        check_columns(name, sheet.columns, limits)
        check_rows(name, sheet.rows - 1, limits)
    try:
        frame = pl.read_excel(
            data, sheet_name=names[index], engine="calamine", infer_schema_length=None
        )
    except UNREADABLE:  # the parser's message may quote a cell
        refuse(name, "file_format", "not a readable XLSX workbook")
    if facts and facts.formula:
        column, excel_row = facts.formula
        raise ExtractRejected(
            Problem(
                name,
                "no_formula",
                "a spreadsheet formula cell; send values only",
                row=excel_row - 1,
                column=_column_label(frame.columns, column, kind),
            )
        )
    return _to_text(name, frame)


def _read_parquet(name: str, data: bytes, kind: str, limits: ReadLimits) -> pl.DataFrame:
    check_parquet(name, data, limits)
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except UNREADABLE:
        refuse(name, "file_format", "not a readable Parquet file")
    return _to_text(name, frame)


def _column_label(columns: list[str], index: int, kind: str) -> str:
    """The contract's name of a header column, or its position when it is not a contract column."""
    key = columns[index].strip().lower() if index < len(columns) else None
    return key if key in contract_for(kind).column_names else header_position(index)


def _canonical_columns(name: str, frame: pl.DataFrame, kind: str) -> pl.DataFrame:
    """Strict columns: every contract column present (an optional one may be left out: null),
    nothing else (keeps `victim_name` out). A header column that is not the contract's is named by its position, never its text."""
    expected = contract_for(kind).column_names
    keys = [col.strip().lower() for col in frame.columns]
    extras = [i for i, key in enumerate(keys) if key not in expected]
    if extras and len(extras) == len(keys):
        refuse(
            name,
            "strict_columns",
            f"none of the {len(keys)} header columns is a column of the {kind} contract "
            "(a file without its header line?)",
        )
    if extras:
        positions = ", ".join(str(i + 1) for i in extras[:10]) + (" …" if len(extras) > 10 else "")
        raise ExtractRejected(
            Problem(
                name,
                "strict_columns",
                f"column {positions} of the header "
                + ("is" if len(extras) == 1 else "are")
                + f" not in the {kind} contract (remove it before sending)",
                column=header_position(extras[0]),
            )
        )
    seen: dict[str, int] = {}
    for index, key in enumerate(keys):
        if key in seen:
            raise ExtractRejected(
                Problem(
                    name,
                    "strict_columns",
                    f"column {index + 1} of the header repeats column {seen[key] + 1}",
                    column=key,
                )
            )
        seen[key] = index
    optional = {c.name for c in contract_for(kind).columns if c.optional}
    missing = [c for c in expected if c not in seen and c not in optional]
    if missing:
        raise ExtractRejected(
            Problem(
                name,
                "strict_columns",
                f"required column(s) missing: {', '.join(missing)}",
                column=missing[0],
            )
        )
    return frame.select(  # one pass: renamed, stripped, an empty cell null
        [
            pl.col(frame.columns[seen[c]]).str.strip_chars().replace("", None).alias(c)
            if c in seen
            else pl.lit(None, pl.String).alias(c)
            for c in expected
        ]
    )
