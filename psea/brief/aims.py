"""The figures a focal point is held to, each against its aim: victims still waiting for a needs
assessment, urgent investigations within the short aim, overdue cases, substantiated cases with an
action (victims and cases), then mandatory coverage against its target and the missions flagged as
audit risks (prevention).

Each is a row of the brief's headline table (a `Headline`, compared with the previous period the
way every headline is: psea.brief.headline_table.change) and a candidate key message with how far
it is from its aim. Case figures are read through the gate, as published.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl

from psea.brief.headline_table import change
from psea.brief.model import Headline
from psea.disclosure.figures import (
    PublishedFigures,
    Shown,
    overdue_of_open,
    urgent_within_aim,
)
from psea.metrics import timeliness, training
from psea.present.audit_risk import at_risk, mission_names, newly_flagged
from psea.settings import settings

VICTIMS_AND_CASES, PREVENTION = 0, 1  # the key messages lead with victims and cases


@dataclass(frozen=True)
class Aim:
    """A figure against its aim: its headline row, how far it is from the aim (0 when met, 1 at
    the farthest; None when the figure is not published) and its key message."""

    group: int
    headline: Headline
    distance: float | None
    message: str
    period_figure: bool = True  # counted over the period (False: a stock at the date of the data)
    entity: str | None = None  # one entity's, in the Champion's report where all entities' is not


def _share(part: Shown, whole: Shown) -> float | None:
    if not (part.published and whole.published) or not whole.value:
        return None
    return part.value / whole.value


def _of(part: Shown, whole: Shown) -> str:
    """ "15 of 112 (13%)", and for all entities the entities it rests on when some do not
    report it ("...; 2 of 6 entities; IRC, NRC do not report this")."""
    share = _share(part, whole)
    covers = part.note or whole.note
    if share is None:
        out = part.label if not part.published else f"{part.label} of {whole.label}"
    else:
        out = f"{part.label} of {whole.label} ({share:.0%})"
    return f"{out} ({covers})" if covers and part.published else out


def _row(
    label: str,
    part: Shown,
    whole: Shown,
    before: tuple[Shown, Shown] | None,
    lengths: tuple[int, int],
    definition: str,
) -> Headline:
    """A headline row: the part of its whole now and before, compared as every headline is."""
    return Headline(
        label,
        _of(part, whole),
        _of(*before) if before else "no earlier period",
        change(part, before[0] if before else None, lengths),
        definition,
        part.value,
        before[0].value if before else None,
        part.published and bool(before and before[0].published),
        year_earlier="not compared (a share is compared with the previous period only)",
    )


def _compared(h: Headline) -> str:
    """The headline's comparison with the previous period, when it makes one."""
    return f"; {h.previous} in the previous period ({h.change})" if h.published else ""


def case_aims(figures: PublishedFigures, previous: PublishedFigures | None) -> list[Aim]:
    """Victims and cases against their aims, for the figures' scope (published cells only)."""
    t = timeliness.thresholds()
    target = int(settings()["victim_assistance"]["needs_assessment_target_days"])
    lengths = (len(figures.period.quarters), len(previous.period.quarters) if previous else 0)
    out = []

    def pair(f: PublishedFigures | None, read) -> tuple[Shown, Shown] | None:
        return read(f) if f is not None else None

    waiting = lambda f: (  # noqa: E731
        f.count("victims", "needs_assessed", "no"),
        f.covered("victims", "needs_assessed", "no"),  # of the entities that report assessments
    )
    now = waiting(figures)
    median = figures.statistic("days_waiting_for_needs_assessment")
    h = _row(
        "Victims still waiting for a needs assessment",
        *now,
        pair(previous, waiting),
        lengths,
        timeliness.definition("victim_assistance"),
    )
    out.append(
        Aim(
            VICTIMS_AND_CASES,
            h,
            _share(*now),
            f"{_of(*now)} victims of the period's allegations are still waiting for a needs "
            f"assessment"
            + (f" (median {median.label()} since the allegation)" if median.median else "")
            + f", against the aim of an assessment within {target} days{_compared(h)}.",
        )
    )

    urgent = lambda f: urgent_within_aim(f)["urgent"]  # noqa: E731
    now = urgent(figures)
    h = _row(
        f"Urgent investigations (a child victim) within {t['short']} days",
        *now,
        pair(previous, urgent),
        lengths,
        timeliness.definition("urgent_investigations"),
    )
    share = _share(*now)
    out.append(
        Aim(
            VICTIMS_AND_CASES,
            h,
            None if share is None else 1 - share,
            f"{_of(*now)} urgent investigations (a child victim) completed in the period took "
            f"{t['short']} days or less, against the UN's aim of {t['short']} days for the most "
            f"urgent cases{_compared(h)}.",
        )
    )

    # all entities: the overdue among the open cases counted (returns state no open cases)
    overdue = overdue_of_open(figures)
    open_cases = figures.stock("open_cases")
    h = _row(
        f"Overdue cases: open more than {t['overdue']} days since received",
        overdue,
        open_cases,
        None,
        lengths,
        timeliness.definition("overdue"),
    )
    # a stock at the date of the data: the release holds no earlier one to compare with
    h.previous = "a count at the date of the data"
    h.change = h.year_earlier = "not compared (the release holds this count at its date only)"
    out.append(
        Aim(
            VICTIMS_AND_CASES,
            h,
            _share(overdue, open_cases),
            f"{_of(overdue, open_cases)} cases open at the date of the data "
            f"({figures.stock_as_of()}) were received more than {t['overdue']} days ago, against "
            f"the UN's aim of an outcome within {t['long']} days.",
            period_figure=False,
        )
    )

    acted = lambda f: (  # noqa: E731
        f.count("allegations", "action_taken", "substantiated_with_action"),
        _sum(
            f.count("allegations", "action_taken", "substantiated_with_action"),
            f.count("allegations", "action_taken", "substantiated_no_action"),
        ),
    )
    now = acted(figures)
    findings = figures.count("findings", "finding", "substantiated"), figures.count("findings")
    h = _row(
        "Substantiated allegations with an action taken",
        *now,
        pair(previous, acted),
        lengths,
        "Allegations received in the period and found substantiated by the cut-off, with an "
        "action taken against at least one alleged perpetrator.",
    )
    share = _share(*now)
    out.append(
        Aim(
            VICTIMS_AND_CASES,
            h,
            None if share is None else 1 - share,
            f"{_of(*findings)} investigations completed in the period were substantiated; of the "
            f"period's substantiated allegations, {_of(*now)} have an action taken against the "
            f"alleged perpetrator, against the aim of an action on every one{_compared(h)}.",
        )
    )
    return out


