"""Every case family by name: the counts over periods, and the stocks at a cut-off."""

from __future__ import annotations

from psea.metrics.facts.allegations import allegations, subjects
from psea.metrics.facts.family import Family
from psea.metrics.facts.investigations import actions, findings, investigations_opened, outcomes
from psea.metrics.facts.open_cases import open_cases
from psea.metrics.facts.victims import services, victims

# the order the release and the pages walk them in
_FAMILIES = (
    allegations,
    victims,
    subjects,
    investigations_opened,
    findings,
    outcomes,
    actions,
    services,
)


def families() -> dict[str, Family]:
    return {f.name: f for f in (make() for make in _FAMILIES)}


def stocks() -> dict[str, Family]:
    """Families counted at the cut-off, not over a period (their rows have no day)."""
    return {"open_cases": open_cases()}


def family(name: str) -> Family:
    found = families()
    return found[name] if name in found else stocks()[name]
