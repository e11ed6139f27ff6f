"""Country capacity: PSEA capacity per country, per reporter and the network, gaps first."""

import polars as pl
import streamlit as st

from psea.app.page import page_context, show_table
from psea.metrics import capacity
from psea.present.labels import label

ctx = page_context("country_capacity")
st.title("Country PSEA capacity")
frame = capacity.capacity(ctx.con, ctx.period.end)
if frame.is_empty():
    st.info("No PSEA capacity extract is loaded yet.")
    st.stop()
reported = ", ".join(sorted({d.isoformat() for d in frame["as_of"].unique()}))
st.caption(
    f"Status in each reporter's latest report dated on or before {ctx.period.end.isoformat()} "
    f"(reports dated {reported})"
)

countries = capacity.by_country(frame)
with_gaps = countries.filter(countries["gaps"] > 0).height
left, middle, right = st.columns(3)
left.metric("Countries", f"{countries.height}", help=capacity.DEFINITIONS["status"])
middle.metric("Countries with gaps", f"{with_gaps}", help=capacity.DEFINITIONS["gaps"])
right.metric(
    "Items better / worse since the previous report",
    f"{int(countries['better'].sum())} / {int(countries['worse'].sum())}",
    help=capacity.DEFINITIONS["change"],
)

st.subheader("Countries, gaps first")
show_table(
    ctx,
    countries.select(
        "country_name",
        "reporters",
        "gaps",
        pl.col("no").alias("items_no"),
        "better",
        "worse",
        pl.col("latest_as_of").alias("latest_report"),
    ),
    "Countries, gaps first",
)

st.subheader("Each item, per reporter")
names = dict(countries.select("country", "country_name").iter_rows())
picked = st.selectbox(
    "Country",
    list(names),
    format_func=names.get,
    key="capacity_country",
    help="Countries with the most gaps first.",
)
table = capacity.item_grid(frame, picked)
STATUS_COLOURS = {
    "yes": "background-color: #d1f0d6",
    "partial": "background-color: #fff1c2",
    "no": "background-color: #f9d3d0",
    "not_applicable": "background-color: #eaeef2",
}


def colour(cell) -> str:
    """The status colour; the status is always written in words beside it."""
    return STATUS_COLOURS.get(str(cell).split(",")[0], "") if cell is not None else ""


def words(cell) -> str:
    """'partial, was no' -> 'Partly, was no': the status in plain words (psea.present.labels)."""
    if not cell:
        return "not reported"
    now, _, before = str(cell).partition(", was ")
    return label(now) + (f", was {label(before).lower()}" if before else "")


reporters = [c for c in table.columns if c != "item"]
styled = (
    table.with_columns(pl.col(reporters).fill_null(""))
    .to_pandas()
    .style.map(colour, subset=reporters)
    .format(words, subset=reporters)
    .format(label, subset=["item"])
)
st.dataframe(
    styled,
    hide_index=True,
    column_config={c: st.column_config.TextColumn(label(c)) for c in table.columns},
)
st.caption(
    "Green: yes · amber: partly · red: no · grey: not applicable. "
    "'Partly, was no' is a change since the reporter's previous report. "
    + capacity.DEFINITIONS["change"]
)
