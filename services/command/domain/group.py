from __future__ import annotations

from uuid import UUID

from services.command.domain.aggregate import Aggregate
from services.command.domain.errors import MemberNotInGroup
from services.command.domain.member import Member
from shared.contract.events import Event, GroupFormed, GroupLeaderAppointed
from shared.contract.vocabulary import GroupBasis


class Group(Aggregate):
    """A Party group (党小组), formed by residence, occupation or shared traits."""

    CREATED_BY = GroupFormed
    KIND = "group"

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.name = ""
        self.basis = GroupBasis.RESIDENCE
        self.leader_id: UUID | None = None

    @classmethod
    def form(cls, id: UUID, branch_id: UUID, name: str, basis: GroupBasis) -> Group:
        group = cls(id, branch_id)
        group._record(GroupFormed(name=name, basis=basis))
        return group

    def appoint_leader(self, member: Member) -> None:
        if member.group_id != self.id:
            raise MemberNotInGroup(f"member {member.id} is not in group {self.id}")
        self._record(GroupLeaderAppointed(member_id=member.id))

    def apply(self, event: Event) -> None:
        match event:
            case GroupFormed(name=name, basis=basis):
                self.name = name
                self.basis = basis
            case GroupLeaderAppointed(member_id=member_id):
                self.leader_id = member_id
