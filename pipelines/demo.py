"""The bundled synthetic demo: a deterministic generator of every extract, realistic in shape.

Nothing here is real. At scale 1, IOM has ~19,000 staff and ~5,600 affiliates in ~170 missions at the
end date; UNHCR, WFP and UNICEF are 30%, 25% and 20% of that. Allegations run in the tens to low
hundreds a year per entity. Case extracts come as year-end snapshots (so statuses move on between
them) plus the final cut-off; the other extracts as one full-history snapshot at the cut-off.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from data_contracts.reference import reference_frame
from psea.calendar import last_complete_quarter_end

ENTITY_SHARE = {"IOM": 1.0, "UNHCR": 0.30, "WFP": 0.25, "UNICEF": 0.20}
ENTITY_MISSIONS = {"IOM": 170, "UNHCR": 110, "WFP": 90, "UNICEF": 100}
ENTITY_CASES_2018 = {"IOM": 110, "UNHCR": 45, "WFP": 35, "UNICEF": 40}
IOM_STAFF, IOM_AFFILIATES = 19_000, 5_600
START = dt.date(2012, 1, 1)
EPOCH = dt.date(1970, 1, 1)
CBCM_MISSIONS = ["IRQ", "MWI", "YEM", "TCD", "NGA", "TUR", "LBN"]


@dataclass
class DemoExtracts:
    """kind -> list of (as_of, frame holding every entity's snapshot at that date)."""

    snapshots: dict[str, list[tuple[dt.date, pl.DataFrame]]]
    end: dt.date


def _days(d: dt.date) -> int:
    return (d - EPOCH).days


def _to_date(days: np.ndarray) -> pl.Series:
    return pl.Series(days.astype("int64")).cast(pl.Date)


def _refs(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.char.mod("%016x", rng.integers(0, 2**63 - 1, n, dtype=np.int64)).astype(str)


def generate(seed: int = 7, scale: float = 1.0, end: dt.date | None = None) -> DemoExtracts:
    end = end or last_complete_quarter_end()
    rng = np.random.default_rng(seed)
    missions = reference_frame("missions")
    countries = missions.filter(~pl.col("code").str.starts_with("RO-") & (pl.col("code") != "HQ"))[
        "code"
    ].to_list()
    parts: dict[str, list[pl.DataFrame]] = {
        k: [] for k in ("roster", "training", "awareness_sessions", "appraisals", "contracts")
    }
    case_parts: list[tuple[str, dict]] = []
    for entity, share in ENTITY_SHARE.items():
        n_missions = ENTITY_MISSIONS[entity]
        mission_codes = ["HQ", *[c for c in missions["code"].to_list() if c.startswith("RO-")]]
        mission_codes += list(
            rng.choice(
                sorted(set(countries) - set(CBCM_MISSIONS)),
                n_missions - len(mission_codes) - len(CBCM_MISSIONS),
                replace=False,
            )
        )
        mission_codes += CBCM_MISSIONS
        weights = rng.lognormal(0, 1.1, len(mission_codes))
        weights[0] *= 6  # headquarters is the largest duty station
        weights /= weights.sum()
        roster = _roster(rng, entity, share * scale, mission_codes, weights, end)
        parts["roster"].append(roster)
        # about one mission in six is irregular: few awareness sessions, training renewed late
        irregular = set(
            rng.choice(mission_codes[10:], max(1, len(mission_codes) // 6), replace=False)
        )
        parts["training"].append(_training(rng, entity, roster, irregular, end))
        parts["awareness_sessions"].append(
            _sessions(rng, entity, mission_codes, weights, irregular, end)
        )
        parts["appraisals"].append(_appraisals(rng, entity, roster, irregular, end))
        parts["contracts"].append(_contracts(rng, entity, mission_codes, weights, scale, end))
        case_parts.append(
            (
                entity,
                _cases(rng, entity, ENTITY_CASES_2018[entity] * scale, mission_codes, weights, end),
            )
        )

    snapshots: dict[str, list[tuple[dt.date, pl.DataFrame]]] = {
        kind: [(end, pl.concat(frames).with_columns(pl.lit(end).alias("as_of")))]
        for kind, frames in parts.items()
    }
    year_ends = [
        dt.date(y, 12, 31) for y in range(START.year, end.year) if dt.date(y, 12, 31) < end
    ]
    for kind in ("cases", "case_victims", "case_subjects", "victim_assistance"):
        snapshots[kind] = []
    for as_of in [*year_ends, end]:
        frames = {k: [] for k in ("cases", "case_victims", "case_subjects", "victim_assistance")}
        for entity, full in case_parts:
            for kind, frame in _case_snapshot(full, entity, as_of).items():
                frames[kind].append(frame)
        for kind, fs in frames.items():
            snapshots[kind].append((as_of, pl.concat(fs)))
    return DemoExtracts(snapshots=snapshots, end=end)


def _roster(rng, entity, size, codes, weights, end) -> pl.DataFrame:
    target = int(
        round((IOM_STAFF + IOM_AFFILIATES) * size * 1.13)
    )  # calibrated: ~24,600 active at scale 1
    start0, end0 = _days(dt.date(2000, 1, 1)), _days(end)
    first_year = _days(START)
    # Calibrate the number of people ever employed so that ~target are active at the end.
    n = int(target * 2.1) + 10
    early = rng.random(n) < 0.35
    starts = np.where(
        early,
        rng.integers(start0, first_year, n),
        first_year
        + ((end0 - first_year) * np.sqrt(rng.random(n))).astype(int),  # hiring grows over time
    )
    tenure = rng.exponential(8 * 365, n).astype(int) + 60
    active_end = starts + tenure > end0
    keep = min(n, int(n * target / max(active_end.sum(), 1)))
    starts, tenure, active_end = starts[:keep], tenure[:keep], active_end[:keep]
    n = keep
    ends = np.where(
        active_end,
        np.where(rng.random(n) < 0.3, end0 + rng.integers(30, 900, n), -1),
        starts + tenure,
    )
    mission = rng.choice(len(codes), n, p=weights)
    staff = rng.random(n) < IOM_STAFF / (IOM_STAFF + IOM_AFFILIATES)
    person = _refs(rng, n)
    is_manager = staff & (rng.random(n) < 0.07)
    role = np.where(is_manager, "manager", "personnel").astype(object)
    # One chief of mission per mission, among its staff active at the end (or its longest-serving).
    order = np.lexsort((-(ends == -1).astype(int), starts, mission))
    first_of_mission = np.r_[True, mission[order][1:] != mission[order][:-1]]
    com = order[first_of_mission]
    role[com], is_manager[com], staff[com], ends[com] = "chief_of_mission", True, True, -1
    manager_ref = np.full(n, None, dtype=object)
    com_of = {int(mission[i]): i for i in com}
    hq_com = com_of[0]
    managers_by_mission: dict[int, np.ndarray] = {}
    for m in np.unique(mission):
        managers_by_mission[int(m)] = np.flatnonzero((mission == m) & (role == "manager"))
    for m in np.unique(mission):
        members = np.flatnonzero((mission == m) & (role == "personnel"))
        pool = managers_by_mission[int(m)]
        pool = pool if len(pool) else np.array([com_of[int(m)]])
        manager_ref[members] = person[pool[rng.integers(0, len(pool), len(members))]]
        mgrs = managers_by_mission[int(m)]
        manager_ref[mgrs] = person[com_of[int(m)]]
    for m, i in com_of.items():
        manager_ref[i] = None if m == 0 else person[hq_com]
    return pl.DataFrame(
        {
            "person_ref": person,
            "entity": entity,
            "mission": np.array(codes, dtype=object)[mission],
            "staff_category": np.where(staff, "staff", "non_staff"),
            "is_manager": is_manager,
            "role": role.astype(str),
            "manager_ref": pl.Series(manager_ref, dtype=pl.String),
            "contract_start": _to_date(starts),
            "contract_end": _to_date(ends).set(pl.Series(ends == -1), None),
        }
    )


def _training(rng, entity, roster: pl.DataFrame, irregular: set, end: dt.date) -> pl.DataFrame:
    end0 = _days(end)
    start = roster["contract_start"].cast(pl.Int32).to_numpy().astype(np.int64)
    stop = roster["contract_end"].cast(pl.Int32).fill_null(end0).to_numpy().astype(np.int64)
    stop = np.minimum(stop, end0)
    person, mission = roster["person_ref"].to_numpy(), roster["mission"].to_numpy()
    # how reliably each person renews: lower in the irregular missions
    lax = np.isin(mission, sorted(irregular))
    diligent = np.where(lax, rng.beta(8, 1.5, len(start)), rng.beta(40, 1, len(start)))
    rows = []
    # Induction PSEA module, from 2013: mostly within 30 days of joining.
    joined = (start >= _days(dt.date(2013, 1, 1))) & (rng.random(len(start)) < 0.88)
    offset = np.where(
        rng.random(len(start)) < 0.85,
        rng.integers(-10, 30, len(start)),
        rng.integers(31, 150, len(start)),
    )
    when = start + offset
    ok = joined & (when <= stop)
    rows.append((person[ok], "induction_psea", when[ok], "online", mission[ok]))
    # Mandatory PSEA course: first within months of joining (or of 2012), renewed about every 2 years.
    first = np.maximum(start, _days(START)) + rng.integers(5, 120, len(start))
    when = first.copy()
    alive = (when <= stop) & (rng.random(len(start)) < 0.97)
    for _ in range(10):
        rows.append((person[alive], "psea_mandatory", when[alive], "online", mission[alive]))
        when = when + rng.normal(650, 50, len(start)).astype(int)
        alive = alive & (when <= stop) & (rng.random(len(start)) < diligent)
    # The Values we Share (from 2014), once; face-to-face sessions in some missions.
    vws = np.maximum(start, _days(dt.date(2014, 3, 1))) + rng.integers(0, 300, len(start))
    ok = (vws <= stop) & (rng.random(len(start)) < 0.9)
    rows.append((person[ok], "values_we_share", vws[ok], "online", mission[ok]))
    f2f = np.maximum(start, _days(START)) + rng.integers(0, 3000, len(start))
    ok = (f2f <= stop) & (rng.random(len(start)) < 0.08)
    rows.append((person[ok], "psea_face_to_face", f2f[ok], "in_person", mission[ok]))
    if entity == "IOM":  # the seed's 2017 CBCM trainings and the 2018 training of trainers
        for code in CBCM_MISSIONS:
            idx = np.flatnonzero(
                (mission == code)
                & (start <= _days(dt.date(2017, 6, 1)))
                & (stop >= _days(dt.date(2017, 12, 31)))
            )[:12]
            day = _days(dt.date(2017, 3, 1)) + int(rng.integers(0, 270))
            rows.append(
                (person[idx], "cbcm_training", np.full(len(idx), day), "in_person", mission[idx])
            )
        idx = np.flatnonzero(
            (start <= _days(dt.date(2018, 1, 1)))
            & (stop >= _days(dt.date(2018, 12, 31)))
            & np.isin(mission, CBCM_MISSIONS)
        )[:20]
        rows.append(
            (
                person[idx],
                "cbcm_tot",
                np.full(len(idx), _days(dt.date(2018, 5, 15))),
                "in_person",
                mission[idx],
            )
        )
    frame = pl.concat(
        [
            pl.DataFrame(
                {
                    "person_ref": p,
                    "course": c,
                    "completed_on": _to_date(w),
                    "delivery": d,
                    "mission": m,
                },
                schema={
                    "person_ref": pl.String,
                    "course": pl.String,
                    "completed_on": pl.Date,
                    "delivery": pl.String,
                    "mission": pl.String,
                },
            )
            for p, c, w, d, m in rows
        ]
    )
    frame = frame.filter(pl.col("completed_on") <= end).unique(
        ["person_ref", "course", "completed_on"], keep="first", maintain_order=True
    )
    return frame.with_columns(pl.lit(entity).alias("entity")).select(
        "person_ref", "entity", "course", "completed_on", "delivery", "mission"
    )


def _sessions(rng, entity, codes, weights, irregular, end) -> pl.DataFrame:
    quarters = pl.date_range(START, end, interval="3mo", eager=True).to_list()
    rows = []
    for i, code in enumerate(codes):
        size = weights[i] * len(codes)
        rate = 0.25 if code in irregular else 0.9 + 0.4 * min(size, 3)
        for q in quarters:
            for audience, factor in (
                ("staff", 1.0),
                ("community", 0.7),
                ("partners", 0.4),
                ("contractors", 0.2),
            ):
                for _ in range(rng.poisson(rate * factor)):
                    rows.append((code, q + dt.timedelta(days=int(rng.integers(0, 90))), audience))
    n = len(rows)
    held = pl.Series([r[1] for r in rows], dtype=pl.Date)
    frame = pl.DataFrame(
        {
            "session_ref": _refs(rng, n),
            "entity": entity,
            "mission": [r[0] for r in rows],
            "held_on": held,
            "audience": [r[2] for r in rows],
            "participants": rng.integers(5, 220, n).astype(np.int32),
            "facilitator": rng.choice(
                [
                    "mission_focal_point",
                    "ethics_conduct_office",
                    "gender_coordination_unit",
                    "other",
                ],
                n,
                p=[0.6, 0.15, 0.15, 0.1],
            ),
        }
    )
    return frame.filter(pl.col("held_on") <= end)


def _appraisals(rng, entity, roster, irregular, end) -> pl.DataFrame:
    managers = roster.filter(pl.col("is_manager"))
    rows = []
    for year in range(START.year, end.year + (1 if end.month == 12 and end.day == 31 else 0)):
        y1 = dt.date(year, 12, 31)
        active = managers.filter(
            # appraised for the year: in post by October and still there at the year's end
            (pl.col("contract_start") <= dt.date(year, 9, 30))
            & (pl.col("contract_end").is_null() | (pl.col("contract_end") >= y1))
        )
        n = active.height
        weak = active["mission"].is_in(sorted(irregular)).to_numpy()
        p_good, p_weak = [0.74, 0.14, 0.04, 0.08], [0.55, 0.25, 0.12, 0.08]
        rating = np.where(weak, rng.choice(4, n, p=p_weak), rng.choice(4, n, p=p_good))
        keep = rng.random(n) < 0.93  # some appraisals are missing
        rows.append(
            active.select("person_ref", "mission")
            .with_columns(
                pl.lit(year, dtype=pl.Int32).alias("year"),
                pl.Series(
                    "psea_indicator",
                    np.array(["met", "partially_met", "not_met", "not_rated"])[rating],
                ),
            )
            .filter(pl.Series(keep))
        )
    return (
        pl.concat(rows)
        .with_columns(pl.lit(entity).alias("entity"))
        .select("person_ref", "entity", "mission", "year", "psea_indicator")
    )


def _contracts(rng, entity, codes, weights, scale, end) -> pl.DataFrame:
    years = end.year - START.year + 1
    n = int(len(codes) * 6 * years * max(scale, 0.05))
    mission = rng.choice(len(codes), n, p=weights)
    signed = _days(START) + rng.integers(0, _days(end) - _days(START) + 1, n)
    lax = np.isin(mission, rng.choice(len(codes), max(1, len(codes) // 8), replace=False))
    clause = rng.random(n) < np.where(lax, 0.78, 0.985) - np.where(
        signed < _days(dt.date(2015, 1, 1)), 0.1, 0
    )
    kind = rng.choice(
        ["supplier", "service_provider", "implementing_partner"], n, p=[0.5, 0.3, 0.2]
    )
    flowdown = np.where(
        kind == "supplier", "not_applicable", np.where(clause & (rng.random(n) < 0.9), "yes", "no")
    )
    return pl.DataFrame(
        {
            "contract_ref": _refs(rng, n),
            "entity": entity,
            "mission": np.array(codes)[mission],
            "contractor_type": kind,
            "signed_on": _to_date(signed),
            "psea_clause": clause,
            "subcontract_flowdown": flowdown,
        }
    )


def _cases(rng, entity, per_year_2018, codes, weights, end) -> dict:
    """Every allegation with the dates of its whole life; snapshots cut it at their as_of."""
    received = []
    for year in range(START.year, end.year + 1):
        level = (
            per_year_2018
            * min(1.0, 0.25 + 0.75 * (year - START.year) / 6)
            * (1 + 0.03 * max(0, year - 2018))
        )
        count = rng.poisson(max(level, 0.5))
        y0 = _days(dt.date(year, 1, 1))
        y1 = min(_days(dt.date(year, 12, 31)), _days(end))
        received.append(rng.integers(y0, y1 + 1, count) if y1 >= y0 else np.array([], dtype=int))
    rec = np.sort(np.concatenate(received)).astype(np.int64)
    n = len(rec)
    delay_months = np.select(
        [rng.random(n) < 0.5, rng.random(n) < 0.5, rng.random(n) < 0.6],
        [rng.integers(0, 4, n), rng.integers(4, 13, n), rng.integers(13, 25, n)],
        rng.integers(25, 60, n),
    )
    rec_dates = _to_date(rec)
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
    case_ref = _refs(rng, n)
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
        "victim_ref": _refs(rng, nv),
        "sex": rng.choice(["female", "male", "unknown"], nv, p=[0.8, 0.13, 0.07]),
        "age": rng.choice(["adult", "child", "unknown"], nv, p=[0.62, 0.28, 0.1]),
        "needs_on": np.where(assessed_v, needs_on, -1),
        "s_case": s_case,
        "subject_ref": _refs(rng, ns),
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


def _case_snapshot(c: dict, entity: str, as_of: dt.date) -> dict[str, pl.DataFrame]:
    a = _days(as_of)
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

    def dates(values):
        return _to_date(np.where(values >= 0, values, 0)).set(pl.Series(values < 0), None)

    cases = pl.DataFrame(
        {
            "case_ref": c["case_ref"],
            "entity": entity,
            "as_of": as_of,
            "date_received": _to_date(c["rec"]),
            "incident_month": c["incident"],
            "mission": c["mission"],
            "category": c["category"],
            "personnel_group": c["personnel_group"],
            "reporting_channel": c["channel"],
            "status": status,
            "assessment_completed_on": dates(assess),
            "investigation_opened_on": dates(opened),
            "investigation_completed_on": dates(completed),
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
                "needs_assessed_on": dates(np.where(needs <= a, needs, -1)),
                "service": c["service"],
                "provider": c["provider"],
                "referred_on": _to_date(referred_on),
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


def write_extracts(extracts: DemoExtracts, folder, file_format: str = "csv") -> list:
    """Write every snapshot as an extract file named `<kind>_<as_of>.<ext>`: the data owners' templates."""
    from pathlib import Path

    from data_contracts import contract_for

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, snaps in extracts.snapshots.items():
        columns = contract_for(kind).column_names
        for as_of, frame in snaps:
            if frame.is_empty():  # a header-only file carries no as_of: nothing to send
                continue
            path = folder / f"{kind}_{as_of.isoformat()}.{file_format}"
            out = frame.with_columns(pl.lit(as_of).alias("as_of")).select(columns)
            if file_format == "csv":
                out.write_csv(path)
            elif file_format == "xlsx":
                out.write_excel(path, worksheet=kind)
            else:
                out.write_parquet(path)
            written.append(path)
    return written
