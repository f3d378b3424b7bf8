"""The notifier's ``ReminderLog`` (``shared.reminder_log``), kept by running
``RecordReminder`` on the command bus as the notifier, under an Idempotency-Key of
the reminder's id: a notifier that records a reminder again (it was stopped before it
noted the first time) stores it once."""

from __future__ import annotations

from uuid import uuid5

from services.command.bus import CommandBus, CommandContext, IdempotencyKey
from services.command.commands import RecordReminder
from shared.auth import Principal, Role
from shared.reminder_log import ReminderRecord

NOTIFIER = Principal(subject="notifier", role=Role.COMMITTEE_ADMIN)


class CommandReminderLog:
    def __init__(self, bus: CommandBus) -> None:
        self._bus = bus

    def record(self, reminder: ReminderRecord) -> None:
        command = RecordReminder(
            branch_id=reminder.branch_id,
            reminder_id=reminder.reminder_id,
            what=reminder.what,
            whom=reminder.whom,
            due_on=reminder.due_on,
            kind=reminder.kind,
            channels=reminder.channels,
            attempts=reminder.attempts,
            failure=reminder.failure,
        )
        self._bus.handle(
            command,
            CommandContext(
                principal=NOTIFIER,
                correlation_id=reminder.reminder_id,
                command_id=uuid5(reminder.reminder_id, "record"),
                idempotency=IdempotencyKey(
                    key=f"reminder:{reminder.reminder_id}",
                    fingerprint=command.model_dump_json(),
                ),
            ),
        )
