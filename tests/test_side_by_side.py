"""The entities side by side (the Overview and the Champion's report): one rate, whose numerator and
denominator match — allegations against the entity's own personnel per 1,000 of its own personnel —
implementing partners' allegations as counts, and no rate, with its reason, where an entity sends no
personnel count (never a roster assumed)."""

from __future__ import annotations

import polars as pl

from psea.disclosure.figures import Shown
from psea.present.side_by_side import (
    NO_PERSONNEL,
    NOT_EVERY_ENTITY,
    OWN_LABEL,
    PARTNERS_LABEL,
    RATE_LABEL,
    side_by_side,
)

ALLEGATIONS = {  # entity -> (all allegations, against own personnel, against partners' personnel)
    "UNICEF": (46, 21, 20),
    "WFP": (37, 17, 15),
    "NGO": (12, 6, 6),
}


class Published:
    """The gate as the release would answer, per entity and for all entities (None)."""

    def __init__(self, entity: str | None = None, hidden: frozenset = frozenset()):
        self.entity, self.hidden = entity, hidden

    def for_entity(self, entity: str | None) -> Published:
        return Published(entity, self.hidden)

    def count(self, family, breakdown="total", group="total") -> Shown:
        scopes = [self.entity] if self.entity else list(ALLEGATIONS)
        if family != "allegations" or breakdown not in ("total", "un_personnel_group"):
            return Shown(None, "not broken down")
        column = {"total": 0, "agencies_funds_programmes": 1, "implementing_partner": 2}[group]
        if (self.entity, group) in self.hidden:
            return Shown(None, "suppressed")
        value = sum(ALLEGATIONS[s][column] for s in scopes)
        return Shown(value, f"{value:,}")


PERSONNEL = pl.DataFrame(
    {"entity": ["UNICEF", "WFP"], "personnel": [2321, 2824], "source": ["return", "roster"]}
)


def table(figures=None, personnel=PERSONNEL) -> dict[str, dict[str, str]]:
    frame = side_by_side(figures or Published(), list(ALLEGATIONS), personnel)
    return {row.pop("figure"): row for row in frame.iter_rows(named=True)}


def test_the_rate_divides_own_personnel_allegations_by_own_personnel():
    rates = table()[RATE_LABEL]
    assert rates["UNICEF"] == f"{1000 * 21 / 2321:.2f}" == "9.05"  # not 46 / 2,321 = 19.82
    assert rates["WFP"] == f"{1000 * 17 / 2824:.2f}"


def test_implementing_partners_allegations_are_counts_without_a_rate():
    rows = table()
    assert rows[PARTNERS_LABEL] == {"UNICEF": "20", "WFP": "15", "NGO": "6", "All entities": "41"}
    assert rows[OWN_LABEL]["All entities"] == "44"
    assert [label for label in rows if "per 1,000" in label] == [RATE_LABEL]


def test_an_entity_that_sends_no_personnel_count_has_no_rate_and_no_assumed_roster():
    rows = table()
    assert rows["Own personnel at the end of the period"]["NGO"] == "not sent"
    assert rows["Personnel counted from"] == {
        "UNICEF": "its quarterly return",
        "WFP": "its roster",
        "NGO": "not sent",
        "All entities": "not every entity sends one",
    }
    assert rows[RATE_LABEL]["NGO"] == NO_PERSONNEL
    # all entities' own allegations over a part of their personnel would not match
    assert rows[RATE_LABEL]["All entities"] == NOT_EVERY_ENTITY


def test_all_entities_get_a_rate_when_every_entity_sends_its_personnel():
    personnel = pl.concat(
        [PERSONNEL, pl.DataFrame({"entity": ["NGO"], "personnel": [600], "source": ["return"]})]
    )
    rows = table(personnel=personnel)
    assert rows["Own personnel at the end of the period"]["All entities"] == "5,745"
    assert rows[RATE_LABEL]["All entities"] == f"{1000 * 44 / 5745:.2f}"


def test_a_hidden_numerator_gives_no_rate():
    rows = table(Published(hidden=frozenset({("WFP", "agencies_funds_programmes")})))
    assert rows[OWN_LABEL]["WFP"] == "suppressed"
    assert rows[RATE_LABEL]["WFP"] == "suppressed"
