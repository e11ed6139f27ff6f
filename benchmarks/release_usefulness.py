"""How useful the release is, not only how safe (not a timed test): what a user meets.

    .venv/bin/python benchmarks/release_usefulness.py [--scale 1] [--seed 7] [--warehouse PATH]

Builds the demo (or reads a demo warehouse), then reports:
- the current release: cells, cells suppressed (of the cells published, that is not counting the
  breakdowns not broken down), not broken down, shown because the UN publishes them;
- IOM's briefs for the last three calendar meetings and the next meeting: headline figures hidden
  (suppressed, not broken down, not in the returns, not yet reported) and "not compared";
- the Champion's office's Investigations page: metric cards that show a label, not a number.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from pathlib import Path

import polars as pl

from pipelines.warehouse import connect

LABELS = ("suppressed", "not broken down", "not in the returns", "not yet reported", "no data")


def release_counts(con) -> dict:
    from psea.disclosure import published

    release = published.latest(con)
    cells = release.cells
    withdrawn = int(cells["withdrawn"].sum())
    suppressed = int((cells["hidden"] & ~cells["withdrawn"]).sum())
    return {
        "cells": cells.height,
        "suppressed": suppressed,
        "not_broken_down": withdrawn,
        "public": int(cells["public"].sum()),
        "suppressed_share": suppressed / max(1, cells.height - withdrawn),
        "hidden_share_all": (suppressed + withdrawn) / cells.height,
        "audit": release.audit,
    }


def brief_counts(con, day: dt.date, entity: str | None) -> tuple[int, int, int]:
    from psea.brief import build_brief

    brief = build_brief(con, day, entity)
    case = brief.headlines[:7]
    hidden = sum(1 for h in case if any(h.value.startswith(x) for x in LABELS))
    not_compared = sum(
        1 for h in case for text in (h.change, h.year_earlier) if text.startswith("not compared")
    )
    return len(case), hidden, not_compared


def investigations_cards(path: Path) -> tuple[int, int]:
    from streamlit.testing.v1 import AppTest

    import psea.app.shell as shell

    shell.DEMO_WAREHOUSE = path
    shell.demo_warehouse.clear()
    root = Path(__file__).resolve().parent.parent
    at = AppTest.from_file(str(root / "app.py"), default_timeout=120)
    at.query_params["role"] = "champion_office"
    at.run()
    at.switch_page(str(root / shell.PAGES["investigations"][0])).run()
    values = [m.value for m in at.metric]
    return len(values), sum(1 for v in values if any(str(v).startswith(x) for x in LABELS))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--warehouse", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.warehouse
        if path is None:
            from psea.app.demo import build_demo

            path = Path(folder) / "demo.duckdb"
            build_demo(path, seed=args.seed, scale=args.scale)
        con = connect(path)
        counts = release_counts(con)
        print(
            f"release: {counts['cells']:,} cells; suppressed {counts['suppressed']:,} "
            f"({counts['suppressed_share']:.1%} of the cells published); not broken down "
            f"{counts['not_broken_down']:,}; hidden either way {counts['hidden_share_all']:.1%}; "
            f"shown as the UN publishes them {counts['public']:,}; audit passed "
            f"{counts['audit']['passed']} in {counts['audit']['seconds']} s"
        )
        from psea.disclosure import published
        from psea.metrics import catalog

        cutoff = published.latest(con).cutoff
        calendar = [d for d in catalog.meeting_dates(con) if d <= cutoff]
        nxt = [d for d in catalog.meeting_dates(con) if d > cutoff]
        days = calendar[-3:] + (nxt[:1] or [cutoff + dt.timedelta(days=15)])
        rows = []
        for day in days:
            n, hidden, not_compared = brief_counts(con, day, "IOM")
            rows.append((day.isoformat(), n, hidden, not_compared))
        print(
            pl.DataFrame(
                rows, schema=["IOM brief", "case headlines", "hidden", "not compared"], orient="row"
            )
        )
        con.close()
        cards, labelled = investigations_cards(path)
        print(f"Champion's office, Investigations: {labelled} of {cards} cards read a label")


if __name__ == "__main__":
    main()