def _sum(a: Shown, b: Shown) -> Shown:
    if not a.published:
        return a
    if not b.published:
        return b
    return Shown(a.value + b.value, f"{a.value + b.value:,}")


def prevention_aims(headlines: list[Headline], extra: dict) -> list[Aim]:
    """Mandatory coverage against its target and the missions flagged as audit risks (the
    personnel headlines of psea.brief.headline_table), against their aims."""
    bounds = training.coverage_bounds()
    by_label = {h.label: h for h in headlines}
    out = []
    cov = extra["coverage"]
    h = by_label.get("Mandatory coverage at the end of the period")
    if h is not None and cov["coverage"] is not None:
        out.append(
            Aim(
                PREVENTION,
                h,
                max(0.0, bounds.target - cov["coverage"]) / bounds.target,
                f"Mandatory PSEA coverage is {cov['coverage']:.1%} ({cov['covered']:,} of "
                f"{cov['active']:,} personnel) against the {bounds.target:.0%} target"
                + (
                    f"; {h.previous} at the end of the previous period ({h.change})."
                    if h.published
                    else "."
                ),
                period_figure=False,
            )
        )
    h = by_label.get("Missions flagged as audit risks")
    risk = extra["risk"]
    if h is not None and risk.height:
        flagged = at_risk(newly_flagged(risk, extra["risk_before"]))
        larger = int((~risk["small"]).sum())
        new = flagged.filter(pl.col("new"))
        names = _mission_list(new.head(5), len(set(risk["entity"].to_list())) > 1)
        out.append(
            Aim(
                PREVENTION,
                h,
                flagged.height / larger if larger else None,
                f"{flagged.height} of {larger} missions of {bounds.minimum_headcount} or more "
                f"personnel are flagged as audit risks ('PSEA training irregular'), "
                f"{new.height} of them newly since the end of the previous period"
                + (f", the most at risk {names}" if names else "")
                + f"; {h.previous} at the end of the previous period.",
                period_figure=False,
            )
        )
    return out


def _mission_list(frame: pl.DataFrame, with_entity: bool) -> str:
    rows = mission_names(frame).select("entity", "mission").iter_rows()
    return ", ".join(f"{e} {m}" if with_entity else m for e, m in rows)


def case_aims_across(
    figures: PublishedFigures, previous: PublishedFigures | None, entities: list[str]
) -> list[Aim]:
    """All entities' case aims where the release publishes them for all entities; where it does
    not (a figure the returns do not carry), each entity's that it publishes, named."""
    overall = case_aims(figures, previous)
    out = [a for a in overall if a.distance is not None]
    missing = {i for i, a in enumerate(overall) if a.distance is None}
    for entity in entities:
        own = case_aims(
            figures.for_entity(entity), previous.for_entity(entity) if previous else None
        )
        out += [
            replace(a, message=f"{entity}: {a.message}", entity=entity)
            for i, a in enumerate(own)
            if i in missing and a.distance is not None
        ]
    return out
