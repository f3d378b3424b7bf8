"""The branch (社区党支部) everything else belongs to."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from services.command.commands import RegisterBranch, SetVisitSchedule, handles
from services.command.domain.aggregate import Aggregate, derived
from services.command.domain.dates import check_date
from services.command.domain.errors import InvalidValue
from services.command.unit_of_work import UnitOfWork, Written
from shared.contract.events import BranchRegistered, Event, VisitScheduleSet


class Branch(Aggregate):
    CREATED_BY = BranchRegistered
    KIND = "branch"

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.name = ""

    @classmethod
    def register(cls, command: RegisterBranch) -> Branch:
        branch = cls(command.branch_id, branch_id=command.branch_id)
        branch._record(derived(BranchRegistered, command))
        return branch

    def set_visit_schedule(self, command: SetVisitSchedule, today: date) -> None:
        """The branch's schedules are its own history: a change of cadence is recorded,
        never overwritten, so a due date can be judged as the schedule stood."""
        check_date("set_on", command.set_on, today)
        if command.tag is not None and command.household_id is not None:
            raise InvalidValue("household_id", "a schedule is for a tag or a household, not both")
        self._record(derived(VisitScheduleSet, command))

    def apply(self, event: Event) -> None:
        match event:
            case BranchRegistered():
                self._adopt(event)


@handles(RegisterBranch)
def register_branch(command: RegisterBranch, uow: UnitOfWork) -> Written:
    return uow.commit(Branch.register(command))
