"""Read an extract file (CSV, XLSX, Parquet) into a frame of text cells with canonical column names.

The file's type is decided by its content, never its name. Every cell comes back as text (or null)
so that the contract engine can report a bad value at its row and column instead of failing on it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from data_contracts import contract_for, contracts
from data_contracts.problems import ExtractRejected, Problem

FILE_DATE = re.compile(r"_(\d{4}-\d{2}-\d{2})$")
BLANK = re.compile(rb"[\xef\xbb\xbf \r\n\t]*")  # nothing but a BOM and white space
XLSX_FORMULA = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*>\s*<f[ >]')


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
        return self.path.name


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


def read_extract_as(path: Path, kind: str) -> RawExtract:
    """Read a file as an extract of `kind` (already decided by `detect_kind`)."""
    data = path.read_bytes()
    if BLANK.fullmatch(data):
        raise ExtractRejected(
            Problem(path.name, "empty_file", "the file is empty (zero bytes or no header)")
        )
    fmt = sniff_format(data)
    readers = {"csv": _read_csv, "xlsx": _read_xlsx, "parquet": _read_parquet}
    frame = readers[fmt](path.name, data, kind)
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


def _read_csv(name: str, data: bytes, kind: str) -> pl.DataFrame:
    if (
        data.startswith(
            (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\xd0\xcf\x11\xe0", b"\x1f\x8b")
        )
        or b"\x00" in data[:65536]
    ):
        raise ExtractRejected(
            Problem(name, "file_format", "not a CSV, XLSX or Parquet file (binary content)")
        )
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n")  # header is line 0 -> data row number
        raise ExtractRejected(
            Problem(
                name,
                "encoding",
                f"not UTF-8: invalid byte 0x{data[err.start]:02x}",
                row=line or None,
            )
        ) from None
    data = data.removeprefix(b"\xef\xbb\xbf")
    header = first_line(data)
    delimiter = csv_delimiter(header)
    if header.count(delimiter.encode()) == 0 and len(contract_for(kind).columns) > 1:
        raise ExtractRejected(
            Problem(
                name,
                "file_format",
                "not a CSV file: the first line has no comma or semicolon separated header",
            )
        )
    if '"' not in text:  # Polars parses the bytes; the decoded copy only serves quoted files
        text = None
    _check_field_counts(name, data, delimiter, text)
    try:
        return pl.read_csv(
            data if text is None else io.StringIO(text),
            separator=delimiter,
            infer_schema=False,
            raise_if_empty=True,
        )
    except (
        Exception
    ) as err:  # polars raises ComputeError / NoDataError with a message worth showing
        raise ExtractRejected(
            Problem(name, "csv_parse", f"not readable as CSV: {str(err).splitlines()[0]}")
        ) from None


def first_line(data: bytes) -> bytes:
    end = data.find(b"\n")
    return data if end < 0 else data[:end]


def csv_delimiter(header: bytes) -> str:
    """Semicolon when the header line has more semicolons than commas (Excel in many locales)."""
    return ";" if header.count(b";") > header.count(b",") else ","


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
        except csv.Error as err:
            raise ExtractRejected(
                Problem(name, "csv_parse", f"malformed CSV (truncated file?): {err}")
            ) from None
        if text.count('"') % 2:
            raise ExtractRejected(
                Problem(name, "truncated", "an opened quote is never closed (truncated file?)")
            )
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


def _to_text(frame: pl.DataFrame) -> pl.DataFrame:
    exprs = []
    for col, dtype in frame.schema.items():
        c = pl.col(col)
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
    return frame.select([e.alias(col) for e, col in zip(exprs, frame.columns, strict=True)])


def _read_xlsx(name: str, data: bytes, kind: str) -> pl.DataFrame:
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/sheet")]
    except zipfile.BadZipFile:
        raise ExtractRejected(
            Problem(name, "file_format", "not a readable XLSX workbook")
        ) from None
    if not sheets:
        raise ExtractRejected(
            Problem(name, "file_format", "a ZIP archive that is not an XLSX workbook")
        )
    try:
        import fastexcel

        reader = fastexcel.read_excel(data)
        sheet = next(
            (s for s in reader.sheet_names if s.strip().lower() == kind), reader.sheet_names[0]
        )
        sheet_index = reader.sheet_names.index(sheet)
        frame = pl.read_excel(data, sheet_name=sheet, engine="calamine", infer_schema_length=None)
    except Exception as err:
        raise ExtractRejected(
            Problem(name, "file_format", f"not a readable XLSX workbook: {err}")
        ) from None
    xml = (
        book.read(f"xl/worksheets/sheet{sheet_index + 1}.xml")
        if f"xl/worksheets/sheet{sheet_index + 1}.xml" in sheets
        else b""
    )
    formula = XLSX_FORMULA.search(xml)
    if formula:
        col_letters, excel_row = formula.group(1).decode(), int(formula.group(2))
        col_index = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(col_letters))) - 1
        column = frame.columns[col_index] if col_index < len(frame.columns) else col_letters
        raise ExtractRejected(
            Problem(
                name,
                "no_formula",
                "a spreadsheet formula cell; send values only",
                row=excel_row - 1,
                column=column,
            )
        )
    return _to_text(frame)


def _read_parquet(name: str, data: bytes, kind: str) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as err:
        raise ExtractRejected(
            Problem(name, "file_format", f"not a readable Parquet file: {err}")
        ) from None
    return _to_text(frame)


def _canonical_columns(name: str, frame: pl.DataFrame, kind: str) -> pl.DataFrame:
    """Strict columns: every contract column present, nothing else (keeps `victim_name` out)."""
    expected = contract_for(kind).column_names
    seen: dict[str, str] = {}
    extras = []
    for col in frame.columns:
        key = col.strip().lower()
        if key in seen:
            raise ExtractRejected(
                Problem(name, "strict_columns", f"column {key!r} appears twice", column=key)
            )
        seen[key] = col
        if key not in expected:
            extras.append(key)
    if extras:
        raise ExtractRejected(
            Problem(
                name,
                "strict_columns",
                f"column(s) not in the {kind} contract: {', '.join(extras)} (remove them before sending)",
                column=extras[0],
            )
        )
    missing = [c for c in expected if c not in seen]
    if missing:
        raise ExtractRejected(
            Problem(
                name,
                "strict_columns",
                f"required column(s) missing: {', '.join(missing)}",
                column=missing[0],
            )
        )
    out = frame.select([pl.col(seen[c]).alias(c) for c in expected])
    return out.with_columns(pl.all().str.strip_chars().replace("", None))
