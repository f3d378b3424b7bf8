from __future__ import annotations

from datetime import date
from uuid import UUID

from services.command.domain.aggregate import Aggregate
from services.command.domain.errors import GroupIsDissolved, GroupNotEmpty, MemberNotInGroup
from services.command.domain.member import Member
from shared.contract.events import (
    Event,
    GroupDissolved,
    GroupFormed,
    GroupLeaderAppointed,
    GroupMemberAdded,
    GroupMemberRemoved,
)
from shared.contract.vocabulary import GroupBasis


class Group(Aggregate):
    """A Party group (党小组), formed by residence, occupation or shared traits. It
    knows its members, so a leader is always one of them and only an empty group
    is dissolved."""

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
    def form(cls, id: UUID, branch_id: UUID, name: str, basis: GroupBasis) -> Group:
        group = cls(id, branch_id)
        group._record(GroupFormed(name=name, basis=basis))
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

    def dissolve(self, dissolved_on: date, reason: str | None) -> None:
        self.require_open()
        if self.members:
            raise GroupNotEmpty(f"group {self.id} still has {len(self.members)} members")
        self._record(GroupDissolved(dissolved_on=dissolved_on, reason=reason))

    def require_open(self) -> None:
        if self.dissolved:
            raise GroupIsDissolved(f"group {self.id} has been dissolved")

    def apply(self, event: Event) -> None:
        match event:
            case GroupFormed(name=name, basis=basis):
                self.name = name
                self.basis = basis
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
