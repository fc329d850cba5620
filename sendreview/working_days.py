"""Working days in England: Monday to Friday except bank holidays (England and Wales).

The one place that counts them, for deadlines such as an audit visit's report "within 20 working
days". The holidays are data (`data/bank-holidays-england-and-wales.yaml`); a year the file does
not cover counts weekends only, and a system check (sendreview/checks.py) warns before then.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from pathlib import Path

import yaml

HOLIDAYS_FILE = Path(__file__).parent / "data" / "bank-holidays-england-and-wales.yaml"


@cache
def _calendar() -> tuple[frozenset[date], range]:
    data = yaml.safe_load(HOLIDAYS_FILE.read_text(encoding="utf-8"))
    first, last = data["covers"]
    days = frozenset(day for year_days in data["dates"].values() for day in year_days)
    return days, range(first, last + 1)


def bank_holidays() -> frozenset[date]:
    return _calendar()[0]


def covered_years() -> range:
    return _calendar()[1]


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays()


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 if `end` is not after `start`)."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    weekdays = weeks * 5 + sum(
        1 for i in range(1, rest + 1) if (start + timedelta(days=weeks * 7 + i)).weekday() < 5
    )
    holidays = sum(1 for day in bank_holidays() if start < day <= end and day.weekday() < 5)
    return weekdays - holidays


def add_working_days(start: date, count: int) -> date:
    """The day `count` working days after `start`."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day
