"""Residents' requests: open, overdue (open past the due date) and resolved, by area
and by the member they are assigned to."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from enum import StrEnum
from uuid import UUID

from sqlalchemy import Connection, or_, select

from services.projection.answers import (
    AreaNeeds,
    MemberNeeds,
    NeedCounts,
    NeedEntry,
    Needs,
)
from services.projection.ordering import natural_key
from services.projection.projectors.tables import CoverageTables
from services.projection.queries.membership import branch_exists


class NeedStatus(StrEnum):
    OPEN = "open"
    OVERDUE = "overdue"
    RESOLVED = "resolved"
    ALL = "all"


def needs(
    conn: Connection,
    tables: CoverageTables,
    branch_id: UUID,
    position: int,
    *,
    status: NeedStatus,
    on: date,
    member_id: UUID | None = None,
) -> Needs | None:
    if not branch_exists(conn, tables, branch_id):
        return None
    conditions = [tables.needs.c.branch_id == branch_id]
    if member_id is not None:
        conditions.append(
            or_(
                tables.needs.c.assigned_member_id == member_id,
                tables.needs.c.raised_by_member_id == member_id,
            )
        )
    rows = conn.execute(
        select(
            tables.needs,
            tables.households.c.address,
            tables.households.c.area,
            tables.members.c.name.label("member_name"),
        )
        .join(tables.households, tables.households.c.id == tables.needs.c.household_id)
        .outerjoin(tables.members, tables.members.c.id == tables.needs.c.assigned_member_id)
        .where(*conditions)
        .order_by(tables.needs.c.due_on, tables.needs.c.raised_position)
    ).all()
    counts = NeedCounts()
    by_area: defaultdict[str, NeedCounts] = defaultdict(NeedCounts)
    by_member: dict[UUID, tuple[str, NeedCounts]] = {}
    listed = []
    for row in rows:
        resolved = row.resolved_on is not None
        overdue = not resolved and row.due_on < on
        tallies = [counts, by_area[row.area]]
        if row.assigned_member_id is not None:
            tallies.append(
                by_member.setdefault(row.assigned_member_id, (row.member_name, NeedCounts()))[1]
            )
        for tally in tallies:
            tally.resolved += int(resolved)
            tally.open += int(not resolved)
            tally.overdue += int(overdue)
        chosen = {
            NeedStatus.OPEN: not resolved,
            NeedStatus.OVERDUE: overdue,
            NeedStatus.RESOLVED: resolved,
            NeedStatus.ALL: True,
        }[status]
        if chosen:
            listed.append(
                NeedEntry(
                    id=row.id,
                    household_id=row.household_id,
                    address=row.address,
                    area=row.area,
                    category=row.category,
                    description=row.description,
                    raised_on=row.raised_on,
                    due_on=row.due_on,
                    overdue=overdue,
                    assigned_member_id=row.assigned_member_id,
                    assigned_member_name=row.member_name,
                    resolved_on=row.resolved_on,
                    outcome=row.outcome,
                )
            )
    return Needs(
        position=position,
        branch_id=branch_id,
        on=on,
        status=status.value,
        counts=counts,
        by_area=[
            AreaNeeds(area=area, **tally.model_dump())
            for area, tally in sorted(by_area.items(), key=lambda item: natural_key(item[0]))
        ],
        by_member=[
            MemberNeeds(member_id=member_id, name=name, **tally.model_dump())
            for member_id, (name, tally) in sorted(
                by_member.items(), key=lambda item: natural_key(item[1][0])
            )
        ],
        needs=listed,
    )
