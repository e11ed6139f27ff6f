"""The demo cases: every allegation's whole life, with its victims, subjects and assistance, and
the snapshots that cut those lives at an as_of date (so statuses move on between snapshots)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import polars as pl

from pipelines.demo.scenario import (
    START,
    as_dates,
    as_dates_or_none,
    day_number,
    random_refs,
)

CASE_KINDS = ("cases", "case_victims", "case_subjects", "victim_assistance")


def case_histories(
    rng: np.random.Generator,
    entity: str,
    per_year_2018: float,
    codes: list[str],
    weights: np.ndarray,
    end: dt.date,
) -> dict[str, Any]:
    """Every allegation with the dates of its whole life; snapshots cut it at their as_of."""
    received = []
    for year in range(START.year, end.year + 1):
        level = (
            per_year_2018
            * min(1.0, 0.25 + 0.75 * (year - START.year) / 6)
            * (1 + 0.03 * max(0, year - 2018))
        )
        count = rng.poisson(max(level, 0.5))
        y0 = day_number(dt.date(year, 1, 1))
        y1 = min(day_number(dt.date(year, 12, 31)), day_number(end))
        received.append(rng.integers(y0, y1 + 1, count) if y1 >= y0 else np.array([], dtype=int))
    rec = np.sort(np.concatenate(received)).astype(np.int64)
    n = len(rec)
    delay_months = np.select(
        [rng.random(n) < 0.5, rng.random(n) < 0.5, rng.random(n) < 0.6],
        [rng.integers(0, 4, n), rng.integers(4, 13, n), rng.integers(13, 25, n)],
        rng.integers(25, 60, n),
    )
    rec_dates = as_dates(rec)
    incident = rec_dates.dt.offset_by(pl.Series([f"-{m}mo" for m in delay_months])).dt.strftime(
        "%Y-%m"
    )
    incident = incident.set(pl.Series(rng.random(n) < 0.22), None)
    assess = rec + np.maximum(1, rng.lognormal(np.log(25), 0.8, n)).astype(np.int64)
    fate = rng.choice(["investigate", "closed", "limited"], n, p=[0.62, 0.26, 0.12])
    duration = np.maximum(20, rng.lognormal(np.log(160), 0.6, n)).astype(np.int64)
    opened = np.where(fate == "investigate", assess + rng.integers(0, 15, n), -1)
    completed = np.where(fate == "investigate", opened + duration, -1)
    substantiated = rng.random(n) < 0.55
    victims_per_case = rng.choice([1, 2, 3, 4, 5], n, p=[0.7, 0.18, 0.07, 0.03, 0.02])
    subjects_per_case = rng.choice([1, 2], n, p=[0.9, 0.1])
    case_ref = random_refs(rng, n)
    v_case = np.repeat(np.arange(n), victims_per_case)
    nv = len(v_case)
    s_case = np.repeat(np.arange(n), subjects_per_case)
    ns = len(s_case)
    # Assistance: most victims get a needs assessment and one to three services.
    assessed_v = rng.random(nv) < 0.78
    needs_on = rec[v_case] + np.maximum(0, rng.lognormal(np.log(5), 0.9, nv)).astype(np.int64)
    services_per = np.where(assessed_v, rng.choice([1, 2, 3], nv, p=[0.5, 0.35, 0.15]), 0)
    a_victim = np.repeat(np.arange(nv), services_per)
    na = len(a_victim)
    service = rng.choice(
        [
            "medical",
            "psychosocial",
            "legal",
            "shelter",
            "food",
            "clothing",
            "security",
            "education",
            "livelihood",
            "other",
        ],
        na,
        p=[0.25, 0.25, 0.12, 0.08, 0.08, 0.04, 0.06, 0.04, 0.05, 0.03],
    )
    return {
        "n": n,
        "rec": rec,
        "incident": incident,
        "assess": assess,
        "fate": fate,
        "opened": opened,
        "completed": completed,
        "substantiated": substantiated,
        "case_ref": case_ref,
        "mission": np.array(codes)[rng.choice(len(codes), n, p=weights)],
        "category": rng.choice(
            ["sexual_exploitation", "sexual_abuse", "other", "unknown"],
            n,
            p=[0.62, 0.26, 0.07, 0.05],
        ),
        "personnel_group": rng.choice(
            [
                "staff",
                "non_staff",
                "contractor",
                "implementing_partner",
                "peacekeeping",
                "non_un_forces",
                "unknown",
            ],
            n,
            p=[0.27, 0.12, 0.1, 0.38, 0.02, 0.04, 0.07],
        ),
        "channel": rng.choice(
            [
                "supervisor",
                "psea_focal_point",
                "ethics_conduct_office",
                "oig_direct",
                "cbcm",
                "hotline",
                "other_agency",
                "other",
            ],
            n,
            p=[0.12, 0.22, 0.14, 0.18, 0.12, 0.1, 0.08, 0.04],
        ),
        "referred": rng.random(n),
        "interim": rng.random(n) < 0.3,
        "v_case": v_case,
        "victim_ref": random_refs(rng, nv),
        "sex": rng.choice(["female", "male", "unknown"], nv, p=[0.8, 0.13, 0.07]),
        "age": rng.choice(["adult", "child", "unknown"], nv, p=[0.62, 0.28, 0.1]),
        "needs_on": np.where(assessed_v, needs_on, -1),
        "s_case": s_case,
        "subject_ref": random_refs(rng, ns),
        "gender": rng.choice(["man", "woman", "unknown"], ns, p=[0.86, 0.05, 0.09]),
        "action_if_substantiated": rng.choice(
            [
                "summary_dismissal",
                "dismissal",
                "other_disciplinary",
                "contract_terminated",
                "separated_before_completion",
                "barred_from_rehire",
            ],
            ns,
            p=[0.3, 0.25, 0.1, 0.2, 0.1, 0.05],
        ),
        "a_victim": a_victim,
        "service": service,
        "provider": rng.choice(["local_service", "entity", "partner"], na, p=[0.6, 0.25, 0.15]),
        "referred_on": needs_on[a_victim] + rng.integers(0, 10, na),
        "service_outcome": rng.choice(["provided", "declined", "pending"], na, p=[0.82, 0.1, 0.08]),
    }


def case_snapshot(c: dict[str, Any], entity: str, as_of: dt.date) -> dict[str, pl.DataFrame]:
    """The four case extracts as an entity would have sent them at `as_of`."""
    a = day_number(as_of)
    keep = c["rec"] <= a
    assess = np.where(c["assess"] <= a, c["assess"], -1)
    opened = np.where((c["opened"] >= 0) & (c["opened"] <= a), c["opened"], -1)
    completed = np.where((c["completed"] >= 0) & (c["completed"] <= a), c["completed"], -1)
    status = np.select(
        [
            completed >= 0,
            opened >= 0,
            (assess >= 0) & (c["fate"] == "closed"),
            (assess >= 0) & (c["fate"] == "limited"),
            a - c["rec"] > 3,
        ],
        [
            np.where(c["substantiated"], "substantiated", "unsubstantiated"),
            "under_investigation",
            "closed",
            "under_review_limited_information",
            "preliminary_assessment",
        ],
        "received",
    )
    # Assessment dates are reported only once the case has moved past preliminary assessment.
    assess = np.where(np.isin(status, ["received", "preliminary_assessment"]), -1, assess)
    finding = completed >= 0
    referred = np.where(status == "substantiated", c["referred"] < 0.35, c["referred"] < 0.04)

    cases = pl.DataFrame(
        {
            "case_ref": c["case_ref"],
            "entity": entity,
            "as_of": as_of,
            "date_received": as_dates(c["rec"]),
            "incident_month": c["incident"],
            "mission": c["mission"],
            "category": c["category"],
            "personnel_group": c["personnel_group"],
            "reporting_channel": c["channel"],
            "status": status,
            "assessment_completed_on": as_dates_or_none(assess),
            "investigation_opened_on": as_dates_or_none(opened),
            "investigation_completed_on": as_dates_or_none(completed),
            "referred_national_authorities": referred,
            "interim_measures": c["interim"],
        }
    ).filter(pl.Series(keep))
    v = c["v_case"]
    victims = pl.DataFrame(
        {
            "case_ref": c["case_ref"][v],
            "victim_ref": c["victim_ref"],
            "entity": entity,
            "as_of": as_of,
            "sex": c["sex"],
            "age_group": c["age"],
        }
    ).filter(pl.Series(keep[v]))
    s = c["s_case"]
    subj_status = status[s]
    action = np.where(
        subj_status == "substantiated",
        c["action_if_substantiated"],
        np.where(subj_status == "unsubstantiated", "none", "pending"),
    )
    action = np.where(finding[s] | (subj_status != "substantiated"), action, "pending")
    subjects = pl.DataFrame(
        {
            "case_ref": c["case_ref"][s],
            "subject_ref": c["subject_ref"],
            "entity": entity,
            "as_of": as_of,
            "gender": c["gender"],
            "action": action,
        }
    ).filter(pl.Series(keep[s]))
    av = c["a_victim"]
    needs = c["needs_on"][av]
    referred_on = c["referred_on"]
    outcome = np.where(
        (a - referred_on < 20) & (c["service_outcome"] == "provided"),
        "pending",
        c["service_outcome"],
    )
    assistance = (
        pl.DataFrame(
            {
                "case_ref": c["case_ref"][v][av],
                "victim_ref": c["victim_ref"][av],
                "entity": entity,
                "as_of": as_of,
                "needs_assessed_on": as_dates_or_none(np.where(needs <= a, needs, -1)),
                "service": c["service"],
                "provider": c["provider"],
                "referred_on": as_dates(referred_on),
                "status": outcome,
            }
        )
        .filter(pl.Series(keep[v][av] & (referred_on <= a)))
        .unique(
            ["case_ref", "victim_ref", "service", "referred_on"], keep="first", maintain_order=True
        )
    )
    return {
        "cases": cases,
        "case_victims": victims,
        "case_subjects": subjects,
        "victim_assistance": assistance,
    }
