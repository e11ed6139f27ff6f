"""The demo's victims, alleged perpetrators and victim assistance of each allegation.

Shares follow the public orders of magnitude of the UN system-wide data (docs/demo.md): about 1.2
victims and 1.15 subjects per allegation; most victims women and girls, males a few per cent, a
sixth of unknown age; nine subjects in ten men. Most victims have their needs assessed within
weeks and a service within weeks of the referral; some wait months, a few are never reached.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from pipelines.demo.scenario import as_dates, random_refs

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
VICTIMS_PER_CASE = {1: 0.84, 2: 0.11, 3: 0.03, 4: 0.01, 5: 0.01}
SEX = {"female": 0.88, "male": 0.06, "unknown": 0.06}
AGE = {"adult": 0.58, "child": 0.26, "unknown": 0.16}
SUBJECT_GENDER = {"man": 0.9, "woman": 0.05, "unknown": 0.05}
ACTIONS_IF_SUBSTANTIATED = {
    "summary_dismissal": 0.3,
    "dismissal": 0.25,
    "other_disciplinary": 0.1,
    "contract_terminated": 0.2,
    "separated_before_completion": 0.1,
    "barred_from_rehire": 0.05,
}
NEVER_REACHED = 0.02  # victims whose needs are never assessed (could not be reached)
LONG_WAIT = 0.08  # of the others: a needs assessment months after the report
DECLINED = 0.08  # of the services offered


def draw(rng: np.random.Generator, shares: dict, n: int) -> np.ndarray:
    return rng.choice(list(shares), n, p=list(shares.values()))


@dataclass
class People:
    victims: pl.DataFrame
    victim_case: np.ndarray  # index into the cases
    subjects: pl.DataFrame
    subject_case: np.ndarray
    action_if_substantiated: np.ndarray
    assistance: pl.DataFrame
    assisted_victim: np.ndarray  # index into the victims
    needs_assessed: np.ndarray  # day numbers, per service row
    referred: np.ndarray
    provided: np.ndarray  # the day the service was provided; -1: declined


def people(
    rng: np.random.Generator, entity: str, case_ref: np.ndarray, received: np.ndarray
) -> People:
    """Victims, subjects and the services offered to each victim, for cases received on those days."""
    n = len(case_ref)
    victim_case = np.repeat(np.arange(n), draw(rng, VICTIMS_PER_CASE, n))
    nv = len(victim_case)
    victim_ref = random_refs(rng, nv)
    victims = pl.DataFrame(
        {
            "case_ref": case_ref[victim_case],
            "victim_ref": victim_ref,
            "entity": entity,
            "sex": draw(rng, SEX, nv),
            "age_group": draw(rng, AGE, nv),
        }
    )
    subject_case = np.repeat(np.arange(n), rng.choice([1, 2], n, p=[0.85, 0.15]))
    ns = len(subject_case)
    subjects = pl.DataFrame(
        {
            "case_ref": case_ref[subject_case],
            "subject_ref": random_refs(rng, ns),
            "entity": entity,
            "gender": draw(rng, SUBJECT_GENDER, ns),
        }
    )
    # needs assessed within weeks for most, months later for some, never for a few
    weeks = np.maximum(0, rng.lognormal(np.log(7), 0.7, nv)).astype(np.int64)
    months = rng.integers(45, 240, nv)
    needs_on = received[victim_case] + np.where(rng.random(nv) < LONG_WAIT, months, weeks)
    reached = rng.random(nv) >= NEVER_REACHED
    services_per = np.where(reached, rng.choice([1, 2, 3], nv, p=[0.5, 0.35, 0.15]), 0)
    assisted = np.repeat(np.arange(nv), services_per)
    na = len(assisted)
    referred = needs_on[assisted] + rng.integers(0, 10, na)
    wait = np.where(
        rng.random(na) < LONG_WAIT,
        rng.integers(60, 200, na),
        np.maximum(0, rng.lognormal(np.log(12), 0.8, na)).astype(np.int64),
    )
    provided = np.where(rng.random(na) < DECLINED, -1, referred + wait)
    assistance = pl.DataFrame(
        {
            "case_ref": case_ref[victim_case][assisted],
            "victim_ref": victim_ref[assisted],
            "entity": entity,
            "service": draw(rng, SERVICES, na),
            "provider": rng.choice(["local_service", "entity", "partner"], na, p=[0.6, 0.25, 0.15]),
            "referred_on": as_dates(referred),
        }
    )
    # a service referred twice on one day is one referral
    keep = (
        assistance.select(
            pl.struct("case_ref", "victim_ref", "service", "referred_on").is_first_distinct()
        )
        .to_series()
        .to_numpy()
    )
    return People(
        victims=victims,
        victim_case=victim_case,
        subjects=subjects,
        subject_case=subject_case,
        action_if_substantiated=draw(rng, ACTIONS_IF_SUBSTANTIATED, ns),
        assistance=assistance.filter(pl.Series(keep)),
        assisted_victim=assisted[keep],
        needs_assessed=needs_on[assisted][keep],
        referred=referred[keep],
        provided=provided[keep],
    )
