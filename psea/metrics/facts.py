"""The case figures' one definition: a family of rows per figure, each row dated and grouped.

Every case count the dashboard shows is "how many rows of a family fall in a period", in total or by
one of the family's breakdowns. The family's SQL is written once, here; `count` counts it over any
period at any cut-off (the analysts' exact figures), `count_by_quarter` over the quarter grid (the
protected release of psea.disclosure). Each breakdown partitions its family: its groups add up to
the family's total, which is what the release's linked suppression relies on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from psea.metrics import Period
from psea.settings import settings

# A victim's UN reporting group, from a case_victims row aliased `v` (the one definition).
UN_VICTIM_GROUP = """case
    when v.sex = 'female' and v.age_group = 'adult' then 'women'
    when v.sex = 'female' and v.age_group = 'child' then 'girls'
    when v.sex = 'female' then 'females_unknown_age'
    when v.sex = 'male' and v.age_group = 'adult' then 'men'
    when v.sex = 'male' and v.age_group = 'child' then 'boys'
    when v.sex = 'male' then 'males_unknown_age'
    else 'unknown' end"""

_YES_NO = "case when {} then 'yes' else 'no' end"

# The UN's personnel groups (docs/cli.md): the agencies' own personnel are one group.
AGENCY_PERSONNEL = ("staff", "non_staff", "contractor")
UN_PERSONNEL_GROUP = f"""case when c.personnel_group in {AGENCY_PERSONNEL}
    then 'agencies_funds_programmes' else c.personnel_group end"""
UN_PERSONNEL_GROUPS = (
    "peacekeeping",
    "agencies_funds_programmes",
    "implementing_partner",
    "non_un_forces",
    "unknown",
)


def _buckets(expr: str, bounds: tuple[int, int], unit: str) -> str:
    low, high = bounds
    return (
        f"case when {expr} <= {low} then 'within_{low}_{unit}' "
        f"when {expr} <= {high} then '{low + 1}_to_{high}_{unit}' else 'over_{high}_{unit}' end"
    )


@dataclass(frozen=True)
class Family:
    """Rows dated by `day`, with an `entity` and one column per breakdown (each a partition)."""

    name: str
    sql: str  # selects entity, day and the breakdown columns, at $cutoff
    breakdowns: tuple[str, ...]
    groups: dict[str, tuple[str, ...]]  # fixed group lists (others come from the data)
    # sums among the groups of its breakdowns beyond each adding up to the total:
    # ((breakdown, group), ((breakdown, group), ...)) = the first is the sum of the others
    links: tuple[tuple[tuple[str, str], tuple[tuple[str, str], ...]], ...] = ()
    # a breakdown that partitions one group of another breakdown, not the total (its rows outside
    # that group have no group: null)
    within: dict[str, tuple[str, str]] = field(default_factory=dict)


def nest(child: str, parents: tuple[str, ...], groups: dict[str, tuple[str, ...]]) -> tuple:
    """The links of a cross breakdown: its groups are "a|b|…" (one part per parent breakdown), and
    each parent's group is the sum of the child's groups whose part is that group."""
    links = []
    for i, parent in enumerate(parents):
        for g in groups[parent]:
            members = tuple((child, c) for c in groups[child] if c.split("|")[i] == g)
            links.append(((parent, g), members))
    return tuple(links)


def cross(*parts: tuple[str, ...]) -> tuple[str, ...]:
    """The groups of a cross breakdown, "a|b", in the order of its parents' groups."""
    out = [""]
    for groups in parts:
        out = [f"{o}|{g}" if o else g for o in out for g in groups]
    return tuple(out)


def bucket_codes(bounds: tuple[int, ...], unit: str = "days") -> tuple[str, ...]:
    """within_90_days, 91_to_180_days, over_180_days for the bounds (90, 180)."""
    codes = [f"within_{bounds[0]}_{unit}"]
    codes += [f"{a + 1}_to_{b}_{unit}" for a, b in zip(bounds, bounds[1:], strict=False)]
    return (*codes, f"over_{bounds[-1]}_{unit}")


def bucket_sql(expr: str, bounds: tuple[int, ...], unit: str = "days") -> str:
    codes = bucket_codes(bounds, unit)
    whens = " ".join(f"when {expr} <= {b} then '{c}'" for b, c in zip(bounds, codes, strict=False))
    return f"case {whens} else '{codes[-1]}' end"


