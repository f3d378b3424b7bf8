"""Residents' requests (群众诉求): raised about a household, assigned to a member,
resolved with an outcome."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, Column, Date, MetaData, String, Table, Text, Uuid

from services.projection.projectors.base import Part, RowWriter
from shared.contract.envelope import Envelope
from shared.contract.events import Event, NeedAssigned, NeedRaised, NeedResolved


@dataclass(frozen=True)
class NeedTables:
    needs: Table


def declare(metadata: MetaData, prefix: str) -> NeedTables:
    return NeedTables(
        needs=Table(
            f"{prefix}needs",
            metadata,
            Column("id", Uuid, primary_key=True),
            Column("branch_id", Uuid, nullable=False, index=True),
            Column("household_id", Uuid, nullable=False),
            Column("category", String(20), nullable=False),
            Column("description", Text, nullable=False),
            Column("raised_on", Date, nullable=False),
            Column("due_on", Date, nullable=False),
            Column("visit_id", Uuid),
            Column("raised_by_member_id", Uuid),
            Column("assigned_member_id", Uuid),
            Column("assigned_on", Date),
            Column("resolved_on", Date),
            Column("outcome", Text),
            Column("raised_position", BigInteger, nullable=False),
        )
    )


def apply(rows: RowWriter, tables: NeedTables, envelope: Envelope, event: Event) -> None:
    match event:
        case NeedRaised():
            rows.insert(
                tables.needs,
                id=envelope.stream_id,
                branch_id=envelope.branch_id,
                household_id=event.household_id,
                category=event.category.value,
                description=event.description,
                raised_on=event.raised_on,
                due_on=event.due_on,
                visit_id=event.visit_id,
                raised_by_member_id=event.raised_by_member_id,
                raised_position=envelope.position,
            )
        case NeedAssigned():
            rows.update(
                tables.needs,
                envelope.stream_id,
                assigned_member_id=event.member_id,
                assigned_on=event.assigned_on,
            )
        case NeedResolved():
            rows.update(
                tables.needs,
                envelope.stream_id,
                resolved_on=event.resolved_on,
                outcome=event.outcome,
            )


NEEDS = Part(declare, apply)
