"""The metric layer on the tiny synthetic extracts of tests/extracts.py."""

from __future__ import annotations

import datetime as dt

from pipelines.warehouse import connect
from psea.metrics import Period, cases, training

PERIOD = Period(dt.date(2017, 12, 31), dt.date(2018, 6, 30))


def test_breakdowns_list_rows_in_a_fixed_order(loaded_warehouse):
    """By name (ordering by count is done on the published figures: psea.app.page)."""
    con = connect(loaded_warehouse, read_only=True)
    services = cases.services_by_type(con, PERIOD)
    assert services.rows() == [("medical", 1), ("psychosocial", 1)]
    courses = training.completions_by_course(con, Period(dt.date(2016, 12, 31), PERIOD.end))
    assert courses.rows() == [("psea_mandatory", 2), ("induction_psea", 1)]
    con.close()


def test_un_victim_groups_agree_between_trends_and_the_un_submission(loaded_warehouse):
    """Fixture victims: a girl and a woman (case 1), a male of unknown age (case 2)."""
    from psea.metrics import un_quarterly

    con = connect(loaded_warehouse, read_only=True)
    expected = {"women": 1, "girls": 1, "males_unknown_age": 1}
    groups = dict(cases.victims_by_un_group(con, PERIOD).rows())
    assert {g: n for g, n in groups.items() if n} == expected
    sent = un_quarterly.submission(con, "IOM", un_quarterly.parse_quarter("2018Q1"))
    totals = sent.totals.filter(dimension="victims")
    assert {g: n for _, g, n in totals.iter_rows() if n} == expected
    con.close()


def test_years_before_a_leap_day():
    from psea.metrics import years_before

    assert years_before(dt.date(2028, 2, 29), 3) == dt.date(2025, 2, 28)
    assert years_before(dt.date(2018, 4, 17), 3) == dt.date(2015, 4, 17)


def test_previous_period_is_the_previous_calendar_quarter_or_year_as_of_the_same_cutoff():
    import datetime as dt

    from psea.metrics import Period

    q3 = Period.quarter(2026, 3)
    assert q3.previous() == Period.quarter(2026, 2)
    assert q3.previous().as_of == dt.date(2026, 9, 30)  # counted on today's data, not Q2's
    assert Period.year(2018).previous() == Period.year(2017)
    between = Period(dt.date(2017, 3, 17), dt.date(2018, 4, 17))
    assert between.previous() == Period(dt.date(2016, 2, 15), dt.date(2017, 3, 17))
    assert between.previous().as_of == dt.date(2018, 4, 17)
