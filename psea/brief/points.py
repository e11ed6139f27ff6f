"""The points for the meeting: the largest changes worth raising, each with its figures."""

from __future__ import annotations

import polars as pl

from psea.brief.model import Headline
from psea.settings import settings


def points_for_the_meeting(
    headlines: list[Headline], extra: dict, overdue: str, k: int, partial: bool = False
) -> list[str]:
    """Plain sentences on the largest changes, each with its figures (published figures only,
    never from a partly reported period)."""
    ranked = []
    for h in headlines:
        if not h.published or h.exact_value is None or h.exact_previous is None:
            continue
        if partial and h.unit != "%" and h.label != "Missions flagged as audit risks":
            continue  # a quarter not yet reported is never compared
        if h.unit == "%":
            delta = (h.exact_value - h.exact_previous) * 100
            if abs(delta) >= 1:
                verb = "rose" if delta > 0 else "fell"
                ranked.append(
                    (
                        abs(delta) / 10,
                        f"{h.label} {verb} from {h.previous} to {h.value} ({delta:+.1f} points).",
                    )
                )
            continue
        if h.label == "Missions flagged as audit risks":
            continue  # worded below, with the missions newly flagged
        delta = h.exact_value - h.exact_previous
        if delta == 0:
            continue
        base = max(h.exact_previous, k)
        if h.unit == "days":
            verb = "rose" if delta > 0 else "fell"
            text = f"{h.label} {verb} from {h.previous} to {h.value} ({delta:+,.0f} days)."
        else:  # counts per quarter, like with like whatever the periods' lengths
            text = f"{h.label}: {h.value}, {h.change} against the previous meeting period."
        ranked.append((abs(delta) / base, text))
    changes = [text for _, text in sorted(ranked, key=lambda x: -x[0])]
    points = changes[:2]
    risk, before = extra["risk"], extra["risk_before"]

    def missions(frame: pl.DataFrame) -> set[str]:
        rows = frame.filter(pl.col("flagged")).select("entity", "mission").iter_rows()
        return {m if len(entities) == 1 else f"{e} {m}" for e, m in rows}

    entities = set(risk["entity"].to_list())
    flagged = missions(risk)
    new = sorted(flagged - missions(before))
    if flagged:
        points.append(
            f"{len(flagged)} missions are flagged as audit risks ('PSEA training irregular'); "
            f"{len(new)} of them newly since the end of the previous period"
            + (f" ({', '.join(new[:8])}{', …' if len(new) > 8 else ''})." if new else ".")
        )
    if overdue not in ("0", "no data") and overdue[0].isdigit():
        points.append(
            f"{overdue} cases have been open for more than "
            f"{settings()['investigations']['overdue_after_days']} days since they were received "
            "(any stage) at the date of the data."
        )
    green = float(settings()["indicators"]["coverage"]["green"])
    cov = extra["coverage"]
    if cov["coverage"] is not None and cov["coverage"] < green:
        # one point on coverage: its level against the bound, with the change folded in
        points = [p for p in points if not p.startswith("Mandatory coverage")]
        before = next(h for h in headlines if h.label.startswith("Mandatory coverage")).previous
        points.append(
            f"Mandatory PSEA coverage is {cov['coverage']:.1%} ({cov['covered']:,} of {cov['active']:,} "
            f"personnel), below the {green:.0%} green bound; it was {before} at the end of the "
            "previous period."
        )
    points += [c for c in changes[2:] if c not in points]  # then the next largest changes
    return points[:MAX_POINTS]


MAX_POINTS = 5  # the key messages are 3 to 5 lines (docs/indicators.md)
