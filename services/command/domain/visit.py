from __future__ import annotations

from datetime import date
from uuid import UUID

from services.command.domain.aggregate import Aggregate
from services.command.domain.dates import EARLIEST_RECORD, check_date
from services.command.domain.household import Household
from services.command.domain.member import Member
from shared.contract.events import Event, VisitRecorded


class Visit(Aggregate):
    """One visit (走访) by a member to a household. Its own stream, so recording one
    (the hottest command) writes a single new event and contends with nothing."""

    CREATED_BY = VisitRecorded
    KIND = "visit"

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.member_id: UUID | None = None
        self.household_id: UUID | None = None
        self.visited_on = EARLIEST_RECORD

    @classmethod
    def record(
        cls,
        id: UUID,
        *,
        member: Member,
        household: Household,
        visited_on: date,
        purpose: str,
        notes: str | None,
        today: date,
    ) -> Visit:
        check_date("visited_on", visited_on, today)
        member.not_before_departure("visited_on", visited_on)
        visit = cls(id, member.branch_id)
        visit._record(
            VisitRecorded(
                member_id=member.id,
                household_id=household.id,
                visited_on=visited_on,
                purpose=purpose,
                notes=notes,
            )
        )
        return visit

    def apply(self, event: Event) -> None:
        match event:
            case VisitRecorded():
                self.member_id = event.member_id
                self.household_id = event.household_id
                self.visited_on = event.visited_on
