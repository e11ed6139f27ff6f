"""Rules of a whole file: keys unique across rows, dates in order within a row, dates a status
requires or forbids, and the roster's chain of supervisors (known, without cycles); the rules of
totals and references are dispatched from here."""

from __future__ import annotations

import polars as pl

from data_contracts.rules.collector import Collector, ReferenceLookup
from data_contracts.rules.references import check_reference_rule
from data_contracts.rules.totals import TOTALS_RULES, not_in_case_rows


def check_table_rule(
    out: Collector, f: pl.DataFrame, rule: str, p: dict, lookup: ReferenceLookup | None
) -> None:
    if rule == "unique":
        cols = p["columns"]
        # the usual case, and the cheapest test: as many distinct row hashes as rows (a collision
        # can only send a unique file on to the exact test below, never pass a duplicate)
        if f.select(pl.struct(cols).hash().n_unique()).item() == f.height:
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
            check_reference_rule(out, f, rule, p, lookup)
    elif rule in TOTALS_RULES:
        TOTALS_RULES[rule](out, f, p)
    elif rule == "not_in_case_rows":
        if lookup is not None:
            not_in_case_rows(out, f, p, lookup)
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
