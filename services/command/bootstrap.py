"""The command side's composition root: settings in, a ready command bus out."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.command.adapters.eventstore import EventStoreCommands
from services.command.domain.corrections import EditWindow
from services.command.domain.member import Member
from services.command.domain.visit import Visit
from services.command.handlers.bus import CommandBus
from shared.clock import Clock, SystemClock
from shared.policy import Lookups
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

    def lookups(self) -> Lookups:
        """What the access policy's content rules need to know, read from the store."""

        def group_of_member(branch_id: UUID, member_id: UUID) -> UUID | None:
            member = self.store.peek(Member, member_id, branch_id)
            return member.group_id if member else None

        def member_of_visit(branch_id: UUID, visit_id: UUID) -> UUID | None:
            visit = self.store.peek(Visit, visit_id, branch_id)
            return visit.member_id if visit else None

        return Lookups(group_of_member, member_of_visit)

    def close(self) -> None:
        self.store.close()
        self.recorder.close()


def bootstrap(settings: Settings, clock: Clock | None = None) -> CommandService:
    recorder = open_recorder(settings)
    store = EventStoreCommands(
        recorder,
        clock or SystemClock(settings.timezone),
        edit_window=EditWindow(settings.edit_window_days),
        # The rules never read a resident's name or phone: loading a household for a
        # visit reads no key.
        vault=open_vault(settings).without_personal_fields(),
    )
    return CommandService(settings, CommandBus(store), store, recorder)
