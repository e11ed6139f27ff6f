"""Rules of one cell: its type and format (a pseudonymous ref, a code of the contract, a date, a
mission...), what a failing cell most likely is (an e-mail, a phone number, a formula, a name: the
direct identifiers first), its range, and the file's one as_of date."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

from data_contracts.model import (
    COUNTRY_PATTERN,
    ENTITY_PATTERN,
    MONTH_PATTERN,
    QUARTER_PATTERN,
    REF_PATTERN,
)
from data_contracts.reference import mission_codes
from data_contracts.rules.collector import (
    BOOLEAN_TEXT,
    DATE_LIKE,
    DATE_PATTERN,
    EARLIEST,
    EMAIL,
    FORMULA,
    INVALID,
    NAME_LIKE,
    PHONE_INTERNATIONAL,
    PHONE_ONLY,
    SINGLE_NAME,
    Collector,
)


def file_as_of(text: pl.DataFrame, out: Collector, file_date: str | None) -> dt.date | None:
    values = text["as_of"]
    present = values.drop_nulls()
    if present.is_empty():
        return None
    first = present[0]
    other = values != first  # null where the cell is empty (an empty cell is the required rule's)
    if other.any():
        out.add(
            other,
            "as_of",
            "one_as_of",
            "a file carries one as_of date; this row's differs from the first one's",
        )
    if file_date and file_date != first:
        out.add(
            pl.Series([True]),
            "as_of",
            "file_name_date",
            "the as_of date differs from the date at the end of the file name",
        )
    try:
        return dt.date.fromisoformat(first)
    except ValueError:
        return None


def parse_column(
    text: pl.Expr, name: str, psea_type: str, valid_values: tuple[str, ...]
) -> tuple[pl.Expr, pl.Expr]:
    """The typed value (null where the text is not valid for the type) and the invalid mask."""
    if psea_type in ("ref", "entity", "month", "quarter"):
        pattern = {
            "ref": REF_PATTERN,
            "entity": ENTITY_PATTERN,
            "month": MONTH_PATTERN,
            "quarter": QUARTER_PATTERN,
        }
        ok, value = text.str.contains(pattern[psea_type]), text
    elif psea_type in ("date", "as_of"):
        value = text.str.to_date("%Y-%m-%d", strict=False)
        ok = text.str.contains(DATE_PATTERN) & value.is_not_null()
    elif psea_type == "mission":
        ok, value = text.is_in(sorted(mission_codes())), text
    elif psea_type == "country":
        countries = sorted(c for c in mission_codes() if re.fullmatch(COUNTRY_PATTERN, c))
        ok, value = text.is_in(countries), text
    elif psea_type == "code":
        ok, value = text.is_in(list(valid_values)), text
    elif psea_type == "bool":
        lowered = text.str.to_lowercase()
        ok = lowered.is_in(list(BOOLEAN_TEXT))
        value = lowered.replace_strict(BOOLEAN_TEXT, default=None, return_dtype=pl.Boolean)
    elif psea_type == "int":
        ok, value = text.str.contains(r"^-?\d{1,9}$"), text.cast(pl.Int32, strict=False)
    else:
        raise ValueError(f"unknown psea_type {psea_type}")
    ok = ok.fill_null(False)
    return pl.when(ok).then(value).alias(name), (text.is_not_null() & ~ok).alias(name + INVALID)


FORMAT_RULES = {
    "ref": (
        "pseudonymous_ref",
        "not a pseudonymous ref (16 lowercase hex characters from `psea pseudonymize`): a raw identifier?",
    ),
    "entity": ("entity_code", "not an entity code (2-12 uppercase letters)"),
    "month": ("month_format", "not a YYYY-MM month"),
    "quarter": ("quarter_format", "not a YYYYQn quarter (e.g. 2018Q2)"),
    "country": ("country_code", "not an ISO 3166-1 alpha-3 country code"),
    "date": ("date_format", "not a YYYY-MM-DD date"),
    "as_of": ("date_format", "not a YYYY-MM-DD date"),
    "mission": ("mission_code", "unknown mission code (ISO 3166-1 alpha-3, HQ or RO-*)"),
    "code": ("allowed_values", "unknown code"),
    "bool": ("boolean", "not true/false"),
    "int": ("integer", "not a whole number"),
}


def classify_failures(out, s, failing, column, psea_type, valid_values):
    """A failing cell is reported for what it most likely is: a direct identifier first."""
    if not failing.any():
        return
    email = failing & s.str.contains(EMAIL)
    digits = s.str.count_matches(r"\d")
    phone_only = s.str.contains(PHONE_ONLY) & (digits >= 7) & ~s.str.contains(DATE_LIKE)
    phone = failing & ~email & (phone_only | s.str.contains(PHONE_INTERNATIONAL))
    formula = failing & ~email & ~phone & s.str.contains(FORMULA) & ~s.str.contains(r"^-?\d+$")
    name_like = s.str.contains(NAME_LIKE)
    if psea_type == "ref":
        name_like = name_like | s.str.contains(SINGLE_NAME)
    name = failing & ~email & ~phone & ~formula & name_like
    rest = failing & ~email & ~phone & ~formula & ~name
    out.add(email, column, "no_email", "an e-mail address; extracts carry no direct identifiers")
    out.add(
        phone, column, "no_phone_number", "a phone number; extracts carry no direct identifiers"
    )
    out.add(formula, column, "no_formula", "a spreadsheet formula; send values only")
    out.add(
        name, column, "no_direct_identifier", "looks like a person's name where a code is expected"
    )
    rule, message = FORMAT_RULES[psea_type]
    if psea_type == "code":
        message += f"; allowed: {', '.join(valid_values)}"
    out.add(rest, column, rule, message)


def bounds_checks(
    value: pl.Expr, col, as_of: dt.date | None
) -> list[tuple[pl.Expr, str, str, str]]:
    """The range rules of a typed column: (failing-row mask, column, rule, message) each."""
    after_as_of = "after the extract's as_of date"  # not the date itself: it comes from the file
    checks: list[tuple[pl.Expr, str, str]] = []
    if col.psea_type in ("date", "as_of"):
        checks.append((value < EARLIEST, "date_range", "before 2000-01-01"))
        if as_of and not col.future_allowed and col.psea_type == "date":
            checks.append((value > as_of, "after_as_of", after_as_of))
    elif col.psea_type == "quarter":
        checks.append((value < "2000Q1", "date_range", "before 2000Q1"))
    elif col.psea_type == "month":
        checks.append((value < "2000-01", "date_range", "before 2000-01"))
        if as_of:
            checks.append((value > as_of.strftime("%Y-%m"), "after_as_of", after_as_of))
    elif col.psea_type == "int":
        if col.minimum is not None:
            checks.append((value < col.minimum, "range", f"below {col.minimum}"))
        if col.maximum is not None:
            checks.append((value > col.maximum, "range", f"above {col.maximum}"))
    return [(mask, col.name, rule, message) for mask, rule, message in checks]
