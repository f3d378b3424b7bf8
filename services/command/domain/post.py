"""Volunteer service posts (党员义务服务岗) and who holds them: members without office
take a post, show their identity, publish what they serve and pledge its quality
(设岗定责)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from services.command.commands import AssignPost, EstablishPost, RelievePost, handles
from services.command.domain.aggregate import Aggregate, derived
from services.command.domain.branch import Branch
from services.command.domain.dates import check_date
from services.command.domain.errors import (
    AlreadyHoldsPost,
    MemberHoldsOffice,
    NotAHolder,
    PostFull,
)
from services.command.domain.member import Member
from services.command.unit_of_work import UnitOfWork, Written, reference, require
from shared.contract.events import Event, PostAssigned, PostEstablished, PostRelieved
from shared.contract.vocabulary import PostKind


@dataclass(frozen=True)
class Holder:
    service_content: str
    pledge: str


class Post(Aggregate):
    CREATED_BY = PostEstablished
    KIND = "post"

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.kind = PostKind.OTHER
        self.title = ""
        self.capacity: int | None = None
        self.holders: dict[UUID, Holder] = {}

    @classmethod
    def establish(cls, command: EstablishPost) -> Post:
        post = cls(command.post_id, command.branch_id)
        post._record(derived(PostEstablished, command))
        return post

    def assign(
        self, command: AssignPost, member: Member, departed: frozenset[UUID] = frozenset()
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
        self._record(derived(PostAssigned, command))

    def relieve(self, command: RelievePost, today: date) -> None:
        check_date("relieved_on", command.relieved_on, today)
        if command.member_id not in self.holders:
            raise NotAHolder(f"member {command.member_id} does not hold post {self.id}")
        self._record(derived(PostRelieved, command))

    def apply(self, event: Event) -> None:
        match event:
            case PostEstablished():
                self._adopt(event)
            case PostAssigned():
                self.holders[event.member_id] = Holder(event.service_content, event.pledge)
            case PostRelieved(member_id=member_id):
                self.holders.pop(member_id, None)


@handles(EstablishPost)
def establish_post(command: EstablishPost, uow: UnitOfWork) -> Written:
    require(uow, Branch, command.branch_id, command.branch_id)
    return uow.commit(Post.establish(command))


@handles(AssignPost)
def assign_post(command: AssignPost, uow: UnitOfWork) -> Written:
    post = require(uow, Post, command.post_id, command.branch_id)
    member = reference(uow, Member, "member_id", command.member_id, command.branch_id)
    holders = (uow.get(Member, holder, command.branch_id) for holder in post.holders)
    departed = frozenset(h.id for h in holders if h is not None and not h.active)
    post.assign(command, member, departed)
    return uow.commit(post)


@handles(RelievePost)
def relieve_post(command: RelievePost, uow: UnitOfWork) -> Written:
    post = require(uow, Post, command.post_id, command.branch_id)
    post.relieve(command, uow.today)
    return uow.commit(post)
