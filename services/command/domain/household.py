from __future__ import annotations

from uuid import UUID

from services.command.domain.aggregate import Aggregate
from services.command.domain.errors import HouseholdAlreadyLinked
from services.command.domain.member import Member
from shared.contract.events import Event, HouseholdLinked, HouseholdRegistered


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
        if self.linked_member_id is not None:
            raise HouseholdAlreadyLinked(
                f"household {self.id} is already linked to member {self.linked_member_id}"
            )
        self._record(HouseholdLinked(member_id=member.id))

    def apply(self, event: Event) -> None:
        match event:
            case HouseholdRegistered(area=area):
                self.area = area
            case HouseholdLinked(member_id=member_id):
                self.linked_member_id = member_id
