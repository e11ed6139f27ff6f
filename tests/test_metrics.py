"""The metric layer on the tiny synthetic extracts of tests/extracts.py."""

from __future__ import annotations

import datetime as dt

from psea.metrics import Period, cases, training
from psea.warehouse import connect

PERIOD = Period(dt.date(2017, 12, 31), dt.date(2018, 6, 30))


def test_breakdowns_list_rows_in_a_fixed_order(loaded_warehouse):
    """By name (ordering by count is done on the published figures: psea.privacy)."""
    con = connect(loaded_warehouse, read_only=True)
    services = cases.services_by_type(con, PERIOD)
    assert services.rows() == [("medical", 1), ("psychosocial", 1)]
    courses = training.completions_by_course(con, Period(dt.date(2016, 12, 31), PERIOD.end))
    assert courses.rows() == [("psea_mandatory", 2), ("induction_psea", 1)]
    con.close()
