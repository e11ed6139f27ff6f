"""The store shared by processes, as it runs in production: two dashboards (streamlit) and the
`psea` command at the same time, on the embedded store (a folder) and on a PostgreSQL catalog
(a server of the test's own: tests/pg_cluster.py); a loader killed half-way; a backup taken during
a load. Marked `stores` (processes, a database server, a browser): `pytest -m stores`, which the
README's test command runs after the fast tests."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pg_cluster
import pytest
from devserver import running_app

pytestmark = pytest.mark.stores
ROOT = Path(__file__).resolve().parent.parent
PAUSED = Path(__file__).with_name("paused_load.py")  # psea, paused before each commit


@pytest.fixture(scope="module")
def postgres():
    if not pg_cluster.available():
        pytest.fail("PostgreSQL is not installed: the README's test command installs it")
    with pg_cluster.postgres_server() as new_database:
        yield new_database


@pytest.fixture(params=["folder", "postgres"])
def store(request, tmp_path):
    """The environment naming a new store of each kind. These tests are about processes sharing
    a store: the figures kept after a load (test_precompute, test_cli) are not computed here."""
    quiet = {"PSEA_PRECOMPUTE": "off"}
    if request.param == "folder":
        return {"PSEA_WAREHOUSE": str(tmp_path / "store"), **quiet}
    params = request.getfixturevalue("postgres")()
    return {
        "PSEA_WAREHOUSE": f"postgres:{params}",
        "PSEA_DATA_PATH": str(tmp_path / "files"),
        **quiet,
    }


def psea(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "psea", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check:
        assert done.returncode == 0, done.stderr[-3000:]
    return done


def start(env: dict, *args: str, paused: float | None = None) -> subprocess.Popen:
    command = [str(PAUSED), str(paused)] if paused else ["-m", "psea"]
    return subprocess.Popen(
        [sys.executable, *command, *args],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_commit_pending(proc: subprocess.Popen) -> None:
    deadline, line = time.time() + 300, ""
    while time.time() < deadline and "commit pending" not in line:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            break
    assert "commit pending" in line, "the load never reached its commit"


def status(env: dict) -> dict:
    return json.loads(psea(env, "status", "--json").stdout)


def resent(folder: Path, kind: str) -> Path:
    """The latest demo extract of a kind, corrected (its last row dropped): a new file that
    replaces that snapshot."""
    latest = sorted(folder.glob(f"{kind}_*.csv"))[-1]
    lines = latest.read_text().splitlines(keepends=True)
    out = folder.parent / "resent" / latest.name
    out.parent.mkdir(exist_ok=True)
    out.write_text("".join(lines[:-1]))
    return out


# `browser`: the session-wide headless Chromium of tests/browser_fixtures.py (one Playwright per
# process: a second would find the first one's event loop)


def _accepted_loads(page, url: str) -> int:
    """The Data-quality page as the administrator sees it, once Streamlit finished its run: its
    count of accepted loads."""
    page.goto(f"{url}/data_quality?role=admin")
    page.get_by_role("heading", name="Data quality", exact=True).first.wait_for()
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000
    )
    assert page.get_by_text("This app has encountered an error").count() == 0
    metric = page.get_by_test_id("stMetric").filter(has_text="Accepted loads")
    return int(metric.get_by_test_id("stMetricValue").inner_text().replace(",", ""))


def test_two_dashboards_an_ingest_and_a_brief_at_once(store, tmp_path, browser):
    extracts = tmp_path / "extracts"
    psea(store, "demo", "--scale", "0.03", "--write-extracts", str(extracts))
    files = [resent(extracts, "cases"), resent(extracts, "training")]
    before = status(store)
    with (
        (tmp_path / "a.log").open("w") as log_a,
        (tmp_path / "b.log").open("w") as log_b,
        running_app(store, log_a) as first,
        running_app(store, log_b) as second,
    ):
        pages = [browser.new_page(), browser.new_page()]
        for page in pages:
            page.set_default_timeout(120_000)
        shown = [_accepted_loads(pages[0], first), _accepted_loads(pages[1], second)]
        assert shown == [before["loads"]["accepted"]] * 2
        ingest = start(store, "ingest", *map(str, files))
        brief = start(
            store,
            "brief",
            "--meeting",  # the next meeting, after the demo's latest data
            (
                dt.date.fromisoformat(before["extracts"]["cases"]["latest_as_of"])
                + dt.timedelta(days=20)
            ).isoformat(),
            "--out",
            str(tmp_path / "brief"),
            "--formats",
            "md",
        )
        while ingest.poll() is None or brief.poll() is None:  # both dashboards read meanwhile
            for page, url in zip(pages, (first, second), strict=True):
                _accepted_loads(page, url)
        assert ingest.returncode == 0, ingest.stdout.read()[-3000:] + ingest.stderr.read()[-3000:]
        assert brief.returncode == 0, brief.stderr.read()[-3000:]
        # each replica shows the new loads on its next rerun (its caches keyed by the snapshot id)
        assert _accepted_loads(pages[0], first) == before["loads"]["accepted"] + 2
        assert _accepted_loads(pages[1], second) == before["loads"]["accepted"] + 2
    after = status(store)
    assert after["loads"]["accepted"] == before["loads"]["accepted"] + 2
    assert after["extracts"]["training"]["rows"] == before["extracts"]["training"]["rows"] - 1
    assert list((tmp_path / "brief").glob("*.md"))
    release = json.loads(psea(store, "release", "--json").stdout)
    assert release["current"], "the release of the new case data was published with them"


def latest_extracts_loaded(store: dict, tmp_path: Path) -> Path:
    """A store holding the latest snapshot of every demo extract (one `psea ingest`, not the
    demo's hundreds of loads: what the tests below interrupt is one more load); the folder of the
    demo's templates."""
    from pipelines.demo.extracts import generate
    from pipelines.demo.files import write_extracts

    extracts = tmp_path / "extracts"
    files = write_extracts(generate(seed=7, scale=0.02), extracts, "csv")
    latest = max(p.stem.rsplit("_", 1)[1] for p in files)
    psea(store, "ingest", *sorted(str(p) for p in files if p.stem.endswith(latest)))
    return extracts


def test_a_loader_killed_half_way_leaves_the_store_as_it_was(store, tmp_path):
    extracts = latest_extracts_loaded(store, tmp_path)
    before = status(store)
    loader = start(store, "ingest", str(resent(extracts, "training")), paused=120)
    wait_for_commit_pending(loader)
    loader.send_signal(signal.SIGKILL)
    loader.wait(timeout=30)
    assert status(store) == before
    # and the store takes the same load afterwards
    psea(store, "ingest", str(resent(extracts, "training")))
    assert status(store)["loads"]["accepted"] == before["loads"]["accepted"] + 1


def test_a_backup_during_a_load_restores_to_a_store_that_passes_status(store, tmp_path):
    extracts = latest_extracts_loaded(store, tmp_path)
    before = status(store)
    loader = start(store, "ingest", str(resent(extracts, "training")), paused=15)
    wait_for_commit_pending(loader)
    psea(store, "backup", "--out", str(tmp_path / "backup"))
    assert loader.wait(timeout=300) == 0, loader.stderr.read()[-3000:]
    restored = {"PSEA_WAREHOUSE": str(tmp_path / "restored"), "PSEA_PRECOMPUTE": "off"}
    psea(restored, "restore", str(tmp_path / "backup"))
    assert status(restored) == before  # the state before the load: never half of it
    assert status(store)["loads"]["accepted"] == before["loads"]["accepted"] + 1
    shutil.rmtree(tmp_path / "restored")
