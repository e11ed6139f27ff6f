"""The victims of the allegations received (UN groups, child victims, their cross breakdown, needs
assessed, assisted, declined) and the services referred to them, dated by receipt and referral."""

from __future__ import annotations

from psea.metrics.facts.family import (
    UN_VICTIM_GROUP,
    VICTIM_GROUPS,
    YES_NO,
    Family,
    nest,
)


def victims() -> Family:
    return Family(
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
            {YES_NO.format("a.victim_ref is not null")} as needs_assessed,
            {YES_NO.format("coalesce(h.provided, false)")} as assisted,
            {YES_NO.format("coalesce(h.declined, false)")} as declined
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
    )


def services() -> Family:
    return Family(
        "services",
        """select entity, referred_on as day, service from victim_assistance_at($cutoff)""",
        ("service",),
        {},
    )