def _families() -> dict[str, Family]:
    aims = settings()["investigations"]["aims_days"]
    durations = tuple(
        f"within_{aims[0]}_days {aims[0] + 1}_to_{aims[1]}_days over_{aims[1]}_days".split()
    )
    findings_groups = {
        "finding": ("substantiated", "unsubstantiated"),
        "duration": durations,
        "urgency": URGENCY,
        "urgency_duration": cross(URGENCY, durations),
    }
    return {
        f.name: f
        for f in (
            Family(
                "allegations",
                f"""
                with acted as (
                    select distinct s.entity, s.case_ref from case_subjects_at($cutoff) s
                    where s.action not in ('pending', 'none')
                ),
                delays as (
                    select c.*, case when c.incident_month is null then null
                        else datediff('month', strptime(c.incident_month || '-01', '%Y-%m-%d')::date,
                                      date_trunc('month', c.date_received)::date) end as delay_months
                    from cases_at($cutoff) c
                )
                select c.entity, c.date_received as day, c.case_ref,
                    c.category, c.personnel_group, {UN_PERSONNEL_GROUP} as un_personnel_group,
                    c.reporting_channel,
                    coalesce(m.region, 'unknown') as region,
                    coalesce(left(c.incident_month, 4), 'unknown') as incident_year,
                    case when delay_months is null then 'unknown'
                         when delay_months <= 3 then '0-3 months'
                         when delay_months <= 12 then '4-12 months'
                         when delay_months <= 24 then '13-24 months'
                         else 'more than 24 months' end as delay,
                    c.status,
                    case when c.status <> 'substantiated' then 'not_substantiated'
                         when a.case_ref is not null then 'substantiated_with_action'
                         else 'substantiated_no_action' end as action_taken,
                    {_YES_NO.format("c.referred_national_authorities")} as referred,
                    {_YES_NO.format("c.interim_measures")} as interim_measures
                from delays c
                left join ref_missions m on m.code = c.mission
                left join acted a on a.entity = c.entity and a.case_ref = c.case_ref
                """,
                (
                    "category",
                    "personnel_group",
                    "un_personnel_group",
                    "reporting_channel",
                    "region",
                    "incident_year",
                    "delay",
                    "status",
                    "action_taken",
                    "referred",
                    "interim_measures",
                ),
                {
                    "category": ("sexual_exploitation", "sexual_abuse", "other", "unknown"),
                    "un_personnel_group": UN_PERSONNEL_GROUPS,
                    "status": STATUSES,
                    "delay": DELAY_BUCKETS,
                    "action_taken": (
                        "substantiated_with_action",
                        "substantiated_no_action",
                        "not_substantiated",
                    ),
                    "referred": ("yes", "no"),
                    "interim_measures": ("yes", "no"),
                },
            ),
            Family(
                "victims",
                f"""
                with help as (
                    select entity, case_ref, victim_ref,
                        bool_or(status = 'provided') as provided,
                        bool_or(status = 'declined') as declined
                    from victim_assistance_at($cutoff) group by all
                ),
                assessed as (  -- the assessment's own date places it, whenever its service was referred
                    select distinct entity, case_ref, victim_ref from victim_assistance_snapshot($cutoff)
                    where needs_assessed_on <= $cutoff
                )
                select c.entity, c.date_received as day, {UN_VICTIM_GROUP} as un_group,
                    case when v.age_group = 'child' then 'child' else 'not_child' end as child,
                    {UN_VICTIM_GROUP} || '|' ||
                        case when v.age_group = 'child' then 'child' else 'not_child' end
                        as un_group_child,
                    {_YES_NO.format("a.victim_ref is not null")} as needs_assessed,
                    {_YES_NO.format("coalesce(h.provided, false)")} as assisted,
                    {_YES_NO.format("coalesce(h.declined, false)")} as declined
                from case_victims_at($cutoff) v
                join cases_at($cutoff) c using (entity, case_ref)
                left join help h using (entity, case_ref, victim_ref)
                left join assessed a using (entity, case_ref, victim_ref)
                """,
                ("un_group", "child", "un_group_child", "needs_assessed", "assisted", "declined"),
                VICTIM_GROUPS,
                # a child of unknown sex is in the UN group 'unknown': child is not girls + boys,
                # and the cross breakdown states how they add up, so no difference of the two
                # breakdowns is a cell the release did not protect
                nest("un_group_child", ("un_group", "child"), VICTIM_GROUPS),
            ),
            Family(
                "subjects",
                """select c.entity, c.date_received as day, s.gender
                   from case_subjects_at($cutoff) s join cases_at($cutoff) c using (entity, case_ref)""",
                ("gender",),
                {"gender": ("man", "woman", "unknown")},
            ),
            Family(
                "investigations_opened",
                """select entity, investigation_opened_on as day from cases_at($cutoff)
                   where investigation_opened_on <= $cutoff""",
                (),
                {},
            ),
            Family(
                "findings",
                f"""with children as (
                        select distinct entity, case_ref from case_victims_at($cutoff)
                        where age_group = 'child'
                    ),
                    f as (
                        select c.entity, c.investigation_completed_on as day, c.status as finding,
                            {_buckets("c.investigation_completed_on - c.investigation_opened_on", tuple(aims), "days")} as duration,
                            case when ch.case_ref is not null then 'urgent' else 'other' end as urgency
                        from cases_at($cutoff) c left join children ch using (entity, case_ref)
                        where c.status in ('substantiated', 'unsubstantiated')
                          and c.investigation_completed_on <= $cutoff
                    )
                    select *, urgency || '|' || duration as urgency_duration from f""",
                ("finding", "duration", "urgency", "urgency_duration"),
                findings_groups,
                nest("urgency_duration", ("urgency", "duration"), findings_groups),
            ),
            Family(
                "outcomes",
                f"""select entity, outcome_on as day,
                        case when outcome_on - date_received <= {aims[1]} then 'within_{aims[1]}_days'
                             else 'over_{aims[1]}_days' end as receipt_to_outcome
                    from ({OUTCOME_ROWS})""",
                ("receipt_to_outcome",),
                {"receipt_to_outcome": (f"within_{aims[1]}_days", f"over_{aims[1]}_days")},
            ),
            Family(
                "actions",
                """select c.entity, c.investigation_completed_on as day, s.action
                   from case_subjects_at($cutoff) s join cases_at($cutoff) c using (entity, case_ref)
                   where c.status = 'substantiated' and c.investigation_completed_on <= $cutoff""",
                ("action",),
                {},
            ),
            Family(
                "services",
                """select entity, referred_on as day, service from victim_assistance_at($cutoff)""",
                ("service",),
                {},
            ),
        )
    }


