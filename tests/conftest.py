import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from extracts import write_all

from pipelines.warehouse import connect

# the browser tests' server, browser and page (a plugin, not tests/browser/conftest.py: a second
# module named conftest would shadow this one for `from conftest import …`)
pytest_plugins = ["browser_fixtures"]


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


@pytest.fixture(scope="module")
def no_public_knowledge(tmp_path_factory):
    """Settings where the UN publishes no entity's submissions: every count from 1 to K-1 is then
    hidden, which the tests of "no small figure anywhere" check (the release with public knowledge
    is tested in test_release_attack.py)."""
    import os

    import yaml

    from psea import settings as configured

    values = yaml.safe_load(configured.DEFAULT_SETTINGS.read_text(encoding="utf-8"))
    values["suppression"]["un_published_entities"] = []
    path = tmp_path_factory.mktemp("settings") / "settings.yaml"
    path.write_text(yaml.safe_dump(values), encoding="utf-8")
    before = os.environ.get("PSEA_SETTINGS")
    os.environ["PSEA_SETTINGS"] = str(path)
    configured.settings.cache_clear()
    yield path
    if before is None:
        os.environ.pop("PSEA_SETTINGS", None)
    else:
        os.environ["PSEA_SETTINGS"] = before
    configured.settings.cache_clear()


def copy_demo(tmp_path_factory, path: Path, seed: int, scale: float, **options) -> Path:
    """The demo store of (seed, scale) at `path`: built once per test run (all workers share it,
    a file lock keeps them from building it twice) and copied for each module that asks. A folder
    store is its catalog file and its data files: a copy taken while nobody writes is a store.
    The demo's options (`end`) and the settings its release was built under (the UN's published
    entities) are part of its name: a module with other settings gets its own."""
    import fcntl
    import hashlib
    import shutil

    from psea.app.demo import build_demo
    from psea.settings import settings

    base = tmp_path_factory.getbasetemp()  # this run's: shared by its xdist workers
    cache = (base.parent if base.name.startswith("popen-gw") else base) / "demo-cache"
    cache.mkdir(parents=True, exist_ok=True)
    said = repr((sorted(options.items()), settings()["suppression"])).encode()
    built = cache / f"seed{seed}-scale{scale:g}-{hashlib.sha256(said).hexdigest()[:10]}"
    with (cache / f"{built.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (built / "built").exists():
            shutil.rmtree(built, ignore_errors=True)
            build_demo(built, seed=seed, scale=scale, **options)
            (built / "built").touch()
    shutil.copytree(built, path, ignore=shutil.ignore_patterns("built", "*.lock"))
    return path
