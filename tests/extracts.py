"""Tiny synthetic extracts, small enough to read in a test. Nothing here is real."""

from __future__ import annotations

import csv
from pathlib import Path

AS_OF = "2018-06-30"


def ref(n: int) -> str:
    return f"{n:016x}"


def cases() -> list[dict]:
    base = dict(
        entity="IOM",
        as_of=AS_OF,
        incident_month="2017-12",
        mission="IRQ",
        category="sexual_exploitation",
        personnel_group="staff",
        reporting_channel="hotline",
        referred_national_authorities="false",
        interim_measures="true",
        paternity_claim="",
        assessment_completed_on="",
        investigation_opened_on="",
        investigation_completed_on="",
    )
    return [
        {
            **base,
            "case_ref": ref(1),
            "date_received": "2018-01-10",
            "status": "substantiated",
            "assessment_completed_on": "2018-01-20",
            "investigation_opened_on": "2018-01-25",
            "investigation_completed_on": "2018-05-01",
            "referred_national_authorities": "true",
        },
        {
            **base,
            "case_ref": ref(2),
            "date_received": "2018-02-11",
            "status": "under_investigation",
            "assessment_completed_on": "2018-02-20",
            "investigation_opened_on": "2018-02-21",
            "category": "sexual_abuse",
        },
        {
            **base,
            "case_ref": ref(3),
            "date_received": "2018-06-01",
            "status": "received",
            "incident_month": "",
            "mission": "HQ",
        },
    ]


def case_victims() -> list[dict]:
    return [
        {
            "case_ref": ref(1),
            "victim_ref": ref(101),
            "entity": "IOM",
            "as_of": AS_OF,
            "sex": "female",
            "age_group": "child",
        },
        {
            "case_ref": ref(1),
            "victim_ref": ref(102),
            "entity": "IOM",
            "as_of": AS_OF,
            "sex": "female",
            "age_group": "adult",
        },
        {
            "case_ref": ref(2),
            "victim_ref": ref(103),
            "entity": "IOM",
            "as_of": AS_OF,
            "sex": "male",
            "age_group": "unknown",
        },
    ]


def case_subjects() -> list[dict]:
    return [
        {
            "case_ref": ref(1),
            "subject_ref": ref(201),
            "entity": "IOM",
            "as_of": AS_OF,
            "gender": "man",
            "action": "summary_dismissal",
        },
        {
            "case_ref": ref(2),
            "subject_ref": ref(202),
            "entity": "IOM",
            "as_of": AS_OF,
            "gender": "man",
            "action": "pending",
        },
    ]


def victim_assistance() -> list[dict]:
    return [
        {
            "case_ref": ref(1),
            "victim_ref": ref(101),
            "entity": "IOM",
            "as_of": AS_OF,
            "needs_assessed_on": "2018-01-12",
            "service": "medical",
            "provider": "local_service",
            "referred_on": "2018-01-13",
            "status": "provided",
        },
        {
            "case_ref": ref(1),
            "victim_ref": ref(101),
            "entity": "IOM",
            "as_of": AS_OF,
            "needs_assessed_on": "2018-01-12",
            "service": "psychosocial",
            "provider": "partner",
            "referred_on": "2018-01-15",
            "status": "pending",
        },
    ]


def roster() -> list[dict]:
    base = dict(entity="IOM", as_of=AS_OF, mission="IRQ", staff_category="staff", contract_end="")
    return [
        {
            **base,
            "person_ref": ref(301),
            "is_manager": "true",
            "role": "chief_of_mission",
            "manager_ref": "",
            "contract_start": "2010-01-01",
        },
        {
            **base,
            "person_ref": ref(302),
            "is_manager": "true",
            "role": "manager",
            "manager_ref": ref(301),
            "contract_start": "2012-03-01",
        },
        {
            **base,
            "person_ref": ref(303),
            "is_manager": "false",
            "role": "personnel",
            "manager_ref": ref(302),
            "contract_start": "2017-05-01",
            "staff_category": "non_staff",
            "contract_end": "2019-04-30",
        },
    ]


