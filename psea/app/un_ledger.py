"""The UN quarterly page's ledger: what is still to send, and every production with its files
exactly as produced (downloads audit-logged)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from pipelines.un_submissions import ledger_version, production_files, productions
from psea.app.access import Viewer
from psea.app.page import audited, dataframe
from psea.app.session import open_connection, warehouse_cursor
from psea.metrics import memo
from psea.metrics.un_outstanding import Outstanding, outstanding
from psea.settings import settings

SHOWN_QUARTERS = 8  # quarters never produced named on the page; the rest are counted


@st.cache_resource(max_entries=16, show_spinner=False)  # shared, never copied: read only
def _outstanding(warehouse: str, version: str, entity: str) -> Outstanding:
    cursor = warehouse_cursor(warehouse)
    try:
        return outstanding(cursor, entity)
    finally:
        cursor.close()


def ledger_view(con, entity: str) -> Outstanding:
    """The entity's ledger as the data stand: every quarter's submission and what is still to
    send, computed once per state of the loads, of the ledger and of the settings (the walk reads
    every quarter: 1.2 s on the scale-1 demo, 5 s at scale 10). Not per snapshot of the store:
    the page's own audit entry, a saved key message or a release move the snapshot on and change
    nothing of it."""
    version = f"{memo.loads_state(con)}|{ledger_version(con, entity)}|{settings()!r}"
    return _outstanding(st.session_state["warehouse"], version, entity)


def show_outstanding(left: Outstanding) -> None:
    st.subheader("Still to send")
    current = left.current
    if current is None:
        st.text("No case data yet.")
        return
    state = "under way" if left.under_way else "ended"
    if left.current_sent:
        st.text(
            f"{current.label} ({state}) was sent by production {left.current_sent}, as the case "
            f"data of {current.as_of} stand: nothing of it is still to send."
        )
    else:
        st.caption(
            f"{current.label} ({state}), as the case data of {current.as_of} stand: what its "
            "submission will send beyond the allegations received in it."
        )
    for name, table in left.lists().items():
        st.markdown(f"**{name.capitalize()}**: {table.height}")
        if table.height:
            dataframe(table, hide_index=True)
    if left.not_produced:
        named = ", ".join(left.not_produced[:SHOWN_QUARTERS])
        more = len(left.not_produced) - SHOWN_QUARTERS
        st.markdown(
            f"**Quarters never produced**: {len(left.not_produced)} ({named}"
            + (f" and {more} earlier" if more > 0 else "")
            + ")"
        )
    for revised in left.revised:
        st.warning(
            f"{revised.quarter} would now come out differently from production "
            f"{revised.production_id} (a snapshot revised since): "
            + "; ".join(revised.differences)
            + ". Produce it again to send the revision."
        )


def show_productions(con, viewer: Viewer, entity: str) -> None:
    st.subheader("Productions")
    st.caption(
        "Every production, here or by `psea report un-quarterly`, kept with the snapshot it read "
        "and its files exactly as produced (SHA-256 in each manifest)."
    )
    made = productions(con, entity)
    if made.is_empty():
        st.text(f"No submission of {entity} has been produced yet.")
        return
    dataframe(
        made.select(
            "production_id",
            "quarter",
            "cases_as_of",
            "allegations",
            "reported_late",
            "updates",
            "withdrawn",
            "produced_by",
            pl.col("produced_at").dt.strftime("%Y-%m-%d %H:%M:%S"),
            pl.col("differs_from_previous").replace_strict(
                {True: "yes", False: "no", None: "first"}, return_dtype=pl.String
            ),
        ),
        hide_index=True,
    )
    picked = st.selectbox("Production", made["production_id"].to_list(), key="uq_production")
    warehouse = st.session_state["warehouse"]
    for name in sorted(production_files(con, picked)):
        st.download_button(
            f"Download {name} as produced",
            data=audited(
                viewer,
                lambda name=name: production_files(open_connection(warehouse).cursor(), picked)[
                    name
                ],
                what="un_production",
                production_id=picked,
                file=name,
            ),
            file_name=f"{picked}_{name}",
            key=f"uq_download_{name}",
            on_click="ignore",
        )
