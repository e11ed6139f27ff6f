"""The UN's terms for the quarterly submission: the personnel groups an entity's kind has, the
country of a mission code, and the yes/no words of the submission's columns.

An entity's kind is configured in `psea/config/settings.yaml` (`un_submission`): the peace
operations listed there report peacekeeping personnel; every other entity is an agency, fund or
programme, whose submission has no peacekeeping group. Where its headquarters sit is configured
there too, so that an allegation at `HQ` is placed in a country.
"""

from __future__ import annotations

from functools import cache

import pycountry

from data_contracts.reference import reference_frame
from psea.metrics import facts
from psea.settings import settings

# The extract's personnel groups in the UN's row groups: the entity's staff, its non-staff
# (consultants, interns, other affiliates, and a contractor's personnel: the UN's "related
# personnel"), implementing partners and non-UN forces apart.
UN_PERSONNEL = {
    "peacekeeping": "peacekeeping",
    "staff": "un_staff",
    "non_staff": "un_non_staff",
    "contractor": "un_non_staff",
    "implementing_partner": "implementing_partner",
    "non_un_forces": "non_un_forces",
    "unknown": "unknown",
}
# The totals' groups of docs/cli.md: the entity's own personnel are one group there.
TOTALS_PERSONNEL = {
    group: "agencies_funds_programmes" if group in ("un_staff", "un_non_staff") else group
    for group in UN_PERSONNEL.values()
}
PEACE_OPERATION_ONLY = ("peacekeeping",)  # extract groups that cannot apply to an agency
UNKNOWN_COUNTRY = "unknown"


def _config() -> dict:
    return settings().get("un_submission") or {}


def is_peace_operation(entity: str) -> bool:
    return entity in (_config().get("peace_operations") or [])


def entity_kind(entity: str) -> str:
    """`peace operation` or `agency, fund or programme`, as the page and the command say it."""
    return "peace operation" if is_peace_operation(entity) else "agency, fund or programme"


def applicable_groups(entity: str) -> tuple[str, ...]:
    """The extract's personnel groups that can apply to the entity (its submission's scope)."""
    if is_peace_operation(entity):
        return tuple(UN_PERSONNEL)
    return tuple(g for g in UN_PERSONNEL if g not in PEACE_OPERATION_ONLY)


def totals_personnel_groups(entity: str) -> list[str]:
    """The personnel groups of the entity's totals, in the order of docs/cli.md."""
    kept = {TOTALS_PERSONNEL[UN_PERSONNEL[g]] for g in applicable_groups(entity)}
    return [g for g in facts.UN_PERSONNEL_GROUPS if g in kept]


def headquarters_country(entity: str) -> str | None:
    """The ISO 3166-1 alpha-3 code of the country where the entity's headquarters sit, if set."""
    return (_config().get("headquarters") or {}).get(entity)


@cache
def _mission_countries() -> dict[str, str]:
    """Mission code -> alpha-3 of the country where it sits (empty for `HQ`: the entity's)."""
    frame = reference_frame("missions")
    return dict(zip(frame["code"].to_list(), frame["country"].fill_null("").to_list(), strict=True))


@cache
def country_name(alpha_3: str) -> str:
    """The ISO 3166-1 English short name (pycountry), or the missions reference's name for a code
    pycountry lacks."""
    found = pycountry.countries.get(alpha_3=alpha_3)
    if found is not None:
        return found.name
    names = reference_frame("missions")
    match = names.filter(names["code"] == alpha_3)["name"]
    return match[0] if match.len() else UNKNOWN_COUNTRY


def mission_country(entity: str, mission: str) -> str:
    """The name of the country where the mission (a country, a regional office or headquarters)
    sits; `unknown` for an entity's headquarters whose country is not configured."""
    code = _mission_countries().get(mission) or (
        headquarters_country(entity) if mission == "HQ" else None
    )
    return country_name(code) if code else UNKNOWN_COUNTRY
