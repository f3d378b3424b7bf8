"""Who exported what: every ledger, summary and audit export is recorded as an
``ExportRecorded`` event, in the audit log and the hash chain like any other.

The query side records through this port and never writes the event store itself:
the composition root gives it an ``ExportLog`` that runs the command side's
``RecordExport`` (``services.command.export_log``), so an export is recorded through
the unit of work like every other command."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Protocol
from uuid import UUID

from fastapi import Depends, FastAPI, Request

from shared.access import Authorised
from shared.auth import Principal


@dataclass(frozen=True)
class ExportRecord:
    """``principal`` exported ``what`` (``"coverage.xlsx"``) with ``filters`` (the query
    string), of one branch or (None) of every branch, in the request ``correlation_id``
    names."""

    principal: Principal
    what: str
    filters: str
    branch_id: UUID | None
    correlation_id: UUID | None


class ExportLog(Protocol):
    def record(self, export: ExportRecord) -> None: ...


def install_export_log(app: FastAPI, export_log: ExportLog) -> None:
    """Where the app's exports are recorded (its composition root decides)."""
    app.state.export_log = export_log


@dataclass(frozen=True)
class Exports:
    """One request's exports: recorded as the principal's, with the request's query
    string as the filters and its ``X-Correlation-ID``. ``record`` blocks: call it
    from an endpoint that runs in the thread pool."""

    log: ExportLog
    principal: Principal
    filters: str
    correlation_id: UUID | None

    def record(self, what: str, branch_id: UUID | None) -> None:
        self.log.record(
            ExportRecord(self.principal, what, self.filters, branch_id, self.correlation_id)
        )


async def request_exports(request: Request, principal: Authorised) -> Exports:
    return Exports(
        log=request.app.state.export_log,
        principal=principal,
        filters=str(request.url.query),
        correlation_id=_uuid(request.headers.get("X-Correlation-ID")),
    )


RequestExports = Annotated[Exports, Depends(request_exports)]


def _uuid(value: str | None) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None
