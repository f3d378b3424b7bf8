"""The work read model: what is due and overdue — visits by each household's
schedule, duty reports, residents' requests, talks after a low grade, hardship cases
without help — from the same parts the other read models hold, beside the schedules."""

from __future__ import annotations

from sqlalchemy import delete

from services.projection.projectors.base import Part, Projector, RowWriter
from services.projection.projectors.evaluations import APPRAISALS, FOLLOW_UP
from services.projection.projectors.households import HOUSEHOLDS
from services.projection.projectors.membership import MEMBERSHIP
from services.projection.projectors.needs import NEEDS
from services.projection.projectors.rosters import HARDSHIPS
from services.projection.projectors.tables import ScheduleTables, WorkTables, declare_schedules
from shared.contract.envelope import Envelope
from shared.contract.events import Event, VisitScheduleSet


def schedule_scope(event: VisitScheduleSet) -> str:
    if event.household_id is not None:
        return f"household:{event.household_id}"
    return "branch" if event.tag is None else f"tag:{event.tag}"


def apply_schedules(
    rows: RowWriter, tables: ScheduleTables, envelope: Envelope, event: Event
) -> None:
    if isinstance(event, VisitScheduleSet):
        schedules, scope = tables.visit_schedules, schedule_scope(event)
        rows.execute(
            delete(schedules)
            .where(schedules.c.branch_id == envelope.branch_id)
            .where(schedules.c.scope == scope)
        )
        if event.every_days is not None:
            rows.record(schedules, envelope, event, scope=scope)


SCHEDULES = Part(declare_schedules, apply_schedules)


class WorkProjector(Projector[WorkTables]):
    name = "work"
    tables_type = WorkTables
    parts = (MEMBERSHIP, HOUSEHOLDS, SCHEDULES, NEEDS, HARDSHIPS, APPRAISALS, FOLLOW_UP)
