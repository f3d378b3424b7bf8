"""Every read model's branches, Party groups and members: the one declaration of these
tables and the one handler of the events that change them.

Every read model knows its branches, so its queries can tell an unknown branch (404)
from an empty one, and its groups and members, whom its other tables name. A
member's moves (enrolment, then each transfer, by business date) place them in the
group they were in on a date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    update,
)

from services.projection.projectors.base import Part, RowWriter
from shared.contract.envelope import Envelope
from shared.contract.events import (
    BranchRegistered,
    Event,
    GroupDissolved,
    GroupFormed,
    GroupLeaderAppointed,
    GroupMemberRemoved,
    LinkedHouseholdAdded,
    LinkedHouseholdRemoved,
    MemberEnrolled,
    MemberLeft,
    MemberTransferred,
    VolunteerTeamJoined,
    VolunteerTeamLeft,
)


@dataclass(frozen=True)
class MembershipTables:
    branches: Table
    groups: Table
    members: Table
    moves: Table


def declare(metadata: MetaData, prefix: str) -> MembershipTables:
    return MembershipTables(
        branches=Table(
            f"{prefix}branches",
            metadata,
            Column("id", Uuid, primary_key=True),
            Column("name", Text, nullable=False),
        ),
        groups=Table(
            f"{prefix}groups",
            metadata,
            Column("id", Uuid, primary_key=True),
            Column("branch_id", Uuid, nullable=False, index=True),
            Column("name", Text, nullable=False),
            Column("basis", String(20), nullable=False),
            Column("leader_id", Uuid),
            Column("dissolved_on", Date),
            Column("formed_position", BigInteger, nullable=False),
        ),
        members=Table(
            f"{prefix}members",
            metadata,
            Column("id", Uuid, primary_key=True),
            Column("branch_id", Uuid, nullable=False, index=True),
            Column("group_id", Uuid, nullable=False),
            Column("name", Text, nullable=False),
            Column("category", String(20), nullable=False),
            Column("status", String(20), nullable=False),
            Column("holds_office", Boolean, nullable=False),
            # Kept from the member's side of each link.
            Column("linked_households", Integer, nullable=False),
            Column("volunteer_since", Date),
            Column("enrolled_on", Date),
            Column("left_on", Date),
            Column("departure_reason", String(30)),
            Column("enrolled_position", BigInteger, nullable=False),
        ),
        moves=Table(
            f"{prefix}moves",
            metadata,
            Column("position", BigInteger, primary_key=True, autoincrement=False),
            Column("member_id", Uuid, nullable=False, index=True),
            Column("branch_id", Uuid, nullable=False, index=True),
            Column("group_id", Uuid, nullable=False),
            Column("moved_on", Date),
        ),
    )


def apply(rows: RowWriter, tables: MembershipTables, envelope: Envelope, event: Event) -> None:
    match event:
        case BranchRegistered():
            rows.insert(tables.branches, id=envelope.stream_id, name=event.name)
        case GroupFormed():
            rows.insert(
                tables.groups,
                id=envelope.stream_id,
                branch_id=envelope.branch_id,
                name=event.name,
                basis=event.basis.value,
                formed_position=envelope.position,
            )
        case GroupLeaderAppointed():
            rows.update(tables.groups, envelope.stream_id, leader_id=event.member_id)
        case GroupMemberRemoved():
            rows.execute(
                update(tables.groups)
                .where(tables.groups.c.id == envelope.stream_id)
                .where(tables.groups.c.leader_id == event.member_id)
                .values(leader_id=None)
            )
        case GroupDissolved():
            rows.update(tables.groups, envelope.stream_id, dissolved_on=event.dissolved_on)
        case MemberEnrolled():
            rows.insert(
                tables.members,
                id=envelope.stream_id,
                branch_id=envelope.branch_id,
                group_id=event.group_id,
                name=event.name,
                category=event.category.value,
                status=event.status.value,
                holds_office=event.holds_office,
                linked_households=0,
                enrolled_on=event.enrolled_on,
                enrolled_position=envelope.position,
            )
            _moved(rows, tables, envelope, event.group_id, event.enrolled_on)
        case MemberTransferred():
            rows.update(tables.members, envelope.stream_id, group_id=event.to_group_id)
            _moved(rows, tables, envelope, event.to_group_id, event.transferred_on)
        case MemberLeft():
            rows.update(
                tables.members,
                envelope.stream_id,
                left_on=event.left_on,
                departure_reason=event.reason.value,
                volunteer_since=None,
            )
        case VolunteerTeamJoined():
            rows.update(tables.members, envelope.stream_id, volunteer_since=event.joined_on)
        case VolunteerTeamLeft():
            rows.update(tables.members, envelope.stream_id, volunteer_since=None)
        case LinkedHouseholdAdded() | LinkedHouseholdRemoved():
            step = 1 if isinstance(event, LinkedHouseholdAdded) else -1
            rows.execute(
                update(tables.members)
                .where(tables.members.c.id == envelope.stream_id)
                .values(linked_households=tables.members.c.linked_households + step)
            )


def _moved(
    rows: RowWriter, tables: MembershipTables, envelope: Envelope, group_id: UUID, on: date | None
) -> None:
    rows.insert(
        tables.moves,
        position=envelope.position,
        member_id=envelope.stream_id,
        branch_id=envelope.branch_id,
        group_id=group_id,
        moved_on=on,
    )


MEMBERSHIP = Part(declare, apply)
