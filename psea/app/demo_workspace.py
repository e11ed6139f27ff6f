"""The demo's meeting workspace: each entity's progress report for the last four meetings the demo
added to the calendar (the next one included; the seed's meetings are history), written as focal
points would, through pipelines.progress (so every line passes the identifier rules, every version
is kept and audit-logged).

The lines come from templates that name the demo's own events (pipelines.demo.story) and figures
read from the metric layer as of the meeting's data. A case figure is written only when it is
large (20 or more) and then rounded ("about 90"), as a focal point quotes a brief; smaller ones are
said in words, so no line can tell a count the release withholds. Held meetings get a draft, then
the final version; the next meeting's report is still a draft.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from pipelines.demo.story import Story
from pipelines.progress import add_action_point, save_part, update_action_point
from psea.disclosure import grid
from psea.metrics import Period, catalog, facts, training

MEETINGS = 4
LARGE = 20  # a case count below this is said in words, never as a number
ROSTER_ENTITIES = ("IOM", "UNHCR", "WFP", "UNICEF")


@dataclass(frozen=True)
class Counts:
    """Allegations per entity and quarter as of a meeting's data, in total and by channel."""

    frame: pl.DataFrame  # entity, quarter (first day), group ('total' or a channel), count

    @classmethod
    def as_of(cls, con, cutoff: dt.date) -> Counts:
        counted = facts.count_by_quarter(con, "allegations", cutoff)
        return cls(
            counted.filter(pl.col("breakdown").is_in(["total", "reporting_channel"])).select(
                "entity", "quarter", "group", "count"
            )
        )

    def sum(self, entity: str, quarters: list[dt.date], group: str = "total") -> int:
        rows = self.frame.filter(
            (pl.col("entity") == entity)
            & pl.col("quarter").is_in(quarters)
            & (pl.col("group") == group)
        )
        return int(rows["count"].sum())


@dataclass(frozen=True)
class Moment:
    """What an entity's report for one meeting can say."""

    entity: str
    meeting: dt.date
    period: Period  # the meeting's grid quarters, as of its data
    previous: Period | None
    reported_to: dt.date  # the entity's case data end here
    next_meeting: bool

    def after(self, day: dt.date) -> bool:
        return self.period.end >= day


def _month(day: dt.date) -> str:
    return day.strftime("%B %Y")


