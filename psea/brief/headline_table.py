"""The brief's headline table: the period's case figures from the release against the previous
meeting period, and the personnel figures (training, audit risk) beside them."""

from __future__ import annotations

import datetime as dt

from psea.brief.model import Headline
from psea.disclosure.figures import PublishedFigures, Shown
from psea.metrics import Period, training
from psea.present.audit_risk import at_risk
from psea.present.comparison import Comparison, compare
from psea.present.headlines import HEADLINES


def change(now: Shown, before: Shown | None, lengths: tuple[int, int]) -> str:
    """A count against the previous period's, per quarter: like with like whatever the two
    periods' lengths (the comparison every headline makes)."""
    return Comparison(now, lengths[0], before, lengths[1], None).previous_text()


def quarters_text(n: int) -> str:
    return f"{n} quarter" + ("s" if n != 1 else "")


def case_headlines(figures: PublishedFigures, previous: PublishedFigures | None) -> list[Headline]:
    """The headline counts per quarter against the previous meeting period's per quarter, and
    against the same quarters a year earlier (psea.present.comparison: like with like, whatever the
    periods' lengths; "not compared" only where a figure is hidden, with the reason)."""
    out = []
    for h in HEADLINES:
        comparison = compare(figures, previous, h.shown)
        now = comparison.now
        value = comparison.value_text()
        if h.denominator and now.published and h.whole(figures).published:
            value = f"{now.label} of {h.whole(figures).label}"
        if now.note:
            value = f"{value} ({now.note})"
        before = comparison.previous
        out.append(
            Headline(
                h.label,
                value,
                _previous_text(comparison),
                comparison.previous_text(),
                h.definition,
                comparison.per_quarter,
                comparison.previous_per_quarter,
                comparison.compared and bool(before and before.published),
                year_earlier=comparison.year_earlier_text(),
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
            else _median_not_compared(stat, stat_before),
            "Days from investigation opened to completed, findings of the period (withheld below K).",
            stat.median if both else None,
            stat_before.median if both else None,
            both,
            "days",
            year_earlier="not compared (a median is not a sum of its quarters)",
        )
    )
    return out


def _median_not_compared(stat, before) -> str:
    if before is None:
        return "no earlier period"
    if stat.withheld or stat.median is None:
        return f"not compared (this period {stat.label()})"
    return f"not compared (the earlier period {before.label()})"


def _previous_text(comparison) -> str:
    if comparison.previous is None:
        return "no earlier period"
    if not comparison.previous.published or comparison.previous_quarters == 1:
        return comparison.previous.label
    return f"{comparison.previous.label} in {quarters_text(int(comparison.previous_quarters))}"


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
