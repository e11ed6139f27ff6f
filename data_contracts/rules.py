"""The row-level contract engine: every rule of a contract, checked on every row with Polars.

It turns a frame of text cells into a typed frame and a list of problems that name the row
(1-based, header excluded), the column and the rule. No cell's value is ever repeated in a problem:
a surname passes any "code-like" test, so the messages are fixed sentences of the code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from data_contracts.model import (
    COUNTRY_PATTERN,
    ENTITY_PATTERN,
    MONTH_PATTERN,
    QUARTER_PATTERN,
    REF_PATTERN,
    Contract,
)
from data_contracts.problems import Problem
from data_contracts.reference import mission_codes
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


class _Collector:
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


def check_rows(
    text: pl.DataFrame,
    contract: Contract,
    file: str,
    file_date: str | None = None,
    lookup: ReferenceLookup | None = None,
) -> RowCheck:
    out = _Collector(file)
    as_of = _as_of(text, out, file_date)

    # Every column is parsed in one select: Polars runs the columns in parallel.
    parsed = text.select(
        expr
        for col in contract.columns
        for expr in _parse(pl.col(col.name), col.name, col.psea_type, col.valid_values)
    )
    for col in contract.columns:
        s = text[col.name]
        if col.required:
            out.add(s.is_null(), col.name, "required", "a value is required")
        failing = parsed[f"{col.name}{INVALID}"]
        _classify_failures(out, s, failing, col.name, col.psea_type, col.valid_values)
        _bounds(out, parsed[col.name], col, as_of)

    frame = parsed.select(contract.column_names)
    for col in contract.columns:
        if col.unique:
            dup = frame[col.name].is_not_null() & ~frame[col.name].is_first_distinct()
            out.add(dup, col.name, "unique", f"{col.name} appears on an earlier row")
    for rule in contract.rules:
        _table_rule(out, frame, rule.rule, rule.params, lookup)

    entities = sorted(frame[contract.entity_column].drop_nulls().unique().to_list())
    notes = _notes(frame, contract.kind, entities, lookup) if out.count == 0 else []
    return RowCheck(
        frame=frame if out.count == 0 else None,
        problems=out.problems,
        problem_count=out.count,
        rows=text.height,
        as_of=as_of,
        entities=entities,
        notes=notes,
    )


def _as_of(text: pl.DataFrame, out: _Collector, file_date: str | None) -> dt.date | None:
    values = text["as_of"]
    distinct = values.drop_nulls().unique(maintain_order=True)
    if distinct.is_empty():
        return None
    first = distinct[0]
    if len(distinct) > 1:
        out.add(
            values.is_not_null() & (values != first),
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


def _parse(
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


def _classify_failures(out, s, failing, column, psea_type, valid_values):
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


def _bounds(out: _Collector, value: pl.Series, col, as_of: dt.date | None) -> None:
    after_as_of = "after the extract's as_of date"  # not the date itself: it comes from the file
    if col.psea_type in ("date", "as_of"):
        out.add(value < EARLIEST, col.name, "date_range", "before 2000-01-01")
        if as_of and not col.future_allowed and col.psea_type == "date":
            out.add(value > as_of, col.name, "after_as_of", after_as_of)
    elif col.psea_type == "quarter":
        out.add(value < "2000Q1", col.name, "date_range", "before 2000Q1")
    elif col.psea_type == "month":
        out.add(value < "2000-01", col.name, "date_range", "before 2000-01")
        if as_of:
            out.add(value > as_of.strftime("%Y-%m"), col.name, "after_as_of", after_as_of)
    elif col.psea_type == "int":
        if col.minimum is not None:
            out.add(value < col.minimum, col.name, "range", f"below {col.minimum}")
        if col.maximum is not None:
            out.add(value > col.maximum, col.name, "range", f"above {col.maximum}")


def _table_rule(
    out: _Collector, f: pl.DataFrame, rule: str, p: dict, lookup: ReferenceLookup | None
) -> None:
    if rule == "unique":
        cols = p["columns"]
        if not f.select(cols).is_duplicated().any():  # the usual case, and the cheaper test
            return
        dup = ~f.select(pl.struct(cols).is_first_distinct()).to_series()
        out.add(dup, ",".join(cols), "unique", f"({', '.join(cols)}) appears on an earlier row")
    elif rule == "month_not_after":
        received = f[p["other"]].dt.strftime("%Y-%m")
        out.add(
            f[p["column"]] > received,
            p["column"],
            "date_order",
            f"{p['column']} after the month of {p['other']}",
        )
    elif rule == "date_not_before":
        out.add(
            f[p["column"]] < f[p["other"]],
            p["column"],
            "date_order",
            f"{p['column']} before {p['other']}",
        )
    elif rule in ("required_when", "null_when"):
        ((when_col, states),) = p["when"].items()
        in_state = f[when_col].is_in(states)
        if rule == "required_when":
            bad, verb = in_state & f[p["column"]].is_null(), "is required"
        else:
            bad, verb = in_state & f[p["column"]].is_not_null(), "must be empty"
        out.add(
            bad,
            p["column"],
            "status_dates",
            f"{p['column']} {verb} when {when_col} is {' or '.join(states)}",
        )
    elif rule == "year_not_after_as_of":
        as_of_year = f["as_of"].dt.year()
        out.add(
            f[p["column"]] > as_of_year, p["column"], "after_as_of", "year after the year of as_of"
        )
    elif rule == "self_reference":
        known = f[p["target_column"]]
        out.add(
            f[p["column"]].is_not_null() & ~f[p["column"]].is_in(known.drop_nulls().implode()),
            p["column"],
            "unknown_manager",
            f"{p['column']} is not a {p['target_column']} of this snapshot",
        )
    elif rule == "no_cycles":
        out.add(
            _in_cycle(f[p["target_column"]], f[p["column"]]),
            p["column"],
            "management_cycle",
            "this person is their own manager through the chain of supervisors",
        )
    elif rule in ("reference", "date_not_before_target"):
        if lookup is not None:
            _reference_rule(out, f, rule, p, lookup)
    elif rule in TOTALS_RULES:
        TOTALS_RULES[rule](out, f, p)
    elif rule == "not_in_case_rows":
        if lookup is not None:
            _not_in_case_rows(out, f, p, lookup)
    else:
        raise ValueError(f"unknown contract rule {rule}")


def _in_cycle(person: pl.Series, manager: pl.Series) -> pl.Series:
    boss = dict(zip(person.to_list(), manager.to_list(), strict=True))
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = done
    cyclic: set[str] = set()
    for start in boss:
        walk, node = [], start
        while node is not None and node in boss and state.get(node) is None:
            state[node] = 1
            walk.append(node)
            node = boss[node]
        if node is not None and state.get(node) == 1:
            cyclic.update(walk[walk.index(node) :])
        for visited in walk:
            state[visited] = 2
    return person.is_in(sorted(cyclic))


def _reference_rule(
    out: _Collector, f: pl.DataFrame, rule: str, p: dict, lookup: ReferenceLookup
) -> None:
    entities = f["entity"].drop_nulls().unique().to_list()
    keys = ["entity", *(p.get("columns") or p.get("match_on", []))]
    if rule == "reference":
        target = lookup(p["target"], entities, keys).unique()
        found = f.select(keys).join(
            target.with_columns(pl.lit(True).alias("_found")),
            on=keys,
            how="left",
            nulls_equal=False,
            maintain_order="left",
        )
        missing = found["_found"].is_null() & pl.Series(
            f.select(pl.all_horizontal(pl.col(keys).is_not_null())).to_series()
        )
        label = " and ".join(keys[1:])
        out.add(
            missing,
            keys[-1],
            "unknown_reference",
            f"no {p['target']} with this {label} for the entity in this load or the warehouse",
        )
    else:
        target = lookup(p["target"], entities, [*keys, p["target_column"]]).unique(
            subset=keys, keep="last"
        )
        joined = f.select([*keys, p["column"]]).join(
            target, on=keys, how="left", maintain_order="left"
        )
        out.add(
            joined[p["column"]] < joined[p["target_column"]],
            p["column"],
            "date_order",
            f"{p['column']} before the case's {p['target_column']}",
        )


def _notes(
    f: pl.DataFrame, kind: str, entities: list[str], lookup: ReferenceLookup | None
) -> list[str]:
    if kind != "training" or lookup is None:
        return []
    roster = lookup("roster", entities, ["entity", "person_ref"]).unique()
    unknown = (
        f.select("entity", "person_ref")
        .join(roster, on=["entity", "person_ref"], how="anti")
        .height
    )
    return (
        [f"{unknown} completion(s) by persons not in the roster (counted, not rejected)"]
        if unknown
        else []
    )


# --- rules of totals (agency_returns): rows that must agree with each other --------------------


def quarter_end_expr(quarter: pl.Expr) -> pl.Expr:
    """The last day of a `YYYYQn` quarter."""
    first = pl.date(
        quarter.str.slice(0, 4).cast(pl.Int32), quarter.str.slice(5, 1).cast(pl.Int32) * 3 - 2, 1
    )
    return first.dt.offset_by("3mo").dt.offset_by("-1d")


def _quarter_ended_by_as_of(out: _Collector, f: pl.DataFrame, p: dict) -> None:
    ends = f.select(quarter_end_expr(pl.col(p["column"]))).to_series()
    out.add(
        ends > f["as_of"],
        p["column"],
        "after_as_of",
        "the quarter ends after the extract's as_of date",
    )


def _groups_of_dimension(out: _Collector, f: pl.DataFrame, p: dict) -> None:
    allowed = pl.Series([[*groups] for groups in p["groups"].values()], dtype=pl.List(pl.String))
    dims = pl.Series(list(p["groups"]), dtype=pl.String)
    lookup = pl.DataFrame({p["of"]: dims, "_allowed": allowed})
    joined = f.select(p["of"], p["column"]).join(
        lookup, on=p["of"], how="left", maintain_order="left"
    )
    bad = joined.select(
        pl.col("_allowed").is_not_null()
        & pl.col(p["column"]).is_not_null()
        & ~pl.col("_allowed").list.contains(pl.col(p["column"]))
    ).to_series()
    out.add(bad, p["column"], "group_of_dimension", f"not a group of this row's {p['of']}")


def _dimension_of_figure(out: _Collector, f: pl.DataFrame, p: dict) -> None:
    pairs = [(fig, dim) for fig, dims in p["dimensions"].items() for dim in dims]
    allowed = pl.DataFrame(pairs, schema=[p["of"], p["column"]], orient="row").with_columns(
        pl.lit(True).alias("_ok")
    )
    joined = f.select(p["of"], p["column"]).join(
        allowed, on=[p["of"], p["column"]], how="left", maintain_order="left"
    )
    bad = f[p["of"]].is_not_null() & f[p["column"]].is_not_null() & joined["_ok"].is_null()
    out.add(
        bad,
        p["column"],
        "dimension_of_figure",
        f"this {p['of']} is not broken down by this {p['column']}",
    )


def _with_totals(f: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Each row with its (quarter, figure)'s total count (null when no total row)."""
    totals = (
        f.filter(pl.col("dimension") == "total")
        .group_by(keys)
        .agg(pl.col("count").first().alias("_total"))
    )
    return f.with_row_index("_row").join(totals, on=keys, how="left").sort("_row")


