from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from services.command.domain.aggregate import Aggregate
from services.command.domain.errors import (
    AlreadyHoldsPost,
    MemberHoldsOffice,
    NotAHolder,
    PostFull,
)
from services.command.domain.member import Member
from shared.contract.events import Event, PostAssigned, PostEstablished, PostRelieved
from shared.contract.vocabulary import PostKind


@dataclass(frozen=True)
class Holder:
    service_content: str
    pledge: str


class Post(Aggregate):
    """A volunteer service post (党员义务服务岗): members without office take it, show
    their identity, publish what they serve and pledge its quality (设岗定责)."""

    CREATED_BY = PostEstablished
    KIND = "post"

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.kind = PostKind.OTHER
        self.title = ""
        self.capacity: int | None = None
        self.holders: dict[UUID, Holder] = {}

    @classmethod
    def establish(
        cls,
        id: UUID,
        branch_id: UUID,
        *,
        kind: PostKind,
        title: str,
        duties: str,
        capacity: int | None,
    ) -> Post:
        post = cls(id, branch_id)
        post._record(PostEstablished(kind=kind, title=title, duties=duties, capacity=capacity))
        return post

    def assign(
        self,
        member: Member,
        *,
        service_content: str,
        pledge: str,
        departed: frozenset[UUID] = frozenset(),
    ) -> None:
        """``departed``: holders who have since left the branch; their places are free."""
        member.require_active()
        if member.holds_office:
            raise MemberHoldsOffice(f"member {member.id} holds office")
        if member.id in self.holders:
            raise AlreadyHoldsPost(f"member {member.id} already holds post {self.id}")
        taken = len(set(self.holders) - departed)
        if self.capacity is not None and taken >= self.capacity:
            raise PostFull(f"post {self.id} has {self.capacity} places, all taken")
        self._record(
            PostAssigned(member_id=member.id, service_content=service_content, pledge=pledge)
        )

    def relieve(self, member_id: UUID, relieved_on: date, reason: str | None) -> None:
        if member_id not in self.holders:
            raise NotAHolder(f"member {member_id} does not hold post {self.id}")
        self._record(PostRelieved(member_id=member_id, relieved_on=relieved_on, reason=reason))

    def apply(self, event: Event) -> None:
        match event:
            case PostEstablished():
                self.kind = event.kind
                self.title = event.title
                self.capacity = event.capacity
            case PostAssigned():
                self.holders[event.member_id] = Holder(event.service_content, event.pledge)
            case PostRelieved(member_id=member_id):
                self.holders.pop(member_id, None)
