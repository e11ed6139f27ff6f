"""Keyed pseudonyms for data owners: HMAC-SHA256(secret, source id), first 64 bits as 16 hex chars."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import polars as pl

from pipelines.read import csv_delimiter, first_line


def pseudonym(secret: bytes, source_id: str) -> str:
    return hmac.new(secret, source_id.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def read_key(path: Path) -> bytes:
    key = path.read_bytes().strip()
    if len(key) < 16:
        raise ValueError(
            f"the key in {path} is too short: use at least 16 random bytes (e.g. `openssl rand -hex 32`)"
        )
    return key


def _read_any(path: Path) -> pl.DataFrame:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return pl.read_excel(path)
    if suffix == ".parquet":
        return pl.read_parquet(path)
    data = path.read_bytes().decode("utf-8-sig").encode()  # not UTF-8: a ValueError naming the byte
    return pl.read_csv(data, separator=csv_delimiter(first_line(data)), infer_schema=False)


def _pseudonyms(column: pl.Series, secret: bytes) -> pl.Series:
    """One HMAC per distinct source id (a person appears on many rows); nulls stay null."""
    ids = column.cast(pl.String).str.strip_chars()
    distinct = ids.drop_nulls().unique().to_list()
    mapping = pl.DataFrame(
        {"id": distinct, "pseudonym": [pseudonym(secret, v) for v in distinct]},
        schema={"id": pl.String, "pseudonym": pl.String},
    )
    return ids.replace_strict(mapping["id"], mapping["pseudonym"], default=None).alias(column.name)


def pseudonymize_file(source: Path, columns: list[str], key_file: Path, out: Path) -> int:
    """Replace the named identifier columns by their pseudonyms; returns the number of rows written."""
    secret = read_key(key_file)
    frame = _read_any(source)
    lookup = {c.strip().lower(): c for c in frame.columns}
    missing = [c for c in columns if c.strip().lower() not in lookup]
    if missing:
        raise KeyError(f"column(s) not in {source.name}: {', '.join(missing)}")
    frame = frame.with_columns(
        _pseudonyms(frame[lookup[c.strip().lower()]], secret) for c in columns
    )
    suffix = out.suffix.lower()
    if suffix == ".xlsx":
        frame.write_excel(out)
    elif suffix == ".parquet":
        frame.write_parquet(out)
    else:
        frame.write_csv(out)
    return frame.height