STATUSES = (
    "received",
    "preliminary_assessment",
    "under_investigation",
    "under_review_limited_information",
    "substantiated",
    "unsubstantiated",
    "closed",
)
UN_VICTIM_GROUPS = (
    "women",
    "girls",
    "females_unknown_age",
    "men",
    "boys",
    "males_unknown_age",
    "unknown",
)
VICTIM_GROUPS = {
    "un_group": UN_VICTIM_GROUPS,
    "child": ("child", "not_child"),
    "un_group_child": cross(UN_VICTIM_GROUPS, ("child", "not_child")),
    "needs_assessed": ("yes", "no"),
    "assisted": ("yes", "no"),
    "declined": ("yes", "no"),
}
DELAY_BUCKETS = ("0-3 months", "4-12 months", "13-24 months", "more than 24 months", "unknown")
OPEN_STAGES = STATUSES[:4]  # a case at one of these stages at the cut-off is open
URGENCY = ("urgent", "other")  # urgent: at least one child victim
# A case's outcome (a finding, or a closure without one) and its day, as of $cutoff.
OUTCOME_ROWS = """select entity, date_received,
        case when status = 'closed' then coalesce(investigation_completed_on, assessment_completed_on)
             else investigation_completed_on end as outcome_on
    from cases_at($cutoff) where status in ('substantiated', 'unsubstantiated', 'closed')"""


def age_bounds() -> tuple[int, ...]:
    """The bounds of the open cases' age buckets: the UN's aims (90, 180) and the overdue rule."""
    inv = settings()["investigations"]
    return tuple(sorted({*(int(d) for d in inv["aims_days"]), int(inv["overdue_after_days"])}))


def overdue_groups() -> tuple[str, ...]:
    """The age buckets past the overdue rule: their sum is the overdue cases."""
    bounds = age_bounds()
    overdue = int(settings()["investigations"]["overdue_after_days"])
    return bucket_codes(bounds)[bounds.index(overdue) + 1 :]


