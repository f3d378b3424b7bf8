"""Visits (走访): recorded by a member at a household, corrected or retracted, never
edited."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from services.command.commands import CorrectVisit, RecordVisit, RetractVisit, handles
from services.command.domain.aggregate import Aggregate, derived
from services.command.domain.corrections import Amender
from services.command.domain.dates import EARLIEST_RECORD, check_date
from services.command.domain.errors import VisitIsRetracted
from services.command.domain.household import Household
from services.command.domain.member import Member, acting_for
from services.command.unit_of_work import UnitOfWork, Written, reference, require
from shared.contract.events import Event, VisitCorrected, VisitRecorded, VisitRetracted


class Visit(Aggregate):
    """One visit by a member to a household. Its own stream, so recording one (the
    hottest command) writes a single new event and contends with nothing."""

    CREATED_BY = VisitRecorded
    KIND = "visit"

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.member_id: UUID | None = None
        self.household_id: UUID | None = None
        self.visited_on = EARLIEST_RECORD
        self.purpose = ""
        self.notes: str | None = None
        self.retracted = False

    @classmethod
    def record(
        cls, command: RecordVisit, member: Member, household: Household, today: date
    ) -> Visit:
        check_date("visited_on", command.visited_on, today)
        member.not_before_departure("visited_on", command.visited_on)
        visit = cls(command.visit_id, member.branch_id)
        visit._record(derived(VisitRecorded, command, household_id=household.named_by_new_record()))
        return visit

    def correct(
        self, command: CorrectVisit, amender: Amender, recorded_on: date, today: date
    ) -> None:
        self._may_amend(amender, recorded_on, today)
        if command.visited_on is not None:
            check_date("visited_on", command.visited_on, today)
        self._record(
            VisitCorrected(
                visited_on=command.visited_on or self.visited_on,
                purpose=command.purpose or self.purpose,
                notes=command.notes if command.notes is not None else self.notes,
                reason=command.reason,
            )
        )

    def retract(
        self, command: RetractVisit, amender: Amender, recorded_on: date, today: date
    ) -> None:
        self._may_amend(amender, recorded_on, today)
        self._record(derived(VisitRetracted, command))

    def _may_amend(self, amender: Amender, recorded_on: date, today: date) -> None:
        if self.retracted:
            raise VisitIsRetracted(f"visit {self.id} was retracted")
        amender.check(self, recorded_on, today)

    def apply(self, event: Event) -> None:
        match event:
            case VisitRecorded() | VisitCorrected():
                self._adopt(event)
            case VisitRetracted():
                self.retracted = True


@handles(RecordVisit)
def record_visit(command: RecordVisit, uow: UnitOfWork) -> Written:
    member = reference(uow, Member, "member_id", command.member_id, command.branch_id)
    acting_for(uow, command, member)
    household = reference(uow, Household, "household_id", command.household_id, command.branch_id)
    return uow.commit(Visit.record(command, member, household, uow.today))


def _amended(command: CorrectVisit | RetractVisit, uow: UnitOfWork) -> tuple[Visit, date]:
    """The visit a correction or retraction is about, once the principal may amend it
    (a group leader: their group's members' visits), and the day it was recorded."""
    visit = require(uow, Visit, command.visit_id, command.branch_id)
    assert visit.member_id is not None
    assert visit.created_at is not None
    acting_for(uow, command, uow.get(Member, visit.member_id, command.branch_id))
    return visit, uow.date_of(visit.created_at)


@handles(CorrectVisit)
def correct_visit(command: CorrectVisit, uow: UnitOfWork) -> Written:
    visit, recorded_on = _amended(command, uow)
    visit.correct(command, Amender.of(uow), recorded_on, uow.today)
    return uow.commit(visit)


@handles(RetractVisit)
def retract_visit(command: RetractVisit, uow: UnitOfWork) -> Written:
    visit, recorded_on = _amended(command, uow)
    visit.retract(command, Amender.of(uow), recorded_on, uow.today)
    return uow.commit(visit)
