"""The brief for a PSEA Senior Focal Point meeting (docs/indicators.md, "SFP meeting brief").

`build_brief` assembles it from the metric layer, through the suppression function (a brief is
circulated beyond the analysts, so it is suppressed whoever produces it); `psea.brief_render` writes
it as DOCX, PDF and Markdown. One brief, three formats: every figure is computed once, here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import altair as alt
import polars as pl

from psea import charts
from psea.disclosure.privacy import Line, count_label, statistic_label, suppress, suppress_breakdown
from psea.metrics import Period, cases, managers, training, years_before
from psea.settings import settings, suppression_k

FIRST_MEETING_LOOKBACK_YEARS = 1  # the first meeting on record has no previous one


# --- the meeting calendar -------------------------------------------------------------------


def meetings(con) -> pl.DataFrame:
    """The calendar: the seed's meetings and those added in the app, oldest first."""
    return con.sql(
        "select meeting_date, date_precision, title, notes, source from sfp_meetings order by meeting_date"
    ).pl()


def add_meeting(
    con, meeting_date: dt.date, title: str, notes: str | None, actor: str, role: str
) -> None:
    """A later meeting added by a focal point or the administrator (audit-logged)."""
    from pipelines.audit import record

    title = title.strip()
    if not title:
        raise ValueError("a meeting needs a title")
    taken = con.sql(
        "select count(*) from sfp_meetings where meeting_date = $d", params={"d": meeting_date}
    ).fetchall()[0][0]
    if taken:
        raise ValueError(f"a meeting on {meeting_date.isoformat()} is already in the calendar")
    con.execute("begin transaction")
    try:
        con.execute(
            "insert into sfp_meetings_added (meeting_date, title, notes, added_by) values (?, ?, ?, ?)",
            [meeting_date, title, (notes or "").strip() or None, actor],
        )
        record(con, actor, role, "add_sfp_meeting", meeting_date=meeting_date, title=title)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def meeting_period(con, meeting_date: dt.date) -> tuple[Period, str, bool]:
    """The brief's period (previous calendar meeting, M], the meeting's title, and whether M is an
    ad-hoc date outside the calendar."""
    calendar = meetings(con)
    match = calendar.filter(pl.col("meeting_date") == meeting_date)
    earlier = calendar.filter(pl.col("meeting_date") < meeting_date)["meeting_date"]
    start = (
        earlier.max() if earlier.len() else years_before(meeting_date, FIRST_MEETING_LOOKBACK_YEARS)
    )
    title = (
        match["title"][0]
        if match.height
        else f"Ad-hoc PSEA Senior Focal Points meeting, {meeting_date.isoformat()}"
    )
    return Period(start, meeting_date), title, match.height == 0


# --- the brief --------------------------------------------------------------------------------


@dataclass
class Headline:
    label: str
    value: str  # as published
    previous: str
    change: str
    definition: str
    exact_value: float | None = None  # kept for the points and the tests; never rendered
    exact_previous: float | None = None
    published: bool = True  # both values shown as numbers
    unit: str = ""  # "", "days", "%"


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
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)


@dataclass
class Brief:
    title: str
    meeting: dt.date
    meeting_title: str
    ad_hoc: bool
    period: Period
    entity: str | None
    k: int
    loads: pl.DataFrame
    headlines: list[Headline]
    by_entity: pl.DataFrame | None
    points: list[str]
    sections: list[Section]
    generated_at: dt.datetime

    @property
    def scope(self) -> str:
        return "all entities" if self.entity is None else self.entity

    @property
    def suppression_rule(self) -> str:
        return (
            f"Counts about cases, victims, alleged perpetrators and assistance between 1 and {self.k - 1} are "
            f"shown as <{self.k} (zero stays 0); medians and rates are shown as 'n/a (small number)' when "
            f"they rest on fewer than {self.k} cases; further cells are withheld where a table's totals "
            "would let a hidden figure be worked out. Training, roster and contract figures are not "
            f"suppressed, except manager teams of fewer than {managers.thresholds()['minimum_team_size']}."
        )

    @property
    def front_matter(self) -> list[tuple[str, str]]:
        return [
            ("Meeting", f"{self.meeting_title} ({self.meeting.isoformat()})"),
            (
                "Period",
                f"{self.period.label} (since the previous meeting)"
                if not self.ad_hoc
                else f"{self.period.label} (ad-hoc date: since the previous calendar meeting)",
            ),
            ("Data as of", f"{self.period.end.isoformat()} (the cut-off: the meeting date)"),
            ("Scope", self.scope),
            (
                "Compared with",
                f"the previous period of equal length, {self.period.previous().label}, "
                "counted on the same data (as of the cut-off)",
            ),
            ("Generated", self.generated_at.strftime("%Y-%m-%d %H:%M UTC")),
        ]


