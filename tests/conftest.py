import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from extracts import write_all

from pipelines.warehouse import connect


@pytest.fixture
def warehouse(tmp_path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    connect(path).close()
    return path


@pytest.fixture
def loaded_warehouse(tmp_path, warehouse) -> Path:
    from pipelines.load import ingest

    folder = tmp_path / "valid"
    folder.mkdir()
    con = connect(warehouse)
    outcomes = ingest(con, write_all(folder), run_gx=False)
    con.close()
    assert all(o.status == "accepted" for o in outcomes), [o.problems for o in outcomes]
    return warehouse


def table_counts(path: Path) -> dict[str, int]:
    """Rows per extract table: what "the warehouse unchanged" is checked against."""
    from data_contracts import contracts

    con = connect(path, read_only=True)
    try:
        return {k: con.sql(f"select count(*) from {k}").fetchall()[0][0] for k in contracts()}
    finally:
        con.close()


def copy_demo(tmp_path_factory, path: Path, seed: int, scale: float) -> Path:
    """The demo store of (seed, scale) at `path`: built once per test run (all workers share it,
    a file lock keeps them from building it twice) and copied for each module that asks. A folder
    store is its catalog file and its data files: a copy taken while nobody writes is a store."""
    import fcntl
    import shutil

    from psea.demo import build_demo

    base = tmp_path_factory.getbasetemp()  # this run's: shared by its xdist workers
    cache = (base.parent if base.name.startswith("popen-gw") else base) / "demo-cache"
    cache.mkdir(parents=True, exist_ok=True)
    built = cache / f"seed{seed}-scale{scale:g}"
    with (cache / f"{built.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (built / "built").exists():
            shutil.rmtree(built, ignore_errors=True)
            build_demo(built, seed=seed, scale=scale)
            (built / "built").touch()
    shutil.copytree(built, path, ignore=shutil.ignore_patterns("built", "*.lock"))
    return path