def _total_present(out: _Collector, f: pl.DataFrame, p: dict) -> None:
    has_total = (
        f.filter(pl.col("dimension") == "total")
        .select(p["keys"])
        .unique()
        .with_columns(pl.lit(True).alias("_has"))
    )
    joined = f.select(p["keys"]).join(has_total, on=p["keys"], how="left", maintain_order="left")
    missing = (
        pl.Series(f.select(pl.all_horizontal(pl.col(p["keys"]).is_not_null())).to_series())
        & joined["_has"].is_null()
    )
    out.add(missing, p["column"], "total_present", "no total row for this quarter and figure")


def _groups_add_up(out: _Collector, f: pl.DataFrame, p: dict) -> None:
    keys = p["keys"]
    rows = _with_totals(f, keys)
    sums = (
        rows.filter(pl.col("dimension") != "total")
        .group_by([*keys, "dimension"])
        .agg(pl.col("count").sum().alias("_sum"))
    )
    joined = rows.join(sums, on=[*keys, "dimension"], how="left").sort("_row")
    bad = (
        (pl.col("dimension") != "total")
        & pl.col("_total").is_not_null()
        & (pl.col("_sum") != pl.col("_total"))
    )
    out.add(
        joined.select(bad).to_series(),
        p["column"],
        "groups_add_up",
        "the groups of this dimension do not add up to the figure's total",
    )


