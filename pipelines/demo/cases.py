"""The demo cases: every allegation's whole life, with its victims, subjects and assistance, and
the snapshots that cut those lives at an as_of date (so statuses move on between snapshots)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

import numpy as np
import polars as pl

from pipelines.demo.reporting import received_allegations, reporting_channels
from pipelines.demo.scenario import as_dates, as_dates_or_none, day_number, random_refs
from pipelines.demo.stations import DutyStations

CASE_KINDS = ("cases", "case_victims", "case_subjects", "victim_assistance")
SUBSTANTIATED_SHARE = 0.4  # of investigation findings
SERVICES = {
    "medical": 0.25,
    "psychosocial": 0.25,
    "legal": 0.12,
    "shelter": 0.08,
    "food": 0.08,
    "clothing": 0.04,
    "security": 0.06,
    "education": 0.04,
    "livelihood": 0.05,
    "other": 0.03,
}
PERSONNEL_GROUPS = {
    "staff": 0.27,
    "non_staff": 0.12,
    "contractor": 0.1,
    "implementing_partner": 0.38,
    "peacekeeping": 0.02,
    "non_un_forces": 0.04,
    "unknown": 0.07,
}
ACTIONS_IF_SUBSTANTIATED = {
    "summary_dismissal": 0.3,
    "dismissal": 0.25,
    "other_disciplinary": 0.1,
    "contract_terminated": 0.2,
    "separated_before_completion": 0.1,
    "barred_from_rehire": 0.05,
}


@dataclass
class CaseHistory:
    """What never changes (frames) and the dates each snapshot cuts (day numbers; -1: never)."""

    cases: pl.DataFrame
    received: np.ndarray
    assessed: np.ndarray
    outcome: np.ndarray  # investigate | closed | limited
    opened: np.ndarray
    completed: np.ndarray
    substantiated: np.ndarray
    referral_draw: np.ndarray
    victims: pl.DataFrame
    victim_case: np.ndarray  # index into the cases
    subjects: pl.DataFrame
    subject_case: np.ndarray
    action_if_substantiated: np.ndarray
    assistance: pl.DataFrame
    assisted_victim: np.ndarray  # index into the victims
    needs_assessed: np.ndarray
    referred: np.ndarray
    service_outcome: np.ndarray


def _draw(rng: np.random.Generator, shares: dict[str, float], n: int) -> np.ndarray:
    return rng.choice(list(shares), n, p=list(shares.values()))


def _paternity_claims(cases: pl.DataFrame) -> pl.Series:
    """A paternity claim for a few sexual-exploitation cases, not known for some cases, none for
    the rest; drawn from the case_ref's own bits, so the demo's other draws stay as they were."""
    u = cases["case_ref"].cast(pl.String).str.slice(12, 4).str.to_integer(base=16) / 65536
    exploitation = cases["category"].cast(pl.String) == "sexual_exploitation"
    return (
        pl.select(
            pl.when(u < 0.2).then(None).when(exploitation & (u < 0.28)).then(True).otherwise(False)
        )
        .to_series()
        .alias("paternity_claim")
    )


def case_histories(
    rng: np.random.Generator,
    entity: str,
    per_year_2018: float,
    stations: DutyStations,
    end: dt.date,
) -> CaseHistory:
    """Every allegation with the dates of its whole life; snapshots cut it at their as_of."""
    rec, station = received_allegations(rng, per_year_2018, stations, end)
    n = len(rec)
    mission = stations.code_array[station]
    delay_months = np.select(
        [rng.random(n) < 0.5, rng.random(n) < 0.5, rng.random(n) < 0.6],
        [rng.integers(0, 4, n), rng.integers(4, 13, n), rng.integers(13, 25, n)],
        rng.integers(25, 60, n),
    )
    incident = (
        as_dates(rec)
        .dt.offset_by(pl.Series([f"-{m}mo" for m in delay_months], dtype=pl.String))
        .dt.strftime("%Y-%m")
    )
    incident = incident.set(pl.Series(rng.random(n) < 0.22), None)
    assess = rec + np.maximum(1, rng.lognormal(np.log(25), 0.8, n)).astype(np.int64)
    fate = rng.choice(["investigate", "closed", "limited"], n, p=[0.62, 0.26, 0.12])
    duration = np.maximum(20, rng.lognormal(np.log(160), 0.6, n)).astype(np.int64)
    opened = np.where(fate == "investigate", assess + rng.integers(0, 15, n), -1)
    case_ref = random_refs(rng, n)
    cases = pl.DataFrame(
        {
            "case_ref": case_ref,
            "entity": entity,
            "date_received": as_dates(rec),
            "incident_month": incident,
            "mission": mission.astype(str),
            "category": _draw(
                rng,
                {"sexual_exploitation": 0.62, "sexual_abuse": 0.26, "other": 0.07, "unknown": 0.05},
                n,
            ),
            "personnel_group": _draw(rng, PERSONNEL_GROUPS, n),
            "reporting_channel": reporting_channels(rng, mission, rec),
            "interim_measures": rng.random(n) < 0.3,
        },
        schema_overrides={"incident_month": pl.String},
    )
    cases = cases.with_columns(paternity_claim=_paternity_claims(cases))
    victim_case = np.repeat(np.arange(n), rng.choice(5, n, p=[0.7, 0.18, 0.07, 0.03, 0.02]) + 1)
    nv = len(victim_case)
    victim_ref = random_refs(rng, nv)
    victims = pl.DataFrame(
        {
            "case_ref": case_ref[victim_case],
            "victim_ref": victim_ref,
            "entity": entity,
            "sex": rng.choice(["female", "male", "unknown"], nv, p=[0.8, 0.13, 0.07]),
            "age_group": rng.choice(["adult", "child", "unknown"], nv, p=[0.62, 0.28, 0.1]),
        }
    )
    subject_case = np.repeat(np.arange(n), rng.choice([1, 2], n, p=[0.9, 0.1]))
    ns = len(subject_case)
    subjects = pl.DataFrame(
        {
            "case_ref": case_ref[subject_case],
            "subject_ref": random_refs(rng, ns),
            "entity": entity,
            "gender": rng.choice(["man", "woman", "unknown"], ns, p=[0.86, 0.05, 0.09]),
        }
    )
    # Assistance: most victims get a needs assessment and one to three services.
    assessed_v = rng.random(nv) < 0.78
    needs_on = rec[victim_case] + np.maximum(0, rng.lognormal(np.log(5), 0.9, nv)).astype(np.int64)
    services_per = np.where(assessed_v, rng.choice([1, 2, 3], nv, p=[0.5, 0.35, 0.15]), 0)
    assisted = np.repeat(np.arange(nv), services_per)
    na = len(assisted)
    referred = needs_on[assisted] + rng.integers(0, 10, na)
    assistance = pl.DataFrame(
        {
            "case_ref": case_ref[victim_case][assisted],
            "victim_ref": victim_ref[assisted],
            "entity": entity,
            "service": _draw(rng, SERVICES, na),
            "provider": rng.choice(["local_service", "entity", "partner"], na, p=[0.6, 0.25, 0.15]),
            "referred_on": as_dates(referred),
        }
    )
    # a service referred twice on one day is one referral
    once = assistance.select(
        pl.struct("case_ref", "victim_ref", "service", "referred_on").is_first_distinct()
    ).to_series()
    keep = once.to_numpy()
    return CaseHistory(
        cases=cases,
        received=rec,
        assessed=assess,
        outcome=fate,
        opened=opened,
        completed=np.where(fate == "investigate", opened + duration, -1),
        substantiated=rng.random(n) < SUBSTANTIATED_SHARE,
        referral_draw=rng.random(n),
        victims=victims,
        victim_case=victim_case,
        subjects=subjects,
        subject_case=subject_case,
        action_if_substantiated=_draw(rng, ACTIONS_IF_SUBSTANTIATED, ns),
        assistance=assistance.filter(once),
        assisted_victim=assisted[keep],
        needs_assessed=needs_on[assisted][keep],
        referred=referred[keep],
        service_outcome=rng.choice(["provided", "declined", "pending"], na, p=[0.82, 0.1, 0.08])[
            keep
        ],
    )


def merge_histories(histories: list[CaseHistory]) -> CaseHistory:
    """Several entities' histories as one, so each snapshot date is cut once."""
    parts: dict[str, list] = {f.name: [] for f in fields(CaseHistory)}
    cases_before = victims_before = 0
    for h in histories:
        for name in parts:
            value = getattr(h, name)
            if name in ("victim_case", "subject_case"):
                value = value + cases_before
            elif name == "assisted_victim":
                value = value + victims_before
            parts[name].append(value)
        cases_before += h.cases.height
        victims_before += h.victims.height
    return CaseHistory(
        **{
            name: pl.concat(values)
            if isinstance(values[0], pl.DataFrame)
            else np.concatenate(values)
            for name, values in parts.items()
        }
    )


