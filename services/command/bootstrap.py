"""The command side's composition root: settings in, a ready command bus out."""

from __future__ import annotations

from dataclasses import dataclass

from services.command.adapters.eventstore import EventStoreCommands
from services.command.bus import CommandBus
from services.command.unit_of_work import BranchSettings
from shared.clock import Clock, SystemClock
from shared.settings import Settings
from shared.store import Recorder, open_recorder, open_vault


@dataclass
class CommandService:
    settings: Settings
    bus: CommandBus
    store: EventStoreCommands
    recorder: Recorder

    def ready(self) -> None:
        """Raises if the event store does not answer."""
        self.recorder.max_notification_id()

    def close(self) -> None:
        self.store.close()
        self.recorder.close()


def bootstrap(settings: Settings, clock: Clock | None = None) -> CommandService:
    recorder = open_recorder(settings)
    store = EventStoreCommands(
        recorder,
        clock or SystemClock(settings.timezone),
        settings=BranchSettings(
            edit_window_days=settings.edit_window_days,
            need_due_days=settings.need_due_days,
            excellent_share=settings.excellent_share,
        ),
        # The rules never read a resident's name or phone: loading a household for a
        # visit reads no key.
        vault=open_vault(settings).without_personal_fields(),
    )
    return CommandService(settings, CommandBus(store), store, recorder)
