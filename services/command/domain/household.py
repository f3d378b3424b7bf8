from __future__ import annotations

from datetime import date
from uuid import UUID

from services.command.domain.aggregate import Aggregate
from services.command.domain.errors import HouseholdAlreadyLinked, HouseholdNotLinked
from services.command.domain.member import Member
from shared.contract.events import (
    Event,
    HouseholdLinked,
    HouseholdRegistered,
    HouseholdUnlinked,
)


class Household(Aggregate):
    """A resident household the branch serves; linked to one member (党员联户)."""

    CREATED_BY = HouseholdRegistered
    KIND = "household"

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.area = ""
        self.linked_member_id: UUID | None = None

    @classmethod
    def register(
        cls,
        id: UUID,
        branch_id: UUID,
        *,
        address: str,
        area: str,
        head_name: str,
        phone: str | None,
        tags: tuple[str, ...],
    ) -> Household:
        household = cls(id, branch_id)
        household._record(
            HouseholdRegistered(
                address=address, area=area, head_name=head_name, phone=phone, tags=tags
            )
        )
        return household

    def link(self, member: Member) -> None:
        """Links the household to the member (both sides record it)."""
        if self.linked_member_id is not None:
            raise HouseholdAlreadyLinked(
                f"household {self.id} is already linked to member {self.linked_member_id}"
            )
        member.take_on_household(self.id)
        self._record(HouseholdLinked(member_id=member.id))

    def unlink(self, member: Member, unlinked_on: date, reason: str | None) -> None:
        if self.linked_member_id != member.id:
            raise HouseholdNotLinked(f"household {self.id} is not linked to member {member.id}")
        member.hand_over_household(self.id)
        self._record(HouseholdUnlinked(member_id=member.id, unlinked_on=unlinked_on, reason=reason))

    def apply(self, event: Event) -> None:
        match event:
            case HouseholdRegistered(area=area):
                self.area = area
            case HouseholdLinked(member_id=member_id):
                self.linked_member_id = member_id
            case HouseholdUnlinked():
                self.linked_member_id = None
