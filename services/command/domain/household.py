"""Households the branch serves, their link to one member (党员联户), and the erasure
of their personal data on request."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from services.command.commands import (
    EraseHousehold,
    LinkHousehold,
    RegisterHousehold,
    SetVisitSchedule,
    UnlinkHousehold,
    handles,
)
from services.command.domain.aggregate import Aggregate, derived
from services.command.domain.branch import Branch
from services.command.domain.dates import check_date
from services.command.domain.errors import (
    HouseholdAlreadyErased,
    HouseholdAlreadyLinked,
    HouseholdNotLinked,
)
from services.command.domain.member import Member
from services.command.unit_of_work import UnitOfWork, Written, reference, require
from shared.contract.events import (
    Event,
    HouseholdErased,
    HouseholdLinked,
    HouseholdRegistered,
    HouseholdUnlinked,
)


class Household(Aggregate):
    """A resident household the branch serves; linked to one member."""

    CREATED_BY = HouseholdRegistered
    KIND = "household"

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.area = ""
        self.linked_member_id: UUID | None = None
        self.erased = False

    @classmethod
    def register(cls, command: RegisterHousehold) -> Household:
        household = cls(command.household_id, command.branch_id)
        household._record(derived(HouseholdRegistered, command))
        return household

    def erase(self, command: EraseHousehold, today: date) -> None:
        """Records that its personal fields were erased (the key is destroyed by the
        handler); the household, its area and its history stay."""
        check_date("erased_on", command.erased_on, today)
        self._refuse_if_erased()
        self._record(derived(HouseholdErased, command))

    def named_by_new_record(self) -> UUID:
        """The household's id, for a new record about it (a link, a visit, a request):
        every command that names a household goes through here. An erased household
        takes none: it asked to be forgotten. What is already recorded about it can
        still be corrected, retracted, resolved or unlinked."""
        self._refuse_if_erased()
        return self.id

    def link(self, member: Member, linked_on: date | None = None) -> None:
        """Links the household to the member (both sides record it) as of ``linked_on``
        (None: the day it is recorded)."""
        household_id = self.named_by_new_record()
        if self.linked_member_id is not None:
            raise HouseholdAlreadyLinked(
                f"household {self.id} is already linked to member {self.linked_member_id}"
            )
        member.take_on_household(household_id)
        self._record(HouseholdLinked(member_id=member.id, linked_on=linked_on))

    def require_linked(self) -> UUID:
        """The member the household is linked to."""
        if self.linked_member_id is None:
            raise HouseholdNotLinked(f"household {self.id} is not linked to a member")
        return self.linked_member_id

    def unlink(self, member: Member, unlinked_on: date, reason: str | None, today: date) -> None:
        check_date("unlinked_on", unlinked_on, today)
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


@handles(RegisterHousehold)
def register_household(command: RegisterHousehold, uow: UnitOfWork) -> Written:
    require(uow, Branch, command.branch_id, command.branch_id)
    return uow.commit(Household.register(command))


@handles(LinkHousehold)
def link_household(command: LinkHousehold, uow: UnitOfWork) -> Written:
    household = require(uow, Household, command.household_id, command.branch_id)
    member = reference(uow, Member, "member_id", command.member_id, command.branch_id)
    household.link(member, check_date("linked_on", command.linked_on or uow.today, uow.today))
    return uow.commit(household, member)


@handles(UnlinkHousehold)
def unlink_household(command: UnlinkHousehold, uow: UnitOfWork) -> Written:
    household = require(uow, Household, command.household_id, command.branch_id)
    member = require(uow, Member, household.require_linked(), command.branch_id)
    household.unlink(member, command.unlinked_on, command.reason, uow.today)
    return uow.commit(household, member)


@handles(EraseHousehold)
def erase_household(command: EraseHousehold, uow: UnitOfWork) -> Written:
    household = require(uow, Household, command.household_id, command.branch_id)
    household.erase(command, uow.today)
    # The key goes first: should the write fail, the data is erased all the same and a
    # retry records it.
    uow.forget_personal_data(household.id)
    return uow.commit(household)


@handles(SetVisitSchedule)
def set_visit_schedule(command: SetVisitSchedule, uow: UnitOfWork) -> Written:
    branch = require(uow, Branch, command.branch_id, command.branch_id)
    if command.household_id is not None:
        reference(uow, Household, "household_id", command.household_id, command.branch_id)
    branch.set_visit_schedule(command, uow.today)
    return uow.commit(branch)
