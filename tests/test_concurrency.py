"""Two loads at once, as two dashboard sessions do them: threads with their own cursor on one DuckDB
database. Neither corrupts the warehouse or the other, and the same file sent by both loads once."""

from __future__ import annotations

import threading

from extracts import VALID, write_csv

from pipelines.load import ingest
from pipelines.warehouse import connect


def _training(folder, as_of: str, shift: int):
    rows = [
        {**r, "as_of": as_of, "person_ref": f"{int(r['person_ref'], 16) + shift:016x}"}
        for r in VALID["training"]()
    ]
    return write_csv(folder, f"training_{as_of}.csv", rows), len(rows)


def test_two_sessions_loading_at_once_each_load_once_and_nothing_is_lost(tmp_path):
    con = connect(tmp_path / "w.duckdb")  # one database, as the app's cached connection
    for folder in ("a", "b", "same"):
        (tmp_path / folder).mkdir()
    own_a, rows_a = _training(tmp_path / "a", "2018-03-31", 0)
    own_b, rows_b = _training(tmp_path / "b", "2018-06-30", 1000)
    rows = [{**r, "as_of": "2018-09-30"} for r in VALID["awareness_sessions"]()]
    same = write_csv(tmp_path / "same", "awareness_sessions_2018-09-30.csv", rows)

    barrier = threading.Barrier(2)
    outcomes: dict[str, list] = {}
    errors: list[BaseException] = []

    def session(name, files):
        cursor = con.cursor()
        try:
            barrier.wait()
            outcomes[name] = ingest(cursor, files, actor=name, run_gx=False)
        except BaseException as err:  # surfaced below: a thread's failure must fail the test
            errors.append(err)
        finally:
            cursor.close()

    threads = [
        threading.Thread(target=session, args=("a", [own_a, same])),
        threading.Thread(target=session, args=("b", [own_b, same])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors

    statuses = {name: {o.file: o.status for o in out} for name, out in outcomes.items()}
    assert statuses["a"][own_a.name] == "accepted"
    assert statuses["b"][own_b.name] == "accepted"
    assert sorted([statuses["a"][same.name], statuses["b"][same.name]]) == [
        "accepted",
        "already_loaded",
    ]
    training = con.sql("select as_of, count(*) from training group by 1 order by 1").fetchall()
    assert [(str(d), n) for d, n in training] == [("2018-03-31", rows_a), ("2018-06-30", rows_b)]
    assert con.sql("select count(*) from awareness_sessions").fetchall()[0][0] == len(rows)
    manifest = con.sql(
        "select file_name, count(*) from load_manifest where status = 'accepted' group by 1 order by 1"
    ).fetchall()
    assert manifest == [(same.name, 1), (own_a.name, 1), (own_b.name, 1)]
    con.close()