def case_snapshot(c: CaseHistory, as_of: dt.date) -> dict[str, pl.DataFrame]:
    """The four case extracts as the entities would have sent them at `as_of`."""
    a = day_number(as_of)
    keep = c.received <= a
    assess = np.where(c.assessed <= a, c.assessed, -1)
    opened = np.where((c.opened >= 0) & (c.opened <= a), c.opened, -1)
    completed = np.where((c.completed >= 0) & (c.completed <= a), c.completed, -1)
    status = np.select(
        [
            completed >= 0,
            opened >= 0,
            (assess >= 0) & (c.outcome == "closed"),
            (assess >= 0) & (c.outcome == "limited"),
            a - c.received > 3,
        ],
        [
            np.where(c.substantiated, "substantiated", "unsubstantiated"),
            "under_investigation",
            "closed",
            "under_review_limited_information",
            "preliminary_assessment",
        ],
        "received",
    )
    # Assessment dates are reported only once the case has moved past preliminary assessment.
    assess = np.where(np.isin(status, ["received", "preliminary_assessment"]), -1, assess)
    referred = c.referral_draw < np.where(status == "substantiated", 0.35, 0.04)
    cases = c.cases.with_columns(
        pl.lit(as_of).alias("as_of"),
        pl.Series("status", status),
        assessment_completed_on=as_dates_or_none(assess),
        investigation_opened_on=as_dates_or_none(opened),
        investigation_completed_on=as_dates_or_none(completed),
        referred_national_authorities=pl.Series(referred),
    ).filter(pl.Series(keep))
    victims = c.victims.with_columns(pl.lit(as_of).alias("as_of")).filter(
        pl.Series(keep[c.victim_case])
    )
    subject_status = status[c.subject_case]
    action = np.where(
        subject_status == "substantiated",
        c.action_if_substantiated,
        np.where(subject_status == "unsubstantiated", "none", "pending"),
    )
    subjects = c.subjects.with_columns(
        pl.lit(as_of).alias("as_of"), pl.Series("action", action)
    ).filter(pl.Series(keep[c.subject_case]))
    # a service is pending for its first days after the referral
    outcome = np.where(
        (a - c.referred < 20) & (c.service_outcome == "provided"), "pending", c.service_outcome
    )
    assistance = c.assistance.with_columns(
        pl.lit(as_of).alias("as_of"),
        needs_assessed_on=as_dates_or_none(np.where(c.needs_assessed <= a, c.needs_assessed, -1)),
        status=pl.Series(outcome),
    ).filter(pl.Series(keep[c.victim_case][c.assisted_victim] & (c.referred <= a)))
    return {
        "cases": cases,
        "case_victims": victims,
        "case_subjects": subjects,
        "victim_assistance": assistance,
    }
