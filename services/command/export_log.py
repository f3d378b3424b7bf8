"""The query side's ``ExportLog`` (``shared.export_log``), kept by running
``RecordExport`` on the command bus: an export is recorded through the unit of work
(group commit, the hash chain, the in-process wake-up) like every other command."""

from __future__ import annotations

from uuid import uuid4

from services.command.bus import CommandBus, CommandContext
from services.command.commands import RecordExport
from shared.export_log import ExportRecord


class CommandExportLog:
    def __init__(self, bus: CommandBus) -> None:
        self._bus = bus

    def record(self, export: ExportRecord) -> None:
        export_id = uuid4()
        self._bus.handle(
            RecordExport(
                # An export spanning every branch is its own scope (``Export``).
                branch_id=export.branch_id or export_id,
                export_id=export_id,
                what=export.what,
                filters=export.filters,
            ),
            CommandContext(
                principal=export.principal,
                correlation_id=export.correlation_id or uuid4(),
                command_id=uuid4(),
            ),
        )
