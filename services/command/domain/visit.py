from __future__ import annotations

from datetime import date
from uuid import UUID

from services.command.domain.aggregate import Aggregate
from services.command.domain.corrections import Editor, EditWindow
from services.command.domain.dates import EARLIEST_RECORD, check_date
from services.command.domain.errors import VisitIsRetracted
from services.command.domain.household import Household
from services.command.domain.member import Member
from shared.contract.events import Event, VisitCorrected, VisitRecorded, VisitRetracted


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
        self.purpose = ""
        self.notes: str | None = None
        self.retracted = False

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
                household_id=household.named_by_new_record(),
                visited_on=visited_on,
                purpose=purpose,
                notes=notes,
            )
        )
        return visit

    def correct(
        self,
        *,
        visited_on: date | None,
        purpose: str | None,
        notes: str | None,
        reason: str,
        editor: Editor,
        window: EditWindow,
        recorded_on: date,
        today: date,
    ) -> None:
        self._may_amend(editor, window, recorded_on, today)
        if visited_on is not None:
            check_date("visited_on", visited_on, today)
        self._record(
            VisitCorrected(
                visited_on=visited_on or self.visited_on,
                purpose=purpose or self.purpose,
                notes=notes if notes is not None else self.notes,
                reason=reason,
            )
        )

    def retract(
        self, *, reason: str, editor: Editor, window: EditWindow, recorded_on: date, today: date
    ) -> None:
        self._may_amend(editor, window, recorded_on, today)
        self._record(VisitRetracted(reason=reason))

    def _may_amend(
        self, editor: Editor, window: EditWindow, recorded_on: date, today: date
    ) -> None:
        if self.retracted:
            raise VisitIsRetracted(f"visit {self.id} was retracted")
        window.check(self, recorded_on, editor, today)

    def apply(self, event: Event) -> None:
        match event:
            case VisitRecorded():
                self.member_id = event.member_id
                self.household_id = event.household_id
                self.visited_on = event.visited_on
                self.purpose = event.purpose
                self.notes = event.notes
            case VisitCorrected():
                self.visited_on = event.visited_on
                self.purpose = event.purpose
                self.notes = event.notes
            case VisitRetracted():
                self.retracted = True
