from __future__ import annotations

from datetime import date
from uuid import UUID

from services.command.domain.aggregate import Aggregate
from services.command.domain.errors import (
    HouseholdAlreadyErased,
    HouseholdAlreadyLinked,
    HouseholdNotLinked,
)
from services.command.domain.member import Member
from shared.contract.events import (
    Event,
    HouseholdErased,
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
        self.erased = False

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

    def erase(self, erased_on: date, reason: str) -> None:
        """Records that its personal fields were erased (the key is destroyed by the
        handler); the household, its area and its history stay."""
        self._refuse_if_erased()
        self._record(HouseholdErased(erased_on=erased_on, reason=reason))

    def named_by_new_record(self) -> UUID:
        """The household's id, for a new record about it (a link, a visit, a request):
        every command that names a household goes through here. An erased household
        takes none: it asked to be forgotten. What is already recorded about it can
        still be corrected, retracted, resolved or unlinked."""
        self._refuse_if_erased()
        return self.id

    def link(self, member: Member) -> None:
        """Links the household to the member (both sides record it)."""
        household_id = self.named_by_new_record()
        if self.linked_member_id is not None:
            raise HouseholdAlreadyLinked(
                f"household {self.id} is already linked to member {self.linked_member_id}"
            )
        member.take_on_household(household_id)
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
            case HouseholdErased():
                self.erased = True

    def _refuse_if_erased(self) -> None:
        if self.erased:
            raise HouseholdAlreadyErased(f"household {self.id}'s personal data has been erased")
