"""Years at the current school and rural service, on hand-made histories."""

from __future__ import annotations

from datetime import date

import pytest

from teachers.records.history import (
    Period,
    as_period,
    current_run,
    rural_service_years,
    timeline,
    years_at_current_school,
    years_between,
)

A, B, C = 1, 2, 3
AREAS = {A: "urban", B: "rural", C: "rural"}
TODAY = date(2024, 9, 1)


def test_years_between_is_calendar_based():
    assert years_between(date(2018, 9, 1), date(2024, 9, 1)) == 6.0
    # Only one leap day in the span: a day-count/365.25 formula would give 5.9986 here.
    assert years_between(date(2021, 9, 1), date(2027, 9, 1)) == 6.0
    assert years_between(date(2020, 2, 29), date(2021, 3, 1)) == 1.0
    assert years_between(date(2024, 1, 1), date(2024, 7, 1)) == pytest.approx(182 / 366)
    assert years_between(date(2024, 9, 1), date(2024, 9, 1)) == 0.0


def test_single_open_row():
    rows = [(A, "hire", date(2018, 9, 1), None)]
    assert years_at_current_school(rows, A, TODAY) == 6.0
    assert years_at_current_school(rows, B, TODAY) == 0.0


def test_no_rows_and_future_rows():
    assert years_at_current_school([], A, TODAY) == 0.0
    assert years_at_current_school([(A, "hire", date(2025, 1, 1), None)], A, TODAY) == 0.0


def test_transfer_resets_the_count():
    rows = [(A, "hire", date(2008, 9, 1), date(2016, 8, 31)), (B, "transfer", date(2016, 9, 1), None)]
    assert years_at_current_school(rows, B, TODAY) == 8.0
    assert years_at_current_school(rows, A, TODAY) == 0.0  # no longer there


def test_exchange_elsewhere_breaks_the_run_even_with_the_home_row_left_open():
    # 县管校聘: the hire row at A stays open while the teacher is posted to B.
    rows = [(A, "hire", date(2008, 9, 1), None), (B, "exchange", date(2015, 9, 1), date(2018, 8, 31))]
    assert years_at_current_school(rows, A, TODAY) == 6.0  # from the return on 2018-09-01
    assert current_run(rows, A, TODAY) == (date(2018, 9, 1), TODAY)


def test_open_exchange_is_where_the_teacher_works():
    rows = [(A, "hire", date(2008, 9, 1), None), (B, "exchange", date(2022, 9, 1), None)]
    assert years_at_current_school(rows, B, TODAY) == 2.0
    assert years_at_current_school(rows, A, TODAY) == 0.0


def test_exchange_then_return_row():
    rows = [
        (A, "hire", date(2008, 9, 1), date(2015, 8, 31)),
        (B, "exchange", date(2015, 9, 1), date(2018, 8, 31)),
        (A, "return", date(2018, 9, 1), None),
    ]
    assert years_at_current_school(rows, A, TODAY) == 6.0


def test_consecutive_rows_at_the_same_school_and_gaps_do_not_break_the_run():
    rows = [
        (C, "hire", date(2005, 9, 1), date(2009, 8, 31)),
        (A, "transfer", date(2010, 9, 1), date(2013, 6, 30)),
        # a year's gap (leave): not a move
        (A, "return", date(2014, 7, 1), None),
    ]
    assert current_run(rows, A, TODAY) == (date(2010, 9, 1), TODAY)
    assert years_at_current_school(rows, A, TODAY) == 14.0


def test_record_that_ended_is_measured_to_its_last_day():
    rows = [(A, "hire", date(2000, 9, 1), date(2020, 8, 31))]
    assert years_at_current_school(rows, A, TODAY) == 20.0


def test_rural_service_counts_overlaps_once_and_only_where_the_teacher_worked():
    rows = [
        (B, "hire", date(2008, 9, 1), None),  # rural home row left open
        (C, "exchange", date(2010, 9, 1), date(2012, 8, 31)),  # rural exchange overlapping it
        (A, "transfer", date(2016, 9, 1), None),  # urban from 2016
    ]
    # 2008-09-01 .. 2016-08-31 at rural schools, counted once: 8 years.
    assert rural_service_years(rows, AREAS, TODAY) == 8.0
    # An urban posting laid over a rural home row is not rural service.
    rows = [(B, "hire", date(2014, 9, 1), None), (A, "exchange", date(2020, 9, 1), date(2023, 8, 31))]
    assert rural_service_years(rows, AREAS.get, TODAY) == 7.0


def test_rural_service_accepts_enum_areas_and_model_like_rows():
    from teachers.models import Area

    class Row:
        def __init__(self, school_id, kind, start_date, end_date):
            self.school_id, self.kind, self.start_date, self.end_date = school_id, kind, start_date, end_date

    rows = [Row(B, "hire", date(2020, 9, 1), date(2021, 8, 31)), Row(A, "transfer", date(2021, 9, 1), None)]
    assert rural_service_years(rows, {A: Area.URBAN, B: Area.RURAL}, TODAY) == 1.0
    assert as_period(rows[0]) == Period(B, "hire", date(2020, 9, 1), date(2021, 8, 31))


def test_timeline_segments():
    rows = [Period(A, "hire", date(2020, 1, 1), date(2020, 12, 31)), Period(B, "transfer", date(2022, 1, 1), None)]
    assert timeline(rows, date(2023, 1, 1)) == [
        (date(2020, 1, 1), date(2021, 1, 1), A),
        (date(2021, 1, 1), date(2022, 1, 1), None),
        (date(2022, 1, 1), date(2023, 1, 1), B),
    ]
