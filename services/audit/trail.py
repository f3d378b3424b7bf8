"""Reading the log for auditors: filtered pages that never skip or repeat an event
while writes go on (the cursor is a position, and positions commit in order), and
whole exports as NDJSON or CSV."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import orjson

from services.audit.schemas import AuditEvent, AuditPage, StreamHistory
from shared.contract.envelope import Envelope, Undecodable, envelopes_from, read_keys_ahead
from shared.contract.sealing import Vault
from shared.spreadsheets import CsvSheet
from shared.store import EventLog, Notification

CHUNK = 1000
# A page examines at most this many events, so a narrow filter over a long log still
# answers quickly; ``next`` says where to go on.
SCAN_LIMIT = 20_000
CSV_COLUMNS = (
    "position",
    "occurred_at",
    "type",
    "stream_id",
    "stream_version",
    "branch_id",
    "actor",
    "correlation_id",
    "causation_id",
    "data",
    "error",
)


@dataclass(frozen=True)
class EventFilter:
    branch_id: UUID | None = None
    stream_id: UUID | None = None
    types: frozenset[str] = frozenset()
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def matches(self, item: Envelope | Undecodable) -> bool:
        if self.types and item.type not in self.types:
            return False
        if self.stream_id is not None and item.stream_id != self.stream_id:
            return False
        if not isinstance(item, Envelope):
            # Unreadable events are shown unless the filter needs what they hide.
            return not (self.branch_id or self.actor or self.since or self.until)
        return (
            (self.branch_id is None or item.branch_id == self.branch_id)
            and (self.actor is None or item.actor == self.actor)
            and (self.since is None or item.occurred_at >= self.since)
            and (self.until is None or item.occurred_at <= self.until)
        )


def _chunks(
    event_log: EventLog, after: int, upto: int | None, where: EventFilter
) -> Iterator[Sequence[Envelope | Undecodable]]:
    """The log a chunk at a time, with the keys its matching events need read ahead."""
    for chunk in _read(event_log, after, upto, where.stream_id):
        read_keys_ahead((item for item in chunk if where.matches(item)), event_log.vault)
        yield chunk


def _read(
    event_log: EventLog, after: int, upto: int | None, stream_id: UUID | None
) -> Iterator[Sequence[Envelope | Undecodable]]:
    if stream_id is not None:
        notifications = [
            n
            for n in event_log.stream(stream_id)
            if n.id > after and (upto is None or n.id <= upto)
        ]
        notifications.sort(key=lambda n: n.id)
        yield envelopes_from(notifications, after, event_log.vault)
        return
    while chunk := event_log.read(after=after, limit=CHUNK, upto=upto):
        yield envelopes_from(chunk, after, event_log.vault)
        after = chunk[-1].id


def page(
    event_log: EventLog, after: int, limit: int, where: EventFilter, *, masked: bool
) -> AuditPage:
    head = event_log.head()
    events: list[AuditEvent] = []
    examined = 0
    last = after
    for chunk in _chunks(event_log, after, head, where):
        for item in chunk:
            examined += 1
            last = item.position
            if where.matches(item):
                events.append(AuditEvent.of(item, event_log.vault, masked=masked))
                if len(events) == limit:
                    return AuditPage(events=events, next=last, head=head)
        if examined >= SCAN_LIMIT:
            break
    return AuditPage(events=events, next=last, head=head)


def export(
    event_log: EventLog, after: int, where: EventFilter, *, masked: bool
) -> Iterator[AuditEvent]:
    """Every matching event up to the head at the start, so the export ends."""
    for chunk in _chunks(event_log, after, event_log.head(), where):
        for item in chunk:
            if where.matches(item):
                yield AuditEvent.of(item, event_log.vault, masked=masked)


def ndjson(events: Iterator[AuditEvent]) -> Iterator[bytes]:
    for event in events:
        yield event.model_dump_json().encode("utf-8") + b"\n"


def csv_rows(events: Iterator[AuditEvent]) -> Iterator[bytes]:
    sheet = CsvSheet()
    sheet.row(CSV_COLUMNS)
    for event in events:
        row = event.model_dump(mode="json")
        row["data"] = orjson.dumps(row["data"]).decode()
        sheet.row(row[c] for c in CSV_COLUMNS)
        if sheet.size > 64_000:
            yield sheet.take()
    yield sheet.take()


def stream_history(event_log: EventLog, stream_id: UUID, *, masked: bool) -> StreamHistory | None:
    notifications = event_log.stream(stream_id)
    if not notifications:
        return None
    events = audit_events(notifications, event_log.vault, masked=masked)
    return StreamHistory(stream_id=stream_id, events=events)


def audit_events(
    notifications: Sequence[Notification], vault: Vault, *, masked: bool
) -> list[AuditEvent]:
    items = envelopes_from(notifications, 0, vault)
    read_keys_ahead(items, vault)
    return [AuditEvent.of(item, vault, masked=masked) for item in items]
