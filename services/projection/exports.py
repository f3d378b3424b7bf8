"""Exports are recorded in the audit log: who exported what, and when."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from fastapi import Request

from shared.auth import Principal
from shared.contract.codec import EventMeta, encode
from shared.contract.events import ExportRecorded
from shared.store import EventLog, StoredEvent


def record_export(
    request: Request, principal: Principal, branch_id: UUID | None, what: str, filters: str = ""
) -> None:
    event_log: EventLog = request.app.state.event_log
    correlation = request.headers.get("X-Correlation-ID")
    stream_id = uuid4()
    topic, state = encode(
        ExportRecorded(what=what, filters=filters or str(request.url.query)),
        EventMeta(
            branch_id=branch_id,
            actor=principal.subject,
            occurred_at=datetime.now(UTC),
            correlation_id=_uuid(correlation) or uuid4(),
            causation_id=uuid4(),
        ),
        stream_id,
        event_log.vault,
    )
    event_log.recorder.insert_events([StoredEvent(stream_id, 1, topic, state)])


def _uuid(value: str | None) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None
