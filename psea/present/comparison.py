"""Comparisons that compare like with like (docs/disclosure.md, "Comparisons"): a period's count
per quarter against the previous period's per quarter, and against the same quarters a year
earlier. Both rest on published figures only, so they publish nothing new; "not compared" only
where a figure is hidden or not reported, with the reason. Pages, briefs and key messages read
this one definition."""

from __future__ import annotations

from dataclasses import dataclass

from psea.disclosure.figures import Shown


@dataclass(frozen=True)
class Comparison:
    now: Shown
    quarters: float  # the period's length in quarters
    previous: Shown | None
    previous_quarters: float
    year_earlier: Shown | None

    @property
    def per_quarter(self) -> float | None:
        return _per(self.now, self.quarters)

    @property
    def previous_per_quarter(self) -> float | None:
        return _per(self.previous, self.previous_quarters)

    @property
    def change_previous(self) -> float | None:
        """The relative change per quarter against the previous period (0.25 = +25%), None when
        not compared or the previous period had none."""
        now, before = self.per_quarter, self.previous_per_quarter
        return (now - before) / before if now is not None and before else None

    @property
    def change_year_earlier(self) -> float | None:
        if not (self.now.published and self.year_earlier and self.year_earlier.published):
            return None
        before = self.year_earlier.value
        return (self.now.value - before) / before if before else None

    @property
    def compared(self) -> bool:
        return self.per_quarter is not None and self.previous_per_quarter is not None

    def value_text(self) -> str:
        """ "45 (15.0 a quarter)" for a period of several quarters, else the label."""
        if self.per_quarter is None or self.quarters == 1:
            return self.now.label
        return f"{self.now.label} ({_number(self.per_quarter)} a quarter)"

    def previous_text(self) -> str:
        """Against the previous period, per quarter: "+25% a quarter (12.0 a quarter before)"."""
        if self.previous is None:
            return "no earlier period"
        if not self.compared:
            return f"not compared ({_why(self.now, self.previous)})"
        before = self.previous_per_quarter
        if not before:
            return f"{_number(self.per_quarter)} a quarter against none before"
        unit = " a quarter" if self.quarters != 1 or self.previous_quarters != 1 else ""
        return f"{_percent(self.change_previous)}{unit} ({_number(before)}{unit} before)"

    def year_earlier_text(self) -> str:
        """Against the same quarters a year earlier: "+10% (41 a year earlier)"."""
        if self.year_earlier is None:
            return "no earlier period"
        if not (self.now.published and self.year_earlier.published):
            return f"not compared ({_why(self.now, self.year_earlier)})"
        if not self.year_earlier.value:
            return f"{self.now.label} against none a year earlier"
        return f"{_percent(self.change_year_earlier)} ({self.year_earlier.label} a year earlier)"


def compare(figures, previous, count) -> Comparison:
    """The comparison of one count (`count(figures) -> Shown`) between the gate's period, the
    period before it and the same quarters a year earlier."""
    earlier = figures.year_earlier() if hasattr(figures, "year_earlier") else None
    return Comparison(
        count(figures),
        figures.quarters,
        count(previous) if previous is not None else None,
        previous.quarters if previous is not None else 0,
        count(earlier) if earlier is not None else None,
    )


def _per(shown: Shown | None, quarters: float) -> float | None:
    if shown is None or not shown.published or not quarters:
        return None
    return shown.value / quarters


def _why(now: Shown, other: Shown) -> str:
    if not now.published:
        return f"this period {now.label}"
    return f"the earlier period {other.label}"


def _number(value: float | None) -> str:
    if value is None:
        return "no data"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _percent(change: float | None) -> str:
    return "no change" if not change else f"{change:+.0%}"
