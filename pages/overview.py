"""Overview: the period's headline figures against the previous period, with the cut-off."""

import streamlit as st

from psea.app.page import (
    coverage_metric,
    figure_metric,
    page_context,
    personnel,
    share_metric,
    show_table,
)
from psea.disclosure.figures import overdue_cases
from psea.metrics import catalog, training
from psea.metrics.personnel import DEFINITION as RATE_DEFINITION
from psea.present.audit_risk import at_risk
from psea.present.comparison import compare
from psea.present.headlines import HEADLINES, OVERDUE
from psea.present.side_by_side import side_by_side

ctx = page_context("overview")
st.title("Overview")
ctx.cutoff_note()
now, before = ctx.figures, ctx.figures.previous()

columns = st.columns(4) + st.columns(4)
for column, headline in zip(columns, HEADLINES, strict=False):
    with column:
        if headline.denominator:
            share_metric(
                ctx, headline.label, headline.shown(now), headline.whole(now), headline.definition
            )
        else:
            figure_metric(
                ctx,
                headline.label,
                headline.shown(now),
                compare(now, before, headline.shown),
                headline.definition,
            )
with columns[len(HEADLINES)]:
    figure_metric(ctx, OVERDUE.label, overdue_cases(now), help=OVERDUE.definition)
with columns[len(HEADLINES) + 1]:
    coverage_metric(ctx)

flagged = personnel(ctx, "audit_risk")
st.metric(
    "Missions flagged as audit risks",
    f"{at_risk(flagged).height} of {int((~flagged['small']).sum())}",
    help=training.definition("audit_risk"),
)

if ctx.entity is None:  # the Champion's office: every entity side by side, with its workforce
    st.subheader("Entities side by side")
    entities = ctx.release.scopes if ctx.release else catalog.case_entities(ctx.con)
    side = side_by_side(ctx.figures, entities, personnel(ctx, "headcount"))
    show_table(ctx, side, "entities_side_by_side")
    st.caption(RATE_DEFINITION)
