"""How an agency's quarterly returns (data_contracts/agency_returns.yaml) stand in for the case
families' rows: the figure and dimension of a return cell as a family, breakdown and group."""

from __future__ import annotations

import datetime as dt

import polars as pl

# How a return's figures (data_contracts/agency_returns.yaml) stand in for the families' rows:
# (figure, dimension) -> (family, breakdown, group or None to keep the return's group).
RETURN_FIGURES = {
    ("allegations", "total"): ("allegations", "total", None),
    ("allegations", "category"): ("allegations", "category", None),
    ("allegations", "personnel_group"): ("allegations", "un_personnel_group", None),
    ("allegations", "status"): ("allegations", "status", None),
    ("victims", "total"): ("victims", "total", None),
    ("victims", "un_victim_group"): ("victims", "un_group", None),
    ("victims_assisted", "total"): ("victims", "assisted", "yes"),
    ("subjects", "total"): ("subjects", "total", None),
    ("subjects", "subject_gender"): ("subjects", "gender", None),
    ("investigations_opened", "total"): ("investigations_opened", "total", None),
    ("investigations_completed", "total"): ("findings", "total", None),
    ("substantiated", "total"): ("findings", "finding", "substantiated"),
    ("unsubstantiated", "total"): ("findings", "finding", "unsubstantiated"),
}
RETURN_STOCKS = ("overdue", "personnel")  # at the quarter's end, not counts of the quarter


def _return_map_sql() -> str:
    rows = ", ".join(
        f"('{fig}', '{dim}', '{fam}', '{brk}', " + (f"'{grp}')" if grp else "null)")
        for (fig, dim), (fam, brk, grp) in RETURN_FIGURES.items()
    )
    return f"(values {rows}) as m(figure, dimension, family, breakdown, fixed_group)"


# A return carries victims by UN group only: its child victims are its girls and boys (a child of
# unknown sex is counted in its 'unknown' group); the victims' cross breakdown of UN group and age
# links them in the release, as for case rows (docs/extracts.md).
RETURN_CHILD = ("girls", "boys")


def return_cells_sql() -> str:
    """Every return cell as of $cutoff, in the families' terms: entity, quarter (its first day),
    day (its last day), family, breakdown ('total' for the total), group, count. Victims not
    assisted are the victims less the victims assisted, so the breakdown `assisted` is whole;
    child victims are the girls and boys (RETURN_CHILD), and the victims' cross breakdown of UN
    group and age follows from that."""
    return f"""
        with r as (select * from agency_returns_at($cutoff)),
        mapped as (
            select r.entity, r.quarter_start as quarter, r.quarter_end as day, m.family,
                m.breakdown, coalesce(m.fixed_group, r."group") as "group", r."count"::bigint as count
            from r join {_return_map_sql()} using (figure, dimension)
        ),
        not_assisted as (
            select entity, quarter_start as quarter, quarter_end as day, 'victims' as family,
                'assisted' as breakdown, 'no' as "group",
                (sum("count") filter (where figure = 'victims')
                 - sum("count") filter (where figure = 'victims_assisted'))::bigint as count
            from r where dimension = 'total' and figure in ('victims', 'victims_assisted')
            group by all having count(*) = 2
        ),
        children as (
            select entity, quarter_start as quarter, quarter_end as day, 'victims' as family,
                'child' as breakdown,
                case when "group" in {RETURN_CHILD} then 'child' else 'not_child' end as "group",
                sum("count")::bigint as count
            from r where figure = 'victims' and dimension = 'un_victim_group' group by all
        ),
        crossed as (  -- the same, crossed with the UN group (the victims' cross breakdown)
            select entity, quarter_start as quarter, quarter_end as day, 'victims' as family,
                'un_group_child' as breakdown,
                "group" || '|' || case when "group" in {RETURN_CHILD} then 'child'
                    else 'not_child' end as "group",
                "count"::bigint as count
            from r where figure = 'victims' and dimension = 'un_victim_group'
        )
        select * from mapped union all select * from not_assisted
        union all select * from children union all select * from crossed"""


def return_cells(con, cutoff: dt.date, name: str | None = None) -> pl.DataFrame:
    """The return cells as of the cut-off (of one family, or all)."""
    return con.sql(
        f"select * from ({return_cells_sql()}) where $family is null or family = $family",
        params={"cutoff": cutoff, "family": name},
    ).pl()


def return_stock(con, figure: str, cutoff: dt.date) -> dict[str, int]:
    """Per return entity, a stock figure (overdue, personnel) at the end of its latest quarter
    reported by the cut-off."""
    rows = con.sql(
        """select entity, arg_max("count", quarter_start)::bigint from agency_returns_at($cutoff)
           where figure = $figure and dimension = 'total' group by 1 order by 1""",
        params={"cutoff": cutoff, "figure": figure},
    ).fetchall()
    return {e: int(v) for e, v in rows}
