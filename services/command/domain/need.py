from __future__ import annotations

from datetime import date
from uuid import UUID

from services.command.domain.aggregate import Aggregate
from services.command.domain.dates import check_not_before
from services.command.domain.errors import NeedIsResolved
from services.command.domain.household import Household
from services.command.domain.member import Member
from shared.contract.events import Event, NeedAssigned, NeedRaised, NeedResolved
from shared.contract.vocabulary import NeedCategory


class Need(Aggregate):
    """A resident's request (诉求), often raised on a visit: assigned to a member,
    then resolved with what was done. Open past its due date, it is overdue."""

    CREATED_BY = NeedRaised
    KIND = "need"

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.raised_on = date.min
        self.resolved = False

    @classmethod
    def raise_need(
        cls,
        id: UUID,
        *,
        household: Household,
        category: NeedCategory,
        description: str,
        raised_on: date,
        due_on: date,
        visit_id: UUID | None,
        raised_by: Member | None,
    ) -> Need:
        check_not_before("due_on", due_on, raised_on, "the day it was raised")
        if raised_by is not None:
            raised_by.not_before_departure("raised_by_member_id", raised_on)
        need = cls(id, household.branch_id)
        need._record(
            NeedRaised(
                household_id=household.named_by_new_record(),
                category=category,
                description=description,
                raised_on=raised_on,
                due_on=due_on,
                visit_id=visit_id,
                raised_by_member_id=raised_by.id if raised_by else None,
            )
        )
        return need

    def assign(self, member: Member, assigned_on: date) -> None:
        self._require_open()
        member.require_active()
        check_not_before("assigned_on", assigned_on, self.raised_on, "the day it was raised")
        self._record(NeedAssigned(member_id=member.id, assigned_on=assigned_on))

    def resolve(self, resolved_on: date, outcome: str) -> None:
        self._require_open()
        check_not_before("resolved_on", resolved_on, self.raised_on, "the day it was raised")
        self._record(NeedResolved(resolved_on=resolved_on, outcome=outcome))

    def _require_open(self) -> None:
        if self.resolved:
            raise NeedIsResolved(f"request {self.id} has been resolved")

    def apply(self, event: Event) -> None:
        match event:
            case NeedRaised(raised_on=raised_on):
                self.raised_on = raised_on
            case NeedResolved():
                self.resolved = True
