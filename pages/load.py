"""Load extracts (analysts, administrators): upload files, check each against its contract with live
progress, load what passes (one transaction per file) and show exactly why a file was rejected."""

import tempfile
from pathlib import Path

import polars as pl
import streamlit as st

from data_contracts import contracts
from pipelines.load import ingest
from psea import exports
from psea.app.page import dataframe, require_page
from psea.app.session import connection
from psea.app.shell import login_configured

STATUS_TEXT = {
    "accepted": "accepted and loaded",
    "rejected": "rejected: nothing loaded",
    "already_loaded": "already loaded: nothing changed",
}

viewer = require_page("load")
st.title("Load extracts")
if viewer.demo:
    st.info(
        "Demo mode: files load into the synthetic demo warehouse. Do not upload real extracts here: "
        "loading real data requires login to be configured. The templates come from "
        "`psea demo --write-extracts DIR`."
    )
elif not login_configured():  # defence in depth: a real warehouse never loads without login
    st.error("Loading requires a configured identity provider.")
    st.stop()
st.caption(
    "Each file is checked against its data contract (every rule on every row, then the Great "
    "Expectations suite) and loaded in one transaction with its manifest row. A rejected file "
    "changes nothing in the warehouse. The kind comes from the file name or the choice below; "
    "the format (CSV, XLSX, Parquet) from the file's content."
)

kind = st.selectbox(
    "Extract kind",
    ["from the file name", *contracts()],
    key="load_kind",
    help="Needed only when a file's name does not say its kind (e.g. cases_2018-06-30.csv).",
)
files = st.file_uploader(
    "Extract files",
    type=["csv", "xlsx", "parquet"],
    accept_multiple_files=True,
    key="load_files",
    help="CSV (UTF-8, comma or semicolon), XLSX or Parquet; up to the server's upload limit each.",
)

if files and st.button("Check and load", type="primary", key="load_go"):
    con = connection()
    with tempfile.TemporaryDirectory(prefix="psea-upload-") as tmp:
        paths = []
        for upload in files:
            path = Path(tmp) / Path(upload.name).name  # no directory parts from the browser
            path.write_bytes(upload.getvalue())
            paths.append(path)
        with st.status(f"Checking {len(paths)} file(s)…", expanded=True) as status:
            bar = st.progress(0.0)
            seen: list[str] = []

            def progress(name: str, stage: str) -> None:
                if name not in seen:
                    seen.append(name)
                bar.progress(min(len(seen) / len(paths), 1.0), text=f"{name}: {stage}")

            outcomes = ingest(
                con,
                paths,
                kind=None if kind == "from the file name" else kind,
                load=True,
                actor=viewer.identity,
                role=viewer.role,
                progress=progress,
                entity=viewer.entity,  # an analyst loads their own entity's rows only
            )
            rejected = sum(o.status == "rejected" for o in outcomes)
            status.update(
                label=f"{len(outcomes) - rejected} of {len(outcomes)} file(s) passed",
                state="error" if rejected else "complete",
                expanded=False,
            )
    st.session_state["load_results"] = [o.as_dict() for o in outcomes]

for result in st.session_state.get("load_results", []):
    label = STATUS_TEXT.get(result["status"], result["status"])
    line = (
        f"**{result['file']}** ({result['kind'] or 'unknown kind'}"
        + (f", as_of {result['as_of']}" if result["as_of"] else "")
        + f"): {label}"
    )
    if result["status"] == "accepted":
        st.success(line + f" · {result['rows_loaded']:,} rows · load {result['load_id']}")
    elif result["status"] == "already_loaded":
        st.info(line)
    else:
        st.error(line + f" · {result['problem_count']:,} problem(s)")
        problems = pl.DataFrame(
            result["problems"],
            schema={
                "file": pl.String,
                "row": pl.Int64,
                "column": pl.String,
                "rule": pl.String,
                "message": pl.String,
                "value": pl.String,
            },
        ).select("row", "column", "rule", "message", "value")
        dataframe(problems, hide_index=True)
        if result["problem_count"] > problems.height:
            st.caption(
                f"The first {problems.height} of {result['problem_count']:,} problems are listed "
                "(a few per rule); fix these and check again."
            )
        st.download_button(
            "Download the problem list (CSV)",
            exports.table_bytes(problems, "csv"),
            file_name=f"problems_{Path(result['file']).stem}.csv",
            mime="text/csv",
            key=f"dl-problems-{result['file']}",
        )
    for note in result.get("notes", []):
        st.caption(f"Note: {note}")
