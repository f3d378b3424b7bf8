"""Clocks: storage times are UTC; "today" is the branch's local business date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""
        ...

    def today(self) -> date:
        """The business date where the branch is."""
        ...

    def date_of(self, moment: datetime) -> date:
        """The business date of a stored moment."""
        ...


class SystemClock:
    def __init__(self, timezone: str) -> None:
        self._zone = ZoneInfo(timezone)

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return datetime.now(self._zone).date()

    def date_of(self, moment: datetime) -> date:
        return moment.astimezone(self._zone).date()


class FixedClock:
    """A clock for tests and replays: it only moves when told to."""

    def __init__(self, moment: datetime, timezone: str = "Asia/Shanghai") -> None:
        if moment.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware moment")
        self._moment = moment.astimezone(UTC)
        self._zone = ZoneInfo(timezone)

    def now(self) -> datetime:
        return self._moment

    def today(self) -> date:
        return self._moment.astimezone(self._zone).date()

    def date_of(self, moment: datetime) -> date:
        return moment.astimezone(self._zone).date()

    def advance(self, delta: timedelta) -> None:
        self._moment += delta