def _change(value: float | None, previous: float | None, unit: str) -> str:
    if value is None or previous is None:
        return "n/a"
    delta = value - previous
    if unit == "%":
        return f"{delta * 100:+.1f} points"
    if unit == "days":
        return f"{delta:+,.0f} days"
    return f"{delta:+,.0f}"


def _count(label: str, now: int, before: int, definition: str, k: int) -> Headline:
    shown, prev = count_label(now, False, k), count_label(before, False, k)
    published = not shown.startswith("<") and not prev.startswith("<")
    return Headline(
        label,
        shown,
        prev,
        _change(now, before, "") if published else "not shown (small numbers)",
        definition,
        now,
        before,
        published,
    )


def _median(label: str, now: dict, before: dict, definition: str, k: int) -> Headline:
    shown = statistic_label(now["median_days"], now["n"], False, k=k)
    prev = statistic_label(before["median_days"], before["n"], False, k=k)
    published = now["n"] >= k and before["n"] >= k
    return Headline(
        label,
        shown,
        prev,
        _change(now["median_days"], before["median_days"], "days")
        if published
        else "not shown (small numbers)",
        definition,
        now["median_days"],
        before["median_days"],
        published,
        "days",
    )


def _case_figures(con, period: Period, entity: str | None) -> dict:
    """The exact case figures of the headlines for one period (suppressed when published)."""
    sub = cases.substantiation(con, period, entity)
    return {
        "Allegations received": cases.allegations_received(con, period, entity).item(),
        "Child victims": cases.child_victims(con, period, entity),
        "Investigations opened": cases.investigations_opened(con, period, entity),
        "Investigations completed": sub["completed"],
        "Substantiated": sub["substantiated"],
        "Victims assisted": cases.victim_assistance(con, period, entity)["victims_assisted"],
        "_duration": cases.investigation_duration(con, period, entity),
    }


HEADLINE_DEFINITIONS = {
    "Allegations received": cases.DEFINITIONS["allegations_received"],
    "Child victims": cases.DEFINITIONS["child_victims"],
    "Investigations opened": "Investigations opened (investigation_opened_on) in the period.",
    "Investigations completed": "Investigations completed with a finding (substantiated or unsubstantiated) in the period.",
    "Substantiated": "Investigations completed in the period whose finding is substantiated.",
    "Victims assisted": cases.DEFINITIONS["victims_assisted"],
}


