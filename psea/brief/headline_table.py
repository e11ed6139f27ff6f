"""The brief's headline table: the period's case figures from the release against the previous
meeting period, and the personnel figures (training, audit risk) beside them."""

from __future__ import annotations

import datetime as dt

from psea.brief.model import Headline
from psea.disclosure.figures import (
    PublishedFigures,
    Shown,
)
from psea.metrics import Period, training
from psea.present.audit_risk import at_risk
from psea.present.headlines import HEADLINES


def change(now: Shown, before: Shown | None, lengths: tuple[int, int]) -> str:
    if before is None:
        return "no earlier period"
    if now.published and before.published and lengths[0] != lengths[1]:
        return f"not compared ({quarters_text(lengths[0])} against {quarters_text(lengths[1])})"
    if now.published and before.published:
        return f"{now.value - before.value:+,}"
    return "not compared (" + (now.label if not now.published else before.label) + ")"


def quarters_text(n: int) -> str:
    return f"{n} quarter" + ("s" if n != 1 else "")


def case_headlines(figures: PublishedFigures, previous: PublishedFigures | None) -> list[Headline]:
    """The headline counts against the previous meeting period; counts of periods of different
    lengths (5 quarters against 1) are not compared, nor raised as points for the meeting."""
    lengths = (
        len(figures.period.quarters),
        len(previous.period.quarters) if previous else 0,
    )
    same_length = lengths[0] == lengths[1]
    out = []
    for h in HEADLINES:
        now, before = h.shown(figures), h.shown(previous) if previous else None
        value = now.label
        if h.denominator and now.published and h.whole(figures).published:
            value = f"{now.label} of {h.whole(figures).label}"
        out.append(
            Headline(
                h.label,
                value,
                before.label if before else "no earlier period",
                change(now, before, lengths),
                h.definition,
                now.value,
                before.value if before else None,
                now.published and bool(before and before.published) and same_length,
            )
        )
    stat = figures.statistic("investigation_duration")
    stat_before = previous.statistic("investigation_duration") if previous else None
    both = not stat.withheld and stat_before is not None and not stat_before.withheld
    out.append(
        Headline(
            "Median investigation duration",
            stat.label(),
            stat_before.label() if stat_before else "n/a",
            f"{stat.median - stat_before.median:+,.0f} days"
            if both and stat.median is not None and stat_before.median is not None
            else "not compared",
            "Days from investigation opened to completed, findings of the period (withheld below K).",
            stat.median if both else None,
            stat_before.median if both else None,
            both,
            "days",
        )
    )
    return out


def personnel_headlines(
    con, period: Period, previous_end: dt.date | None, entity
) -> tuple[list[Headline], dict]:
    cov = training.mandatory_coverage(con, period.end, entity).row(0, named=True)
    before_day = previous_end or period.start
    cov_before = training.mandatory_coverage(con, before_day, entity).row(0, named=True)
    pct = lambda r: f"{r['coverage']:.1%}" if r["coverage"] is not None else "no data"  # noqa: E731
    risk = training.audit_risk(con, period.end, entity)
    risk_before = training.audit_risk(con, before_day, entity)
    # missions below the minimum headcount are listed apart, never counted among the flagged
    flagged, flagged_before = at_risk(risk).height, at_risk(risk_before).height
    larger, larger_before = (~risk["small"]).sum(), (~risk_before["small"]).sum()
    delta = (
        f"{(cov['coverage'] - cov_before['coverage']) * 100:+.1f} points"
        if cov["coverage"] is not None and cov_before["coverage"] is not None
        else "n/a"
    )
    rows = [
        Headline(
            "Mandatory coverage at the end of the period",
            pct(cov),
            pct(cov_before),
            delta,
            training.definition("mandatory_coverage")
            + f" At the end of the period: {cov['covered']:,} of {cov['active']:,}.",
            cov["coverage"],
            cov_before["coverage"],
            True,
            "%",
        ),
        Headline(
            "Missions flagged as audit risks",
            f"{flagged:,} of {larger:,}",
            f"{flagged_before:,} of {larger_before:,}",
            f"{flagged - flagged_before:+,}",
            training.definition("audit_risk"),
            flagged,
            flagged_before,
            True,
        ),
    ]
    return rows, {"risk": risk, "risk_before": risk_before, "coverage": cov}
