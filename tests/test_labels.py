"""Every code a reader can meet has plain words: each enum value of each contract, each fixed
group of the case figures' breakdowns and each breakdown's name."""

from __future__ import annotations

import polars as pl
import pytest

from data_contracts import contracts
from psea.metrics import facts
from psea.present.labels import code_columns, has_label, label, labelled

ENUMS = [
    (kind, column.name, value)
    for kind, contract in contracts().items()
    for column in contract.columns
    for value in column.valid_values
]


def test_the_contracts_have_enums_to_check():
    assert len(ENUMS) > 60
    assert ("cases", "category", "sexual_exploitation") in ENUMS


@pytest.mark.parametrize(("kind", "column", "value"), ENUMS)
def test_every_contract_enum_value_has_its_own_words(kind, column, value):
    assert has_label(value, column), f"{kind}.{column} = {value} falls back to {label(value)!r}"
    assert label(value, column) != value


@pytest.mark.parametrize("name", sorted({**facts.families(), **facts.stocks()}))
def test_every_fact_family_its_breakdowns_and_their_groups_have_words(name):
    family = facts.family(name)
    assert has_label(name)
    for breakdown in family.breakdowns:
        assert has_label(breakdown), breakdown
        for group in family.groups.get(breakdown, ()):
            assert has_label(group, breakdown), (breakdown, group)


def test_the_words_a_focal_point_reads():
    assert label("sexual_exploitation") == "Sexual exploitation"
    assert label("under_review_limited_information") == "Under review (limited information)"
    assert label("psea_mandatory") == "Mandatory PSEA course"
    assert label("un_group") == "UN victim group"
    assert label("category") == "Category"
    assert label("within_90_days") == "Within 90 days"
    assert label("181_to_365_days") == "181 to 365 days"
    assert label("over_180_days") == "More than 180 days"
    assert label("entity") == "Entity"
    assert label("entity", "provider") == "The organization itself"
    assert label("none", "action") == "No action"


def test_unknown_codes_are_humanised_never_raised():
    assert label("some_new_code") == "Some new code"
    assert not has_label("some_new_code")
    assert label("IRQ") == "IRQ"  # mission codes keep their capitals
    assert label(None) == ""
    assert label(2017) == "2017"


def test_labelled_frames_keep_their_order_nulls_and_other_columns():
    frame = pl.DataFrame(
        {
            "category": ["sexual_abuse", None, "other"],
            "mission": ["IRQ", "HQ", "RO-MENA"],
            "count": [3, 4, 5],
        }
    )
    out = labelled(frame, ["category"])
    assert out["category"].to_list() == ["Sexual abuse", None, "Other"]
    assert out["mission"].to_list() == ["IRQ", "HQ", "RO-MENA"]
    assert code_columns(frame) == ["category"]
    assert labelled(frame).equals(out)
    assert labelled(frame, headers=True).columns == ["Category", "Mission", "Count"]


def test_csv_and_xlsx_exports_carry_words_parquet_and_submissions_keep_codes():
    import io

    from psea.present import exports

    frame = pl.DataFrame({"category": ["sexual_exploitation", "unknown"], "count": [40, 0]})
    csv = exports.table_bytes(frame, "csv").decode().splitlines()
    assert csv == ["category,count", "Sexual exploitation,40", "Unknown,0"]
    xlsx = pl.read_excel(io.BytesIO(exports.table_bytes(frame, "xlsx")))
    assert xlsx["category"].to_list() == ["Sexual exploitation", "Unknown"]
    assert pl.read_parquet(io.BytesIO(exports.table_bytes(frame, "parquet"))).equals(frame)
    assert "sexual_exploitation" in exports.table_bytes(frame, "csv", plain_words=False).decode()
    totals = pl.DataFrame({"dimension": ["category"], "group": ["sexual_abuse"], "count": [7]})
    assert "sexual_abuse" in exports.table_bytes(totals, "csv").decode()  # the UN's own codes
