"""Build a Great Expectations suite from a contract file and run it on a typed extract.

The suite carries every rule GX can express (strict columns, nulls, allowed values, patterns, ranges,
uniqueness, date order, status/date rules as row conditions). Rules that need the warehouse or a
graph (references, management cycles) live in the row engine only; the suite's meta says so.
`great_expectations` is imported lazily: it costs ~2.5 s and pages never need it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import polars as pl

from data_contracts.model import (
    COUNTRY_PATTERN,
    ENTITY_PATTERN,
    MONTH_PATTERN,
    QUARTER_PATTERN,
    REF_PATTERN,
    Contract,
)
from data_contracts.reference import mission_codes

ROW_ENGINE_ONLY = (
    "reference",
    "date_not_before_target",
    "self_reference",
    "no_cycles",
    "month_not_after",
    "year_not_after_as_of",
    "quarter_ended_by_as_of",
    "total_present",
    "groups_add_up",
    "figures_add_up",
    "not_in_case_rows",
)


@dataclass
class SuiteOutcome:
    success: bool
    evaluated: int
    failed: list[dict[str, Any]]  # expectation type, column, unexpected_count
    # every expectation: type, column, success, unexpected_count (never the unexpected values:
    # they may be sensitive)
    expectations: list[dict[str, Any]]
    rows_validated: int
    # the GX validation result (JSON), from which `data_docs` renders its page when it is asked for
    validation: dict[str, Any]


def expectations_for(contract: Contract, as_of: dt.date) -> list:
    import great_expectations as gx
    from great_expectations.expectations.row_conditions import Column

    e = gx.expectations
    out: list = [e.ExpectTableColumnsToMatchOrderedList(column_list=contract.column_names)]
    patterns = {
        "ref": REF_PATTERN,
        "entity": ENTITY_PATTERN,
        "month": MONTH_PATTERN,
        "quarter": QUARTER_PATTERN,
        "country": COUNTRY_PATTERN,
    }
    upper = dt.datetime.combine(as_of, dt.time())
    for col in contract.columns:
        if col.required:
            out.append(e.ExpectColumnValuesToNotBeNull(column=col.name))
        if col.psea_type in patterns:
            out.append(
                e.ExpectColumnValuesToMatchRegex(column=col.name, regex=patterns[col.psea_type])
            )
        if col.psea_type == "code":
            out.append(
                e.ExpectColumnValuesToBeInSet(column=col.name, value_set=list(col.valid_values))
            )
        if col.psea_type in ("mission", "country"):
            codes = sorted(mission_codes())
            if col.psea_type == "country":
                codes = [c for c in codes if re.fullmatch(COUNTRY_PATTERN, c)]
            out.append(e.ExpectColumnValuesToBeInSet(column=col.name, value_set=codes))
        if col.psea_type == "as_of":
            out.append(e.ExpectColumnDistinctValuesToEqualSet(column=col.name, value_set=[upper]))
        if col.psea_type == "date":
            out.append(
                e.ExpectColumnValuesToBeBetween(
                    column=col.name,
                    min_value=dt.datetime(2000, 1, 1),
                    max_value=None if col.future_allowed else upper,
                )
            )
        if col.psea_type == "int" and (col.minimum is not None or col.maximum is not None):
            out.append(
                e.ExpectColumnValuesToBeBetween(
                    column=col.name, min_value=col.minimum, max_value=col.maximum
                )
            )
        if col.unique:
            out.append(e.ExpectColumnValuesToBeUnique(column=col.name))
    for rule in contract.rules:
        p = rule.params
        if rule.rule == "unique":
            out.append(e.ExpectCompoundColumnsToBeUnique(column_list=p["columns"]))
        elif rule.rule == "date_not_before":
            out.append(
                e.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=p["column"],
                    column_B=p["other"],
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                )
            )
        elif rule.rule in ("required_when", "null_when"):
            ((when_col, states),) = p["when"].items()
            expectation = (
                e.ExpectColumnValuesToNotBeNull
                if rule.rule == "required_when"
                else e.ExpectColumnValuesToBeNull
            )
            out.append(
                expectation(column=p["column"], row_condition=Column(when_col).is_in(states))
            )
        elif rule.rule in ("groups_of_dimension", "dimension_of_figure"):
            allowed = p["groups"] if rule.rule == "groups_of_dimension" else p["dimensions"]
            for value, members in allowed.items():
                out.append(
                    e.ExpectColumnValuesToBeInSet(
                        column=p["column"],
                        value_set=list(members),
                        row_condition=Column(p["of"]) == value,
                    )
                )
    return out


def build_suite(contract: Contract, as_of: dt.date):
    import great_expectations as gx

    suite = gx.ExpectationSuite(
        name=f"{contract.kind}_contract_v{contract.version}",
        meta={
            "contract": f"data_contracts/{contract.kind}.yaml",
            "row_engine_only_rules": [r.rule for r in contract.rules if r.rule in ROW_ENGINE_ONLY],
        },
    )
    for expectation in expectations_for(contract, as_of):
        suite.add_expectation(expectation)
    return suite


def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    return ctx


def run_suite(contract: Contract, typed: pl.DataFrame, as_of: dt.date) -> SuiteOutcome:
    """Validate every row of a typed extract with the suite (GX validates no sample)."""
    import logging

    import great_expectations  # first: it waits for an import under way in another thread

    pandas_execution_engine = great_expectations.execution_engine.pandas_execution_engine

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    # GX fingerprints a pandas batch below this size by hashing every cell (about 0.7 s a million
    # rows, as much as the suite itself); the fingerprint is a batch marker only, not a check, and
    # the manifest keeps the file's SHA-256: 0 turns it off.
    pandas_execution_engine.HASH_THRESHOLD = 0
    # the one conversion: Arrow-backed pandas columns (zero-copy for text), dates as datetimes
    pdf = typed.with_columns(pl.col(pl.Date).cast(pl.Datetime("ns"))).to_pandas()
    ctx = _context()
    suite = ctx.suites.add(build_suite(contract, as_of))
    batch = (
        ctx.data_sources.add_pandas(f"{contract.kind}_source")
        .add_dataframe_asset(contract.kind)
        .add_batch_definition_whole_dataframe("whole_file")
        .get_batch(batch_parameters={"dataframe": pdf})
    )
    result = batch.validate(suite, result_format={"result_format": "SUMMARY"})
    failed = [
        {
            "expectation": r.expectation_config.type,
            "column": r.expectation_config.kwargs.get("column")
            or r.expectation_config.kwargs.get("column_A"),
            "unexpected_count": (r.result or {}).get("unexpected_count"),
        }
        for r in result.results
        if not r.success
    ]
    expectations = [
        {
            "expectation": r.expectation_config.type,
            "column": r.expectation_config.kwargs.get("column")
            or r.expectation_config.kwargs.get("column_A"),
            "success": bool(r.success),
            "unexpected_count": (r.result or {}).get("unexpected_count"),
        }
        for r in result.results
    ]
    for r in result.results:  # unexpected values may be sensitive: counts only, never values
        for key in [k for k in (r.result or {}) if k.startswith("partial_unexpected")]:
            r.result.pop(key)
    return SuiteOutcome(
        success=bool(result.success),
        evaluated=len(result.results),
        failed=failed,
        expectations=expectations,
        rows_validated=typed.height,
        validation=result.to_json_dict(),
    )


# Data Docs pages reference scripts, styles and a logo on public CDNs: a browser opening them would
# call out to those hosts. The pages are kept self-contained (unstyled, all text kept).
_EXTERNAL = re.compile(
    r"<script[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>|<link[^>]*\bhref=[\"']https?://[^>]*>"
    r"|<img[^>]*\bsrc=[\"']https?://[^>]*>",
    re.IGNORECASE,
)


_FOOTER = re.compile(r"<footer>.*?</footer>", re.DOTALL | re.IGNORECASE)  # GX's newsletter link

# What the stripped Bootstrap and Font Awesome gave the page, offline: a readable layout, the
# status of each expectation in words, and nothing that needs the stripped scripts.
_OFFLINE_STYLE = """<style>
body { font-family: system-ui, sans-serif; font-size: 15px; margin: 0; color: #1f2328; }
.container-fluid > .row { display: flex; gap: 2rem; padding: 1.5rem 2rem; }
.col-lg-2 { flex: 0 0 15rem; }
.col-lg-10 { flex: 1; min-width: 0; }
body > nav.navbar, .card:has(.btn-group-toggle), a[data-toggle="collapse"], script { display: none; }
.sticky { position: sticky; top: 1rem; }
.nav { list-style: none; padding: 0; line-height: 1.8; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border-bottom: 1px solid #d0d7de; padding: 0.3rem 0.6rem; text-align: left;
         vertical-align: top; }
i.fas { font-style: normal; white-space: nowrap; }
.fa-check-circle::before { content: "\\2714  passed"; color: #1a7f37; }
.fa-times::before { content: "\\2718  failed"; color: #cf222e; font-weight: 600; }
.badge { background: #eaeef2; border-radius: 4px; padding: 0 0.3rem; }
</style>
"""


def _self_contained(html: str) -> str:
    html = _FOOTER.sub("", _EXTERNAL.sub("", html))
    return html.replace("</head>", _OFFLINE_STYLE + "</head>", 1)


def data_docs(validation: dict[str, Any]) -> str:
    """The GX Data Docs page of a stored validation result (GX's own renderer)."""
    from great_expectations.core.expectation_validation_result import (
        expectationSuiteValidationResultSchema,
    )
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    result = expectationSuiteValidationResultSchema.load(validation)
    return _self_contained(
        DefaultJinjaPageView().render(ValidationResultsPageRenderer().render(result))
    )


def suite_data_docs(contract: Contract, as_of: dt.date) -> str:
    """The GX Data Docs page of a contract's expectation suite."""
    from great_expectations.render.renderer import ExpectationSuitePageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    suite = _context().suites.add(build_suite(contract, as_of))
    return _self_contained(
        DefaultJinjaPageView().render(ExpectationSuitePageRenderer().render(suite))
    )
