"""`psea` with a pause in each load's transaction, everything written but not committed, for the
test that kills a load half-way:

    python tests/paused_load.py SECONDS ingest FILE --warehouse PATH

It says "rows inserted, commit pending" on stderr when a load reaches its commit, then sleeps."""

from __future__ import annotations

import sys
import time

import pipelines.load
from psea.cli import main


def pause_for(seconds: float):
    def pause() -> None:
        print("psea: rows inserted, commit pending", file=sys.stderr, flush=True)
        time.sleep(seconds)

    return pause


if __name__ == "__main__":
    pipelines.load.before_commit = pause_for(float(sys.argv[1]))
    sys.argv = ["psea", *sys.argv[2:]]
    main()
