"""What rejecting the hostile corpus's costliest files costs: peak memory over the baseline and the
size of the report, each file in a fresh child process (access.md: "the server stays up and within
its memory budget"; targets: under 300 MB of memory, under 20 KB of report).

    python benchmarks/hostile_input.py             # the bomb, the lying bomb, the wide CSV
    python benchmarks/hostile_input.py --all       # every file of the corpus

The child imports the whole loading path and rejects a small file of the same format first (the
baseline), resets its peak resident set (Linux: /proc/self/clear_refs), rejects the file into a
scratch warehouse (scoped to IOM, as an IOM analyst loads) and reports how far its peak resident set rose above the baseline.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
COSTLIEST = ("roster_bomb.xlsx", "roster_bomb_lying.xlsx", "cases_million_columns.csv")
WARM_UP = {  # a small rejected file of each format, so that the baseline has every reader loaded
    ".csv": "case_subjects_wide.csv",
    ".xlsx": "appraisals_wide.xlsx",
    ".parquet": "awareness_sessions_wide.parquet",
}


def _memory_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
        return True
    except OSError:
        return False


def measure(path: Path) -> dict:
    """In the child: reject `path` and report its cost."""
    from pipelines.load import ingest
    from pipelines.warehouse import connect

    scratch = Path(tempfile.mkdtemp(prefix="psea-hostile-bench-"))
    con = connect(scratch / "w.duckdb")
    ingest(con, [path.parent / WARM_UP[path.suffix]], run_gx=False, actor="benchmark")
    baseline = _memory_kb("VmRSS")
    reset = _reset_peak()
    clock = time.perf_counter()
    outcome = ingest(con, [path], run_gx=False, actor="benchmark", entity="IOM")[0]
    seconds = time.perf_counter() - clock
    peak = _memory_kb("VmHWM")
    con.close()
    return {
        "file": outcome.file,
        "bytes": path.stat().st_size,
        "status": outcome.status,
        "rule": outcome.problems[0].rule if outcome.problems else None,
        "peak_over_baseline_mb": round((peak - baseline) / 1024, 1),
        "peak_reset": reset,
        "report_bytes": len(json.dumps(outcome.as_dict(), indent=2).encode()),
        "seconds": round(seconds, 3),
    }


def run_child(path: Path) -> dict:
    """`measure(path)` in a fresh Python process."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="every file of the corpus")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    from hostile.make_corpus import write_corpus

    with tempfile.TemporaryDirectory(prefix="psea-hostile-") as folder:
        files = write_corpus(Path(folder))
        chosen = [p for p, _ in files if args.all or p.name in COSTLIEST]
        print(f"{'file':<40} {'size':>12} {'rule':<20} {'peak +MB':>9} {'report':>8} {'s':>6}")
        for path in chosen:
            r = run_child(path)
            print(
                f"{r['file']:<40} {r['bytes']:>12,} {r['rule']:<20} "
                f"{r['peak_over_baseline_mb']:>9} {r['report_bytes']:>8,} {r['seconds']:>6}"
            )


if __name__ == "__main__":
    main()
