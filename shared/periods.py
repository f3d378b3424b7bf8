"""The periods the branch's work is counted in (a year, a half year such as ``2009H2``)
and who was a member during one. Both sides agree on it: the command side's rules
(ballots, grades, duty reports, the excellent quota) and every per-year view."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

HALF_YEAR = re.compile(r"^(\d{4})H([12])$")


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def half_year(cls, name: str) -> Period:
        """``2009H1`` (January to June) or ``2009H2`` (July to December)."""
        match = HALF_YEAR.match(name)
        if match is None:
            raise ValueError(f"not a half year: {name!r} (like 2009H2)")
        year, half = int(match[1]), match[2]
        if half == "1":
            return cls(date(year, 1, 1), date(year, 6, 30))
        return cls(date(year, 7, 1), date(year, 12, 31))

    @staticmethod
    def halves(year: int) -> tuple[str, str]:
        return f"{year}H1", f"{year}H2"

    def had_member(self, enrolled_on: date | None, left_on: date | None) -> bool:
        """Whether a member enrolled on ``enrolled_on`` (None: before enrolment dates
        were recorded) and gone on ``left_on`` (None: still here) was in the branch on
        some day of the period: enrolled by its last day, and not left before its first."""
        return (enrolled_on is None or enrolled_on <= self.last) and (
            left_on is None or left_on >= self.first
        )
