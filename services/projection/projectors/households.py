"""Households: which ones the branch serves, who is linked to each, whether they were
erased, and every visit made to them with its date and purpose."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    delete,
)

from services.projection.projectors.base import Part, RowWriter
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


@dataclass(frozen=True)
class HouseholdTables:
    households: Table
    visits: Table


def declare(metadata: MetaData, prefix: str) -> HouseholdTables:
    visits = Table(
        f"{prefix}visits",
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("branch_id", Uuid, nullable=False),
        Column("household_id", Uuid, nullable=False, index=True),
        Column("member_id", Uuid, nullable=False, index=True),
        Column("visited_on", Date, nullable=False),
        # "2009-11": months grouped the same way on SQLite and PostgreSQL.
        Column("month", String(7), nullable=False),
        Column("purpose", Text, nullable=False),
        Column("recorded_position", BigInteger, nullable=False),
    )
    Index(f"{prefix}visits_branch_date", visits.c.branch_id, visits.c.visited_on)
    return HouseholdTables(
        households=Table(
            f"{prefix}households",
            metadata,
            Column("id", Uuid, primary_key=True),
            Column("branch_id", Uuid, nullable=False, index=True),
            Column("address", Text, nullable=False),
            Column("area", Text, nullable=False),
            Column("head_name", Text, nullable=False),
            Column("phone", String(40)),
            Column("tags", JSON, nullable=False),
            Column("linked_member_id", Uuid, index=True),
            Column("erased", Boolean, nullable=False, default=False),
            Column("registered_position", BigInteger, nullable=False),
        ),
        visits=visits,
    )


def apply(rows: RowWriter, tables: HouseholdTables, envelope: Envelope, event: Event) -> None:
    match event:
        case HouseholdRegistered():
            rows.insert(
                tables.households,
                id=envelope.stream_id,
                branch_id=envelope.branch_id,
                address=event.address,
                area=event.area,
                head_name=event.head_name,
                phone=event.phone,
                tags=list(event.tags),
                erased=False,
                registered_position=envelope.position,
            )
        case HouseholdLinked():
            rows.update(tables.households, envelope.stream_id, linked_member_id=event.member_id)
        case HouseholdUnlinked():
            rows.update(tables.households, envelope.stream_id, linked_member_id=None)
        case HouseholdErased():
            rows.update(tables.households, envelope.stream_id, erased=True, **ERASED_VALUES)
        case VisitRecorded():
            rows.insert(
                tables.visits,
                id=envelope.stream_id,
                branch_id=envelope.branch_id,
                household_id=event.household_id,
                member_id=event.member_id,
                visited_on=event.visited_on,
                month=event.visited_on.strftime("%Y-%m"),
                purpose=event.purpose,
                recorded_position=envelope.position,
            )
        case VisitCorrected():
            rows.update(
                tables.visits,
                envelope.stream_id,
                visited_on=event.visited_on,
                month=event.visited_on.strftime("%Y-%m"),
                purpose=event.purpose,
            )
        case VisitRetracted():
            rows.execute(delete(tables.visits).where(tables.visits.c.id == envelope.stream_id))


HOUSEHOLDS = Part(declare, apply)
