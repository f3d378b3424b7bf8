"""Reminders: who was told of what due work, when, and by which channels."""

from __future__ import annotations

from uuid import UUID

from services.command.commands import RecordReminder, handles
from services.command.domain.aggregate import Aggregate, derived
from services.command.unit_of_work import UnitOfWork, Written
from shared.contract.events import Event, ReminderFailed, ReminderSent


class Reminder(Aggregate):
    """One reminder's outcome, its own stream (the notifier's outbox row's id), so
    recording it contends with nothing and a second record of it is refused."""

    CREATED_BY = ReminderSent
    KIND = "reminder"

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.failed = False

    @classmethod
    def record(cls, command: RecordReminder) -> Reminder:
        reminder = cls(command.reminder_id, command.branch_id)
        if command.failure is None:
            reminder._record(derived(ReminderSent, command))
        else:
            reminder._record(derived(ReminderFailed, command, reason=command.failure))
        return reminder

    def apply(self, event: Event) -> None:
        self.failed = isinstance(event, ReminderFailed)


@handles(RecordReminder)
def record_reminder(command: RecordReminder, uow: UnitOfWork) -> Written:
    return uow.commit(Reminder.record(command))