def _figures_add_up(out: _Collector, f: pl.DataFrame, p: dict) -> None:
    keys = p["keys"]
    sent = f.drop_nulls([*keys, "figure", "dimension", "count"])
    totals = sent.filter(pl.col("dimension") == "total").pivot(
        on="figure", index=keys, values="count", aggregate_function="first"
    )
    checks = []  # (the figures whose total rows are flagged, a boolean expression over the pivot)
    for whole, parts in p.get("sums", {}).items():
        present = [c for c in (whole, *parts) if c in totals.columns]
        if not present:
            continue
        sent = [pl.col(c).is_not_null() if c in present else pl.lit(False) for c in (whole, *parts)]
        bad = pl.any_horizontal(sent) & ~pl.all_horizontal(sent)  # one sent without the others
        if len(present) == len(parts) + 1:
            bad = bad | (pl.col(whole) != pl.sum_horizontal(pl.col(c) for c in parts))
        checks.append((present, bad, f"{whole} must equal {' + '.join(parts)} (all sent, or none)"))
    for part, whole in p.get("within", {}).items():
        if part not in totals.columns:
            continue
        bad = pl.col(part).is_not_null()
        if whole in totals.columns:
            bad = bad & (pl.col(whole).is_null() | (pl.col(part) > pl.col(whole)))
        checks.append(([part], bad, f"{part} is a part of {whole}: not more, and not without it"))
    for figures, bad, message in checks:
        failing = (
            totals.filter(bad.fill_null(False))
            .select(keys)
            .with_columns(pl.lit(True).alias("_bad"))
        )
        joined = f.select(*keys, "figure", "dimension").join(
            failing, on=keys, how="left", maintain_order="left"
        )
        mask = (
            joined["_bad"].fill_null(False)
            & joined["figure"].is_in(figures)
            & (joined["dimension"] == "total")
        )
        out.add(mask, p["column"], "figures_add_up", message)


