"""The event store in a SQLite file, the embedded default.

The tables are the ``eventsourcing`` library's layout (``shared.migrations`` makes
them), the rowid being the position. An insert is one ``BEGIN IMMEDIATE``
transaction: the file's write lock serialises writers, other processes' included, so
commit order is position order; in WAL mode readers go on reading meanwhile.

SQLite has no NOTIFY: readers in this process are woken by ``LOCAL_COMMITS``, which
every insert signals once committed, and poll for what other processes (a CLI, a
second server) write.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy.exc import IntegrityError

from shared.sqlite import sqlite_engine
from shared.store.chain import GENESIS, ChainRow, chained
from shared.store.recorder import (
    FORGOTTEN,
    Conflict,
    Notification,
    Recorder,
    StoredEvent,
    Wakeups,
    Write,
    Written,
    key_rows,
    positions_per_write,
)

POLL_SECONDS = 0.25


class CommitSignal:
    """Wakes in-process readers as soon as something was committed."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._generation = 0

    def notify(self) -> None:
        with self._condition:
            self._generation += 1
            self._condition.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        with self._condition:
            self._condition.wait_for(lambda: self._generation != seen, timeout)
            return self._generation

    @property
    def generation(self) -> int:
        return self._generation


LOCAL_COMMITS = CommitSignal()


class SQLiteRecorder(Recorder):
    def __init__(self, url: str, table: str) -> None:
        self._writer = sqlite_engine(url, "BEGIN IMMEDIATE")
        self._reader = sqlite_engine(url, "BEGIN")
        self._sql = _Statements(table)

    def insert(self, writes: Sequence[Write]) -> list[list[int]]:
        events = [event for write in writes for event in write.events]
        if not events:
            return [[] for _ in writes]
        sql = self._sql
        try:
            with self._writer.begin() as conn:
                last = conn.exec_driver_sql(sql.last_hash).scalar()
                positions = [
                    conn.exec_driver_sql(
                        sql.insert_event,
                        (e.originator_id.hex, e.originator_version, e.topic, e.state),
                    ).lastrowid
                    for e in events
                ]
                conn.exec_driver_sql(sql.insert_chain, chained(last or GENESIS, positions, events))
                keys = [
                    (key, fingerprint, stream_id.hex, version, position)
                    for key, fingerprint, stream_id, version, position in key_rows(
                        writes, positions
                    )
                ]
                if keys:
                    conn.exec_driver_sql(sql.insert_keys, keys)
        except IntegrityError as exc:
            raise Conflict(str(exc.orig)) from exc
        LOCAL_COMMITS.notify()
        return positions_per_write(writes, positions)

    def forget_fingerprints(self, stream_id: UUID) -> None:
        with self._writer.begin() as conn:
            conn.exec_driver_sql(self._sql.forget, (FORGOTTEN, stream_id.hex))

    def select_events(self, stream_id: UUID) -> list[Notification]:
        return _notifications(self._rows(self._sql.select_stream, (stream_id.hex,)))

    def select_notifications(
        self, after: int, limit: int, upto: int | None = None
    ) -> list[Notification]:
        if upto is None:
            return _notifications(self._rows(self._sql.select_after, (after, limit)))
        return _notifications(self._rows(self._sql.select_between, (after, upto, limit)))

    def max_notification_id(self) -> int:
        [(head,)] = self._rows(self._sql.head)
        return int(head or 0)

    def find_idempotent(self, key: str) -> tuple[str, Written] | None:
        rows = self._rows(self._sql.select_key, (key,))
        if not rows:
            return None
        [(fingerprint, stream_id, version, position)] = rows
        return fingerprint, Written(UUID(stream_id), version, position)

    def chain_rows(self) -> Iterator[ChainRow]:
        with self._reader.connect() as conn:
            result = conn.execution_options(yield_per=10_000).exec_driver_sql(
                self._sql.select_chain
            )
            for position, stream, version, topic, state, stored in result:
                yield ChainRow(position, StoredEvent(UUID(stream), version, topic, state), stored)

    def _rows(self, query: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self._reader.connect() as conn:
            return list(conn.exec_driver_sql(query, params).all())

    def wakeups(self) -> Wakeups:
        return LocalWakeups()

    def close(self) -> None:
        self._writer.dispose()
        self._reader.dispose()


def _notifications(rows: Sequence[Any]) -> list[Notification]:
    return [
        Notification(
            id=position,
            originator_id=UUID(stream),
            originator_version=version,
            topic=topic,
            state=state,
        )
        for position, stream, version, topic, state in rows
    ]


class LocalWakeups(Wakeups):
    def token(self) -> int:
        return LOCAL_COMMITS.generation

    def wait(self, token: int, timeout: float) -> None:
        LOCAL_COMMITS.wait(token, min(timeout, POLL_SECONDS))

    def close(self) -> None:
        pass


class _Statements:
    # Table names are ours (``shared.migrations``), never input.
    def __init__(self, table: str) -> None:
        chain = f"{table}_chain"
        keys = f"{table}_idempotency"
        columns = "rowid, originator_id, originator_version, topic, state"
        self.insert_event = (
            f"INSERT INTO {table} (originator_id, originator_version, topic, state) "  # noqa: S608
            "VALUES (?, ?, ?, ?)"
        )
        self.last_hash = f"SELECT hash FROM {chain} ORDER BY position DESC LIMIT 1"  # noqa: S608
        self.insert_chain = f"INSERT INTO {chain} (position, hash) VALUES (?, ?)"  # noqa: S608
        self.insert_keys = (
            f"INSERT INTO {keys} (key, fingerprint, stream_id, version, position) "  # noqa: S608
            "VALUES (?, ?, ?, ?, ?)"
        )
        self.select_stream = (
            f"SELECT {columns} FROM {table} WHERE originator_id = ? "  # noqa: S608
            "ORDER BY originator_version"
        )
        self.select_after = f"SELECT {columns} FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT ?"  # noqa: S608
        self.select_between = (
            f"SELECT {columns} FROM {table} WHERE rowid > ? AND rowid <= ? "  # noqa: S608
            "ORDER BY rowid LIMIT ?"
        )
        self.head = f"SELECT max(rowid) FROM {table}"  # noqa: S608
        self.select_key = (
            f"SELECT fingerprint, stream_id, version, position FROM {keys} WHERE key = ?"  # noqa: S608
        )
        self.forget = f"UPDATE {keys} SET fingerprint = ? WHERE stream_id = ?"  # noqa: S608
        self.select_chain = (
            "SELECT e.rowid, e.originator_id, e.originator_version, e.topic, e.state, "  # noqa: S608
            f"c.hash FROM {table} e LEFT JOIN {chain} c ON c.position = e.rowid "
            "ORDER BY e.rowid"
        )
