"""The additive relations among a release's cells (its linked tables): breakdowns to their totals,
the links a family declares among its breakdowns, quarters to years and meeting periods, published
periods to the published periods inside them, entities to all entities; and the relations implied by
those (a year minus the meeting period inside it)."""

from __future__ import annotations

import polars as pl

from psea.disclosure import grid
from psea.disclosure.breakdowns import ALL, STOCK, top_of
from psea.disclosure.cells import OVERDUE, periods_inside
from psea.disclosure.protect import BREAKDOWN, Relation
from psea.metrics import facts


def relate(
    cells: pl.DataFrame, periods: list[grid.GridPeriod], chosen: list[grid.GridPeriod]
) -> list[Relation]:
    """Every additive relation among the cells: breakdowns to their totals, quarters to years and
    meeting periods (totals) and published periods to the published periods inside them
    (breakdowns), entities to all entities (the entities each all-entities cell sums), the
    all-entities total of the entities a breakdown covers, the overdue cases to the open cases
    past the rule, and the cross links a family declares."""
    key_cols = ["family", "breakdown", "group", "scope", "period"]
    index = {tuple(row): i for i, row in enumerate(cells.select(key_cols).iter_rows())}
    covered = cells if "cover" in cells.columns else cells.with_columns(pl.lit(None).alias("cover"))
    cover = {
        (f, b, g, p): tuple(c)
        for f, b, g, s, p, c in covered.select(*key_cols, "cover").iter_rows()
        if s == ALL and c is not None
    }
    relations: list[Relation] = []

    def add(total, members, kind: str) -> None:
        if total in index and members and all(m in index for m in members):
            if total[3] == ALL and any(
                cover.get((m[0], m[1], m[2], m[4])) != cover.get((total[0], *total[1:3], total[4]))
                for m in members
                if m[3] == ALL
            ):
                return  # all-entities cells summing different entities do not add up
            relations.append(Relation(index[total], tuple(index[m] for m in members), kind))

    groups: dict[tuple, list] = {}
    for fam, brk, grp, scope, period in index:
        if brk != "total" and grp != "total":
            groups.setdefault((fam, brk, scope, period), []).append(grp)
    tops: dict[tuple[str, str], tuple[str, str]] = {}
    for (fam, brk, scope, period), members in groups.items():
        if (fam, brk) not in tops:  # the families are made anew on each call: once per breakdown
            tops[fam, brk] = top_of(fam, brk)
        top = tops[fam, brk]
        if (fam, brk, "total", scope, period) in index:  # all entities: those the groups cover
            add(
                (fam, brk, "total", scope, period),
                [(fam, brk, g, scope, period) for g in members],
                BREAKDOWN,
            )
            add(
                (fam, brk, "total", scope, period),
                [(fam, *top, e, period) for e in cover.get((fam, brk, "total", period), ())],
                "cover",
            )
        else:
            add(
                (fam, *top, scope, period),
                [(fam, brk, g, scope, period) for g in members],
                BREAKDOWN,
            )
        if brk == "un_personnel_group":  # the UN's groups are sums of the personnel groups
            for g in members:
                parts = facts.AGENCY_PERSONNEL if g == "agencies_funds_programmes" else (g,)
                add(
                    (fam, brk, g, scope, period),
                    [(fam, "personnel_group", p, scope, period) for p in parts],
                    BREAKDOWN,
                )
    _link_relations(index, add)
    for overdue in [k for k in index if k[0] == OVERDUE and k[3] != ALL]:
        add(
            overdue,
            [("open_cases", "age", g, overdue[3], STOCK) for g in facts.overdue_groups()],
            BREAKDOWN,
        )
    series = sorted({(f, b, g) for f, b, g, _, _ in index})  # sorted: one release per data
    period_keys = sorted({k[4] for k in index})
    scopes = sorted({k[3] for k in index} - {ALL})
    children = periods_inside(chosen)
    for fam, brk, grp in series:
        for period in period_keys:  # entities -> all entities
            summed = cover.get((fam, brk, grp, period))
            if summed is not None and not (brk != "total" and grp == "total"):
                add(
                    (fam, brk, grp, ALL, period),
                    [(fam, brk, grp, s, period) for s in summed],
                    "entity",
                )
        for scope in [*scopes, ALL]:
            if brk == "total":  # quarters -> year, meeting period
                for p in periods:
                    add(
                        (fam, brk, grp, scope, p.key),
                        [(fam, brk, grp, scope, q) for q in p.quarters],
                        "period",
                    )
            else:
                for parent, kids in children.items():
                    add(
                        (fam, brk, grp, scope, parent),
                        [(fam, brk, grp, scope, c) for c in kids],
                        "period",
                    )
    return relations


def _link_relations(index: dict, add) -> None:
    """The sums a family declares among its breakdowns' groups (facts.Family.links: a cross
    breakdown adds up to each of its parents' groups), per scope and period."""
    linked = {
        name: fam.links for name, fam in {**facts.families(), **facts.stocks()}.items() if fam.links
    }
    places = {(f, s, p) for f, _, _, s, p in index if f in linked}
    for fam, scope, period in places:
        for (brk, grp), members in linked[fam]:
            add(
                (fam, brk, grp, scope, period),
                [(fam, b, g, scope, period) for b, g in members],
                BREAKDOWN,
            )


def implied_relations(cells: pl.DataFrame, periods: list[grid.GridPeriod]) -> list[Relation]:
    """Relations that follow from the others, for the totals: a year or meeting period is the
    published periods inside it plus its remaining quarters (Year 2013 = the meeting of 2013-10-08
    + 2013 Q4, so the difference of the two publishes a quarter). Years and meeting periods cross,
    so these differences are not among the relations the release states."""
    totals = cells.filter(pl.col("breakdown") == "total")
    key_cols = ["family", "breakdown", "group", "scope", "period"]
    index = {
        tuple(row[:5]): i
        for i, row in enumerate(cells.select(key_cols).iter_rows())
        if row[1] == "total"
    }
    layouts = []
    for p in periods:
        span = set(p.quarters)
        inside = sorted(
            (o for o in periods if o.key != p.key and set(o.quarters) < span),
            key=lambda o: -len(o.quarters),
        )
        parts, covered = [], set()
        for o in inside:
            if not covered & set(o.quarters):
                parts.append(o.key)
                covered |= set(o.quarters)
        if parts:
            layouts.append((p.key, [*parts, *sorted(span - covered)]))
    cover = (
        {
            (f, p): c
            for f, s, p, c in totals.select("family", "scope", "period", "cover").iter_rows()
            if s == ALL
        }
        if "cover" in totals.columns
        else {}
    )
    out = []
    for family, scope in (
        totals.select("family", "scope").unique().sort("family", "scope").iter_rows()
    ):
        for total, parts in layouts:
            cell = index.get((family, "total", "total", scope, total))
            members = [index.get((family, "total", "total", scope, m)) for m in parts]
            if scope == ALL and any(
                cover.get((family, m)) != cover.get((family, total)) for m in parts
            ):
                continue  # periods of all entities summing different entities do not add up
            if cell is not None and members and None not in members:
                out.append(Relation(cell, tuple(members), "period"))
    return out
