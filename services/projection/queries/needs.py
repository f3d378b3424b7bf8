"""Residents' requests: open, overdue (open past the due date) and resolved, by area
and by the member they are assigned to."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from enum import StrEnum
from uuid import UUID

from sqlalchemy import Connection, or_, select

from services.projection.api import schemas as s
from services.projection.ordering import natural_key
from services.projection.projectors.coverage import CoverageTables
from services.projection.queries.coverage import branch_exists


class NeedStatus(StrEnum):
    OPEN = "open"
    OVERDUE = "overdue"
    RESOLVED = "resolved"
    ALL = "all"


def needs(
    conn: Connection,
    t: CoverageTables,
    branch_id: UUID,
    *,
    status: NeedStatus,
    on: date,
    member_id: UUID | None = None,
    position: int,
) -> s.Needs | None:
    if not branch_exists(conn, t, branch_id):
        return None
    conditions = [t.needs.c.branch_id == branch_id]
    if member_id is not None:
        conditions.append(
            or_(
                t.needs.c.assigned_member_id == member_id,
                t.needs.c.raised_by_member_id == member_id,
            )
        )
    rows = conn.execute(
        select(
            t.needs,
            t.households.c.address,
            t.households.c.area,
            t.members.c.name.label("member_name"),
        )
        .join(t.households, t.households.c.id == t.needs.c.household_id)
        .outerjoin(t.members, t.members.c.id == t.needs.c.assigned_member_id)
        .where(*conditions)
        .order_by(t.needs.c.due_on, t.needs.c.raised_position)
    ).all()
    counts = s.NeedCounts()
    by_area: defaultdict[str, s.NeedCounts] = defaultdict(s.NeedCounts)
    by_member: dict[UUID, tuple[str, s.NeedCounts]] = {}
    listed = []
    for row in rows:
        resolved = row.resolved_on is not None
        overdue = not resolved and row.due_on < on
        tallies = [counts, by_area[row.area]]
        if row.assigned_member_id is not None:
            tallies.append(
                by_member.setdefault(row.assigned_member_id, (row.member_name, s.NeedCounts()))[1]
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
                s.NeedEntry(
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
    return s.Needs(
        position=position,
        branch_id=branch_id,
        on=on,
        status=status.value,
        counts=counts,
        by_area=[
            s.AreaNeeds(area=area, **tally.model_dump())
            for area, tally in sorted(by_area.items(), key=lambda item: natural_key(item[0]))
        ],
        by_member=[
            s.MemberNeeds(member_id=member_id, name=name, **tally.model_dump())
            for member_id, (name, tally) in sorted(
                by_member.items(), key=lambda item: natural_key(item[1][0])
            )
        ],
        needs=listed,
    )
