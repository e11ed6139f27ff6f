"""Plain words for every code a reader may meet: the values of the extract contracts' enums, the
groups of the case figures' breakdowns (psea.metrics.facts) and the names of those breakdowns.

Charts, exports and briefs show `label(code)`, never the code itself ("sexual_exploitation" ->
"Sexual exploitation"). The words follow docs/extracts.md and docs/indicators.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import polars as pl

from psea.metrics.managers import INDICATORS

# Codes that mean the same wherever they appear (case status, service, course, yes/no…).
CODES: dict[str, str] = {
    # shared
    "other": "Other",
    "unknown": "Unknown",
    "yes": "Yes",
    "no": "No",
    "partial": "Partly",
    "not_applicable": "Not applicable",
    "total": "Total",
    "none": "None",
    # cases.category
    "sexual_exploitation": "Sexual exploitation",
    "sexual_abuse": "Sexual abuse",
    # cases.personnel_group, roster.staff_category, awareness_sessions.audience
    "staff": "Staff",
    "non_staff": "Non-staff personnel",
    "contractor": "Contractor personnel",
    "implementing_partner": "Implementing partner",
    "peacekeeping": "Peacekeeping personnel",
    "non_un_forces": "Non-UN forces",
    "agencies_funds_programmes": "UN agencies, funds and programmes",
    "contractors": "Contractors",
    "partners": "Partners",
    "community": "Community",
    # cases.reporting_channel, awareness_sessions.facilitator
    "supervisor": "Supervisor",
    "psea_focal_point": "PSEA focal point",
    "ethics_conduct_office": "Ethics and Conduct Office",
    "oig_direct": "Inspector General, directly",
    "cbcm": "Community-based complaint mechanism",
    "hotline": "Hotline",
    "other_agency": "Another agency",
    "gender_coordination_unit": "Gender Coordination Unit",
    "mission_focal_point": "Mission focal point",
    # cases.status, findings
    "received": "Received",
    "preliminary_assessment": "Preliminary assessment",
    "under_investigation": "Under investigation",
    "under_review_limited_information": "Under review (limited information)",
    "substantiated": "Substantiated",
    "unsubstantiated": "Unsubstantiated",
    "closed": "Closed without a finding",
    # case_victims.sex, age_group; the UN victim groups; the child breakdown
    "female": "Female",
    "male": "Male",
    "adult": "Adult",
    "child": "Child",
    "not_child": "Adult or age unknown",
    "women": "Women",
    "girls": "Girls",
    "females_unknown_age": "Females of unknown age",
    "men": "Men",
    "boys": "Boys",
    "males_unknown_age": "Males of unknown age",
    # case_subjects.gender, action
    "man": "Man",
    "woman": "Woman",
    "pending": "Pending",
    "summary_dismissal": "Summary dismissal",
    "dismissal": "Dismissal",
    "other_disciplinary": "Other disciplinary measure",
    "contract_terminated": "Contract terminated",
    "separated_before_completion": "Separated before the investigation ended",
    "barred_from_rehire": "Barred from rehire",
    # the action_taken breakdown
    "substantiated_with_action": "Substantiated, action taken",
    "substantiated_no_action": "Substantiated, no action taken",
    "not_substantiated": "Not substantiated",
    # victim_assistance.service, status
    "medical": "Medical care",
    "psychosocial": "Psychosocial support",
    "legal": "Legal assistance",
    "shelter": "Shelter",
    "food": "Food",
    "clothing": "Clothing",
    "security": "Security",
    "education": "Education",
    "livelihood": "Livelihood support",
    "provided": "Provided",
    "declined": "Declined",
    # timeliness (psea.metrics.timeliness): urgency of a case, the former overdue rule's rest
    "urgent": "Urgent (a child victim)",
    "rest": "Not under investigation",
    # the reporting-delay buckets
    "0-3 months": "0–3 months",
    "4-12 months": "4–12 months",
    "13-24 months": "13–24 months",
    "more than 24 months": "More than 24 months",
    # the dashboard's roles (docs/access.md)
    "champion_office": "IASC Champion's office",
    "focal_point": "Senior focal point",
    "analyst": "Analyst",
    "admin": "Administrator",
    # roster.role
    "chief_of_mission": "Chief of mission",
    "manager": "Manager",
    "personnel": "Personnel",
    # training.course, delivery
    "psea_mandatory": "Mandatory PSEA course",
    "induction_psea": "PSEA induction module",
    "values_we_share": "The Values We Share",
    "psea_face_to_face": "Face-to-face PSEA training",
    "cbcm_training": "CBCM training",
    "cbcm_tot": "CBCM training of trainers",
    "online": "Online",
    "in_person": "In person",
    # appraisals.psea_indicator
    "met": "Met",
    "partially_met": "Partially met",
    "not_met": "Not met",
    "not_rated": "Not rated",
    # contracts.contractor_type
    "supplier": "Supplier",
    "service_provider": "Service provider",
    # psea_capacity.item, reporter
    "psea_coordinator": "PSEA coordinator",
    "network_cochairs": "PSEA network co-chairs",
    "action_plan": "Action plan",
    "action_plan_costed": "Costed action plan",
    "complaint_procedures": "Complaint procedures",
    "gbv_referral_pathway": "GBV referral pathway",
    "cbcm_in_place": "CBCM in place",
    "community_awareness": "Community awareness",
    "investigation_capacity": "Investigation capacity",
    "funding_secured": "Funding secured",
    "NETWORK": "In-country PSEA network",
    # action points of the SFP progress report
    "open": "Open",
    "in_progress": "In progress",
    "done": "Done",
    "dropped": "Dropped",
}

# Codes whose words depend on the column they sit in ("entity" as a provider is the organization).
FIELD_CODES: dict[str, dict[str, str]] = {
    "provider": {
        "local_service": "Local service (existing SGBV services)",
        "entity": "The organization itself",
        "partner": "Partner organization",
    },
    "action": {"none": "No action"},
    "age_group": {"child": "Child (under 18)"},
    "urgency": {"other": "Not urgent"},
    "kind": {  # the extracts (docs/extracts.md)
        "cases": "Cases",
        "case_victims": "Victims of cases",
        "case_subjects": "Alleged perpetrators of cases",
        "victim_assistance": "Victim assistance",
        "roster": "Personnel roster",
        "training": "Training completions",
        "awareness_sessions": "Awareness sessions",
        "appraisals": "Appraisals",
        "contracts": "Contracts",
        "agency_returns": "Agency returns",
        "psea_capacity": "PSEA capacity",
    },
}

# Names of columns, breakdowns, fact families and figures, as a header or an axis title.
NAMES: dict[str, str] = {
    "entity": "Entity",
    "mission": "Mission",
    "region": "Region",
    "quarter": "Quarter",
    "year": "Year",
    "date": "Date",
    "count": "Count",
    "category": "Category",
    "personnel_group": "Personnel group",
    "un_personnel_group": "Personnel group (UN groups)",
    "reporting_channel": "Reporting channel",
    "incident_year": "Year of incident",
    "delay": "Reporting delay",
    "status": "Status",
    "action_taken": "Action on substantiated cases",
    "referred": "Referred to national authorities",
    "referred_national_authorities": "Referred to national authorities",
    "interim_measures": "Interim measures",
    "un_group": "UN victim group",
    "un_victim_group": "UN victim group",
    "needs_assessed": "Needs assessed",
    "assisted": "Assisted (a service provided)",
    "gender": "Gender",
    "subject_gender": "Gender of the alleged perpetrator",
    "finding": "Finding",
    "duration": "Investigation duration",
    "action": "Action",
    "service": "Service",
    "provider": "Provider",
    "sex": "Sex",
    "age_group": "Age group",
    "course": "Course",
    "delivery": "Delivery",
    "audience": "Audience",
    "facilitator": "Facilitator",
    "participants": "Participants",
    "psea_indicator": "PSEA appraisal indicator",
    "contractor_type": "Contractor type",
    "psea_clause": "PSEA clause",
    "subcontract_flowdown": "PSEA provisions passed on to subcontracts",
    "staff_category": "Staff category",
    "role": "Role",
    "is_manager": "Manager",
    "staff_sessions": "Staff sessions",
    "last_staff_session": "Last staff session",
    "reason": "Reason",
    "to_reach": "Personnel to reach",
    "sessions_window": "Sessions counted over",
    "item": "Capacity item",
    "reporter": "Reporter",
    "kind": "Extract",
    "as_of": "As of",
    "load_id": "Load",
    "file_name": "File name",
    "figure": "Figure",
    "dimension": "Dimension",
    "group": "Group",
    "allegations": "Allegations",
    "victims": "Victims",
    "subjects": "Alleged perpetrators",
    "investigations_opened": "Investigations opened",
    "investigations_completed": "Investigations completed",
    "findings": "Investigation findings",
    "actions": "Actions on substantiated cases",
    "services": "Assistance services",
    "overdue": "Overdue investigations (former rule)",
    "open_cases": "Open cases",
    "outcomes": "Case outcomes",
    "receipt_to_outcome": "Time from receipt to outcome",
    "urgency": "Urgency",
    "urgency_duration": "Urgency and investigation duration",
    "stage": "Stage",
    "age": "Days since received",
    "stage_age": "Stage and days since received",
    "un_group_child": "UN victim group and age",
    "former_rule": "Former overdue rule (investigations open too long)",
    "victims_assisted": "Victims assisted",
    "completions": "Completions",
    "coverage": "Coverage",
    "covered": "Covered",
    "active": "Active personnel",
    "team_size": "Team size",
    "person_ref": "Manager (pseudonymous reference)",
    "appraisal_year": "Appraisal year",
    "appraisal_rating": "Appraisal rating",
    "evidence_note": "Evidence",
    "meeting_date": "Meeting date",
    "title": "Title",
    "notes": "Agenda notes",
    "source": "Source",
    "label": "Quarter",
    "country_name": "Country",
    "reporters": "Reporters",
    "items_no": "Items with no",
    "latest_report": "Latest report",
    "gaps": "Items with gaps",
    "better": "Items better",
    "worse": "Items worse",
    "scope": "Scope",
    **INDICATORS,  # the manager indicators, named once in psea.metrics.managers
}

# Investigation-duration buckets follow the configured aims (within_90_days, 91_to_180_days, …).
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^within_(\d+)_days$"), "Within {0} days"),
    (re.compile(r"^(\d+)_to_(\d+)_days$"), "{0} to {1} days"),
    (re.compile(r"^over_(\d+)_days$"), "More than {0} days"),
)


def _code_words(code: str, field: str | None) -> str | None:
    if "|" in code:  # a group of a cross breakdown: the words of each part
        parts = [_code_words(part, None) for part in code.split("|")]
        return ", ".join(parts) if all(parts) else None
    if field is not None and code in FIELD_CODES.get(field, {}):
        return FIELD_CODES[field][code]
    if code in CODES:
        return CODES[code]
    for pattern, words in _PATTERNS:
        if match := pattern.match(code):
            return words.format(*match.groups())
    return None


def _explicit(code: str, field: str | None) -> str | None:
    return _code_words(code, field) or NAMES.get(code)


def has_label(code: object, field: str | None = None) -> bool:
    """Whether the code has its own words (not the humanised fallback)."""
    return isinstance(code, str) and _explicit(code, field) is not None


def humanise(code: str) -> str:
    """The fallback: underscores to spaces, first letter capital, the rest untouched (IRQ, RO-…)."""
    text = code.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def label(code: object, field: str | None = None) -> str:
    """The plain words for a code (or a column name); `field` names the column it sits in, for
    the few codes whose words depend on it. Never raises: an unknown code is humanised."""
    if code is None:
        return ""
    if not isinstance(code, str):
        return str(code)
    return _explicit(code, field) or humanise(code)


def code_columns(frame: pl.DataFrame) -> list[str]:
    """Text columns every value of which is a known code (not a column name: a problem list's
    `column` keeps "entity"): the columns to show in words."""
    out = []
    for name, dtype in frame.schema.items():
        if dtype not in (pl.String, pl.Categorical, pl.Enum):
            continue
        values = frame[name].cast(pl.String).drop_nulls().unique().to_list()
        if values and all(_code_words(v, name) is not None for v in values):
            out.append(name)
    return out


def labelled(
    frame: pl.DataFrame, columns: Iterable[str] | None = None, headers: bool = False
) -> pl.DataFrame:
    """The frame with the codes of `columns` (default: its `code_columns`) replaced by their words;
    with `headers`, every column name too. Other columns, and nulls, are left as they are."""
    names = code_columns(frame) if columns is None else [c for c in columns if c in frame.columns]
    out = frame.with_columns(
        pl.col(c)
        .cast(pl.String)
        .replace({v: label(v, c) for v in frame[c].cast(pl.String).drop_nulls().unique()})
        for c in names
    )
    if not headers:
        return out
    words = [label(c) for c in out.columns]
    # two names with the same words (referred, referred_national_authorities) keep their codes
    return out.rename(
        {c: w for c, w in zip(out.columns, words, strict=True) if words.count(w) == 1}
    )
