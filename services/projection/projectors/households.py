"""Households: which ones the branch serves, who is linked to each, whether they were
erased, and every visit made to them with its date and purpose."""

from __future__ import annotations

from sqlalchemy import (
    delete,
)

from services.projection.projectors.base import Part, RowWriter
from services.projection.projectors.tables import HouseholdTables, declare_households
from shared.contract.envelope import Envelope
from shared.contract.events import (
    Event,
    HouseholdErased,
    HouseholdLinked,
    HouseholdRegistered,
    HouseholdUnlinked,
    VisitCorrected,
    VisitRecorded,
    VisitRetracted,
)
from shared.contract.sealing import ERASED_VALUES


def apply(rows: RowWriter, tables: HouseholdTables, envelope: Envelope, event: Event) -> None:
    match event:
        case HouseholdRegistered():
            rows.record(
                tables.households,
                envelope,
                event,
                erased=False,
                registered_position=envelope.position,
            )
        case HouseholdLinked():
            rows.change(
                tables.households,
                envelope,
                linked_member_id=event.member_id,
                linked_at=envelope.occurred_at,
                linked_on=event.linked_on,
            )
        case HouseholdUnlinked():
            rows.change(
                tables.households, envelope, linked_member_id=None, linked_at=None, linked_on=None
            )
        case HouseholdErased():
            rows.change(tables.households, envelope, erased=True, **ERASED_VALUES)
        case VisitRecorded():
            rows.record(
                tables.visits,
                envelope,
                event,
                month=event.visited_on.strftime("%Y-%m"),
                recorded_position=envelope.position,
            )
        case VisitCorrected():
            rows.change(tables.visits, envelope, event, month=event.visited_on.strftime("%Y-%m"))
        case VisitRetracted():
            rows.execute(delete(tables.visits).where(tables.visits.c.id == envelope.stream_id))


HOUSEHOLDS = Part(declare_households, apply)
