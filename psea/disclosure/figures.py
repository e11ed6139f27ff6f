"""The one gate between the figures and the people who see them.

Pages and briefs ask a `Figures` for a case count, a breakdown, a statistic or a trend, and draw
what they get. For the analyst role (exact access) it counts with the metric layer, for any period
at any cut-off; for everyone else it reads the published release (psea.disclosure.release), and
nothing is computed on the fly: a hidden cell comes back as "suppressed", a quarter past an
entity's data as "not yet reported".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from psea.disclosure import grid
from psea.disclosure.published import (
    ALL,
    NOT_BROKEN_DOWN,
    NOT_IN_RETURNS,
    NOT_REPORTED,
    SUPPRESSED,
    Release,
    Statistic,
    coverage_note,
)
from psea.disclosure.trend import last_quarters, trend_frame
from psea.metrics import Period, cases, facts, timeliness

SUPPRESSED_NOTE = (
    "'suppressed': fewer than {k}, or withheld so that a smaller figure cannot be worked out"
)


@dataclass(frozen=True)
class Shown:
    """A count as published: its value (None when hidden or not reported) and its label."""

    value: int | None
    label: str
    note: str = ""  # what an all-entities figure leaves out ("5 of 6 entities; NRC ...")

    @property
    def published(self) -> bool:
        return self.value is not None


def shown(value: int | None, state: str = "", note: str = "") -> Shown:
    if state:
        return Shown(None, state, note)
    return Shown(value, f"{value:,}" if value is not None else "no data", note)


def rate(numerator: Shown, denominator: Shown, digits: int = 0) -> str:
    """A share as published: only when both its numerator and its denominator are."""
    if not denominator.published:
        return denominator.label
    if not numerator.published:
        return numerator.label
    if not denominator.value:
        return "no data"
    return f"{100 * numerator.value / denominator.value:.{digits}f}%"


class ExactFigures:
    """Analysts: the metric layer, exact, for any period (start, end] at its cut-off."""

    exact = True

    def __init__(self, con, period: Period, entity: str | None):
        self.con, self.period, self.entity = con, period, entity

    def previous(self) -> ExactFigures:
        return ExactFigures(self.con, self.period.previous(), self.entity)

    def year_earlier(self) -> ExactFigures:
        return ExactFigures(self.con, self.period.year_earlier(), self.entity)

    @property
    def quarters(self) -> float:
        return self.period.quarters

    def for_entity(self, entity: str | None) -> ExactFigures:
        return ExactFigures(self.con, self.period, entity)

    def count(self, family: str, breakdown: str = "total", group: str = "total") -> Shown:
        if breakdown == "total":
            return shown(facts.total(self.con, family, self.period, self.entity))
        frame = facts.count(self.con, family, self.period, self.entity, breakdown)
        if frame["count"].has_nulls():
            return shown(None, NOT_BROKEN_DOWN)
        found = dict(zip(frame[breakdown].to_list(), frame["count"].to_list(), strict=True))
        return shown(int(found.get(group, 0)))

    def breakdown(self, family: str, breakdown: str) -> pl.DataFrame:
        frame = facts.count(self.con, family, self.period, self.entity, breakdown)
        return published_frame(frame.rename({breakdown: "group"}), hidden=None)

    def covered(self, family: str, breakdown: str, group: str) -> Shown:
        """The whole a share of a breakdown's group is taken of: the family's count over the
        entities that report the breakdown (all entities: those whose returns carry it)."""
        frame = facts.count(self.con, family, self.period, self.entity, breakdown)
        if frame["count"].has_nulls():
            return shown(None, NOT_BROKEN_DOWN)
        return shown(int(frame["count"].sum()))

    def overdue(self) -> Shown:
        """The former rule: investigations open more than the overdue days since they opened."""
        value = timeliness.overdue(self.con, self.period.end, self.entity)
        former = value["overdue_investigations_former_rule"]
        return shown(former, "" if former is not None else NOT_IN_RETURNS)

    def stock(self, family: str, breakdown: str = "total", group: str = "total") -> Shown:
        """A figure counted at the cut-off (the period's end), not over the period."""
        if family == "overdue":  # the open cases past the rule, and what returns state
            return sum_of([self.stock("open_cases", "age", g) for g in facts.overdue_groups()])
        frame = facts.count_stock(
            self.con,
            family,
            self.period.end,
            self.entity,
            None if breakdown == "total" else breakdown,
        )
        if breakdown == "total":
            return shown(int(frame.item()))
        return shown(int(dict(frame.iter_rows()).get(group, 0)))

    def stock_as_of(self) -> str:
        return self.period.end.isoformat()

    def statistic(self, name: str) -> Statistic:
        row = cases.statistic(self.con, name, self.period, self.entity)
        return Statistic(row["median_days"], row["p90_days"], int(row["n"]), False)

    def trend(self, family: str = "allegations", quarters: int = 12) -> pl.DataFrame:
        end = self.period.end
        keys = last_quarters(end, quarters)
        span = Period(grid.quarter_first_day(keys[0]) - dt.timedelta(days=1), end)
        counted = cases.allegations_by_quarter(self.con, span, self.entity)
        values = {grid.quarter_key(d): int(n) for d, n in counted.iter_rows()}
        return trend_frame(
            keys, [values.get(k, 0) for k in keys], [False] * len(keys), [False] * len(keys)
        )


class PublishedFigures:
    """Roles without exact access: the cells of one release, for one grid period and scope."""

    exact = False

    def __init__(self, release: Release, period: grid.GridPeriod, entity: str | None):
        self.release, self.period, self.entity = release, period, entity
        self.scope = entity or ALL
        self.key = release.key_for(period)

    def for_entity(self, entity: str | None) -> PublishedFigures:
        return PublishedFigures(self.release, self.period, entity)

    def previous(self) -> PublishedFigures | None:
        before = grid.previous(self.period, self.release.calendar, self.release.month_only)
        return PublishedFigures(self.release, before, self.entity) if before else None

    def year_earlier(self) -> PublishedFigures | None:
        """The same quarters a year earlier: a sum of published quarters where the release holds
        no such period (so it publishes nothing new)."""
        if not self.period.quarters:
            return None
        quarters = grid.year_earlier(self.period)
        kind = "year" if self.period.kind == "year" else "quarter" if len(quarters) == 1 else "span"
        key = quarters[0] if kind == "quarter" else quarters[0][:4] if kind == "year" else None
        period = grid.span(quarters) if key is None else grid.GridPeriod(key, kind, quarters, key)
        return PublishedFigures(self.release, period, self.entity)

    @property
    def quarters(self) -> int:
        return len(self.period.quarters)

    def _shown(self, cell, breakdown: str) -> Shown:
        note = coverage_note(cell.missing, self.release.entities()) if self.scope == ALL else ""
        if cell.withdrawn:
            return shown(None, NOT_BROKEN_DOWN, note)
        return shown(cell.value, SUPPRESSED if cell.hidden else "", note)

    def count(self, family: str, breakdown: str = "total", group: str = "total") -> Shown:
        cell = self.release.cell(family, breakdown, group, self.scope, self.key)
        if cell is not None:
            return self._shown(cell, breakdown)
        if self.period.kind == "span" and len(self.period.quarters) > 1:
            # no such period in the release: the sum of its published quarters, or nothing
            return sum_of(
                [self._quarter(family, breakdown, group, q) for q in self.period.quarters]
            )
        return shown(None, self.release.missing_state(self.scope, self.period, breakdown))

    def _quarter(self, family: str, breakdown: str, group: str, key: str) -> Shown:
        cell = self.release.cell(family, breakdown, group, self.scope, key)
        if cell is None:
            return shown(None, self.release.missing_state(self.scope, grid.quarter(key), breakdown))
        return self._shown(cell, breakdown)

    def covered(self, family: str, breakdown: str, group: str) -> Shown:
        """The whole a share of a breakdown's group is taken of: the family's count over the
        entities that report the breakdown. All entities' groups sum fewer entities than the total
        where a return does not carry the breakdown; the release then holds the total of those
        entities (its cell (family, breakdown, "total"))."""
        cell = self.release.cell(family, breakdown, "total", self.scope, self.key)
        if cell is not None:
            return self._shown(cell, "total")
        part = self.count(family, breakdown, group)
        if not part.published and part.label != SUPPRESSED:  # not broken down: no whole either
            return part
        return self.count(family)

    def breakdown(self, family: str, breakdown: str) -> pl.DataFrame:
        frame = self.release.breakdown(family, breakdown, self.scope, self.key)
        return published_frame(
            frame.select("group", "count"),
            hidden=frame["hidden"].to_list(),
            withdrawn=frame["withdrawn"].to_list(),
        )

    def overdue(self) -> Shown:
        """The former rule: investigations open more than the overdue days since they opened."""
        return former_rule_overdue(self)

    def stock(self, family: str, breakdown: str = "total", group: str = "total") -> Shown:
        """A figure counted at the cut-off: each entity at the date of its own data."""
        cell = self.release.cell(family, breakdown, group, self.scope, grid.STOCK)
        if cell is None:  # an entity sending returns: not this detail
            detail = breakdown != "total" or self.scope in self.release.coverage
            return shown(
                None,
                NOT_BROKEN_DOWN
                if breakdown != "total"
                else NOT_IN_RETURNS
                if detail
                else NOT_REPORTED,
            )
        return self._shown(cell, breakdown)

    def stock_as_of(self) -> str:
        """The date of the open cases: each entity's whose case rows count them (a return states
        no open cases)."""
        scopes = [self.entity] if self.entity else sorted(self.release.coverage)
        counted = [
            e for e in scopes if self.release.cell("open_cases", "total", "total", e, grid.STOCK)
        ]
        scopes = counted or scopes
        days = {e: min(self.release.coverage[e], self.release.cutoff) for e in scopes}
        if len(set(days.values())) == 1:
            return next(iter(days.values())).isoformat()
        return ", ".join(f"{e} {d.isoformat()}" for e, d in days.items())

    def statistic(self, name: str) -> Statistic:
        found = self.release.statistic(name, self.scope, self.key)
        with_rows = set(self.release.statistics["scope"].unique().to_list())
        if found.state == NOT_IN_RETURNS and self.scope in with_rows and self.period.quarters:
            # a scope with case rows and no row for the period: not reported yet, or no cases
            reached = self.release.reported_through(self.scope)
            late = grid.quarter_first_day(self.period.quarters[-1]) > reached
            return Statistic(None, None, 0, False, NOT_REPORTED if late else "no cases")
        return found

    def trend(self, family: str = "allegations", quarters: int = 12) -> pl.DataFrame:
        end = (
            grid.quarter_end(grid.quarter_first_day(self.period.quarters[-1]))
            if self.period.quarters
            else self.release.cutoff
        )
        keys = last_quarters(end, quarters)
        values, hidden, missing, withheld = [], [], [], []
        for key in keys:
            cell = self.release.cell(family, "total", "total", self.scope, key)
            values.append(None if cell is None or cell.hidden else cell.value)
            hidden.append(bool(cell and cell.hidden and not cell.withdrawn))
            withheld.append(bool(cell and cell.withdrawn))
            missing.append(cell is None)
        return trend_frame(keys, values, hidden, missing, withheld)


def published_frame(
    frame: pl.DataFrame, hidden: list[bool] | None, withdrawn: list[bool] | None = None
) -> pl.DataFrame:
    """A breakdown as published: its `count` nulled where hidden (so no chart or export can carry
    it), `shown` (the label) and `suppressed` added; other columns kept. A group of a breakdown
    withheld as a whole reads "not broken down"."""
    n = frame.height
    mask = pl.Series("suppressed", hidden if hidden is not None else [False] * n, dtype=pl.Boolean)
    whole = pl.Series(
        "_withdrawn", withdrawn if withdrawn is not None else [False] * n, dtype=pl.Boolean
    )
    return (
        frame.with_columns(mask, whole)
        .with_columns(
            pl.when(pl.col("suppressed"))
            .then(None)
            .otherwise(pl.col("count"))
            .cast(pl.Int64)
            .alias("count"),
            pl.when(pl.col("_withdrawn"))
            .then(pl.lit(NOT_BROKEN_DOWN))
            .when(pl.col("suppressed"))
            .then(pl.lit(SUPPRESSED))
            .when(pl.col("count").is_null())
            .then(pl.lit(NOT_BROKEN_DOWN))
            .otherwise(
                pl.col("count")
                .cast(pl.Int64)
                .map_elements(lambda v: f"{v:,}", return_dtype=pl.String)
            )
            .alias("shown"),
        )
        .drop("_withdrawn")
    )


def funnel(figures) -> pl.DataFrame:
    """The funnel: received is the allegations received (the same figure as everywhere else); each
    later stage a sum of published status counts, shown only when every status it adds up is
    published (then it tells nothing the status table does not); action is the substantiated
    cases with an action."""
    status = figures.breakdown("allegations", "status")
    if status.is_empty():
        return status
    by = {g: (c, h) for g, c, h in status.select("group", "count", "suppressed").iter_rows()}
    stages = [("received", figures.count("allegations"))]
    for stage, members in list(cases.FUNNEL_STAGES.items())[1:]:
        parts = [
            shown(by[m][0], SUPPRESSED if by[m][1] else "") if m in by else shown(0)
            for m in members
        ]
        stages.append((stage, sum_of(parts)))
    stages.append(
        ("action", figures.count("allegations", "action_taken", "substantiated_with_action"))
    )
    frame = pl.DataFrame(
        [(stage, s.value) for stage, s in stages],
        schema={"group": pl.String, "count": pl.Int64},
        orient="row",
    )
    return published_frame(
        frame,
        hidden=[s.label == SUPPRESSED for _, s in stages],
        withdrawn=[s.label == NOT_BROKEN_DOWN for _, s in stages],
    )


def sum_of(parts: list[Shown]) -> Shown:
    """A sum of published figures: published only when every part is (else the first part's
    state), so a sum never tells more than its parts."""
    for part in parts:
        if not part.published:
            return shown(None, part.label)
    return shown(sum(p.value for p in parts))


def overdue_cases(figures) -> Shown:
    """Open cases at any stage past the overdue days since receipt (the rule in force): from case
    rows, the open cases of the age buckets past the rule; from returns, the figure they state."""
    return figures.stock("overdue")


def overdue_of_open(figures) -> Shown:
    """The overdue cases as a share of the open cases takes them (over the same entities as
    its denominator): an entity's own overdue figure; for all entities, the open cases of the age
    buckets past the rule, over those that send case rows (a return states its overdue cases, not
    its open ones)."""
    if figures.entity is not None:
        return overdue_cases(figures)
    return sum_of([figures.stock("open_cases", "age", g) for g in facts.overdue_groups()])


def former_rule_overdue(figures) -> Shown:
    """The former rule: investigations open at the cut-off, opened more than the overdue days
    before it (a part of the open investigations of each age past the overdue days)."""
    fam = facts.family("open_cases")
    return sum_of([figures.stock("open_cases", b, "yes") for b in fam.within])


def open_case_ages(figures) -> pl.DataFrame:
    """The open cases at the cut-off, one row per stage and one column per age bucket, and the
    stage's total: the published labels (a cell of the cross breakdown, as published)."""
    fam = facts.family("open_cases")
    rows = []
    for stage in fam.groups["stage"]:
        row = {"stage": stage}
        for age in fam.groups["age"]:
            row[age] = figures.stock("open_cases", "stage_age", f"{stage}|{age}").label
        row["total"] = figures.stock("open_cases", "stage", stage).label
        rows.append(row)
    row = {"stage": "total"}
    for age in fam.groups["age"]:
        row[age] = figures.stock("open_cases", "age", age).label
    row["total"] = figures.stock("open_cases").label
    return pl.DataFrame([*rows, row])


def urgent_within_aim(figures) -> dict[str, tuple[Shown, Shown]]:
    """urgency -> (completed within its aim, completed): urgent cases against the short aim,
    other cases against the long one; the findings of the period."""
    durations = facts.family("findings").groups["duration"]
    out = {}
    for urgency, within in (("urgent", durations[:1]), ("other", durations[:2])):
        inside = sum_of(
            [figures.count("findings", "urgency_duration", f"{urgency}|{d}") for d in within]
        )
        out[urgency] = (inside, figures.count("findings", "urgency", urgency))
    return out