def _quarter(day: dt.date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def _about(count: int | None) -> str | None:
    return None if count is None or count < LARGE else f"about {round(count, -1):,}"


def _quarters(m: Moment, period: Period) -> list[dt.date]:
    """The first days of the period's quarters the entity's case data reach."""
    out, day = [], period.start + dt.timedelta(days=1)
    while day <= min(period.end, m.reported_to):
        out.append(day)
        day = grid.next_quarter(day)
    return out


def _share_words(part: int, whole: int) -> str:
    """A share in words, as a focal point would round it."""
    words = {0.1: "a tenth", 0.2: "a fifth", 0.25: "a quarter", 1 / 3: "a third", 0.4: "two fifths"}
    words |= {0.5: "half", 0.6: "three fifths", 2 / 3: "two thirds", 0.75: "three quarters"}
    nearest = min(words, key=lambda w: abs(w - part / whole))
    return "about " + words[nearest]


def _allegations_line(m: Moment, counts: Counts, campaign: dt.date | None) -> str:
    now = _quarters(m, m.period)
    total = counts.sum(m.entity, now)
    where = "in the period" if m.reported_to >= m.period.end else "in the quarters reported"
    before = _quarters(m, m.previous) if m.previous else []
    earlier = counts.sum(m.entity, before)
    if total < LARGE or earlier < LARGE:
        return (
            f"Allegations received {where}: {_about(total)}."
            if _about(total)
            else f"Allegations received {where} are few: the figures annex gives them as published."
        )
    change = round(100 * (total / len(now)) / (earlier / len(before)) - 100, -1)
    if abs(change) < 10:
        trend = "about the same as"
    else:
        trend = f"{'up' if change > 0 else 'down'} by about {abs(change):.0f}% on"
    why = ""
    if campaign and m.after(campaign) and change >= 10:
        why = (
            f", after the speak-up campaign and the new hotline of {_month(campaign)}; more "
            "reports read as better reporting, not more abuse"
        )
    elif change <= -10 and m.entity == "WFP":
        why = "; fewer reports may mean that partners' sites under-report, and we are checking"
    return (
        f"Allegations received {where}: {_about(total)}, {trend} the previous period per "
        f"quarter{why}."
    )


def _hotline_line(m: Moment, counts: Counts) -> str | None:
    quarters = _quarters(m, m.period)
    outside = counts.sum(m.entity, quarters) - counts.sum(m.entity, quarters, "cbcm")
    hotline = counts.sum(m.entity, quarters, "hotline")
    if outside < LARGE or not hotline:
        return None
    return (
        f"{_share_words(hotline, outside).capitalize()} of the reports made outside "
        "the CBCMs came through the new hotline; callers are referred to services within days."
    )


def _coverage_line(con, m: Moment) -> str | None:
    if m.entity not in ROSTER_ENTITIES:
        return None
    row = training.mandatory_coverage(con, min(m.period.end, m.reported_to), m.entity).row(
        0, named=True
    )
    if not row["active"]:
        return None
    share = row["coverage"]
    aim = "above" if share >= 0.95 else "below"
    return (
        f"Mandatory PSEA coverage is {share:.0%} of personnel at the end of the period, {aim} "
        "the 95% target; the managers' indicators name the teams behind it."
    )


VICTIMS = {  # how each entity's victims are assisted, said in words
    "IOM": "Most victims had their needs assessed within two weeks of the report; a few waited "
    "months where services are far from the sites.",
    "UNHCR": "Most victims had their needs assessed within two weeks; protection partners "
    "follow those who wait.",
    "WFP": "Victims are referred through the GBV referral pathways of the distribution sites.",
    "UNICEF": "Child victims are referred to child protection services the day they are known.",
}
OTHER_VICTIMS = "Victims are referred to the local GBV services the inter-agency networks map."


def _report(con, m: Moment, counts: Counts, story: Story) -> dict[str, list[str]]:
    """The final version of each part for an entity and meeting."""
    e, campaign = m.entity, story.campaign if m.entity == "IOM" else None
    key = [_allegations_line(m, counts, campaign)]
    done, hard, asks = [], [], []
    if e == "IOM":
        if m.after(story.campaign):
            hotline = _hotline_line(m, counts)
            if hotline:
                key.append(hotline)
            done.append(
                f"Launched the speak-up campaign and a toll-free hotline in the large operations "
                f"in {_month(story.campaign)}, with partners' personnel trained on referrals."
            )
        else:
            done.append(
                "Agreed the speak-up campaign and the new hotline with the regional offices."
            )
        if m.after(story.backlog_from):
            key.append(
                "Investigations opened in South Sudan since "
                f"{_month(story.backlog_from)} take more than twice as long as elsewhere: "
                "a backlog the Office of the Inspector General is clearing."
            )
            hard.append(
                "Investigation backlog in South Sudan: investigators were redeployed to the "
                "emergency response, and cases there stay open past 180 days."
            )
            asks.append("Support for an inter-agency roster of investigators in East Africa.")
        hard.append(
            "Some allegations reach the case system after the quarter they were received in: "
            "the UN quarterly submission sends them as entered late."
        )
        asks.append("Joint funding for the inter-agency CBCMs where the hotline refers calls.")
        if m.next_meeting:
            done.append(
                f"Re-sent the {_quarter(story.resent_as_of)} case extract corrected: the first "
                "file was exported before the quarter's last case updates were recorded."
            )
    elif e == "UNHCR":
        if m.after(story.cluster_quarter + dt.timedelta(days=80)):
            key.append(
                f"A cluster of allegations in Bangladesh in {_quarter(story.cluster_quarter)} "
                "concerns one partner's distribution sites; the partner agreement is suspended "
                "pending the investigation."
            )
            hard.append(
                "The cluster in Bangladesh shows how one partner's sites can go unchecked: "
                "partner monitoring visits are now quarterly."
            )
        hard.append(
            "Our extracts are sent one quarter after the others while the case system migrates: "
            "the last quarter of a period is not yet reported at the meeting."
        )
        asks.append("Common partner screening across agencies in the large refugee responses.")
    elif e == "WFP":
        hard.append(
            "Reports have fallen for three years; community feedback channels at food "
            "distributions in Yemen and South Sudan are under review."
        )
        asks.append("Inter-agency community feedback data to compare reporting rates.")
    elif e == "UNICEF":
        key.append(
            "Most allegations concern implementing partners' personnel; partner PSEA capacity "
            "assessments continue before every new agreement."
        )
        hard.append("Partners' staff turnover means their PSEA training has to be repeated yearly.")
        asks.append("Joint funding for partners' PSEA capacity in the fragile contexts.")
    else:  # the NGOs
        key.append(
            "Community awareness sessions reached the camps and host communities of our largest "
            "responses."
        )
        hard.append("Our partners' reporting reaches us late from remote sites.")
        asks.append("Access for NGOs to the inter-agency community-based complaint mechanisms.")
    key.append(VICTIMS.get(e, OTHER_VICTIMS))
    coverage = _coverage_line(con, m)
    if coverage:
        key.append(coverage)
    done.append(
        "Held the quarterly awareness sessions with staff, partners and communities in the "
        "large operations."
    )
    if m.next_meeting and e in ("IOM", "UNICEF"):
        hard.append(
            "Country capacity slipped over the year: the PSEA coordinator post in Chad is vacant "
            "and the network in Libya has lost its co-chairs."
        )
    return {"key_messages": key[:5], "accomplishments": done, "challenges": hard, "requests": asks}


# (raised at meeting index, entity, action, owner, days to due, {meeting index: new status})
# fmt: off
POINTS = [
    (0, "IOM", "Launch the speak-up campaign and the hotline in the ten largest operations",
     "PSEA Unit", 60, {1: "done"}),
    (0, "IOM", "Share the referral pathways with every hotline operator", "Regional Offices",
     120, {1: "in_progress", 2: "done"}),
    (1, "IOM", "Recruit two investigators for South Sudan", "Office of the Inspector General",
     90, {2: "in_progress"}),
    (3, "IOM", "Export case updates after the quarter's last working day",
     "Case management unit", 45, {}),
    (0, "UNHCR", "Move the case extract to the common quarterly rhythm", "Senior Focal Point",
     180, {2: "in_progress"}),
    (1, "UNHCR", "Review partner screening in the Bangladesh refugee response",
     "Regional Office for Asia and the Pacific", 90, {2: "done"}),
    (1, "WFP", "Review community feedback channels at distribution sites", "PSEA Unit", 120,
     {3: "in_progress"}),
    (0, "UNICEF", "Complete partner PSEA capacity assessments", "Partnerships unit", 150,
     {2: "done"}),
    (2, "UNICEF", "Fund a PSEA coordinator in Chad with the network", "Senior Focal Point", 90,
     {}),
    (0, "NRC", "Join the inter-agency CBCMs in two more countries", "Senior Focal Point", 180,
     {3: "dropped"}),
    (1, "IRC", "Train partners' staff on reporting obligations", "PSEA Unit", 120,
     {3: "done"}),
]
# fmt: on


def _draft(lines: list[str]) -> list[str]:
    """A draft: the first lines, the last still to be written."""
    return lines[: max(1, len(lines) - 1)]


def write_meeting_workspace(con, story: Story) -> int:
    """The reports and action points of the calendar's last four meetings; the writes made."""
    meetings = catalog.meetings(con)
    calendar = meetings["meeting_date"].to_list()
    added = meetings.filter(pl.col("source") == "added")["meeting_date"].to_list()
    written = 0
    raised: dict[int, str] = {}
    for index, meeting in enumerate(added[-MEETINGS:]):  # the seed's meetings are history
        data_as_of = min(meeting, story.end)
        counts = Counts.as_of(con, data_as_of)
        this = grid.meeting(meeting, calendar)
        earlier = grid.previous(this, calendar)
        period = Period(this.period.start, this.period.end, data_as_of)
        previous = Period(earlier.period.start, earlier.period.end, data_as_of) if earlier else None
        for entity, reported_to in sorted(catalog.case_coverage(con, data_as_of).items()):
            actor = f"demo-focal_point-{entity.lower()}"
            moment = Moment(entity, meeting, period, previous, reported_to, meeting > story.end)
            for part, lines in _report(con, moment, counts, story).items():
                for text in _versions(part, lines, moment.next_meeting):
                    save_part(con, meeting, entity, part, text, actor, "focal_point")
                    written += 1
            for n, (at, who, action, owner, due, moves) in enumerate(POINTS):
                if who != entity:
                    continue
                if at == index:
                    due_on = meeting + dt.timedelta(days=due)
                    raised[n] = add_action_point(
                        con, meeting, entity, action, owner, due_on, actor, "focal_point"
                    )
                    written += 1
                if n in raised and index in moves:
                    update_action_point(
                        con, raised[n], entity, meeting, actor, "focal_point", status=moves[index]
                    )
                    written += 1
    return written


def _versions(part: str, lines: list[str], next_meeting: bool) -> list[list[str]]:
    """What was saved, in order: a held meeting's key messages and accomplishments were drafted
    first, then finalised; the next meeting's report is a draft."""
    if next_meeting:
        return [_draft(lines)]
    if part in ("key_messages", "accomplishments") and len(lines) > 1:
        return [_draft(lines), lines]
    return [lines]