def _headlines(con, period: Period, entity: str | None, k: int) -> tuple[list[Headline], dict]:
    now, before = (
        _case_figures(con, period, entity),
        _case_figures(con, period.previous(), entity),
    )
    out = [
        _count(label, now[label], before[label], HEADLINE_DEFINITIONS[label], k)
        for label in HEADLINE_DEFINITIONS
    ]
    out.insert(
        5,
        _median(
            "Median investigation duration",
            now["_duration"],
            before["_duration"],
            cases.DEFINITIONS["investigation_duration"],
            k,
        ),
    )
    cov = training.mandatory_coverage(con, period.end, entity).row(0, named=True)
    cov_before = training.mandatory_coverage(con, period.start, entity).row(0, named=True)
    out.append(
        Headline(
            "Mandatory coverage at the meeting",
            f"{cov['coverage']:.1%}" if cov["coverage"] is not None else "no data",
            f"{cov_before['coverage']:.1%}" if cov_before["coverage"] is not None else "no data",
            _change(cov["coverage"], cov_before["coverage"], "%"),
            training.definition("mandatory_coverage")
            + f" At the meeting: {cov['covered']:,} of {cov['active']:,}; previous: at the previous meeting.",
            cov["coverage"],
            cov_before["coverage"],
            True,
            "%",
        )
    )
    risk = training.audit_risk(con, period.end, entity)
    risk_before = training.audit_risk(con, period.start, entity)
    flagged, flagged_before = int(risk["flagged"].sum()), int(risk_before["flagged"].sum())
    out.append(
        Headline(
            "Missions flagged as audit risks",
            f"{flagged:,} of {risk.height:,}",
            f"{flagged_before:,} of {risk_before.height:,}",
            _change(flagged, flagged_before, ""),
            training.definition("audit_risk") + " Previous: at the previous meeting.",
            flagged,
            flagged_before,
            True,
        )
    )
    extra = {"risk": risk, "risk_before": risk_before, "coverage": cov}
    return out, extra


def _by_entity(con, period: Period, k: int) -> pl.DataFrame:
    """The Champion's office variant: each entity's headline counts side by side with the total,
    suppressed together (an entity's small count must not be recoverable from the total)."""
    entities = [r[0] for r in con.sql("select distinct entity from cases order by 1").fetchall()]
    figures = {e: _case_figures(con, period, e) for e in entities}
    rows = []
    for label in HEADLINE_DEFINITIONS:
        values = [int(figures[e][label]) for e in entities]
        cells = [*values, sum(values)]
        hidden = suppress(cells, [Line(tuple(range(len(values))), len(values))], k)
        rows.append(
            {
                "figure": label,
                **{
                    e: (f"<{k}" if h else f"{v:,}")
                    for e, v, h in zip([*entities, "All entities"], cells, hidden, strict=True)
                },
            }
        )
    total = cases.investigation_duration(con, period)
    rows.append(
        {
            "figure": "Median investigation duration",
            **{
                e: statistic_label(
                    figures[e]["_duration"]["median_days"],
                    figures[e]["_duration"]["n"],
                    False,
                    k=k,
                )
                for e in entities
            },
            "All entities": statistic_label(total["median_days"], total["n"], False, k=k),
        }
    )
    cov = training.mandatory_coverage(con, period.end, by="entity")
    total = training.mandatory_coverage(con, period.end).row(0, named=True)
    rows.append(
        {
            "figure": "Mandatory coverage at the meeting",
            **{r["entity"]: f"{r['coverage']:.1%}" for r in cov.iter_rows(named=True)},
            "All entities": f"{total['coverage']:.1%}",
        }
    )
    return pl.DataFrame(rows).fill_null("no data")


