"""Three quarterly snapshots of IOM's case data (March, June, September 2018), small enough to read,
telling every story the UN ledger must send once. Nothing here is real.

- A (IOM-2018-001), Iraq: preliminary assessment in March; under investigation with interim measures
  in June; substantiated, referred, its subject dismissed in September.
- B (IOM-2018-002), at headquarters: in March; gone from June's snapshot (withdrawn); back in
  September under preliminary assessment.
- C, Regional Office Bangkok: received 20 March, first entered in June's snapshot (entered late).
- E, received in April and closed in June: it goes out once, closed.
- D, South Sudan: received in May; in September reclassified (category and personnel group) and a
  girl added to its victims.
- F, DR Congo: received in August, with a paternity claim.
- G: recorded as peacekeeping, which cannot apply to IOM (an agency): outside its submission.
March's case file is an older extract without the paternity_claim column.
"""

from __future__ import annotations

from pathlib import Path

from extracts import ref, write_csv

from pipelines.load import ingest
from pipelines.warehouse import connect

MARCH, JUNE, SEPTEMBER = "2018-03-31", "2018-06-30", "2018-09-30"
A, B, C, D, E, F, G = (ref(n) for n in range(1, 8))


def case(case_ref: str, received: str, as_of: str, status: str = "received", **more) -> dict:
    row = {
        "case_ref": case_ref,
        "entity": "IOM",
        "as_of": as_of,
        "date_received": received,
        "incident_month": "",
        "mission": "IRQ",
        "category": "sexual_exploitation",
        "personnel_group": "staff",
        "reporting_channel": "hotline",
        "status": status,
        "assessment_completed_on": "",
        "investigation_opened_on": "",
        "investigation_completed_on": "",
        "referred_national_authorities": "false",
        "interim_measures": "false",
        "paternity_claim": "",
    }
    return {**row, **more}


def victim(case_ref: str, n: int, as_of: str, sex: str, age: str) -> dict:
    return {
        "case_ref": case_ref,
        "victim_ref": ref(100 + n),
        "entity": "IOM",
        "as_of": as_of,
        "sex": sex,
        "age_group": age,
    }


def subject(case_ref: str, n: int, as_of: str, gender: str, action: str) -> dict:
    return {
        "case_ref": case_ref,
        "subject_ref": ref(200 + n),
        "entity": "IOM",
        "as_of": as_of,
        "gender": gender,
        "action": action,
    }


def service(case_ref: str, n: int, as_of: str, status: str, referred: str) -> dict:
    return {
        "case_ref": case_ref,
        "victim_ref": ref(100 + n),
        "entity": "IOM",
        "as_of": as_of,
        "needs_assessed_on": referred,
        "service": "psychosocial",
        "provider": "local_service",
        "referred_on": referred,
        "status": status,
    }


def a_case(as_of: str) -> dict:
    if as_of == MARCH:
        return case(A, "2018-01-10", as_of, "preliminary_assessment", incident_month="2017-12")
    opened = dict(
        incident_month="2017-12",
        assessment_completed_on="2018-04-02",
        investigation_opened_on="2018-04-10",
        interim_measures="true",
        paternity_claim="false",
    )
    if as_of == JUNE:
        return case(A, "2018-01-10", as_of, "under_investigation", **opened)
    return case(
        A,
        "2018-01-10",
        as_of,
        "substantiated",
        **opened,
        investigation_completed_on="2018-08-20",
        referred_national_authorities="true",
    )


def cases(as_of: str) -> list[dict]:
    b = case(
        B, "2018-02-15", as_of, mission="HQ", category="sexual_abuse", personnel_group="non_staff"
    )
    c = case(C, "2018-03-20", as_of, mission="RO-BKK", personnel_group="implementing_partner")
    d = case(
        D, "2018-05-05", as_of, "preliminary_assessment", mission="SSD", category="sexual_abuse"
    )
    e = case(
        E,
        "2018-04-02",
        as_of,
        "closed",
        category="other",
        personnel_group="contractor",
        assessment_completed_on="2018-05-01",
    )
    f = case(F, "2018-08-01", as_of, mission="COD", paternity_claim="true")
    g = case(G, "2018-06-15", as_of, personnel_group="peacekeeping")
    if as_of == MARCH:
        rows = [a_case(as_of), b]
        return [{k: v for k, v in r.items() if k != "paternity_claim"} for r in rows]
    if as_of == JUNE:
        return [a_case(as_of), c, d, e, g]
    b_back = {**b, "status": "preliminary_assessment"}
    d_reclassified = {
        **d,
        "category": "sexual_exploitation",
        "personnel_group": "implementing_partner",
    }
    return [a_case(as_of), b_back, c, d_reclassified, e, f, g]


def victims(as_of: str) -> list[dict]:
    rows = [victim(A, 1, as_of, "female", "adult")]
    if as_of != MARCH:
        rows += [
            victim(C, 3, as_of, "female", "child"),
            victim(D, 4, as_of, "male", "adult"),
            victim(E, 5, as_of, "female", "adult"),
        ]
    if as_of == SEPTEMBER:
        rows.append(victim(D, 6, as_of, "female", "child"))
    return rows


def subjects(as_of: str) -> list[dict]:
    rows = [subject(A, 1, as_of, "man", "dismissal" if as_of == SEPTEMBER else "pending")]
    if as_of != MARCH:
        rows.append(subject(D, 4, as_of, "woman", "pending"))
    if as_of == SEPTEMBER:
        rows.append(subject(F, 6, as_of, "unknown", "pending"))
    return rows


def assistance(as_of: str) -> list[dict]:
    if as_of == MARCH:
        return []
    return [
        service(C, 3, as_of, "declined", "2018-04-01"),
        service(D, 4, as_of, "provided", "2018-05-20"),
        service(E, 5, as_of, "pending", "2018-04-10"),
    ]


EXTRACTS = {
    "cases": cases,
    "case_victims": victims,
    "case_subjects": subjects,
    "victim_assistance": assistance,
}


def load_snapshot(folder: Path, warehouse: Path, as_of: str, **replace: list[dict]) -> None:
    """Load the story's extracts of `as_of` (or the rows given for a kind: a corrected re-send)."""
    folder = folder / f"{as_of}-{len(list(folder.glob(f'{as_of}*')))}"
    folder.mkdir(parents=True)
    paths = []
    for kind, rows_of in EXTRACTS.items():
        rows = replace.get(kind, rows_of(as_of))
        if rows:
            paths.append(write_csv(folder, f"{kind}_{as_of}.csv", rows))
    con = connect(warehouse)
    try:
        outcomes = ingest(con, paths, run_gx=False)
    finally:
        con.close()
    assert all(o.status in ("accepted", "already_loaded") for o in outcomes), [
        o.problems for o in outcomes
    ]


def story_warehouse(folder: Path, name: str = "w.duckdb") -> Path:
    warehouse = folder / name
    for as_of in (MARCH, JUNE, SEPTEMBER):
        load_snapshot(folder / f"{name}-extracts", warehouse, as_of)
    return warehouse
