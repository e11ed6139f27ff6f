"""The open cases at the cut-off, by stage and age (a stock, not a count over a period), with the
former overdue rule's investigations beside the rule in force."""

from __future__ import annotations

from psea.metrics.facts.family import (
    OPEN_STAGES,
    YES_NO,
    Family,
    bucket_codes,
    bucket_sql,
    cross,
    nest,
)
from psea.settings import settings


def age_bounds() -> tuple[int, ...]:
    """The bounds of the open cases' age buckets: the UN's aims (90, 180) and the overdue rule."""
    inv = settings()["investigations"]
    return tuple(sorted({*(int(d) for d in inv["aims_days"]), int(inv["overdue_after_days"])}))


def overdue_groups() -> tuple[str, ...]:
    """The age buckets past the overdue rule: their sum is the overdue cases."""
    bounds = age_bounds()
    overdue = int(settings()["investigations"]["overdue_after_days"])
    return bucket_codes(bounds)[bounds.index(overdue) + 1 :]


def open_cases() -> Family:
    """Cases open at the cut-off (a stock: its rows have no day), by stage, age and both."""
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
            f"then {YES_NO.format('former')} end"
        )
        groups[name] = ("yes", "no")
        within[name] = ("stage_age", f"under_investigation|{a}")
    return Family(
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
