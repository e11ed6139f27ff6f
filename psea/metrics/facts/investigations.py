"""Investigations opened, their findings (substantiated or not, duration against the UN's aims,
urgency), the outcomes of cases (finding or closure, within the aim from receipt) and the actions on
the subjects of substantiated cases."""

from __future__ import annotations

from psea.metrics.facts.family import OUTCOME_ROWS, URGENCY, Family, bucket_sql, cross, nest
from psea.settings import settings


def _aims() -> list[int]:
    return settings()["investigations"]["aims_days"]


def investigations_opened() -> Family:
    return Family(
        "investigations_opened",
        """select entity, investigation_opened_on as day from cases_at($cutoff)
           where investigation_opened_on <= $cutoff""",
        (),
        {},
    )


def findings() -> Family:
    aims = _aims()
    durations = tuple(
        f"within_{aims[0]}_days {aims[0] + 1}_to_{aims[1]}_days over_{aims[1]}_days".split()
    )
    findings_groups = {
        "finding": ("substantiated", "unsubstantiated"),
        "duration": durations,
        "urgency": URGENCY,
        "urgency_duration": cross(URGENCY, durations),
    }
    return Family(
        "findings",
        f"""with children as (
                select distinct entity, case_ref from case_victims_at($cutoff)
                where age_group = 'child'
            ),
            f as (
                select c.entity, c.investigation_completed_on as day, c.status as finding,
                    {bucket_sql("c.investigation_completed_on - c.investigation_opened_on", tuple(aims), "days")} as duration,
                    case when ch.case_ref is not null then 'urgent' else 'other' end as urgency
                from cases_at($cutoff) c left join children ch using (entity, case_ref)
                where c.status in ('substantiated', 'unsubstantiated')
                  and c.investigation_completed_on <= $cutoff
            )
            select *, urgency || '|' || duration as urgency_duration from f""",
        ("finding", "duration", "urgency", "urgency_duration"),
        findings_groups,
        nest("urgency_duration", ("urgency", "duration"), findings_groups),
    )


def outcomes() -> Family:
    aims = _aims()
    return Family(
        "outcomes",
        f"""select entity, outcome_on as day,
                case when outcome_on - date_received <= {aims[1]} then 'within_{aims[1]}_days'
                     else 'over_{aims[1]}_days' end as receipt_to_outcome
            from ({OUTCOME_ROWS})""",
        ("receipt_to_outcome",),
        {"receipt_to_outcome": (f"within_{aims[1]}_days", f"over_{aims[1]}_days")},
    )


def actions() -> Family:
    return Family(
        "actions",
        """select c.entity, c.investigation_completed_on as day, s.action
           from case_subjects_at($cutoff) s join cases_at($cutoff) c using (entity, case_ref)
           where c.status = 'substantiated' and c.investigation_completed_on <= $cutoff""",
        ("action",),
        {},
    )
