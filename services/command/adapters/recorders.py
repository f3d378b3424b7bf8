"""The event store's recorders, extended to record an Idempotency-Key in the same
transaction as the command's events: either both are stored or neither is. (The
table is made by ``shared.migrations``, like every table the store keeps.)"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from services.command.unit_of_work import Written
from shared.eventstore import ChainedPostgresRecorder, ChainedSQLiteRecorder


@dataclass(frozen=True)
class IdempotencyRecord:
    key: str
    fingerprint: str
    stream_id: UUID
    version: int


@dataclass(frozen=True)
class RecordSpan:
    """An idempotency record and which events of the insert belong to its command
    (several commands may be stored in one transaction)."""

    record: IdempotencyRecord
    start: int
    end: int

    def row(self, positions: Sequence[int]) -> tuple[str, str, UUID, int, int]:
        record = self.record
        last = max(positions[self.start : self.end])
        return record.key, record.fingerprint, record.stream_id, record.version, last


FORGOTTEN = "forgotten"  # a fingerprint no request hashes to


class IdempotencyRecorder(Protocol):
    def find_idempotent(self, key: str) -> tuple[str, Written] | None: ...

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None: ...

    def select_events(self, originator_id: UUID | str) -> Sequence[StoredEvent]: ...

    def forget_fingerprints(self, stream_id: UUID) -> None:
        """Blanks the fingerprints of the commands that wrote ``stream_id``: they are
        hashes of request bodies, which would confirm a guess at erased personal data.
        A retry under such a key is then refused as a reused key."""
        ...


class PostgresCommandRecorder(ChainedPostgresRecorder):
    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        table = Identifier(datastore.schema, f"{events_table_name}_idempotency")
        self._insert_key = SQL(
            "INSERT INTO {} (key, fingerprint, stream_id, version, position) "
            "VALUES (%s, %s, %s, %s, %s)"
        ).format(table)
        self._select_key = SQL(
            "SELECT fingerprint, stream_id, version, position FROM {} WHERE key = %s"
        ).format(table)
        self._forget_fingerprints = SQL(
            "UPDATE {} SET fingerprint = %s WHERE stream_id = %s"
        ).format(table)

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if ids:
            rows = [span.row(ids) for span in kwargs.get("idempotency", ())]
            if rows:
                curs.executemany(self._insert_key, rows)
        return ids

    def find_idempotent(self, key: str) -> tuple[str, Written] | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._select_key, (key,), prepare=True)
            row = curs.fetchone()
        if row is None:
            return None
        return row["fingerprint"], Written(row["stream_id"], row["version"], row["position"])

    def forget_fingerprints(self, stream_id: UUID) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._forget_fingerprints, (FORGOTTEN, stream_id))


class SQLiteCommandRecorder(ChainedSQLiteRecorder):
    def __init__(self, datastore: SQLiteDatastore, events_table_name: str) -> None:
        super().__init__(datastore, events_table_name)
        self._idempotency_table = f"{events_table_name}_idempotency"

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        if ids:
            for span in kwargs.get("idempotency", ()):
                key, fingerprint, stream_id, version, position = span.row(ids)
                c.execute(
                    f"INSERT INTO {self._idempotency_table} "  # noqa: S608 - table name is ours
                    "(key, fingerprint, stream_id, version, position) VALUES (?, ?, ?, ?, ?)",
                    (key, fingerprint, stream_id.hex, version, position),
                )
        return ids

    def find_idempotent(self, key: str) -> tuple[str, Written] | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT fingerprint, stream_id, version, position "  # noqa: S608
                f"FROM {self._idempotency_table} WHERE key = ?",
                (key,),
            )
            row = c.fetchone()
        if row is None:
            return None
        return row["fingerprint"], Written(UUID(row["stream_id"]), row["version"], row["position"])

    def forget_fingerprints(self, stream_id: UUID) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"UPDATE {self._idempotency_table} SET fingerprint = ? "  # noqa: S608
                "WHERE stream_id = ?",
                (FORGOTTEN, stream_id.hex),
            )
