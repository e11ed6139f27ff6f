"""The snapshot macros read which snapshots are held from the load manifest (psea/pipelines
macros.py): they give exactly the rows the table itself would, after corrected re-sends too."""

from __future__ import annotations

import datetime as dt

from extracts import training, write_csv

from data_contracts import contracts
from pipelines.load import ingest
from pipelines.warehouse import connect

DATES = [dt.date(2017, 12, 31), dt.date(2018, 6, 30), dt.date(2018, 8, 1), dt.date(2019, 1, 1)]


def _by_table(con, kind: str, key: str, d: dt.date):
    """The definition the macros had: each key's latest as_of on or before d, from the table."""
    return con.sql(
        f"""with pick as (select {key}, coalesce(max(as_of) filter (where as_of <= $d),
                                                    min(as_of)) as as_of from {kind} group by all)
            select count(*), sum(hash(t::varchar)) from ({kind} t join pick using ({key}, as_of)) t""",
        params={"d": d},
    ).fetchall()


def _by_macro(con, kind: str, d: dt.date):
    return con.sql(
        f"select count(*), sum(hash(t::varchar)) from {kind}_snapshot($d) t", params={"d": d}
    ).fetchall()


def test_snapshots_read_from_the_manifest_equal_the_tables_after_a_partial_re_send(
    loaded_warehouse, tmp_path
):
    con = connect(loaded_warehouse)
    later = "2018-07-31"
    folder = tmp_path / "more"
    folder.mkdir()
    rows = [{**r, "as_of": later} for r in training()]
    wfp = [{**r, "entity": "WFP", "person_ref": f"{900 + i:016x}"} for i, r in enumerate(rows)]
    both = rows + wfp
    first = ingest(con, [write_csv(folder, f"training_{later}.csv", both)], run_gx=False)[0]
    assert first.status == "accepted", first.problems
    # IOM's part of that snapshot sent again, corrected: WFP's rows of the first file stay
    corrected = rows[:-1]
    again = ingest(con, [write_csv(folder, f"training_c_{later}.csv", corrected)], run_gx=False)
    assert again[0].status == "accepted", again[0].problems
    for kind, contract in contracts().items():
        key = ", ".join(contract.snapshot_key)
        for d in DATES:
            assert _by_macro(con, kind, d) == _by_table(con, kind, key, d), (kind, d)
    on = dt.date.fromisoformat(later)
    entities = con.sql("select distinct entity from training_at($d)", params={"d": on}).fetchall()
    assert sorted(e for (e,) in entities) == ["IOM", "WFP"]
    assert con.sql("select count(*) from training_current").fetchall()[0][0] == 2 * 3 - 1
    con.close()
