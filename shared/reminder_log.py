"""Who was reminded of what: the notifier records each reminder it delivered (or
failed to) through this port, and never writes the event store itself; the
composition root gives it one that runs the command side's ``RecordReminder``
(``services.command.reminder_log``), so a reminder is on the record, in the audit log
and the hash chain, like everything else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True)
class ReminderRecord:
    reminder_id: UUID  # the outbox row's: recording it twice stores it once
    branch_id: UUID
    what: str
    whom: str
    due_on: date
    kind: str
    channels: tuple[str, ...]
    attempts: int
    failure: str | None = None


class ReminderLog(Protocol):
    def record(self, reminder: ReminderRecord) -> None: ...
