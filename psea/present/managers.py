"""The manager indicators as a reader meets them: status words beside every colour, the scorecard's
columns, and one manager's card (value, numerator of denominator, status) per indicator."""

from __future__ import annotations

import datetime as dt

import polars as pl

from psea.metrics import managers, training

STATUS_MARK = {
    "green": "green",
    "amber": "amber",
    "red": "red",
    "too small": "team too small to report",
    "no data": "no data",
    "not applicable": "not applicable",
}
PERCENT_COLUMNS = ("team_coverage", "line_coverage", "team_induction_30d", "contract_clause_rate")


def _status(column: str, alias: str) -> pl.Expr:
    return pl.col(column).replace_strict(STATUS_MARK).alias(alias)


def scorecard_table(scope: pl.DataFrame) -> pl.DataFrame:
    """One row per manager: each indicator beside its status in words."""
    return scope.select(
        "entity",
        "mission",
        "person_ref",
        "role",
        "team_size",
        "team_coverage",
        _status("team_coverage_status", "team coverage status"),
        "line_size",
        "line_coverage",
        _status("line_coverage_status", "line coverage status"),
        "team_induction_30d",
        _status("team_induction_30d_status", "induction status"),
        "own_training_current",
        "mission_staff_sessions",
        _status("mission_staff_sessions_status", "sessions status"),
        "contract_clause_rate",
        _status("contract_clause_rate_status", "clauses status"),
        "appraisal_year",
        "appraisal_rating",
        "evidence_note",
    )


def _rate(value, num, den, empty: str) -> tuple[str, str]:
    if value is None:
        return "no data", empty
    return f"{value:.0%}", f"{num:,} of {den:,}"


def card(row: dict) -> list[tuple[str, str, str, str]]:
    """A manager's card: (indicator label, value, detail with its status, definition) per
    indicator, from one published scorecard row."""
    small = row["team_too_small"]
    figures = {
        "team_coverage": (
            (managers.TOO_SMALL, "")
            if small
            else _rate(row["team_coverage"], row["team_covered"], row["team_size"], "no team")
        ),
        "line_coverage": (
            (managers.TOO_SMALL, "")
            if row["line_too_small"]
            else _rate(row["line_coverage"], row["line_covered"], row["line_size"], "no one below")
        ),
        "team_induction_30d": (
            (managers.TOO_SMALL, "")
            if small
            else _rate(
                row["team_induction_30d"],
                row["team_inducted"],
                row["team_joiners"],
                "no joiner in the 12 months",
            )
        ),
        "own_training_current": ("yes" if row["own_training_current"] else "no", ""),
        "mission_staff_sessions": (
            ("not applicable", "")
            if row["mission_staff_sessions"] is None
            else (
                f"{row['mission_staff_sessions']:,}",
                row["mission_risk_reason"] or "not flagged",
            )
        ),
        "contract_clause_rate": (
            ("not applicable", "")
            if row["role"] != "chief_of_mission"
            else _rate(
                row["contract_clause_rate"],
                row["contracts_with_clause"],
                row["contracts_signed"],
                "no contract signed in the 12 months",
            )
        ),
        "appraisal_rating": (
            ("no appraisal on record", "")
            if row["appraisal_rating"] is None
            else (
                row["appraisal_rating"].replace("_", " "),
                f"appraisal of {row['appraisal_year']}",
            )
        ),
    }
    return [
        (
            managers.INDICATORS.get(name, managers.LINE_COVERAGE),
            value,
            " · ".join(x for x in (STATUS_MARK[row[f"{name}_status"]], detail) if x),
            managers.definition(name),
        )
        for name, (value, detail) in figures.items()
    ]


def manager_choices(scope: pl.DataFrame) -> dict[str, str]:
    """person_ref -> "ref · role · mission", chiefs of mission and managers in order."""
    ordered = scope.sort("role", "mission", "person_ref")
    return {
        r: f"{r} · {role.replace('_', ' ')} · {m}"
        for r, role, m in ordered.select("person_ref", "role", "mission").iter_rows()
    }


def year_ends(on: dt.date) -> list[dt.date]:
    """The last four year ends before the cut-off, and the cut-off: a manager's trend."""
    return training.year_ends(on, first_year=on.year - 4)


def definitions() -> list[str]:
    """How each indicator is counted, and the minimum team size, one line each (Markdown)."""
    limits = managers.thresholds()
    lines = [
        f"- **Team**: {managers.definition('team')}",
        f"- **Reporting line**: {managers.definition('line')}",
    ]
    for name, label in managers.INDICATORS.items():
        lines.append(f"- **{label}**: {managers.definition(name)}")
        if name == "team_coverage":
            lines.append(f"- **{managers.LINE_COVERAGE}**: {managers.definition('line_coverage')}")
    lines.append(
        f"- **Minimum team size** for roles without exact figures: {limits['minimum_team_size']}."
    )
    return lines


def summary(scope: pl.DataFrame) -> list[tuple[str, str, str, str | None]]:
    """The headline of a scope of managers: (label, value, caption, definition)."""
    own = int(scope["own_training_current"].sum())
    chiefs = scope.filter(pl.col("role") == "chief_of_mission").height
    mismatched = scope.filter(
        (pl.col("appraisal_rating") == "met") & pl.col("rating_vs_evidence")
    ).height
    return [
        ("Managers", f"{scope.height:,}", "", managers.definition("team")),
        ("Chiefs of mission", f"{chiefs:,}", "", None),
        (
            "Own training current",
            f"{own / scope.height:.0%}",
            f"{own:,} of {scope.height:,}",
            managers.definition("own_training_current"),
        ),
        (
            "Rated met, evidence red",
            f"{mismatched:,}",
            "",
            "Managers rated 'met' whose team coverage, induction, own training, mission sessions "
            "or contract clauses are red.",
        ),
    ]
