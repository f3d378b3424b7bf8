"""Business dates: a record is dated between the Party's founding and today."""

from __future__ import annotations

from datetime import date

from services.command.domain.errors import InvalidValue

EARLIEST_RECORD = date(1921, 7, 1)


def check_date(field: str, value: date, today: date) -> date:
    if value > today:
        raise InvalidValue(field, f"{value} is in the future (today is {today})")
    if value < EARLIEST_RECORD:
        raise InvalidValue(field, f"{value} is before {EARLIEST_RECORD}")
    return value


def check_not_before(field: str, value: date, earliest: date, what: str) -> date:
    if value < earliest:
        raise InvalidValue(field, f"{value} is before {what} ({earliest})")
    return value
