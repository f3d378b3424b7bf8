"""Which year a page, a ledger or the summary is about when nobody says: the latest
year that has data (a story told about 2009 opens on 2009, not on an empty today)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import Connection, func, select

from services.projection.projectors.tables import CoverageTables, EvaluationTables


def year_or_latest(asked: int | None, latest: int | None, today: date) -> int:
    """The year asked for; else the latest with data; else this year."""
    return asked or latest or today.year


def latest_visit_year(
    conn: Connection, tables: CoverageTables, branch_id: UUID, member_id: UUID | None = None
) -> int | None:
    """The year of the branch's (or this member's) latest visit."""
    query = select(func.max(tables.visits.c.visited_on)).where(
        tables.visits.c.branch_id == branch_id
    )
    if member_id is not None:
        query = query.where(tables.visits.c.member_id == member_id)
    latest: date | None = conn.execute(query).scalar()
    return latest.year if latest else None


def latest_appraisal_year(
    conn: Connection, tables: EvaluationTables, branch_id: UUID
) -> int | None:
    """The latest year the branch opened its democratic appraisal."""
    year: int | None = conn.execute(
        select(func.max(tables.appraisals.c.year)).where(tables.appraisals.c.branch_id == branch_id)
    ).scalar()
    return year
