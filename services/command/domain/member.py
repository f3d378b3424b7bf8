from __future__ import annotations

from uuid import UUID

from services.command.domain.aggregate import Aggregate
from shared.contract.events import Event, MemberEnrolled
from shared.contract.vocabulary import MemberCategory, MembershipStatus


class Member(Aggregate):
    """A Party member enrolled in the branch, in exactly one group."""

    CREATED_BY = MemberEnrolled
    KIND = "member"

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.group_id: UUID | None = None
        self.name = ""
        self.category = MemberCategory.COMMUNITY
        self.status = MembershipStatus.FULL
        self.holds_office = False

    @classmethod
    def enroll(
        cls,
        id: UUID,
        branch_id: UUID,
        *,
        group_id: UUID,
        name: str,
        category: MemberCategory,
        status: MembershipStatus,
        holds_office: bool,
        phone: str | None,
    ) -> Member:
        member = cls(id, branch_id)
        member._record(
            MemberEnrolled(
                group_id=group_id,
                name=name,
                category=category,
                status=status,
                holds_office=holds_office,
                phone=phone,
            )
        )
        return member

    @property
    def is_probationary(self) -> bool:
        return self.status is MembershipStatus.PROBATIONARY

    def apply(self, event: Event) -> None:
        match event:
            case MemberEnrolled():
                self.group_id = event.group_id
                self.name = event.name
                self.category = event.category
                self.status = event.status
                self.holds_office = event.holds_office
