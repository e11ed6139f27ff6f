"""Investigations: status, funnel, days to assessment, duration against 90/180 days, outcomes."""

import streamlit as st

from psea.app.page import (
    breakdown_chart,
    breakdown_table,
    bundle_download,
    figure_metric,
    page_context,
    share_metric,
    show_table,
    statistic_metric,
)
from psea.disclosure.figures import (
    former_rule_overdue,
    funnel,
    open_case_ages,
    overdue_of_open,
    urgent_within_aim,
)
from psea.metrics import cases, timeliness
from psea.present.labels import labelled
from psea.settings import settings

ctx = page_context("investigations")
st.title("Investigations")
ctx.cutoff_note()
figures = ctx.figures
short, long = settings()["investigations"]["aims_days"]

c1, c2, c3, c4 = st.columns(4)
completed = figures.count("findings")
within_short = figures.count("findings", "duration", f"within_{short}_days")
with c1:
    statistic_metric(
        ctx,
        "Median days to assessment",
        figures.statistic("days_to_assessment"),
        cases.DEFINITIONS["days_to_assessment"],
        p90=True,
    )
with c2:
    statistic_metric(
        ctx,
        "Median investigation duration",
        figures.statistic("investigation_duration"),
        cases.DEFINITIONS["investigation_duration"],
        p90=True,
    )
with c3:
    share_metric(
        ctx,
        f"Completed within {short} days",
        within_short,
        completed,
        cases.DEFINITIONS["investigation_duration"],
    )
with c4:
    over = figures.count("findings", "duration", f"over_{long}_days")
    share_metric(
        ctx,
        f"Completed after more than {long} days",
        over,
        completed,
        cases.DEFINITIONS["investigation_duration"],
    )

st.subheader("Case status and timeliness")
overdue_days = settings()["investigations"]["overdue_after_days"]
open_cases = figures.stock("open_cases")
st.caption(
    f"Open cases as they stand at the date of the case data ({figures.stock_as_of()}), whatever "
    "the period; the other figures are the period's. The UN aims at six months at most from "
    f"receipt to outcome, three for the most urgent cases (a child victim)."
)
c1, c2, c3 = st.columns(3)
with c1:
    figure_metric(ctx, "Open cases", open_cases, help=timeliness.definition("open_case_age"))
with c2:
    share_metric(
        ctx,
        "Overdue cases (any stage)",
        overdue_of_open(figures),
        open_cases,
        timeliness.definition("overdue"),
    )
    st.caption(f"open more than {overdue_days} days since received, of all open cases")
with c3:
    figure_metric(
        ctx,
        "Former rule: investigations",
        former_rule_overdue(figures),
        help=timeliness.definition("overdue_investigations_former_rule"),
    )
    st.caption(f"open more than {overdue_days} days since the investigation opened")
show_table(
    ctx,
    labelled(open_case_ages(figures), ["stage"], headers=True),
    "Open cases by stage and days since received",
)
st.caption("How is this counted: " + timeliness.definition("open_case_age"))
st.caption(
    "Outcomes of the period (a finding or a closure) against six months from receipt; "
    "investigations completed in the period with a finding, urgent ones (a child victim) against "
    "three months from opening, the others against six."
)

outcomes = figures.count("outcomes")
urgency = urgent_within_aim(figures)
c1, c2, c3, c4 = st.columns(4)
with c1:
    statistic_metric(
        ctx,
        "Median to outcome",
        figures.statistic("time_to_outcome"),
        timeliness.definition("time_to_outcome"),
        p90=True,
    )
with c2:
    share_metric(
        ctx,
        f"Outcomes ≤ {long} days",
        figures.count("outcomes", "receipt_to_outcome", f"within_{long}_days"),
        outcomes,
        timeliness.definition("time_to_outcome"),
    )
with c3:
    share_metric(
        ctx,
        f"Urgent within {short} days",
        *urgency["urgent"],
        timeliness.definition("urgent_investigations"),
    )
with c4:
    share_metric(
        ctx,
        f"Others within {long} days",
        *urgency["other"],
        timeliness.definition("urgent_investigations"),
    )

breakdown_chart(
    ctx,
    funnel(figures),
    "stage",
    "From allegation to action, allegations received in the period",
    cases.DEFINITIONS["funnel"],
)
breakdown_chart(
    ctx,
    figures.breakdown("allegations", "status"),
    "status",
    "Status at the cut-off of allegations received in the period",
    cases.DEFINITIONS["status"],
)

actions = figures.breakdown("actions", "action")
if not actions.is_empty():
    st.subheader("Actions on alleged perpetrators of substantiated cases")
    breakdown_table(ctx, actions, "action", "subjects", by_count=True)
    st.caption("How is this counted: " + cases.DEFINITIONS["actions"])

received = figures.count("allegations")
c1, c2 = st.columns(2)
with c1:
    share_metric(
        ctx,
        "Referred to national authorities",
        figures.count("allegations", "referred", "yes"),
        received,
        cases.DEFINITIONS["referrals"],
    )
with c2:
    share_metric(
        ctx,
        "Interim measures taken",
        figures.count("allegations", "interim_measures", "yes"),
        received,
        cases.DEFINITIONS["referrals"],
    )

bundle_download(ctx, "Investigations")