def _stocks() -> dict[str, Family]:
    """Families counted at the cut-off, not over a period (their rows have no day)."""
    overdue = int(settings()["investigations"]["overdue_after_days"])
    ages = bucket_codes(age_bounds())
    groups = {"stage": OPEN_STAGES, "age": ages, "stage_age": cross(OPEN_STAGES, ages)}
    # The former rule's investigations (opened more than the overdue days before the cut-off) are a
    # part of the investigations received before it (the contract: opened on or after received):
    # one yes/no breakdown within each age bucket past the overdue days, usually just one.
    former, within = {}, {}
    for a in overdue_groups():
        name = "former_rule" if len(overdue_groups()) == 1 else f"former_rule_{a}"
        former[name] = (
            f"case when stage = 'under_investigation' and age = '{a}' "
            f"then {_YES_NO.format('former')} end"
        )
        groups[name] = ("yes", "no")
        within[name] = ("stage_age", f"under_investigation|{a}")
    return {
        "open_cases": Family(
            "open_cases",
            f"""with o as (
                    select entity, status as stage, $cutoff - date_received as days,
                        coalesce(investigated and not finding_reached
                            and investigation_opened_on < $cutoff - to_days({overdue}), false) as former
                    from cases_at($cutoff) where status in {OPEN_STAGES}
                ),
                a as (select *, {bucket_sql("days", age_bounds())} as age from o)
                select entity, stage, age, stage || '|' || age as stage_age,
                    {", ".join(f"{sql} as {name}" for name, sql in former.items())}
                from a""",
            ("stage", "age", "stage_age", *former),
            groups,
            nest("stage_age", ("stage", "age"), groups),
            within,
        )
    }


def family(name: str) -> Family:
    found = _families()
    return found[name] if name in found else _stocks()[name]


def stocks() -> dict[str, Family]:
    return _stocks()


def families() -> dict[str, Family]:
    return _families()


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


def count(
    con, name: str, period: Period, entity: str | None = None, by: str | None = None
) -> pl.DataFrame:
    """Rows of the family in the period (start, end] as of its cut-off: `count`, or `by` and
    `count` with every fixed group present (zero where none). An entity's returns count their
    quarters that end in the period; where a return in the period does not break the family
    down by `by`, every count is null ("not broken down", never 0)."""
    fam = family(name)
    group = f"{by} as {by}, " if by else ""
    params = {"cutoff": period.as_of, "start": period.start, "end": period.end, "entity": entity}
    out = con.sql(
        f"""with f as ({fam.sql})
            select {group}count(*)::bigint as count from f
            where day > $start and day <= $end and ($entity is null or entity = $entity)
            {"group by all order by 1" if by else ""}""",
        params=params,
    ).pl()
    returned = con.sql(
        f"""select * from ({return_cells_sql()})
            where family = $family and day > $start and day <= $end
              and ($entity is null or entity = $entity)""",
        params={**params, "family": name},
    ).pl()
    if returned.height:
        out = _with_returns(out, returned, by)
    if by and by in fam.groups:
        out = (
            pl.DataFrame({by: list(fam.groups[by])})
            .join(out, on=by, how="full", coalesce=True, maintain_order="left")
            .with_columns(pl.col("count").fill_null(0))
        )
        if returned.height and _not_broken_down(returned, by):
            out = out.with_columns(pl.lit(None, dtype=pl.Int64).alias("count"))
    return out


def _with_groups(out: pl.DataFrame, fam: Family, by: str | None) -> pl.DataFrame:
    if by and by in fam.groups:
        out = (
            pl.DataFrame({by: list(fam.groups[by])})
            .join(out, on=by, how="full", coalesce=True, maintain_order="left")
            .with_columns(pl.col("count").fill_null(0))
        )
    return out


def count_stock(
    con, name: str, cutoff: dt.date, entity: str | None = None, by: str | None = None
) -> pl.DataFrame:
    """Rows of a stock family at the cut-off: `count`, or `by` and `count` with every fixed group
    present (zero where none)."""
    fam = family(name)
    group = f"{by} as {by}, " if by else ""
    out = con.sql(
        f"""with f as ({fam.sql})
            select {group}count(*)::bigint as count from f
            where ($entity is null or entity = $entity) {f"and {by} is not null" if by else ""}
            {"group by all order by 1" if by else ""}""",
        params={"cutoff": cutoff, "entity": entity},
    ).pl()
    out = _with_groups(out, fam, by)
    stated = _returned_overdue(con, cutoff, entity) if name == "open_cases" else {}
    if stated:  # returns state their overdue cases only: every other open-case count is unknown
        over = overdue_groups()
        known = by == "age" and len(over) == 1
        out = out.with_columns(
            pl.when(pl.lit(known) & (pl.col(by) == over[0]) if known else pl.lit(False))
            .then(pl.col("count") + sum(stated.values()))
            .otherwise(None)
            .cast(pl.Int64)
            .alias("count")
        )
    return out


