"""The demo cases: every allegation's whole life, with its victims, subjects and assistance, and
the snapshots that cut those lives at an as_of date, as a case system would have sent them then.

A case moves on between snapshots: assessed within weeks, then closed, investigated (most within a
year, a tail much longer, and longer still in the story's backlog country), or under review for
limited information for a few months until it is closed or investigated. Some cases are entered
late (first present in the snapshot after the quarter they were received in), a few are withdrawn
or found duplicates (gone from later snapshots), some are reclassified (category or personnel
group changed at a later snapshot).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

import numpy as np
import polars as pl

from pipelines.demo.reporting import received_allegations, reporting_channels
from pipelines.demo.scenario import as_dates, as_dates_or_none, day_number, random_refs
from pipelines.demo.stations import DutyStations
from pipelines.demo.story import Story
from pipelines.demo.victims import draw, people

CASE_KINDS = ("cases", "case_victims", "case_subjects", "victim_assistance")
SUBSTANTIATED_SHARE = 0.4  # of investigation findings
CATEGORIES = {"sexual_exploitation": 0.62, "sexual_abuse": 0.26, "other": 0.07, "unknown": 0.05}
# personnel groups other than implementing partners; agencies have no peacekeepers of their own,
# but record the few reports about peacekeepers their CBCMs and hotlines receive, referred on
OTHER_GROUPS = {"staff": 0.48, "non_staff": 0.22, "contractor": 0.16, "non_un_forces": 0.02}
OTHER_GROUPS |= {"peacekeeping": 0.015, "unknown": 0.105}
IMPLEMENTING_PARTNERS = {"IOM": 0.35, "UNHCR": 0.45, "WFP": 0.55, "UNICEF": 0.55}
FATES = {"investigate": 0.55, "closed": 0.30, "limited": 0.15}
INVESTIGATED_AFTER_REVIEW = 0.4  # of the cases under review: more information came
STALLED = 0.06  # investigations that take three times as long
BACKLOG_SLOWDOWN = 2.5
LATE, WITHDRAWN, RECLASSIFIED = 0.07, 0.015, 0.05  # of each year's cases


@dataclass
class CaseHistory:
    """What never changes (frames) and the dates each snapshot cuts (day numbers; -1: never)."""

    cases: pl.DataFrame  # final category and personnel group
    received: np.ndarray
    entered: np.ndarray  # first in the case system (later than received for a late entry)
    gone: np.ndarray  # withdrawn or found a duplicate: absent from snapshots from this day
    reclassified: np.ndarray  # the day the initial category or group became the final one
    initial_category: np.ndarray
    initial_group: np.ndarray
    assessed: np.ndarray
    outcome: np.ndarray  # investigate | closed | limited
    review_end: np.ndarray  # limited: the review ends (closed, or investigated when opened)
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
    provided: np.ndarray  # -1: declined


def personnel_groups(entity: str) -> dict[str, float]:
    partners = IMPLEMENTING_PARTNERS.get(entity, 0.3)
    shares = {g: s * (1 - partners) for g, s in OTHER_GROUPS.items()}
    return {**shares, "implementing_partner": partners}


def _exactly(rng: np.random.Generator, group: np.ndarray, share: float) -> np.ndarray:
    """True for round(share x size) random members of each group."""
    rank = np.empty(len(group))
    out = np.zeros(len(group), dtype=bool)
    for value in np.unique(group):
        members = np.flatnonzero(group == value)
        rank[members] = rng.permutation(len(members))
        out[members] = rank[members] < round(share * len(members))
    return out


def quarter_end_days(days: np.ndarray) -> np.ndarray:
    """The day number of the last day of each day's quarter."""
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    following = ((months // 3 + 1) * 3).astype("datetime64[M]").astype("datetime64[D]")
    return following.astype(np.int64) - 1


def _reclassified_from(
    rng: np.random.Generator, final: np.ndarray, flagged: np.ndarray, kind: str
) -> np.ndarray:
    """What the intake recorded before the assessment or the investigation corrected it."""
    if kind == "category":
        before = {"sexual_exploitation": "unknown", "sexual_abuse": "sexual_exploitation"}
        default = "sexual_exploitation"
    else:
        before = {"contractor": "staff", "staff": "non_staff"}
        default = "unknown"
    earlier = np.array([before.get(v, default) for v in final], dtype=object)
    earlier = np.where(earlier == final, "other" if kind == "category" else "staff", earlier)
    return np.where(flagged, earlier, final)


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
    story: Story,
) -> CaseHistory:
    """Every allegation with the dates of its whole life; snapshots cut it at their as_of."""
    rec, station = received_allegations(rng, entity, per_year_2018, stations, end, story)
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
    year = rec // 365
    late = _exactly(rng, year, LATE)
    entered = np.where(late, quarter_end_days(rec) + rng.integers(1, 75, n), rec)
    withdrawn = _exactly(rng, year, WITHDRAWN)
    gone = np.where(withdrawn, entered + np.maximum(20, rng.lognormal(np.log(90), 0.5, n)), -1)
    assess = rec + np.maximum(1, rng.lognormal(np.log(20), 0.7, n)).astype(np.int64)
    assess = np.maximum(assess, np.where(late, entered + rng.integers(2, 20, n), 0))
    fate = draw(rng, FATES, n)
    review_end = assess + np.maximum(30, rng.lognormal(np.log(120), 0.5, n)).astype(np.int64)
    reviewed_then_opened = (fate == "limited") & (rng.random(n) < INVESTIGATED_AFTER_REVIEW)
    opened = np.select(
        [fate == "investigate", reviewed_then_opened],
        [assess + rng.integers(0, 15, n), review_end],
        -1,
    )
    duration = np.maximum(20, rng.lognormal(np.log(130), 0.55, n))
    duration *= np.where(rng.random(n) < STALLED, 3.0, 1.0)
    backlog = (
        (entity == "IOM")
        & (mission == story.backlog_country)
        & (opened >= day_number(story.backlog_from))
    )
    duration = (duration * np.where(backlog, BACKLOG_SLOWDOWN, 1.0)).astype(np.int64)
    category = draw(rng, CATEGORIES, n)
    group = draw(rng, personnel_groups(entity), n)
    flagged = _exactly(rng, year, RECLASSIFIED)
    of_category = rng.random(n) < 0.5
    reclassified = np.where(
        flagged, assess + np.maximum(7, rng.lognormal(np.log(40), 0.6, n)).astype(np.int64), -1
    )
    case_ref = random_refs(rng, n)
    cases = pl.DataFrame(
        {
            "case_ref": case_ref,
            "entity": entity,
            "date_received": as_dates(rec),
            "incident_month": incident,
            "mission": mission.astype(str),
            "category": category,
            "personnel_group": group,
            "reporting_channel": reporting_channels(rng, entity, mission, rec, story),
            "interim_measures": rng.random(n) < 0.3,
        },
        schema_overrides={"incident_month": pl.String},
    )
    cases = cases.with_columns(paternity_claim=_paternity_claims(cases))
    who = people(rng, entity, case_ref, rec)
    return CaseHistory(
        cases=cases,
        received=rec,
        entered=entered,
        gone=gone.astype(np.int64),
        reclassified=reclassified,
        initial_category=_reclassified_from(rng, category, flagged & of_category, "category"),
        initial_group=_reclassified_from(rng, group, flagged & ~of_category, "group"),
        assessed=assess,
        outcome=fate,
        review_end=np.where(fate == "limited", review_end, -1),
        opened=opened,
        completed=np.where(opened >= 0, opened + duration, -1),
        substantiated=rng.random(n) < SUBSTANTIATED_SHARE,
        referral_draw=rng.random(n),
        **{f.name: getattr(who, f.name) for f in fields(who)},
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


def case_statuses(c: CaseHistory, a: int) -> np.ndarray:
    """Each case's status on day `a`."""
    completed = (c.completed >= 0) & (c.completed <= a)
    opened = (c.opened >= 0) & (c.opened <= a)
    assessed = c.assessed <= a
    review_closed = (c.review_end <= a) & (c.opened < 0)
    return np.select(
        [
            completed,
            opened,
            assessed & (c.outcome == "closed"),
            assessed & (c.outcome == "limited") & review_closed,
            assessed & (c.outcome == "limited"),
            a - c.received > 3,
        ],
        [
            np.where(c.substantiated, "substantiated", "unsubstantiated"),
            "under_investigation",
            "closed",
            "closed",
            "under_review_limited_information",
            "preliminary_assessment",
        ],
        "received",
    )


def case_snapshot(c: CaseHistory, as_of: dt.date) -> dict[str, pl.DataFrame]:
    """The four case extracts as the entities would have sent them at `as_of`."""
    a = day_number(as_of)
    keep = (c.entered <= a) & ((c.gone < 0) | (c.gone > a))
    status = case_statuses(c, a)
    assess = np.where(c.assessed <= a, c.assessed, -1)
    opened = np.where((c.opened >= 0) & (c.opened <= a), c.opened, -1)
    completed = np.where((c.completed >= 0) & (c.completed <= a), c.completed, -1)
    # Assessment dates are reported only once the case has moved past preliminary assessment.
    assess = np.where(np.isin(status, ["received", "preliminary_assessment"]), -1, assess)
    referred = c.referral_draw < np.where(status == "substantiated", 0.35, 0.04)
    before = (c.reclassified >= 0) & (a < c.reclassified)
    cases = c.cases.with_columns(
        pl.lit(as_of).alias("as_of"),
        pl.Series("category", np.where(before, c.initial_category, c.cases["category"])),
        pl.Series("personnel_group", np.where(before, c.initial_group, c.cases["personnel_group"])),
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
    service = np.where(c.provided < 0, "declined", np.where(c.provided <= a, "provided", "pending"))
    assistance = c.assistance.with_columns(
        pl.lit(as_of).alias("as_of"),
        needs_assessed_on=as_dates_or_none(np.where(c.needs_assessed <= a, c.needs_assessed, -1)),
        status=pl.Series(service),
    ).filter(pl.Series(keep[c.victim_case][c.assisted_victim] & (c.referred <= a)))
    return {
        "cases": cases,
        "case_victims": victims,
        "case_subjects": subjects,
        "victim_assistance": assistance,
    }
