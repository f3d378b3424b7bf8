"""The audit trail, read straight from the event store (not from a read model)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.persistence import Notification

from services.projection.api import schemas as s
from shared.contract.envelope import Envelope, envelopes_from
from shared.eventstore import EventLog


def events_page(event_log: EventLog, after: int, limit: int) -> s.AuditPage:
    notifications = event_log.read(after=after, limit=limit)
    events = _audit_events(notifications, after)
    return s.AuditPage(events=events, next=events[-1].position if events else after)


def stream_history(event_log: EventLog, stream_id: UUID) -> s.StreamHistory | None:
    notifications = event_log.stream(stream_id)
    if not notifications:
        return None
    return s.StreamHistory(stream_id=stream_id, events=_audit_events(notifications, 0))


def _audit_events(notifications: Sequence[Notification], after: int) -> list[s.AuditEvent]:
    events = []
    for item in envelopes_from(notifications, after):
        if isinstance(item, Envelope):
            events.append(
                s.AuditEvent.model_validate(item.model_dump(exclude={"previous_position"}))
            )
        else:
            events.append(
                s.AuditEvent(
                    position=item.position,
                    stream_id=item.stream_id,
                    stream_version=item.stream_version,
                    type=item.type or "",
                    error=item.reason,
                )
            )
    return events
