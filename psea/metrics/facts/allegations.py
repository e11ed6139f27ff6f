"""The allegations received (by category, personnel group, channel, region, incident year, reporting
delay, status, action taken, referral, interim measures) and their alleged perpetrators (subjects,
by gender), dated by the day the allegation was received."""

from __future__ import annotations

from psea.metrics.facts.family import (
    DELAY_BUCKETS,
    STATUSES,
    UN_PERSONNEL_GROUP,
    UN_PERSONNEL_GROUPS,
    YES_NO,
    Family,
)


def allegations() -> Family:
    return Family(
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
            {YES_NO.format("c.referred_national_authorities")} as referred,
            {YES_NO.format("c.interim_measures")} as interim_measures
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
    )


def subjects() -> Family:
    return Family(
        "subjects",
        """select c.entity, c.date_received as day, s.gender
           from case_subjects_at($cutoff) s join cases_at($cutoff) c using (entity, case_ref)""",
        ("gender",),
        {"gender": ("man", "woman", "unknown")},
    )
