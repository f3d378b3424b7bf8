"""The event store on PostgreSQL, through psycopg 3 and its pool.

The tables are the ``eventsourcing`` library's layout (``shared.migrations`` makes
them): ``notification_id`` is the position. An insert is one transaction, pipelined
in two round trips: lock, notify, insert the events, read the chain's last hash; then
the chain rows, the keys and the commit.

Reads are retried on a fresh connection when theirs was lost, as the library did. An
insert is retried only when it is known not to have been stored: after a lost
connection its commit may have happened, so first it is looked for (see
``_stored_already``) and, if found, its positions are returned, never written twice.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar
from uuid import UUID

import psycopg
from psycopg import Connection
from psycopg.rows import TupleRow
from psycopg.sql import SQL, Composed, Identifier, Literal
from psycopg_pool import ConnectionPool
from sqlalchemy.engine import make_url

from shared.settings import Settings
from shared.store.chain import GENESIS, ChainRow, chained
from shared.store.recorder import (
    FORGOTTEN,
    Conflict,
    Notification,
    Recorder,
    StoredEvent,
    Unavailable,
    Wakeups,
    Write,
    Written,
    key_rows,
    positions_per_write,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

CONNECT_SECONDS = 5
LOCK_SECONDS = 5
IDLE_IN_TRANSACTION_SECONDS = 10
ATTEMPTS = 10
RETRY_SECONDS = 0.2
POLL_SECONDS = 0.25  # a listener that lost its connection sleeps this long instead


def conninfo(settings: Settings) -> str:
    url = make_url(settings.database_url)
    return psycopg.conninfo.make_conninfo(
        dbname=url.database or "postgres",
        host=url.host or "127.0.0.1",
        port=str(url.port or 5432),
        user=url.username or "postgres",
        password=url.password or "",
        connect_timeout=str(CONNECT_SECONDS),
    )


class ConnectionLost(Exception):
    """The connection broke under a statement (the cause says how)."""


class PostgresRecorder(Recorder):
    def __init__(self, conninfo: str, table: str, pool_size: int) -> None:
        self._conninfo = conninfo
        # Readers LISTEN on the table's name, as they did with the library's recorder.
        self.channel = table
        self._pool: ConnectionPool[Connection[TupleRow]] = ConnectionPool(
            conninfo,
            min_size=pool_size,
            max_size=2 * pool_size,
            timeout=CONNECT_SECONDS,
            configure=_configure,
            open=False,
            name=f"{table}-store",
        )
        # Connections are made in the background; the first statement waits for one.
        self._pool.open(wait=False)
        self._sql = _Statements(table)

    # -- writing ----------------------------------------------------------------

    def insert(self, writes: Sequence[Write]) -> list[list[int]]:
        events = [event for write in writes for event in write.events]
        if not events:
            return [[] for _ in writes]
        unknown = False  # whether an earlier attempt may have committed
        for attempt in range(1, ATTEMPTS + 1):
            try:
                positions = self._stored_already(events) if unknown else None
                unknown = False
                if positions is None:
                    positions = self._insert_once(writes, events)
                return positions_per_write(writes, positions)
            except ConnectionLost as lost:
                unknown = True
                if attempt == ATTEMPTS:
                    raise Unavailable(
                        "the event store's connection was lost while storing; whether it "
                        "was stored is unknown"
                    ) from lost
                log.warning("event store insert: %s; retrying", lost.__cause__)
                time.sleep(RETRY_SECONDS)
            except psycopg.errors.LockNotAvailable as exc:
                if not unknown:
                    raise  # the insert waited its lock_timeout: refused, nothing stored
                # Looking for an earlier attempt's events waits for its transaction to
                # end; the server ends it once the connection's loss is noticed.
                if attempt == ATTEMPTS:
                    raise Unavailable("whether the events were stored is unknown") from exc
        raise AssertionError("unreachable")

    def _insert_once(self, writes: Sequence[Write], events: Sequence[StoredEvent]) -> list[int]:
        sql = self._sql
        with self._connection() as conn:
            try:
                with conn.pipeline() as pipeline, conn.transaction():
                    setup = conn.cursor()
                    setup.execute(sql.lock_timeout, prepare=True)
                    # An EXCLUSIVE lock serialises the transactions that insert (reads
                    # are not blocked): each takes its positions from the sequence and
                    # commits before the next takes any, so commit order is position
                    # order and a reader tailing the log never passes over a position
                    # that a slower transaction fills in later.
                    setup.execute(sql.lock, prepare=True)
                    setup.execute(sql.notify)
                    inserted = conn.cursor()
                    inserted.execute(sql.insert_events, _event_columns(events), prepare=True)
                    last = conn.cursor()
                    last.execute(sql.last_hash, prepare=True)
                    pipeline.sync()
                    ids = {(stream, version): position for stream, version, position in inserted}
                    positions = [ids[e.originator_id, e.originator_version] for e in events]
                    row = last.fetchone()
                    links = chained(row[0] if row else GENESIS, positions, events)
                    setup.execute(sql.insert_chain, _columns(links, 2), prepare=True)
                    keys = key_rows(writes, positions)
                    if keys:
                        setup.execute(sql.insert_keys, _columns(keys, 5), prepare=True)
            except psycopg.errors.UniqueViolation as exc:
                raise Conflict(exc.diag.constraint_name or str(exc)) from exc
        return positions

    def _stored_already(self, events: Sequence[StoredEvent]) -> list[int] | None:
        """The positions of ``events`` if an earlier attempt stored them, else None.

        A SHARE lock waits for any transaction still holding the insert lock, the lost
        attempt's included, so its outcome is settled before the events are looked for.
        They are that attempt's only if every one is there with the same state: a
        transaction stores all of its events or none, and states carry the command's
        own id."""
        sql = self._sql
        with self._connection() as conn, conn.transaction():
            conn.execute(sql.lock_timeout, prepare=True)
            conn.execute(sql.lock_share)
            stored = {
                (stream, version): (position, topic, bytes(state))
                for stream, version, position, topic, state in conn.execute(
                    sql.select_these,
                    ([e.originator_id for e in events], [e.originator_version for e in events]),
                    binary=True,
                )
            }
        positions = []
        for event in events:
            found = stored.get((event.originator_id, event.originator_version))
            if found is None or found[1:] != (event.topic, event.state):
                return None
            positions.append(found[0])
        return positions

    def forget_fingerprints(self, stream_id: UUID) -> None:
        # Idempotent, so retried like a read.
        self._retrying(lambda conn: conn.execute(self._sql.forget, (FORGOTTEN, stream_id)))

    # -- reading ----------------------------------------------------------------

    def select_events(self, stream_id: UUID) -> list[Notification]:
        return self._notifications(self._sql.select_stream, (stream_id,))

    def select_notifications(
        self, after: int, limit: int, upto: int | None = None
    ) -> list[Notification]:
        if upto is None:
            return self._notifications(self._sql.select_after, (after, limit))
        return self._notifications(self._sql.select_between, (after, upto, limit))

    def max_notification_id(self) -> int:
        row = self._retrying(lambda conn: conn.execute(self._sql.head, prepare=True).fetchone())
        return int(row[0]) if row and row[0] is not None else 0

    def find_idempotent(self, key: str) -> tuple[str, Written] | None:
        row = self._retrying(
            lambda conn: conn.execute(self._sql.select_key, (key,), prepare=True).fetchone()
        )
        if row is None:
            return None
        fingerprint, stream_id, version, position = row
        return fingerprint, Written(stream_id, version, position)

    def chain_rows(self) -> Iterator[ChainRow]:
        with (
            self._connection() as conn,
            conn.transaction(),
            conn.cursor(name="chain", binary=True) as cursor,
        ):
            cursor.itersize = 10_000
            cursor.execute(self._sql.select_chain)
            for position, stream, version, topic, state, stored in cursor:
                yield ChainRow(position, StoredEvent(stream, version, topic, bytes(state)), stored)

    def _notifications(self, query: Composed, params: tuple[object, ...]) -> list[Notification]:
        rows = self._retrying(
            lambda conn: conn.execute(query, params, prepare=True, binary=True).fetchall()
        )
        return [
            Notification(
                id=position,
                originator_id=stream,
                originator_version=version,
                topic=topic,
                state=bytes(state),
            )
            for position, stream, version, topic, state in rows
        ]

    # -- connections ------------------------------------------------------------

    @contextmanager
    def _connection(self) -> Iterator[Connection[TupleRow]]:
        with self._pool.connection() as conn:
            try:
                yield conn
            except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
                if conn.broken or conn.closed:
                    raise ConnectionLost(str(exc)) from exc
                raise

    def _retrying(self, work: Callable[[Connection[TupleRow]], T]) -> T:
        """``work`` on a connection, again on another if that one is lost."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with self._connection() as conn:
                    return work(conn)
            except ConnectionLost as lost:
                if attempt == ATTEMPTS:
                    raise Unavailable("the event store's connections keep failing") from lost
                time.sleep(RETRY_SECONDS)
        raise AssertionError("unreachable")

    def wakeups(self) -> Wakeups:
        return PostgresWakeups(self._conninfo, self.channel)

    def close(self) -> None:
        self._pool.close()