def _returned_overdue(con, cutoff: dt.date, entity: str | None) -> dict[str, int]:
    """The overdue cases (open more than the overdue days since received) that entities without
    case rows state in their returns, at the end of their latest quarter."""
    with_rows = {
        r[0]
        for r in con.sql(
            "select distinct entity from cases_at($cutoff)", params={"cutoff": cutoff}
        ).fetchall()
    }
    return {
        e: n
        for e, n in return_stock(con, "overdue", cutoff).items()
        if e not in with_rows and (entity is None or e == entity)
    }


def count_stock_by_entity(con, name: str, cutoffs: dict[str, dt.date]) -> pl.DataFrame:
    """Each entity's rows of a stock family at its own cut-off (the date of its data), in total and
    by each breakdown: entity, breakdown ('total' for the total), group, count (observed only)."""
    fam = family(name)
    sets = ", ".join(["(entity)", *[f"(entity, {b})" for b in fam.breakdowns]])
    pick = " ".join(f"when grouping({b}) = 0 then '{b}'" for b in fam.breakdowns)
    grp = " ".join(f"when grouping({b}) = 0 then {b}::varchar" for b in fam.breakdowns)
    frames = []
    for day in sorted(set(cutoffs.values())):
        entities = [e for e, d in cutoffs.items() if d == day]
        frames.append(
            con.sql(
                f"""with f as ({fam.sql})
                    select entity, case {pick} else 'total' end as breakdown,
                           case {grp} else 'total' end as "group", count(*)::bigint as count
                    from f where list_contains($entities, entity)
                    group by grouping sets ({sets})""",
                params={"cutoff": day, "entities": entities},
            )
            .pl()
            .filter(pl.col("group").is_not_null())  # rows outside a `within` breakdown's group
        )
    schema = {"entity": pl.String, "breakdown": pl.String, "group": pl.String, "count": pl.Int64}
    return pl.concat([f.cast(schema) for f in frames]) if frames else pl.DataFrame(schema=schema)


def _not_broken_down(returned: pl.DataFrame, by: str) -> bool:
    """Whether a return of the period lacks the breakdown (a zero total breaks down into zeros)."""
    carried = returned.group_by("entity", "quarter").agg(
        ((pl.col("breakdown") == by) | ((pl.col("breakdown") == "total") & (pl.col("count") == 0)))
        .any()
        .alias("carried")
    )
    return not carried["carried"].all()


def _with_returns(out: pl.DataFrame, returned: pl.DataFrame, by: str | None) -> pl.DataFrame:
    if by is None:
        extra = int(returned.filter(pl.col("breakdown") == "total")["count"].sum())
        return out.with_columns(pl.col("count") + extra)
    if _not_broken_down(returned, by):  # one row at least, so that callers see the null
        nulls = pl.DataFrame({by: [None], "count": [None]}, schema=out.schema)
        return pl.concat([out, nulls]).with_columns(pl.lit(None, dtype=pl.Int64).alias("count"))
    extra = (
        returned.filter(pl.col("breakdown") == by)
        .group_by(pl.col("group").alias(by))
        .agg(pl.col("count").sum())
    )
    return (
        pl.concat([out, extra.select(out.columns)], how="vertical_relaxed")
        .group_by(by)
        .agg(pl.col("count").sum())
        .sort(by)
    )


def total(con, name: str, period: Period, entity: str | None = None) -> int:
    return int(count(con, name, period, entity).item())


def count_by_quarter(con, name: str, cutoff: dt.date) -> pl.DataFrame:
    """Every entity's rows per calendar quarter of `day`, in total and by each breakdown, as of
    the cut-off, and the cells of the entities' returns: entity, quarter (its first day),
    breakdown ('total' for the total), group, count."""
    fam = family(name)
    sets = ", ".join(["(entity, quarter)", *[f"(entity, quarter, {b})" for b in fam.breakdowns]])
    pick = " ".join(f"when {b} is not null then '{b}'" for b in fam.breakdowns)
    grp = " ".join(f"when {b} is not null then {b}::varchar" for b in fam.breakdowns)
    return con.sql(
        f"""with f as ({fam.sql}),
            q as (select *, date_trunc('quarter', day)::date as quarter from f where day <= $cutoff)
            select entity, quarter,
                   {f"case {pick} else 'total' end" if fam.breakdowns else "'total'"} as breakdown,
                   {f"case {grp} else 'total' end" if fam.breakdowns else "'total'"} as "group",
                   count(*)::bigint as count
            from q group by grouping sets ({sets})
            union all
            select entity, quarter, breakdown, "group", count from ({return_cells_sql()})
            where family = $family""",
        params={"cutoff": cutoff, "family": name},
    ).pl()
