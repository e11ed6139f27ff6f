"""The headline figures, listed once for the Overview page and the SFP brief: what each counts,
its definition, and (for a share) what it is a share of."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from psea.disclosure.figures import Shown
from psea.metrics import cases, timeliness
from psea.metrics.personnel import per_thousand


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    family: str
    definition: str
    breakdown: str = "total"
    group: str = "total"
    denominator: tuple[str, str, str] | None = None  # (family, breakdown, group) of the whole

    def shown(self, figures) -> Shown:
        return figures.count(self.family, self.breakdown, self.group)

    def whole(self, figures) -> Shown:
        return figures.count(*self.denominator)


HEADLINES = [
    Headline(
        "allegations",
        "Allegations received",
        "allegations",
        cases.DEFINITIONS["allegations_received"],
    ),
    Headline(
        "child_victims",
        "Child victims",
        "victims",
        cases.DEFINITIONS["child_victims"],
        "child",
        "child",
    ),
    Headline(
        "investigations_opened",
        "Investigations opened",
        "investigations_opened",
        "Investigations opened in the period.",
    ),
    Headline(
        "investigations_completed",
        "Investigations completed",
        "findings",
        "Investigations completed with a finding (substantiated or unsubstantiated) in the period.",
    ),
    Headline(
        "substantiated",
        "Substantiated",
        "findings",
        cases.DEFINITIONS["substantiation_rate"],
        "finding",
        "substantiated",
        denominator=("findings", "total", "total"),
    ),
    Headline(
        "victims_assisted",
        "Victims assisted",
        "victims",
        cases.DEFINITIONS["victims_assisted"],
        "assisted",
        "yes",
        denominator=("victims", "total", "total"),
    ),
]


@dataclass(frozen=True)
class Stock:
    label: str
    definition: str


OVERDUE = Stock(  # the rule in force (psea.disclosure.figures.overdue_cases)
    "Overdue cases (any stage)", timeliness.definition("overdue")
)


def _per_thousand(count: Shown, people: int | None) -> str:
    if not count.published:
        return count.label
    rate = per_thousand(count.value, people)
    return "personnel not known" if rate is None else f"{rate:.2f}"


def headcounts(frame: pl.DataFrame, entities: list[str]) -> dict[str | None, int | None]:
    """Personnel per entity (psea.metrics.personnel's frame), and all entities (None) when every
    entity's is known."""
    known = dict(frame.select("entity", "personnel").iter_rows())
    out: dict[str | None, int | None] = {e: known.get(e) for e in entities}
    out[None] = sum(out.values()) if entities and all(out.values()) else None  # type: ignore[arg-type]
    return out


def side_by_side(
    figures, entities: list[str], headcount: dict[str | None, int | None]
) -> pl.DataFrame:
    """Each entity's headline figures beside all entities' (the Overview and the Champion's report
    alike): one row per figure, one column per entity, read through the gate (`figures` for all
    entities, `figures.for_entity(e)` for each), then the personnel at the period's end and each
    count per 1,000 personnel (a figure as published over a personnel count, never a hidden one)."""
    scopes: list[str | None] = [*entities, None]
    column = {s: "All entities" if s is None else s for s in scopes}
    scoped = {s: figures.for_entity(s) for s in scopes}
    rows = [
        {"figure": h.label} | {column[s]: h.shown(scoped[s]).label for s in scopes}
        for h in HEADLINES
    ]
    rows.append(
        {"figure": "Personnel at the end of the period"}
        | {column[s]: f"{headcount[s]:,}" if headcount.get(s) else "not known" for s in scopes}
    )
    rows += [
        {"figure": f"{h.label} per 1,000 personnel"}
        | {column[s]: _per_thousand(h.shown(scoped[s]), headcount.get(s)) for s in scopes}
        for h in HEADLINES
        if h.denominator is None
    ]
    return pl.DataFrame(rows)