def _configure(conn: Connection[TupleRow]) -> None:
    # Reads are single statements; an insert opens its own transaction.
    conn.autocommit = True
    # A client gone mid-transaction must not hold the insert lock for long.
    conn.execute(
        SQL("SET idle_in_transaction_session_timeout = {}").format(
            Literal(f"{IDLE_IN_TRANSACTION_SECONDS}s")
        )
    )


def _event_columns(events: Sequence[StoredEvent]) -> tuple[list[object], ...]:
    return (
        [e.originator_id for e in events],
        [e.originator_version for e in events],
        [e.topic for e in events],
        [e.state for e in events],
    )


def _columns(rows: Sequence[tuple[object, ...]], width: int) -> tuple[list[object], ...]:
    """Rows as one array per column, for ``unnest``: one statement for all of them."""
    return tuple([row[i] for row in rows] for i in range(width))


class _Statements:
    def __init__(self, table: str) -> None:
        events = Identifier(table)
        chain = Identifier(f"{table}_chain")
        keys = Identifier(f"{table}_idempotency")
        columns = SQL("notification_id, originator_id, originator_version, topic, state")
        self.lock_timeout = SQL("SET LOCAL lock_timeout = {}").format(Literal(f"{LOCK_SECONDS}s"))
        self.lock = SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(events)
        self.lock_share = SQL("LOCK TABLE {} IN SHARE MODE").format(events)
        self.notify = SQL("NOTIFY {}").format(Identifier(table))
        self.insert_events = SQL(
            "INSERT INTO {} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::text[], %s::bytea[]) "
            "RETURNING originator_id, originator_version, notification_id"
        ).format(events)
        self.last_hash = SQL("SELECT hash FROM {} ORDER BY position DESC LIMIT 1").format(chain)
        self.insert_chain = SQL(
            "INSERT INTO {} (position, hash) SELECT * FROM unnest(%s::bigint[], %s::text[])"
        ).format(chain)
        self.insert_keys = SQL(
            "INSERT INTO {} (key, fingerprint, stream_id, version, position) "
            "SELECT * FROM unnest(%s::text[], %s::text[], %s::uuid[], %s::bigint[], %s::bigint[])"
        ).format(keys)
        self.select_these = SQL(
            "SELECT originator_id, originator_version, notification_id, topic, state FROM {} "
            "WHERE (originator_id, originator_version) IN "
            "(SELECT * FROM unnest(%s::uuid[], %s::bigint[]))"
        ).format(events)
        self.select_stream = SQL(
            "SELECT {} FROM {} WHERE originator_id = %s ORDER BY originator_version"
        ).format(columns, events)
        self.select_after = SQL(
            "SELECT {} FROM {} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        ).format(columns, events)
        self.select_between = SQL(
            "SELECT {} FROM {} WHERE notification_id > %s AND notification_id <= %s "
            "ORDER BY notification_id LIMIT %s"
        ).format(columns, events)
        self.head = SQL("SELECT max(notification_id) FROM {}").format(events)
        self.select_key = SQL(
            "SELECT fingerprint, stream_id, version, position FROM {} WHERE key = %s"
        ).format(keys)
        self.forget = SQL("UPDATE {} SET fingerprint = %s WHERE stream_id = %s").format(keys)
        self.select_chain = SQL(
            "SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, "
            "e.state, c.hash FROM {} e LEFT JOIN {} c ON c.position = e.notification_id "
            "ORDER BY e.notification_id"
        ).format(events, chain)


class PostgresWakeups(Wakeups):
    """A LISTEN connection on the channel every insert NOTIFYs, reopened when it drops."""

    def __init__(self, conninfo: str, channel: str) -> None:
        self._conninfo = conninfo
        self._channel = channel
        self._connection: Connection[TupleRow] | None = None

    def token(self) -> int:
        try:
            self._connect()
        except psycopg.Error as exc:
            log.warning("event log listener cannot connect: %s", exc)
            self.close()
        return 0  # a LISTEN connection queues what arrives until it is read

    def wait(self, token: int, timeout: float) -> None:
        try:
            connection = self._connect()
            for _ in connection.notifies(timeout=timeout, stop_after=1):
                pass
            # A burst of commits queues a burst of notifications: one wake-up is enough.
            for _ in connection.notifies(timeout=0.0):
                pass
        except psycopg.Error as exc:
            log.warning("event log listener lost its connection: %s", exc)
            self.close()
            # A short sleep instead, so a dead database does not spin the caller.
            threading.Event().wait(min(timeout, POLL_SECONDS))

    def _connect(self) -> Connection[TupleRow]:
        if self._connection is None or self._connection.closed:
            self._connection = psycopg.connect(self._conninfo, autocommit=True)
            self._connection.execute(SQL("LISTEN {}").format(Identifier(self._channel)))
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(psycopg.Error):
                self._connection.close()
            self._connection = None
