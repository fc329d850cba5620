"""Working days: weekends and the bank holidays of England and Wales are skipped."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sendreview import checks, working_days
from sendreview.working_days import add_working_days, is_working_day, working_days_between


def test_weekends_are_skipped():
    friday = date(2027, 2, 5)
    assert working_days_between(friday, friday + timedelta(days=3)) == 1  # the Monday
    assert working_days_between(friday, friday + timedelta(days=28)) == 20
    assert working_days_between(friday, friday) == 0
    assert working_days_between(friday, friday - timedelta(days=1)) == 0


def test_easter_and_substitute_days_are_skipped():
    # Good Friday 26 March 2027 and Easter Monday 29 March.
    assert working_days_between(date(2027, 3, 25), date(2027, 3, 30)) == 1
    # Christmas 2026 falls on a Friday, Boxing Day on a Saturday: Monday 28th is the substitute.
    assert working_days_between(date(2026, 12, 24), date(2026, 12, 29)) == 1
    assert not is_working_day(date(2026, 12, 28))


def test_twenty_working_days_after_an_easter_visit_run_into_april():
    visit = date(2027, 3, 22)  # a Monday
    assert add_working_days(visit, 20) == date(2027, 4, 21)
    assert working_days_between(visit, date(2027, 4, 21)) == 20


def test_every_listed_holiday_is_a_weekday_in_a_covered_year():
    years = working_days.covered_years()
    for day in working_days.bank_holidays():
        assert day.weekday() < 5, day
        assert day.year in years, day


def test_counting_agrees_with_walking_day_by_day():
    rng = random.Random(7)
    first = date(working_days.covered_years()[0], 1, 1)
    for _ in range(300):
        start = first + timedelta(days=rng.randrange(2200))
        end = start + timedelta(days=rng.randrange(120))
        walked = sum(
            1 for i in range(1, (end - start).days + 1) if is_working_day(start + timedelta(i))
        )
        assert working_days_between(start, end) == walked, (start, end)


def test_system_check_warns_when_next_year_is_not_listed(monkeypatch):
    assert checks.bank_holidays_cover_next_year(None) == []
    monkeypatch.setattr(working_days, "covered_years", lambda: range(2022, 2023))
    (warning,) = checks.bank_holidays_cover_next_year(None)
    assert warning.id == "sendreview.W001"
    assert "bank holiday" in warning.msg
