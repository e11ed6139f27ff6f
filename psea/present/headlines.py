"""The headline figures, listed once for the Overview page and the SFP brief: what each counts,
its definition, and (for a share) what it is a share of."""

from __future__ import annotations

from dataclasses import dataclass

from psea.disclosure.figures import Shown
from psea.metrics import cases, timeliness


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    family: str
    definition: str
    breakdown: str = "total"
    group: str = "total"
    denominator: tuple[str, str, str] | None = None  # (family, breakdown, group) of the whole

    def shown(self, figures) -> Shown:
        return figures.count(self.family, self.breakdown, self.group)

    def whole(self, figures) -> Shown:
        """The denominator; a group's share of its own family is taken of the entities that
        report the breakdown (all entities: not those whose returns lack it)."""
        if self.denominator == (self.family, "total", "total") and self.breakdown != "total":
            return figures.covered(self.family, self.breakdown, self.group)
        return figures.count(*self.denominator)


HEADLINES = [
    Headline(
        "allegations",
        "Allegations received",
        "allegations",
        cases.DEFINITIONS["allegations_received"],
    ),
    Headline(
        "child_victims",
        "Child victims",
        "victims",
        cases.DEFINITIONS["child_victims"],
        "child",
        "child",
    ),
    Headline(
        "investigations_opened",
        "Investigations opened",
        "investigations_opened",
        "Investigations opened in the period.",
    ),
    Headline(
        "investigations_completed",
        "Investigations completed",
        "findings",
        "Investigations completed with a finding (substantiated or unsubstantiated) in the period.",
    ),
    Headline(
        "substantiated",
        "Substantiated",
        "findings",
        cases.DEFINITIONS["substantiation_rate"],
        "finding",
        "substantiated",
        denominator=("findings", "total", "total"),
    ),
    Headline(
        "victims_assisted",
        "Victims assisted",
        "victims",
        cases.DEFINITIONS["victims_assisted"],
        "assisted",
        "yes",
        denominator=("victims", "total", "total"),
    ),
]


@dataclass(frozen=True)
class Stock:
    label: str
    definition: str


OVERDUE = Stock(  # the rule in force (psea.disclosure.figures.overdue_cases)
    "Overdue cases (any stage)", timeliness.definition("overdue")
)
