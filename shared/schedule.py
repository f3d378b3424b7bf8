"""When work falls due: the one rule for a linked household's next visit (and a duty
report's half year), read by the work lists, the notifier and the tests alike. Pure:
"today" is always given, so a clock can be injected and time simulated."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from uuid import UUID


@dataclass(frozen=True)
class Schedules:
    """A branch's schedules in force: its default, per tag and per household (days
    between visits)."""

    branch_days: int | None = None
    tag_days: Mapping[str, int] = field(default_factory=dict)
    household_days: Mapping[UUID, int] = field(default_factory=dict)

    def every_days(self, household_id: UUID, tags: Iterable[str]) -> int | None:
        """The household's own schedule, else the most frequent of its tags', else the
        branch's (None: the branch sets no schedule that reaches it)."""
        own = self.household_days.get(household_id)
        if own is not None:
            return own
        by_tag = [self.tag_days[tag] for tag in tags if tag in self.tag_days]
        return min(by_tag) if by_tag else self.branch_days


def visit_due_on(
    every_days: int | None, linked_on: date, last_visited_on: date | None
) -> date | None:
    """One cadence after the last visit, or after linking if that came later (a
    member given a household has a full cadence to reach it)."""
    if every_days is None:
        return None
    since = linked_on if last_visited_on is None else max(linked_on, last_visited_on)
    return since + timedelta(days=every_days)


class Standing(StrEnum):
    OVERDUE = "overdue"  # its day has passed
    DUE = "due"  # due today or within the window asked about
    LATER = "later"


def standing(due_on: date, today: date, within_days: int) -> Standing:
    if due_on < today:
        return Standing.OVERDUE
    if due_on <= today + timedelta(days=within_days):
        return Standing.DUE
    return Standing.LATER


def half_year_ends(period: str) -> date:
    """A duty report for ``2009H2`` is due by the half year's last day."""
    year, half = int(period[:4]), period[5]
    return date(year, 6, 30) if half == "1" else date(year, 12, 31)


def half_year_of(day: date) -> str:
    return f"{day.year}H{1 if day.month <= 6 else 2}"


def previous_half_year(period: str) -> str:
    year, half = int(period[:4]), period[5]
    return f"{year}H1" if half == "2" else f"{year - 1}H2"