def training() -> list[dict]:
    base = dict(entity="IOM", as_of=AS_OF, delivery="online", mission="IRQ")
    return [
        {**base, "person_ref": ref(301), "course": "psea_mandatory", "completed_on": "2017-02-01"},
        {**base, "person_ref": ref(303), "course": "induction_psea", "completed_on": "2017-05-10"},
        {**base, "person_ref": ref(303), "course": "psea_mandatory", "completed_on": "2017-06-01"},
    ]


def awareness_sessions() -> list[dict]:
    return [
        {
            "session_ref": ref(401),
            "entity": "IOM",
            "as_of": AS_OF,
            "mission": "IRQ",
            "held_on": "2018-03-05",
            "audience": "staff",
            "participants": "25",
            "facilitator": "mission_focal_point",
        },
        {
            "session_ref": ref(402),
            "entity": "IOM",
            "as_of": AS_OF,
            "mission": "IRQ",
            "held_on": "2018-05-05",
            "audience": "community",
            "participants": "140",
            "facilitator": "other",
        },
    ]


def appraisals() -> list[dict]:
    return [
        {
            "person_ref": ref(302),
            "entity": "IOM",
            "as_of": AS_OF,
            "mission": "IRQ",
            "year": "2017",
            "psea_indicator": "met",
        }
    ]


def contracts() -> list[dict]:
    return [
        {
            "contract_ref": ref(501),
            "entity": "IOM",
            "as_of": AS_OF,
            "mission": "IRQ",
            "contractor_type": "supplier",
            "signed_on": "2018-02-01",
            "psea_clause": "true",
            "subcontract_flowdown": "not_applicable",
        },
        {
            "contract_ref": ref(502),
            "entity": "IOM",
            "as_of": AS_OF,
            "mission": "IRQ",
            "contractor_type": "implementing_partner",
            "signed_on": "2018-03-01",
            "psea_clause": "false",
            "subcontract_flowdown": "no",
        },
    ]


VALID = {
    f.__name__: f
    for f in (
        cases,
        case_victims,
        case_subjects,
        victim_assistance,
        roster,
        training,
        awareness_sessions,
        appraisals,
        contracts,
    )
}


def write_csv(
    folder: Path, name: str, rows: list[dict], delimiter: str = ",", bom: bool = False
) -> Path:
    path = folder / name
    with path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_all(folder: Path) -> list[Path]:
    return [write_csv(folder, f"{kind}_{AS_OF}.csv", rows()) for kind, rows in VALID.items()]


def agency_returns() -> list[dict]:
    """WFP's totals for 2018Q2: allegations by category and status, victims, findings, stocks."""
    rows = [
        ("allegations", "total", "total", 6),
        ("allegations", "category", "sexual_exploitation", 4),
        ("allegations", "category", "sexual_abuse", 2),
        ("allegations", "status", "under_investigation", 3),
        ("allegations", "status", "substantiated", 2),
        ("allegations", "status", "closed", 1),
        ("victims", "total", "total", 7),
        ("victims", "un_victim_group", "women", 4),
        ("victims", "un_victim_group", "girls", 3),
        ("victims_assisted", "total", "total", 5),
        ("investigations_completed", "total", "total", 3),
        ("substantiated", "total", "total", 2),
        ("unsubstantiated", "total", "total", 1),
        ("overdue", "total", "total", 1),
        ("personnel", "total", "total", 5200),
        ("allegations", "personnel_group", "agencies_funds_programmes", 4),
        ("allegations", "personnel_group", "implementing_partner", 2),
    ]
    return [
        dict(
            entity="WFP",
            as_of=AS_OF,
            quarter="2018Q2",
            figure=figure,
            dimension=dimension,
            group=group,
            count=str(n),
        )
        for figure, dimension, group, n in rows
    ]


def psea_capacity() -> list[dict]:
    rows = [
        ("NETWORK", "IRQ", "psea_coordinator", "yes", "2017-03-01"),
        ("NETWORK", "IRQ", "action_plan", "partial", ""),
        ("WFP", "IRQ", "complaint_procedures", "yes", "2016-11-15"),
        ("WFP", "TCD", "cbcm_in_place", "no", ""),
        ("NETWORK", "TCD", "funding_secured", "not_applicable", ""),
    ]
    return [
        dict(reporter=r, as_of=AS_OF, country=c, item=i, status=s, since=d)
        for r, c, i, s, d in rows
    ]


TOTALS = {f.__name__: f for f in (agency_returns, psea_capacity)}  # not in write_all's set
