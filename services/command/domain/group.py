"""Party groups (党小组) and who is in them: forming and dissolving a group, its
leader, and a member's enrolment, transfer and departure, which change a group's
members in the same transaction as the member."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from services.command.commands import (
    AppointGroupLeader,
    DissolveGroup,
    EnrollMember,
    FormGroup,
    MemberLeaves,
    RecordGroupMeeting,
    TransferMember,
    handles,
)
from services.command.domain.aggregate import Aggregate, derived
from services.command.domain.branch import Branch
from services.command.domain.dates import check_date
from services.command.domain.errors import GroupIsDissolved, GroupNotEmpty, MemberNotInGroup
from services.command.domain.household import Household
from services.command.domain.member import Member
from services.command.unit_of_work import UnitOfWork, Written, reference, require
from shared.contract.events import (
    Event,
    GroupDissolved,
    GroupFormed,
    GroupLeaderAppointed,
    GroupMeetingHeld,
    GroupMemberAdded,
    GroupMemberRemoved,
)
from shared.contract.vocabulary import GroupBasis


class Group(Aggregate):
    """A Party group, formed by residence, occupation or shared traits. It knows its
    members, so a leader is always one of them and only an empty group is dissolved."""

    CREATED_BY = GroupFormed
    KIND = "group"

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.name = ""
        self.basis = GroupBasis.RESIDENCE
        self.leader_id: UUID | None = None
        self.members: set[UUID] = set()
        self.dissolved = False

    @classmethod
    def form(cls, command: FormGroup) -> Group:
        group = cls(command.group_id, command.branch_id)
        group._record(derived(GroupFormed, command))
        return group

    def admit(self, member_id: UUID) -> None:
        self.require_open()
        self._record(GroupMemberAdded(member_id=member_id))

    def release(self, member_id: UUID) -> None:
        if member_id in self.members:
            self._record(GroupMemberRemoved(member_id=member_id))

    def appoint_leader(self, member: Member) -> None:
        self.require_open()
        member.require_active()
        if member.id not in self.members:
            raise MemberNotInGroup(f"member {member.id} is not in group {self.id}")
        self._record(GroupLeaderAppointed(member_id=member.id))

    def hold_meeting(
        self, command: RecordGroupMeeting, attendees: list[Member], today: date
    ) -> None:
        """Its members meet; a meeting recorded late still counts those who were there."""
        check_date("held_on", command.held_on, today)
        self.require_open()
        for attendee in attendees:
            attendee.not_before_departure("attendee_ids", command.held_on)
            if attendee.id not in self.members and attendee.active:
                raise MemberNotInGroup(f"member {attendee.id} is not in group {self.id}")
        self._record(derived(GroupMeetingHeld, command))

    def dissolve(self, command: DissolveGroup, today: date) -> None:
        check_date("dissolved_on", command.dissolved_on, today)
        self.require_open()
        if self.members:
            raise GroupNotEmpty(f"group {self.id} still has {len(self.members)} members")
        self._record(derived(GroupDissolved, command))

    def require_open(self) -> None:
        if self.dissolved:
            raise GroupIsDissolved(f"group {self.id} has been dissolved")

    def apply(self, event: Event) -> None:
        match event:
            case GroupFormed():
                self._adopt(event)
            case GroupLeaderAppointed(member_id=member_id):
                self.leader_id = member_id
            case GroupMemberAdded(member_id=member_id):
                self.members.add(member_id)
            case GroupMemberRemoved(member_id=member_id):
                self.members.discard(member_id)
                if self.leader_id == member_id:
                    self.leader_id = None  # a leader who leaves the group leads it no more
            case GroupDissolved():
                self.dissolved = True


@handles(FormGroup)
def form_group(command: FormGroup, uow: UnitOfWork) -> Written:
    require(uow, Branch, command.branch_id, command.branch_id)
    return uow.commit(Group.form(command))


@handles(AppointGroupLeader)
def appoint_group_leader(command: AppointGroupLeader, uow: UnitOfWork) -> Written:
    group = require(uow, Group, command.group_id, command.branch_id)
    member = reference(uow, Member, "member_id", command.member_id, command.branch_id)
    group.appoint_leader(member)
    return uow.commit(group)


@handles(DissolveGroup)
def dissolve_group(command: DissolveGroup, uow: UnitOfWork) -> Written:
    group = require(uow, Group, command.group_id, command.branch_id)
    group.dissolve(command, uow.today)
    return uow.commit(group)


@handles(RecordGroupMeeting)
def record_group_meeting(command: RecordGroupMeeting, uow: UnitOfWork) -> Written:
    group = require(uow, Group, command.group_id, command.branch_id)
    attendees = [
        reference(uow, Member, "attendee_ids", member_id, command.branch_id)
        for member_id in dict.fromkeys(command.attendee_ids)
    ]
    group.hold_meeting(command, attendees, uow.today)
    return uow.commit(group)


@handles(EnrollMember)
def enroll_member(command: EnrollMember, uow: UnitOfWork) -> Written:
    require(uow, Branch, command.branch_id, command.branch_id)
    group = reference(uow, Group, "group_id", command.group_id, command.branch_id)
    member = Member.enroll(command, uow.today)
    group.admit(member.id)
    return uow.commit(member, group)


@handles(TransferMember)
def transfer_member(command: TransferMember, uow: UnitOfWork) -> Written:
    member = require(uow, Member, command.member_id, command.branch_id)
    to_group = reference(uow, Group, "group_id", command.group_id, command.branch_id)
    from_group = require(uow, Group, member.transfer(command, uow.today), command.branch_id)
    from_group.release(member.id)
    to_group.admit(member.id)
    return uow.commit(member, from_group, to_group)


@handles(MemberLeaves)
def member_leaves(command: MemberLeaves, uow: UnitOfWork) -> Written:
    """The member leaves; their group and their households are let go in the same
    transaction, so no household stays linked to someone who has gone. (Posts they
    held free up on their own: a departed holder's place counts as vacant.)"""
    member = require(uow, Member, command.member_id, command.branch_id)
    member.require_active()
    assert member.group_id is not None
    group = require(uow, Group, member.group_id, command.branch_id)
    group.release(member.id)
    changed: list[Aggregate] = [member, group]
    for household_id in sorted(member.linked_households):
        household = require(uow, Household, household_id, command.branch_id)
        household.unlink(member, command.left_on, "the member left the branch", uow.today)
        changed.append(household)
    member.leave(command, uow.today)
    return uow.commit(*changed)
