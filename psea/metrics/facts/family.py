"""The shape every case figure shares: a family of dated rows with breakdowns that partition it,
the cross breakdowns that link two of them, the age and duration buckets, and the fixed group lists
(statuses, UN victim and personnel groups, reporting delays)."""

from __future__ import annotations

from dataclasses import dataclass, field

UN_VICTIM_GROUP = """case
    when v.sex = 'female' and v.age_group = 'adult' then 'women'
    when v.sex = 'female' and v.age_group = 'child' then 'girls'
    when v.sex = 'female' then 'females_unknown_age'
    when v.sex = 'male' and v.age_group = 'adult' then 'men'
    when v.sex = 'male' and v.age_group = 'child' then 'boys'
    when v.sex = 'male' then 'males_unknown_age'
    else 'unknown' end"""

YES_NO = "case when {} then 'yes' else 'no' end"

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
