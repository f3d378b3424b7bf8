"""The event store: liaison's own small recorder on the ``eventsourcing`` library's
table layout (``recorder``: the interface; ``postgres``, ``sqlite``: the two
databases), the hash chain written with every event (``chain``), the notification
log every reader follows (``log``) and the vault that opens what it holds (``vault``).
The README's Architecture section says why it is ours."""

from __future__ import annotations

from shared.migrations import EVENTS_TABLE, Presence, prepare_store
from shared.settings import Settings, is_postgres
from shared.store.log import EventLog
from shared.store.postgres import PostgresRecorder, conninfo
from shared.store.recorder import (
    Conflict,
    IdempotencyRecord,
    Notification,
    Recorder,
    StoredEvent,
    Unavailable,
    Write,
    Written,
)
from shared.store.sqlite import SQLiteRecorder
from shared.store.vault import open_vault

__all__ = [
    "Conflict",
    "EventLog",
    "IdempotencyRecord",
    "Notification",
    "Recorder",
    "StoredEvent",
    "Unavailable",
    "Write",
    "Written",
    "open_recorder",
    "open_vault",
]


def open_recorder(settings: Settings, *, pool_size: int | None = None) -> Recorder:
    """A recorder on the configured store, its schema brought up to date first. A
    SQLite store must be there already: only ``Presence.CREATE`` makes one."""
    prepare_store(settings, Presence.OPEN)
    if is_postgres(settings.database_url):
        return PostgresRecorder(
            conninfo(settings), EVENTS_TABLE, pool_size or settings.postgres_pool_size
        )
    return SQLiteRecorder(settings.database_url, EVENTS_TABLE)
