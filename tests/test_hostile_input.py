"""Bad input never hurts (access.md): every file of the hostile corpus (`tests/hostile/`) is
rejected, and nothing planted in it — a name, an e-mail, a phone or passport number, a date of
birth, Markdown or HTML — comes back: not in an outcome, not in `psea ingest`'s output, not in a
log line, not in any text column of the warehouse, not on the Load page. Rejections stay cheap:
a report under 20 KB, the costliest files within the memory budget."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import polars as pl
import pytest
import yaml
from conftest import table_counts
from extracts import AS_OF, VALID, write_csv
from hostile.make_corpus import PLANTED, Hostile, write_corpus
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

import psea.app.shell as shell
from data_contracts import contracts
from pipelines.load import ingest
from pipelines.read import detect_kind, sniff_format
from pipelines.warehouse import connect, mark_demo
from psea.cli import app
from psea.settings import DEFAULT_SETTINGS, settings

ROOT = Path(__file__).resolve().parent.parent
REPORT_LIMIT = 20_000  # bytes of one file's JSON report
runner = CliRunner()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> list[tuple[Path, Hostile]]:
    return write_corpus(tmp_path_factory.mktemp("hostile"))


def leaks(text: str) -> list[str]:
    lowered = text.lower()
    return [token for token in PLANTED if token in lowered]


def warehouse_text(path: Path) -> str:
    """Every text cell of every table of the warehouse."""
    con = connect(path, read_only=True)
    columns = con.sql(
        """select table_name, column_name from information_schema.columns
           where data_type in ('VARCHAR', 'JSON')"""
    ).fetchall()
    cells = [
        str(con.sql(f'select list("{column}"::varchar) from "{table}"').fetchall()[0][0])
        for table, column in columns
    ]
    con.close()
    assert any(t == "load_problems" for t, _ in columns), "the problem table must be searched"
    return "\n".join(cells)


def assert_rejected_cleanly(outcome: dict, expected: Hostile) -> None:
    report = json.dumps(outcome, indent=2)
    assert outcome["status"] == "rejected", (expected.name, outcome["status"])
    rules = {p["rule"] for p in outcome["problems"]}
    assert rules & set(expected.rules), (expected.name, rules)
    assert not leaks(report), (expected.name, leaks(report))
    assert len(report.encode()) < REPORT_LIMIT, expected.name
    assert all(set(p) == {"file", "rule", "message", "row", "column"} for p in outcome["problems"])
    assert outcome["as_of"] is None  # a rejected file's as_of is one of its values


def test_the_corpus_covers_every_kind_and_format(hostile):
    assert len(hostile) >= 25
    assert {detect_kind(path) for path, _ in hostile} == set(contracts())
    assert {sniff_format(h.content) for _, h in hostile} == {"csv", "xlsx", "parquet"}
    texts = [h.content.decode("utf-16" if "utf16" in h.name else "latin-1") for _, h in hostile]
    assert {token for text in texts for token in leaks(text)} == set(PLANTED)  # all planted


def test_every_hostile_file_is_rejected_and_nothing_planted_comes_back(
    hostile, loaded_warehouse, caplog, capfd
):
    caplog.set_level(logging.DEBUG)
    before = table_counts(loaded_warehouse)
    by_name = {h.name: h for _, h in hostile}
    con = connect(loaded_warehouse)
    unscoped = ingest(
        con, [p for p, h in hostile if not h.scoped_only], actor="hostile-test", run_gx=False
    )
    scoped = ingest(con, [p for p, _ in hostile], actor="hostile-test", entity="IOM", run_gx=False)
    con.close()
    for outcome in [*unscoped, *scoped]:
        assert_rejected_cleanly(outcome.as_dict(), by_name[outcome.file])
    assert all(o.entities == ["IOM"] for o in scoped)
    captured = capfd.readouterr()
    assert not leaks(captured.out + captured.err)
    assert not leaks("\n".join(r.getMessage() for r in caplog.records))
    assert not leaks(warehouse_text(loaded_warehouse))
    assert table_counts(loaded_warehouse) == before
    con = connect(loaded_warehouse, read_only=True)
    rejected, values = con.sql(
        """select count(distinct m.load_id), count(p.value) from load_manifest m
           left join load_problems p using (load_id) where m.status = 'rejected'"""
    ).fetchall()[0]
    con.close()
    assert (rejected, values) == (len(unscoped) + len(scoped), 0)


def test_psea_ingest_and_check_repeat_nothing_planted(hostile, loaded_warehouse, caplog):
    caplog.set_level(logging.DEBUG)
    by_name = {h.name: h for _, h in hostile}
    paths = [str(p) for p, _ in hostile]
    warehouse = ["--warehouse", str(loaded_warehouse)]
    result = runner.invoke(app, ["ingest", *paths, "--entity", "IOM", "--json", *warehouse])
    assert result.exit_code == 1, result.output[:2000]
    for outcome in json.loads(result.stdout)["files"]:
        assert_rejected_cleanly(outcome, by_name[outcome["file"]])
    assert not leaks(result.stdout + result.stderr)
    for command in (["ingest"], ["check"]):  # the text report, the operator's entity from the env
        result = runner.invoke(app, [*command, *paths, *warehouse], env={"PSEA_ENTITY": "IOM"})
        assert result.exit_code == 1 and "REJECTED" in result.stdout
        assert result.stdout.count("REJECTED") == len(paths)
        assert not leaks(result.stdout + result.stderr)
    assert not leaks("\n".join(r.getMessage() for r in caplog.records))


def page_text(at: AppTest) -> str:
    """Everything the page sent to the browser: every element's protobuf, tables included."""
    parts: list[str] = []

    def walk(node) -> None:
        if getattr(node, "proto", None) is not None:
            parts.append(str(node.proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile_page")
    path = folder / "w.duckdb"
    con = connect(path)
    (folder / "valid").mkdir()
    from extracts import write_all

    assert all(
        o.status == "accepted" for o in ingest(con, write_all(folder / "valid"), run_gx=False)
    )
    mark_demo(con, seed=0, scale=0)  # demo mode opens only a warehouse marked demo
    con.close()
    return path


def open_load_page(path: Path) -> AppTest:
    shell.DEMO_WAREHOUSE = path
    shell.demo_warehouse.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["role"] = "analyst"  # the demo analyst is IOM's
    at.run()
    at.switch_page(str(ROOT / shell.PAGES["load"][0])).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest, files: list[tuple[str, bytes]]) -> AppTest:
    at.file_uploader(key="load_files").set_value([(n, c, "text/csv") for n, c in files]).run()
    next(b for b in at.button if b.label == "Check and load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_load_page_shows_nothing_planted(hostile, demo_warehouse):
    at = open_load_page(demo_warehouse)
    shown = page_text(at)
    assert "at most 64 columns" in shown  # the limits are on the page
    assert not leaks(shown)
    upload(at, [(h.name, h.content) for _, h in hostile])
    rejected = [e.value for e in at.error if "rejected: nothing loaded" in e.value]
    assert len(rejected) == len(hostile)
    shown = page_text(at)
    assert "rejected: nothing loaded" in shown and "other_entity" in shown  # the walk sees it all
    assert not leaks(shown), leaks(shown)


def test_a_rejection_lists_a_bounded_number_of_problems(tmp_path):
    """Two thousand rows wrong in every column: every failure counted, the report under 20 KB."""
    bad = {c: "not valid" for c in VALID["cases"]()[0]} | {"entity": "IOM", "as_of": AS_OF}
    path = write_csv(tmp_path, f"cases_{AS_OF}.csv", [bad] * 2_000)
    outcome = ingest(None, [path], run_gx=False)[0]
    assert outcome.problem_count > 20_000
    assert len(outcome.problems) == settings()["ingest"]["problems_kept_per_file"]
    assert len(json.dumps(outcome.as_dict(), indent=2).encode()) < REPORT_LIMIT


@pytest.fixture
def small_limits(tmp_path, monkeypatch):
    values = yaml.safe_load(DEFAULT_SETTINGS.read_text(encoding="utf-8"))
    values["ingest"]["limits"] |= {"file_mb": 1, "columns": 8, "rows": 2}
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump(values), encoding="utf-8")
    monkeypatch.setenv("PSEA_SETTINGS", str(path))
    settings.cache_clear()
    yield
    settings.cache_clear()


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (lambda rows: b"x" * 1_000_001, "file_too_large"),
        (lambda rows: write_parquet(rows), "too_many_columns"),
        (lambda rows: write_parquet(rows[:1] * 3, ["case_ref", "entity"]), "too_many_rows"),
    ],
    ids=["size", "parquet columns", "parquet rows"],
)
def test_the_limits_come_from_the_settings(tmp_path, small_limits, content, rule):
    path = tmp_path / f"cases_{AS_OF}.parquet"
    path.write_bytes(content(VALID["cases"]()))
    outcome = ingest(None, [path], run_gx=False)[0]
    assert [p.rule for p in outcome.problems] == [rule]


