"""Who may amend a record, and until when. Records are corrected, never edited:
an amendment is a new event with a reason, and the history keeps both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from services.command.domain.aggregate import Aggregate
from services.command.domain.errors import EditWindowClosed, NotTheRecorder


@dataclass(frozen=True)
class Editor:
    actor: str
    is_secretary: bool  # the branch secretary may amend any record, at any time


@dataclass(frozen=True)
class EditWindow:
    days: int  # 0: the day it was recorded

    def check(self, record: Aggregate, recorded_on: date, editor: Editor, today: date) -> None:
        if editor.is_secretary:
            return
        if editor.actor != record.created_by:
            raise NotTheRecorder(
                f"{record.KIND} {record.id} was recorded by {record.created_by}, not {editor.actor}"
            )
        if today > recorded_on + timedelta(days=self.days):
            raise EditWindowClosed(
                f"{record.KIND} {record.id} was recorded on {recorded_on}; "
                f"corrections by its recorder close after {self.days} day(s)"
            )
