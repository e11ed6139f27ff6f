"""Load extracts (analysts, administrators): upload files, check each against its contract with live
progress, load what passes (one transaction per file) and show exactly why a file was rejected."""

import tempfile
from pathlib import Path

import polars as pl
import streamlit as st

from data_contracts import contracts
from pipelines.bounds import read_limits
from pipelines.load import ingest
from psea.app.page import dataframe, require_page
from psea.app.precompute import precompute
from psea.app.session import connection
from psea.app.shell import login_configured
from psea.disclosure.published import ensure
from psea.metrics.catalog import CASE_KINDS
from psea.present import exports
from psea.present.labels import label

UPLOAD_NAME_BYTES = 200  # a name the file system takes (the shown name is bounded shorter)
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
st.caption(
    "Limits, checked before a file is read: "
    + "; ".join(read_limits().described())
    + f". This server takes uploads up to {st.get_option('server.maxUploadSize')} MB each."
    + (f" Every row of a file must be of {viewer.entity}." if viewer.entity else "")
)


def upload_path(folder: Path, name: str) -> Path:
    """Where an upload is written: its own folder (two uploads of one name never overwrite each
    other), no directory parts from the browser, a length the file system takes."""
    name = Path(name.replace("\x00", "_")).name.strip(".") or "upload"
    stem, suffix = Path(name).stem, Path(name).suffix[:16]
    while len((stem + suffix).encode()) > UPLOAD_NAME_BYTES:
        stem = stem[:-1]
    folder.mkdir()
    return folder / (stem + suffix if stem else "upload" + suffix)


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
        for number, upload in enumerate(files):
            path = upload_path(Path(tmp) / str(number), upload.name)
            path.write_bytes(upload.getvalue())
            paths.append(path)
        with st.status(f"Checking {len(paths)} file(s)…", expanded=True) as status:
            bar = st.progress(0.0)
            seen: list[str] = []

            def progress(name: str, stage: str) -> None:
                if name not in seen:
                    seen.append(name)
                # the text is Markdown: the file's number, never its user-supplied name
                done = min(len(seen) / len(paths), 1.0)
                bar.progress(done, text=f"file {len(seen)} of {len(paths)}: {stage}")

            outcomes = ingest(
                con,
                paths,
                kind=None if kind == "from the file name" else kind,
                load=True,
                actor=viewer.identity,
                role=viewer.role,
                progress=progress,
                entity=viewer.entity,  # an analyst loads their own entity's rows only
                # the release of new case data is published in the load's own transaction
                after_case_load=lambda c: ensure(c, viewer.identity, viewer.role),
            )
            if any(o.status == "accepted" and o.kind in CASE_KINDS for o in outcomes):
                bar.progress(1.0, text="building and auditing the release of case figures")
                ensure(con, viewer.identity, viewer.role)  # (built already, unless the last failed)
            if any(o.status == "accepted" for o in outcomes):
                bar.progress(1.0, text="computing the figures the pages open on")
                precompute(con)
            rejected = sum(o.status == "rejected" for o in outcomes)
            status.update(
                label=f"{len(outcomes) - rejected} of {len(outcomes)} file(s) passed",
                state="error" if rejected else "complete",
                expanded=False,
            )
    st.session_state["load_results"] = [o.as_dict() for o in outcomes]

for number, result in enumerate(st.session_state.get("load_results", [])):
    outcome = STATUS_TEXT.get(result["status"], result["status"])
    # the file's name is user-supplied: plain text, never Markdown or HTML
    st.text(
        f"{result['file']} ({label(result['kind'], 'kind') if result['kind'] else 'unknown kind'}"
        + (f", data as of {result['as_of']}" if result["as_of"] else "")
        + ")"
    )
    if result["status"] == "accepted":
        st.success(f"{outcome} · {result['rows_loaded']:,} rows · load {result['load_id']}")
    elif result["status"] == "already_loaded":
        st.info(outcome)
    else:
        st.error(f"{outcome} · {result['problem_count']:,} problem(s)")
        problems = pl.DataFrame(
            result["problems"],
            schema={
                "file": pl.String,
                "rule": pl.String,
                "message": pl.String,
                "row": pl.Int64,
                "column": pl.String,
            },
        ).select("row", "column", "rule", "message")
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
            key=f"dl-problems-{number}",
        )
    for note in result.get("notes", []):
        st.caption(f"Note: {note}")