def _points(headlines: list[Headline], extra: dict, overdue: str, k: int) -> list[str]:
    """Plain sentences on the largest changes, each with its figures."""
    ranked = []
    for h in headlines:
        if not h.published or h.exact_value is None or h.exact_previous is None:
            continue
        if h.unit == "%":
            delta = (h.exact_value - h.exact_previous) * 100
            if abs(delta) >= 1:
                verb = "rose" if delta > 0 else "fell"
                ranked.append(
                    (
                        abs(delta) / 10,
                        f"{h.label} {verb} from {h.previous} to {h.value} ({delta:+.1f} points).",
                    )
                )
            continue
        if h.label == "Missions flagged as audit risks":
            continue  # worded below, with the missions newly flagged
        delta = h.exact_value - h.exact_previous
        if delta == 0:
            continue
        base = max(h.exact_previous, k)
        verb = "rose" if delta > 0 else "fell"
        unit = " days" if h.unit == "days" else ""
        pct = f", {delta / h.exact_previous:+.0%}" if h.exact_previous else ""
        ranked.append(
            (
                abs(delta) / base,
                f"{h.label} {verb} from {h.previous} to {h.value} "
                f"({delta:+,.0f}{unit}{pct}) against the previous period of equal length.",
            )
        )
    points = [text for _, text in sorted(ranked, key=lambda x: -x[0])[:4]]
    risk, before = extra["risk"], extra["risk_before"]

    def missions(frame: pl.DataFrame) -> set[str]:
        rows = frame.filter(pl.col("flagged")).select("entity", "mission").iter_rows()
        return {m if len(entities) == 1 else f"{e} {m}" for e, m in rows}

    entities = set(risk["entity"].to_list())
    flagged = missions(risk)
    new = sorted(flagged - missions(before))
    if flagged:
        points.append(
            f"{len(flagged)} missions are flagged as audit risks ('PSEA training irregular'); "
            f"{len(new)} of them newly since the previous meeting"
            + (f" ({', '.join(new[:8])}{', …' if len(new) > 8 else ''})." if new else ".")
        )
    if overdue not in ("0", "no data"):
        points.append(
            f"{overdue} investigations have been open for more than "
            f"{settings()['investigations']['overdue_after_days']} days at the cut-off."
        )
    green = float(settings()["indicators"]["coverage"]["green"])
    cov = extra["coverage"]
    if cov["coverage"] is not None and cov["coverage"] < green:
        # one point on coverage: its level against the bound, with the change folded in
        points = [p for p in points if not p.startswith("Mandatory coverage")]
        before = next(h for h in headlines if h.label.startswith("Mandatory coverage")).previous
        points.append(
            f"Mandatory PSEA coverage is {cov['coverage']:.1%} ({cov['covered']:,} of {cov['active']:,} "
            f"personnel), below the {green:.0%} green bound; it was {before} at the previous meeting."
        )
    return points


def _loads(con, cutoff: dt.date, entity: str | None) -> pl.DataFrame:
    """The accepted loads whose snapshots the brief reads at the cut-off."""
    from data_contracts import contracts

    picks = " union all ".join(
        f"select distinct '{kind}' as kind, entity, as_of from {kind}_snapshot($cutoff)"
        for kind in contracts()
    )
    return con.sql(
        f"""
        with picks as ({picks})
        select distinct m.kind, m.as_of, m.load_id, m.file_name from load_manifest m
        join picks p on m.kind = p.kind and m.as_of = p.as_of
        where m.status = 'accepted' and list_contains(string_split(m.entities, ','), p.entity)
          and ($entity is null or p.entity = $entity)
        order by m.kind, m.as_of
        """,
        params={"cutoff": cutoff, "entity": entity},
    ).pl()


def _text_table(published: pl.DataFrame, category: str, column: str) -> pl.DataFrame:
    return published.select(pl.col(category).cast(pl.String), pl.col("shown").alias(column))


