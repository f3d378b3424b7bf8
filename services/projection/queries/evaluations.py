"""A year's evaluations: the distribution over all five grades and every member's grade."""

from __future__ import annotations

from collections import Counter
from uuid import UUID

from sqlalchemy import Connection, and_, select

from services.projection.api import schemas as s
from services.projection.projectors.evaluations import EvaluationTables
from shared.contract.vocabulary import Grade


def evaluations(
    conn: Connection, t: EvaluationTables, branch_id: UUID, year: int, position: int
) -> s.Evaluations | None:
    if conn.execute(select(t.branches.c.id).where(t.branches.c.id == branch_id)).first() is None:
        return None
    rows = conn.execute(
        select(t.members, t.ratings.c.grade, t.ratings.c.remarks)
        .outerjoin(
            t.ratings,
            and_(t.ratings.c.member_id == t.members.c.id, t.ratings.c.year == year),
        )
        .where(t.members.c.branch_id == branch_id)
        .order_by(t.members.c.enrolled_position)
    ).all()
    grades = Counter(Grade(row.grade) for row in rows if row.grade is not None)
    return s.Evaluations(
        position=position,
        branch_id=branch_id,
        year=year,
        distribution={grade: grades[grade] for grade in Grade},
        rated=sum(grades.values()),
        members=[
            s.EvaluatedMember(
                id=row.id,
                name=row.name,
                group_id=row.group_id,
                status=row.status,
                grade=row.grade,
                remarks=row.remarks,
            )
            for row in rows
        ],
    )
