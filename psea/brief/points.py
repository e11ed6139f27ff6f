"""The key messages the figures suggest (docs/indicators.md, "SFP meeting brief"): victims and cases
first, then prevention; within each, the figures farthest from their aim first; at most five."""

from __future__ import annotations

from psea.brief.aims import Aim

MAX_POINTS = 5  # the key messages are 3 to 5 lines (docs/indicators.md)


def key_messages(aims: list[Aim], partial: bool = False) -> list[str]:
    """The suggested key messages, each with its figure and its comparison. A figure at its aim,
    or not published, is not raised; when a quarter of the period is not yet reported, no figure
    counted over the period is (stocks at the date of the data and personnel figures still are)."""
    raised = [
        a
        for a in aims
        if a.distance is not None and a.distance > 0 and not (partial and a.period_figure)
    ]
    ranked = sorted(raised, key=lambda a: (a.group, -a.distance))
    return [a.message for a in ranked[:MAX_POINTS]]
