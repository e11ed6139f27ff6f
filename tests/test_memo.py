"""Figures memoised per state of the loaded extracts (psea.metrics.memo): computed once while the
extracts stay the same, again after any load, never from the memo inside a write."""

from __future__ import annotations

import datetime as dt

from extracts import AS_OF, training, write_csv

from pipelines.load import ingest
from pipelines.progress import save_part
from pipelines.warehouse import connect
from pipelines.writes import transaction
from psea.metrics import training as training_figures
from psea.metrics.memo import per_load_state

ON = dt.date.fromisoformat(AS_OF)


def test_a_figure_is_computed_once_per_state_of_the_extracts(loaded_warehouse, tmp_path):
    con = connect(loaded_warehouse)
    runs: list[dt.date] = []

    @per_load_state
    def completions(con, on: dt.date) -> int:
        runs.append(on)
        return con.sql("select count(*) from training_at($on)", params={"on": on}).fetchall()[0][0]

    first = completions(con, ON)
    assert (completions(con, ON), len(runs)) == (first, 1)
    completions(con, ON - dt.timedelta(days=1))  # other arguments: another figure
    assert len(runs) == 2
    # a write that is not a load (the focal point's key messages) keeps the figures
    save_part(
        con, ON, "IOM", "key_messages", ["Training reached every mission."], "fp", "focal_point"
    )
    completions(con, ON)
    assert len(runs) == 2
    # a new training snapshot: the figure is computed again, and counts the new rows
    later = "2018-09-30"
    rows = [{**r, "as_of": later} for r in training()]
    rows.append({**rows[0], "person_ref": f"{999:016x}", "completed_on": "2018-08-01"})
    folder = tmp_path / "more"
    folder.mkdir()
    outcome = ingest(con, [write_csv(folder, f"training_{later}.csv", rows)], run_gx=False)[0]
    assert outcome.status == "accepted", outcome.problems
    on = dt.date.fromisoformat(later)
    assert completions(con, on) == first + 1 and len(runs) == 3
    # inside a write, never from the memo (the write's own rows are not in the manifest yet)
    with transaction(con):
        completions(con, on)
    assert len(runs) == 4
    con.close()


def test_the_memo_returns_the_metric_layers_figure(loaded_warehouse):
    con = connect(loaded_warehouse)
    memoised = training_figures.mandatory_coverage(con, ON, by=("entity", "mission"))
    again = training_figures.mandatory_coverage(con, ON, by=["entity", "mission"])
    exact = training_figures.coverage_counted(con, ON, None, ("entity", "mission"))  # the SQL
    assert memoised.equals(exact) and again.equals(exact)
    con.close()


def test_a_rerun_reads_the_store_state_once_until_this_process_writes(loaded_warehouse, tmp_path):
    """A page's rerun (a cursor with `reads`) asks the catalog for the snapshot once, and again
    after any write of this process, on any connection: a load in the same rerun (the Load page)
    is seen by the figures computed after it."""
    from pipelines.store import current_snapshot
    from pipelines.writes import read_snapshot
    from psea.metrics.memo import loads_state

    page = connect(loaded_warehouse).cursor()
    page.reads = {}
    other = connect(loaded_warehouse)
    before, loads = read_snapshot(page), loads_state(page)
    assert before == current_snapshot(page)
    rows = [{**r, "as_of": "2018-09-30"} for r in training()]
    folder = tmp_path / "later"
    folder.mkdir()
    outcome = ingest(other, [write_csv(folder, "training_2018-09-30.csv", rows)], run_gx=False)[0]
    assert outcome.status == "accepted", outcome.problems
    after = read_snapshot(page)
    assert after == current_snapshot(page) > before
    assert loads_state(page) != loads
    plain = connect(loaded_warehouse)  # no rerun: the catalog, every time
    assert plain.reads is None and read_snapshot(plain) == after
