"""What differs between two productions of one quarter's UN submission, in words an analyst can
act on: the allegations added, gone and changed (by UN reference and column), the updates added and
gone, the totals changed. A difference means a snapshot the quarter read was revised (a corrected
re-send) after the earlier production: the UN has the earlier files."""

from __future__ import annotations

import io

import polars as pl

SHOWN = 5  # references and lines named in a sentence; the rest are counted


def _csv(data: bytes) -> pl.DataFrame:
    return pl.read_csv(io.BytesIO(data), infer_schema=False)


def _named(items: list[str]) -> str:
    more = len(items) - SHOWN
    return ", ".join(items[:SHOWN]) + (f" and {more} more" if more > 0 else "")


def _allegations(before: pl.DataFrame, now: pl.DataFrame) -> list[str]:
    old = dict(zip(before["un_reference"], before.iter_rows(named=True), strict=True))
    new = dict(zip(now["un_reference"], now.iter_rows(named=True), strict=True))
    added = [r for r in new if r not in old]
    gone = [r for r in old if r not in new]
    changed = [
        f"{r} ({', '.join(c for c in new[r] if new[r][c] != old[r].get(c))})"
        for r in new
        if r in old and new[r] != old[r]
    ]
    out = []
    if added:
        out.append(f"allegations.csv: {len(added)} added ({_named(added)})")
    if gone:
        out.append(f"allegations.csv: {len(gone)} no longer in it ({_named(gone)})")
    if changed:
        out.append(f"allegations.csv: {len(changed)} changed: {_named(changed)}")
    return out


def _updates(before: pl.DataFrame, now: pl.DataFrame) -> list[str]:
    def lines(frame: pl.DataFrame) -> list[str]:
        return [f"{r} {f}: {p} -> {n}" for r, f, p, n in frame.fill_null("").iter_rows()]

    old, new = lines(before), lines(now)
    out = []
    added = [line for line in new if line not in old]
    gone = [line for line in old if line not in new]
    if added:
        out.append(f"updates.csv: {len(added)} added ({_named(added)})")
    if gone:
        out.append(f"updates.csv: {len(gone)} no longer in it ({_named(gone)})")
    return out


def _totals(before: pl.DataFrame, now: pl.DataFrame) -> list[str]:
    def counts(frame: pl.DataFrame) -> dict[tuple[str, str], str]:
        return {(d, g): c for d, g, c in frame.iter_rows()}

    old, new = counts(before), counts(now)
    changed = [
        f"{d} {g} {old.get((d, g), 'none')} -> {new.get((d, g), 'none')}"
        for d, g in dict.fromkeys([*new, *old])
        if old.get((d, g)) != new.get((d, g))
    ]
    return [f"totals.csv: {len(changed)} line(s) changed ({_named(changed)})"] if changed else []


def differences(before: dict[str, bytes], now: dict[str, bytes]) -> list[str]:
    """The differences between an earlier production's files and these; empty when identical."""
    out: list[str] = []
    for name, compare in (
        ("allegations.csv", _allegations),
        ("updates.csv", _updates),
        ("totals.csv", _totals),
    ):
        if before.get(name) != now.get(name):
            out += compare(_csv(before[name]), _csv(now[name])) or [f"{name}: bytes differ"]
    return out
