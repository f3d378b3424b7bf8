"""The query side's ``ExportLog`` (``shared.export_log``), kept by running
``RecordExport`` on the command bus: an export is recorded through the unit of work
(group commit, the hash chain, the in-process wake-up) like every other command."""

from __future__ import annotations

from uuid import UUID, uuid4

from services.command.domain.commands import RecordExport
from services.command.handlers.bus import CommandBus, CommandContext
from shared.auth import Principal


class CommandExportLog:
    def __init__(self, bus: CommandBus) -> None:
        self._bus = bus

    def record(
        self,
        principal: Principal,
        what: str,
        filters: str,
        *,
        branch_id: UUID | None,
        correlation_id: UUID | None,
    ) -> None:
        export_id = uuid4()
        self._bus.handle(
            RecordExport(
                # An export spanning every branch is its own scope (``Export``).
                branch_id=branch_id or export_id,
                export_id=export_id,
                what=what,
                filters=filters,
            ),
            CommandContext(
                actor=principal.subject,
                correlation_id=correlation_id or uuid4(),
                command_id=uuid4(),
            ),
        )
