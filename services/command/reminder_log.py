"""The notifier's ``ReminderLog`` (``shared.reminder_log``), kept by running
``RecordReminder`` on the command bus as the notifier, under an Idempotency-Key of
the reminder's id: a notifier that records a reminder again (it was stopped before it
noted the first time) stores it once."""

from __future__ import annotations

from dataclasses import asdict
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
        # The record's fields are the command's: one is validated as the other.
        command = RecordReminder.model_validate(asdict(reminder))
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