TOTALS_RULES = {
    "quarter_ended_by_as_of": _quarter_ended_by_as_of,
    "groups_of_dimension": _groups_of_dimension,
    "dimension_of_figure": _dimension_of_figure,
    "total_present": _total_present,
    "groups_add_up": _groups_add_up,
    "figures_add_up": _figures_add_up,
}


def _not_in_case_rows(out: _Collector, f: pl.DataFrame, p: dict, lookup: ReferenceLookup) -> None:
    """A quarter that the entity's case extract reaches (a case snapshot whose as_of is on or
    after the quarter's first day) is counted from its case rows: the rows win."""
    entities = f["entity"].drop_nulls().unique().to_list()
    reach = (
        lookup(p["target"], entities, ["entity", "as_of"])
        .group_by("entity")
        .agg(pl.col("as_of").max().alias("_reach"))
    )
    first_day = quarter_end_expr(pl.col(p["column"])).dt.offset_by("-2mo").dt.month_start()
    joined = f.select("entity", p["column"]).join(
        reach, on="entity", how="left", maintain_order="left"
    )
    out.add(
        joined.select(pl.col("_reach").is_not_null() & (pl.col("_reach") >= first_day)).to_series(),
        p["column"],
        "quarter_in_case_rows",
        "the entity sends case rows that reach this quarter; its figures come from them, not a return",
    )
