"""Who may amend a record, and until when. Records are corrected, never edited:
an amendment is a new event with a reason, and the history keeps both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from services.command.domain.aggregate import Aggregate
from services.command.domain.errors import EditWindowClosed, NotTheRecorder
from services.command.unit_of_work import UnitOfWork
from shared.policy import may_amend_any_record


@dataclass(frozen=True)
class Amender:
    subject: str
    any_record: bool  # the access policy lets them amend any record, at any time
    window_days: int  # else their own records, until this many days after (0: that day)

    @classmethod
    def of(cls, uow: UnitOfWork) -> Amender:
        principal = uow.principal
        return cls(
            principal.subject, may_amend_any_record(principal), uow.settings.edit_window_days
        )

    def check(self, record: Aggregate, recorded_on: date, today: date) -> None:
        if self.any_record:
            return
        if self.subject != record.created_by:
            raise NotTheRecorder(
                f"{record.KIND} {record.id} was recorded by {record.created_by}, not {self.subject}"
            )
        if today > recorded_on + timedelta(days=self.window_days):
            raise EditWindowClosed(
                f"{record.KIND} {record.id} was recorded on {recorded_on}; "
                f"corrections by its recorder close after {self.window_days} day(s)"
            )
