"""Residents' requests (诉求): raised (often on a visit), assigned to a member, resolved
with what was done. Open past its due date, a request is overdue."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from services.command.commands import AssignNeed, RaiseNeed, ResolveNeed, handles
from services.command.domain.aggregate import Aggregate, derived
from services.command.domain.dates import check_date, check_not_before
from services.command.domain.errors import NeedIsResolved
from services.command.domain.household import Household
from services.command.domain.member import Member, acting_for
from services.command.domain.visit import Visit
from services.command.unit_of_work import UnitOfWork, Written, reference, require
from shared.contract.events import Event, NeedAssigned, NeedRaised, NeedResolved


class Need(Aggregate):
    CREATED_BY = NeedRaised
    KIND = "need"

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.raised_on = date.min
        self.resolved = False

    @classmethod
    def raise_need(
        cls,
        command: RaiseNeed,
        household: Household,
        raised_by: Member | None,
        today: date,
        due_days: int,
    ) -> Need:
        """``due_days``: when no due date is given, it is this many days on."""
        raised_on = check_date("raised_on", command.raised_on, today)
        due_on = command.due_on or raised_on + timedelta(days=due_days)
        check_not_before("due_on", due_on, raised_on, "the day it was raised")
        if raised_by is not None:
            raised_by.not_before_departure("raised_by_member_id", raised_on)
        need = cls(command.need_id, household.branch_id)
        need._record(
            derived(
                NeedRaised,
                command,
                household_id=household.named_by_new_record(),
                due_on=due_on,
            )
        )
        return need

    def assign(self, command: AssignNeed, member: Member, today: date) -> None:
        assigned_on = check_date("assigned_on", command.assigned_on, today)
        self._require_open()
        member.require_active()
        check_not_before("assigned_on", assigned_on, self.raised_on, "the day it was raised")
        self._record(derived(NeedAssigned, command))

    def resolve(self, command: ResolveNeed, today: date) -> None:
        resolved_on = check_date("resolved_on", command.resolved_on, today)
        self._require_open()
        check_not_before("resolved_on", resolved_on, self.raised_on, "the day it was raised")
        self._record(derived(NeedResolved, command))

    def _require_open(self) -> None:
        if self.resolved:
            raise NeedIsResolved(f"request {self.id} has been resolved")

    def apply(self, event: Event) -> None:
        match event:
            case NeedRaised():
                self._adopt(event)
            case NeedResolved():
                self.resolved = True


@handles(RaiseNeed)
def raise_need(command: RaiseNeed, uow: UnitOfWork) -> Written:
    branch_id = command.branch_id
    raised_by = (
        reference(uow, Member, "raised_by_member_id", command.raised_by_member_id, branch_id)
        if command.raised_by_member_id is not None
        else None
    )
    acting_for(uow, command, raised_by)
    household = reference(uow, Household, "household_id", command.household_id, branch_id)
    if command.visit_id is not None:
        reference(uow, Visit, "visit_id", command.visit_id, branch_id)
    need = Need.raise_need(command, household, raised_by, uow.today, uow.settings.need_due_days)
    return uow.commit(need)


@handles(AssignNeed)
def assign_need(command: AssignNeed, uow: UnitOfWork) -> Written:
    need = require(uow, Need, command.need_id, command.branch_id)
    member = reference(uow, Member, "member_id", command.member_id, command.branch_id)
    acting_for(uow, command, member)
    need.assign(command, member, uow.today)
    return uow.commit(need)


@handles(ResolveNeed)
def resolve_need(command: ResolveNeed, uow: UnitOfWork) -> Written:
    need = require(uow, Need, command.need_id, command.branch_id)
    need.resolve(command, uow.today)
    return uow.commit(need)
