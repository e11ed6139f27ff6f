"""What a brief holds, in the order every format renders it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import altair as alt
import polars as pl

from psea.disclosure.figures import SUPPRESSED_NOTE
from psea.disclosure.grid import GridPeriod
from psea.metrics import Period


@dataclass
class Headline:
    label: str
    value: str  # as published
    previous: str
    change: str
    definition: str
    exact_value: float | None = None  # a published value, for the points; None when not shown
    exact_previous: float | None = None
    published: bool = True  # both values shown as numbers
    unit: str = ""  # "", "days", "%"
    year_earlier: str = ""  # against the same quarters a year earlier


@dataclass
class Table:
    caption: str
    frame: pl.DataFrame  # text cells, as published


@dataclass
class Figure:
    caption: str
    chart: alt.TopLevelMixin


@dataclass
class Section:
    """A chapter (level 1) or a part of one (level 2): paragraphs, a list, figures, tables, notes,
    in that order. Every format renders the brief's `chapters` in order, the same way."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    numbered: bool = False
    notes: list[str] = field(default_factory=list)  # small print after the tables
    level: int = 1
    new_page: bool = False
    empty: str = "None."  # said when the section holds nothing else


@dataclass
class ProgressReport:
    """One entity's progress report for the meeting (written in the app's meeting workspace)."""

    entity: str
    parts: dict[str, list[str]]  # key_messages, accomplishments, challenges, requests
    suggested: bool  # the key messages are the figures' suggestions: none were written
    action_points: pl.DataFrame  # as they stood at the meeting: open ones and those closed at it


@dataclass
class Brief:
    title: str
    meeting: dt.date
    meeting_title: str
    ad_hoc: bool
    period: Period
    grid_period: GridPeriod
    previous_period: GridPeriod | None
    entity: str | None
    k: int
    release_id: str
    coverage: dict[str, dt.date]
    not_reported: list[str]  # entities whose data stop before the period's end
    loads: pl.DataFrame
    headlines: list[Headline]
    by_entity: pl.DataFrame | None
    points: list[str]
    sections: list[Section]
    generated_at: dt.datetime
    minimum_team: int = 5
    reports: list[ProgressReport] = field(default_factory=list)
    personnel: dict[str, int | None] = field(default_factory=dict)  # scope -> personnel at the end
    capped: bool = False  # the period is the last four quarters: the previous meeting is older
    appendix: list[Section] = field(default_factory=list)  # after the figures: the long lists
    previous_meeting: dt.date | None = None  # the calendar's meeting before this one
    commitments: pl.DataFrame | None = None  # psea.metrics.commitments.in_force, every scope
    capacity: pl.DataFrame | None = None  # psea.metrics.capacity (the Champion's report only)
    personnel_as_of: dict[str, dt.date] = field(default_factory=dict)  # roster snapshot read

    @property
    def scope(self) -> str:
        return "all entities" if self.entity is None else self.entity

    @property
    def suppression_rule(self) -> str:
        return (
            f"Every figure about cases, victims, alleged perpetrators and assistance comes from the "
            f"release {self.release_id} of this meeting's data, protected as a whole and audited "
            f"(no hidden figure can be worked out from the published ones, across tables, periods "
            f"and entities); " + SUPPRESSED_NOTE.format(k=self.k) + ". Medians are withheld when "
            f"they rest on fewer than {self.k} cases. Training, roster and contract figures are not "
            f"suppressed, except manager teams of fewer than {self.minimum_team}."
        )

    @property
    def front_matter(self) -> list[tuple[str, str]]:
        quarters = self.grid_period.quarters
        period = (
            f"{quarters[0][:4]} Q{quarters[0][5]} to {quarters[-1][:4]} Q{quarters[-1][5]} "
            f"({self.period.label}): the quarters ending after the previous meeting and by this one"
            if quarters
            else "no complete quarter since the previous meeting"
        )
        if self.capped:
            period += (
                " — the last four complete quarters: the previous meeting was longer ago, and "
                "the quarters before these were not reported at any meeting"
            )
        as_of = _dates(self.coverage)
        rows = [
            ("Meeting", f"{self.meeting_title} ({self.meeting.isoformat()})"),
            ("Period", period + (" (a date outside the calendar)" if self.ad_hoc else "")),
            ("Case data as of", as_of),
            *(
                [("Personnel data as of", _dates(self.personnel_as_of))]
                if self.personnel_as_of
                else []
            ),
            ("Scope", self.scope),
            (
                "Compared with",
                f"{self.previous_period.label}, {len(self.previous_period.quarters)} quarter"
                + ("s" if len(self.previous_period.quarters) != 1 else "")
                + ", per quarter; and the same quarters a year earlier"
                if self.previous_period
                else "no earlier meeting period; the same quarters a year earlier",
            ),
            ("Release", f"{self.release_id} (audited)"),
            ("Generated", self.generated_at.strftime("%Y-%m-%d %H:%M UTC")),
        ]
        if self.not_reported:
            rows.insert(
                3,
                (
                    "Not yet reported",
                    f"{', '.join(self.not_reported)}: case data stop before the period's end; "
                    "their figures for the missing quarters are not shown and not compared",
                ),
            )
        return rows


def _dates(by_entity: dict[str, dt.date]) -> str:
    return "; ".join(f"{e} {d.isoformat()}" for e, d in sorted(by_entity.items()))