def test_limits_missing_from_the_settings_stop_the_loading_path(tmp_path, monkeypatch):
    values = yaml.safe_load(DEFAULT_SETTINGS.read_text(encoding="utf-8"))
    del values["ingest"]["limits"]["line_kb"]
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump(values), encoding="utf-8")
    monkeypatch.setenv("PSEA_SETTINGS", str(path))
    settings.cache_clear()
    try:
        with pytest.raises(ValueError, match="line_kb"):
            settings()
    finally:
        settings.cache_clear()


def write_parquet(rows: list[dict], columns: list[str] | None = None) -> bytes:
    import io

    out = io.BytesIO()
    frame = pl.DataFrame(rows)
    (frame.select(columns) if columns else frame).write_parquet(out)
    return out.getvalue()


def test_the_costliest_files_stay_within_the_memory_budget(hostile):
    """The bomb (honest and lying about its sizes) and the CSV of a million columns, each rejected
    in a fresh process: its peak memory over the baseline and its report's size."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from hostile_input import COSTLIEST, run_child

    paths = {p.name: p for p, _ in hostile}
    for name in COSTLIEST:
        cost = run_child(paths[name])
        assert cost["status"] == "rejected", cost
        assert cost["peak_over_baseline_mb"] < 300, cost
        assert cost["report_bytes"] < REPORT_LIMIT, cost
