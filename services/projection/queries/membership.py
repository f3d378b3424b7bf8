"""What every read model knows of a branch's membership, in SQL: whether a branch is
known, and who was a member during a period (the read side's one copy of the rule
``shared.periods.Period.had_member`` the command side enforces)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import ColumnElement, Connection, Table, and_, or_, select

from services.projection.projectors.tables import MembershipTables
from shared.periods import Period


def branch_exists(conn: Connection, tables: MembershipTables, branch_id: UUID) -> bool:
    """Whether the read model knows the branch: an unknown one is a 404, not empty."""
    known = select(tables.branches.c.id).where(tables.branches.c.id == branch_id)
    return conn.execute(known).first() is not None


def members_during(members: Table, period: Period) -> ColumnElement[bool]:
    """Rows of a members table of members in the branch on some day of ``period``."""
    return and_(
        or_(members.c.enrolled_on.is_(None), members.c.enrolled_on <= period.last),
        or_(members.c.left_on.is_(None), members.c.left_on >= period.first),
    )
