"""Residents' requests (群众诉求): raised about a household, assigned to a member,
resolved with an outcome."""

from __future__ import annotations

from services.projection.projectors.base import Part, RowWriter
from services.projection.projectors.tables import NeedTables, declare_needs
from shared.contract.envelope import Envelope
from shared.contract.events import Event, NeedAssigned, NeedRaised, NeedResolved


def apply(rows: RowWriter, tables: NeedTables, envelope: Envelope, event: Event) -> None:
    match event:
        case NeedRaised():
            rows.record(tables.needs, envelope, event, raised_position=envelope.position)
        case NeedAssigned():
            rows.change(tables.needs, envelope, event, assigned_member_id=event.member_id)
        case NeedResolved():
            rows.change(tables.needs, envelope, event)


NEEDS = Part(declare_needs, apply)
