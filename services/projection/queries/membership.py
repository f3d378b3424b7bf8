"""Who was a member during a period, in SQL: the read side's one copy of the rule
``shared.periods.Period.had_member`` the command side enforces."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Table, and_, or_

from shared.periods import Period


def members_during(members: Table, period: Period) -> ColumnElement[bool]:
    """Rows of a members table (with ``enrolled_on`` and ``left_on``) of members in the
    branch on some day of ``period``."""
    return and_(
        or_(members.c.enrolled_on.is_(None), members.c.enrolled_on <= period.last),
        or_(members.c.left_on.is_(None), members.c.left_on >= period.first),
    )