def build_brief(con, meeting_date: dt.date, entity: str | None = None) -> Brief:
    """The brief for the meeting on `meeting_date`, for one entity or (None) all entities."""
    k = suppression_k()
    period, meeting_title, ad_hoc = meeting_period(con, meeting_date)
    headlines, extra = _headlines(con, period, entity, k)
    overdue = count_label(cases.overdue_investigations(con, period.end, entity), False, k)
    sections: list[Section] = []

    trend = suppress_breakdown(
        cases.allegations_by_quarter(con, Period(years_before(period.end, 3), period.end), entity)
    )
    milestones = con.sql("select date, label from ref_milestones").pl()
    sections.append(
        Section(
            "Allegations over the last three years",
            [cases.DEFINITIONS["allegations_received"]],
            figures=[
                Figure(
                    "Allegations received per quarter, with the milestones of the PSEA work",
                    charts.quarterly_trend(
                        trend, milestones, title="Allegations received per quarter", k=k
                    ),
                )
            ],
        )
    )
    status = suppress_breakdown(cases.status_counts(con, period, entity))
    status_column = next(c for c in status.columns if c not in ("count", "shown", "suppressed"))
    sections.append(
        Section(
            "Cases received since the previous meeting",
            [
                f"Status at the cut-off of the cases received in the period. Overdue investigations "
                f"(open more than {settings()['investigations']['overdue_after_days']} days at the "
                f"cut-off, any date received): {overdue}."
            ],
            tables=[
                Table(
                    "Cases received in the period, by status",
                    _text_table(status, status_column, "cases"),
                )
            ],
        )
    )
    by_region = training.mandatory_coverage(con, period.end, entity, by="region")
    completions = training.completions_by_course(con, period, entity)
    cbcm = training.cbcm_trainings(con, period)
    sections.append(
        Section(
            "Training",
            [
                training.definition("mandatory_coverage"),
                "CBCM (community-based complaint mechanism) trainings in the period: "
                + (
                    f"{cbcm.height} responses in {cbcm['country'].n_unique()} countries."
                    if cbcm.height
                    else "none recorded."
                ),
            ],
            tables=[
                Table(
                    "Mandatory PSEA coverage at the meeting, by region",
                    by_region.select(
                        "region",
                        pl.col("covered").map_elements(lambda v: f"{v:,}", return_dtype=pl.String),
                        pl.col("active").map_elements(lambda v: f"{v:,}", return_dtype=pl.String),
                        pl.col("coverage").map_elements(
                            lambda v: f"{v:.1%}", return_dtype=pl.String
                        ),
                    ),
                ),
                Table(
                    "Course completions in the period",
                    completions.select(
                        "course",
                        pl.col("completions").map_elements(
                            lambda v: f"{v:,}", return_dtype=pl.String
                        ),
                    ),
                ),
                *(
                    [Table("CBCM trainings in the period", cbcm.select(pl.all().cast(pl.String)))]
                    if cbcm.height
                    else []
                ),
            ],
            figures=[
                Figure(
                    "Mandatory PSEA coverage by region at the meeting",
                    charts.breakdown_bars(
                        by_region.rename({"coverage": "coverage_share"}),
                        "region",
                        "coverage_share",
                        title="Mandatory coverage by region",
                    ),
                )
            ],
        )
    )
    risk = extra["risk"].filter(pl.col("flagged"))
    published = managers.publish(managers.scorecard(con, period.end, entity), exact=False)
    colours = managers.colour_counts(published)
    colour_table = (
        colours.pivot(on="status", index="indicator", values="managers")
        .fill_null(0)
        .select(
            "indicator",
            *[s for s in managers.STATUSES if s in colours["status"].unique().to_list()],
        )
    )
    sections.append(
        Section(
            "Missions flagged as audit risks, and managers' indicators",
            [
                training.definition("audit_risk"),
                f"{risk.height} missions flagged at the cut-off. Managers' PSEA indicators at the cut-off "
                f"({published.height:,} managers), counted per status colour.",
            ],
            tables=[
                Table(
                    "Missions flagged as audit risks",
                    risk.select(
                        "entity",
                        "mission",
                        pl.col("staff_sessions").cast(pl.String).alias("staff sessions"),
                        pl.col("coverage").map_elements(
                            lambda v: f"{v:.1%}", return_dtype=pl.String
                        ),
                        "reason",
                    ),
                ),
                Table(
                    "Managers per status colour of each indicator",
                    colour_table.with_columns(pl.exclude("indicator").cast(pl.String)),
                ),
            ],
            figures=[
                Figure(
                    "Managers per status colour of each indicator",
                    charts.status_bars(colours, title="Managers per colour"),
                )
            ],
        )
    )
    return Brief(
        title=f"Brief for the PSEA Senior Focal Points meeting of {meeting_date.isoformat()}",
        meeting=meeting_date,
        meeting_title=meeting_title,
        ad_hoc=ad_hoc,
        period=period,
        entity=entity,
        k=k,
        loads=_loads(con, period.end, entity),
        headlines=headlines,
        by_entity=_by_entity(con, period, k) if entity is None else None,
        points=_points(headlines, extra, overdue, k),
        sections=sections,
        generated_at=dt.datetime.now(dt.UTC),
    )
