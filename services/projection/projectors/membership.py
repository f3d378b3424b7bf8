"""Every read model's branches, Party groups and members, and the one handler of the
events that change them (their tables: ``tables.MembershipTables``)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import (
    update,
)

from services.projection.projectors.base import Part, RowWriter
from services.projection.projectors.tables import MembershipTables, declare_membership
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


def apply(rows: RowWriter, tables: MembershipTables, envelope: Envelope, event: Event) -> None:
    match event:
        case BranchRegistered():
            rows.insert(tables.branches, id=envelope.stream_id, name=event.name)
        case GroupFormed():
            rows.record(tables.groups, envelope, event, formed_position=envelope.position)
        case GroupLeaderAppointed():
            rows.change(tables.groups, envelope, leader_id=event.member_id)
        case GroupMemberRemoved():
            rows.execute(
                update(tables.groups)
                .where(tables.groups.c.id == envelope.stream_id)
                .where(tables.groups.c.leader_id == event.member_id)
                .values(leader_id=None)
            )
        case GroupDissolved():
            rows.change(tables.groups, envelope, event)
        case MemberEnrolled():
            rows.record(
                tables.members,
                envelope,
                event,
                linked_households=0,
                enrolled_position=envelope.position,
            )
            _moved(rows, tables, envelope, event.group_id, event.enrolled_on)
        case MemberTransferred():
            rows.change(tables.members, envelope, group_id=event.to_group_id)
            _moved(rows, tables, envelope, event.to_group_id, event.transferred_on)
        case MemberLeft():
            rows.change(
                tables.members,
                envelope,
                event,
                departure_reason=event.reason.value,
                volunteer_since=None,
            )
        case VolunteerTeamJoined():
            rows.change(tables.members, envelope, volunteer_since=event.joined_on)
        case VolunteerTeamLeft():
            rows.change(tables.members, envelope, volunteer_since=None)
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


MEMBERSHIP = Part(declare_membership, apply)
