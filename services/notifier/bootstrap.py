"""The notifier's composition root: the work read model it reads, its outbox, the
channels the settings configure, and a thread running its rounds."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from services.notifier.channels import configured_channels
from services.notifier.notifier import Notifier, QuietHours
from services.notifier.outbox import Outbox
from services.projection.api.reader import ReadModels
from services.projection.readmodel.store import ReadModelStore
from shared.clock import Clock, SystemClock
from shared.reminder_log import ReminderLog
from shared.settings import Settings


@dataclass
class NotifierService:
    notifier: Notifier
    outbox: Outbox
    interval: float
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.notifier.run, args=(self._stop, self.interval), name="notifier", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)


def bootstrap(
    settings: Settings, store: ReadModelStore, reminder_log: ReminderLog, clock: Clock | None = None
) -> NotifierService:
    outbox = Outbox(store.writer)
    notifier = Notifier(
        ReadModels(store, settings.read_wait_seconds),
        outbox,
        configured_channels(settings),
        reminder_log,
        clock or SystemClock(settings.timezone),
        timezone=ZoneInfo(settings.timezone),
        quiet_hours=QuietHours.parse(settings.quiet_hours),
        days_before=settings.remind_days_before,
        attempts=settings.delivery_attempts,
    )
    return NotifierService(notifier, outbox, settings.notifier_interval_seconds)
