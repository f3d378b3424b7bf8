"""Opening the event store (the ``eventsourcing`` library's recorders, on the schema
``shared.migrations`` keeps) and following its notification log, which is the outbox
every reader works from.

PostgreSQL readers are woken by the recorder's own ``NOTIFY``; SQLite has no such
thing, so embedded readers are woken in-process by ``LOCAL_COMMITS`` and otherwise poll.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import ApplicationRecorder, Notification, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from shared.contract.sealing import StoredSubjectKeys, Vault, store_cipher
from shared.integrity import GENESIS, ChainRow, link
from shared.migrations import EVENTS_TABLE, Presence, prepare_store
from shared.settings import Settings, is_postgres, sqlalchemy_url, sqlite_path

log = logging.getLogger(__name__)

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


class ChainedPostgresRecorder(PostgresApplicationRecorder):
    """Writes each event's chained hash (``shared.integrity``) in the insert
    transaction, while the table lock keeps the order fixed."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.chain_table = Identifier(datastore.schema, f"{events_table_name}_chain")
        self._last_hash = SQL("SELECT hash FROM {} ORDER BY position DESC LIMIT 1").format(
            self.chain_table
        )
        self._insert_hash = SQL("INSERT INTO {} (position, hash) VALUES (%s, %s)").format(
            self.chain_table
        )

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if ids:
            curs.execute(self._last_hash, prepare=True)
            row = curs.fetchone()
            curs.executemany(
                self._insert_hash, _chain(row["hash"] if row else GENESIS, ids, stored_events)
            )
        return ids


class ChainedSQLiteRecorder(SQLiteApplicationRecorder):
    def __init__(self, datastore: SQLiteDatastore, events_table_name: str) -> None:
        super().__init__(datastore, events_table_name)
        self.chain_table = f"{events_table_name}_chain"

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        if ids:
            c.execute(f"SELECT hash FROM {self.chain_table} ORDER BY position DESC LIMIT 1")  # noqa: S608
            row = c.fetchone()
            c.executemany(
                f"INSERT INTO {self.chain_table} (position, hash) VALUES (?, ?)",  # noqa: S608
                _chain(row["hash"] if row else GENESIS, ids, stored_events),
            )
        return ids


def _chain(
    previous: str, positions: Sequence[int], events: Sequence[StoredEvent]
) -> list[tuple[int, str]]:
    rows = []
    for position, event in zip(positions, events, strict=True):
        previous = link(previous, position, event)
        rows.append((position, previous))
    return rows


def open_recorder(
    settings: Settings,
    *,
    postgres_class: type[ChainedPostgresRecorder] = ChainedPostgresRecorder,
    sqlite_class: type[ChainedSQLiteRecorder] = ChainedSQLiteRecorder,
    pool_size: int | None = None,
) -> ChainedPostgresRecorder | ChainedSQLiteRecorder:
    """A recorder on the configured store, its schema brought up to date first (the
    recorder finds the types it inserts through when it starts). A SQLite store must be
    there already: only ``Presence.CREATE`` makes one."""
    prepare_store(settings, Presence.OPEN)
    recorder: ChainedPostgresRecorder | ChainedSQLiteRecorder
    if is_postgres(settings.database_url):
        recorder = postgres_class(
            postgres_datastore(settings, pool_size or settings.postgres_pool_size),
            events_table_name=EVENTS_TABLE,
        )
    else:
        recorder = sqlite_class(
            SQLiteDatastore(
                db_name=str(sqlite_path(settings.database_url)),
                lock_timeout=10,
                pool_size=pool_size or 5,
            ),
            events_table_name=EVENTS_TABLE,
        )
    return recorder


def postgres_datastore(settings: Settings, pool_size: int) -> PostgresDatastore:
    url = make_url(settings.database_url)
    return PostgresDatastore(
        dbname=url.database or "postgres",
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password or "",
        connect_timeout=5.0,
        pool_size=pool_size,
        max_overflow=pool_size,
        # No ping on checkout: it costs a round trip per statement. A connection killed
        # under us fails its statement, and the recorders retry on a fresh one.
        pre_ping=False,
        lock_timeout=5,
        idle_in_transaction_session_timeout=10,
    )


def close_recorder(recorder: ApplicationRecorder) -> None:
    datastore = getattr(recorder, "datastore", None)
    if datastore is not None:
        datastore.close()


def conninfo(settings: Settings) -> str:
    url = make_url(settings.database_url)
    return psycopg.conninfo.make_conninfo(
        dbname=url.database or "postgres",
        host=url.host or "127.0.0.1",
        port=str(url.port or 5432),
        user=url.username or "postgres",
        password=url.password or "",
        connect_timeout="5",
    )


@functools.lru_cache(maxsize=16)
def _vault(database_url: str, cipher_key: str | None) -> Vault:
    cipher = store_cipher(cipher_key)
    # Keys are read once per subject and remembered: a small pool is plenty.
    engine = create_engine(
        sqlalchemy_url(database_url), pool_pre_ping=True, pool_size=2, max_overflow=4
    )
    return Vault(StoredSubjectKeys(engine, cipher), cipher)


def open_vault(settings: Settings) -> Vault:
    """The process's one vault for this store: every reader and writer in the process
    shares its subject keys, so an erasure here is seen here at once."""
    return _vault(settings.database_url, settings.cipher_key)


class EventLog:
    """Reads the notification log in global order and waits for it to grow."""

    def __init__(self, recorder: ApplicationRecorder, settings: Settings) -> None:
        self.recorder = recorder
        self.vault = open_vault(settings)
        self._settings = settings
        self._listener: _PostgresListener | None = None
        if isinstance(recorder, PostgresApplicationRecorder):
            self._listener = _PostgresListener(conninfo(settings), recorder.channel_name)

    def with_fresh_keys(self) -> EventLog:
        """This log opening personal fields with keys read anew, none remembered from
        before: for a replay that is kept (a checkpoint), so that no key destroyed
        before it began opens anything in it. Shares this log's connections."""
        fresh = copy.copy(self)
        fresh.vault = replace(self.vault, keys=self.vault.keys.uncached())
        return fresh

    def read(self, after: int, limit: int, upto: int | None = None) -> Sequence[Notification]:
        return self.recorder.select_notifications(
            start=after, limit=limit, stop=upto, inclusive_of_start=False
        )

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    def stream(self, stream_id: UUID) -> list[Notification]:
        """Every event of one aggregate in version order, with its global position
        (the library's ``select_events`` leaves the position out)."""
        recorder = self.recorder
        if isinstance(recorder, PostgresApplicationRecorder):
            statement = SQL(
                "SELECT notification_id AS id, originator_id, originator_version, topic, state "
                "FROM {} WHERE originator_id = %s ORDER BY originator_version"
            ).format(Identifier(recorder.datastore.schema, recorder.events_table_name))
            with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
                curs.execute(statement, (stream_id,))
                rows = curs.fetchall()
        else:
            assert isinstance(recorder, SQLiteApplicationRecorder)
            with recorder.datastore.transaction(commit=False) as curs:
                curs.execute(
                    "SELECT rowid AS id, originator_id, originator_version, topic, state "  # noqa: S608
                    f"FROM {recorder.events_table_name} WHERE originator_id = ? "
                    "ORDER BY originator_version",
                    (stream_id.hex,),
                )
                rows = curs.fetchall()
        return [
            Notification(
                id=row["id"],
                originator_id=stream_id,
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )
            for row in rows
        ]

    def change_token(self) -> int:
        """Take this before reading; ``wait_for_new(token)`` then misses no commit
        made after the read began."""
        if self._listener is not None:
            self._listener.start()
            return 0
        return LOCAL_COMMITS.generation

    def chain_rows(self) -> Iterator[ChainRow]:
        """Every stored event with its recorded hash, in order, streamed."""
        recorder = self.recorder
        if isinstance(recorder, ChainedPostgresRecorder):
            query = SQL(
                "SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, "
                "e.state, c.hash FROM {} e LEFT JOIN {} c ON c.position = e.notification_id "
                "ORDER BY e.notification_id"
            ).format(
                Identifier(recorder.datastore.schema, recorder.events_table_name),
                recorder.chain_table,
            )
            with (
                psycopg.connect(conninfo(self._settings)) as conn,
                conn.cursor(name="chain") as cursor,
            ):
                cursor.itersize = 10_000
                cursor.execute(query)
                for position, stream, version, topic, state, stored in cursor:
                    event = StoredEvent(stream, version, topic, bytes(state))
                    yield ChainRow(position, event, stored)
            return
        assert isinstance(recorder, ChainedSQLiteRecorder)
        with recorder.datastore.transaction(commit=False) as curs:
            curs.execute(
                "SELECT e.rowid, e.originator_id, e.originator_version, e.topic, e.state, "  # noqa: S608
                f"c.hash FROM {recorder.events_table_name} e LEFT JOIN {recorder.chain_table} c "
                "ON c.position = e.rowid ORDER BY e.rowid"
            )
            while rows := curs.sqlite_cursor.fetchmany(10_000):
                for position, stream, version, topic, state, stored in rows:
                    yield ChainRow(
                        position, StoredEvent(UUID(stream), version, topic, state), stored
                    )

    def wait_for_new(self, token: int, timeout: float) -> None:
        """Returns when something may have been committed since ``token`` was taken,
        or after ``timeout``."""
        if self._listener is not None:
            self._listener.wait(timeout)
        else:
            # Other processes may write too (a CLI, a second server): poll as well.
            LOCAL_COMMITS.wait(token, min(timeout, POLL_SECONDS))

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()


class _PostgresListener:
    """A LISTEN connection on the recorder's NOTIFY channel, reopened when it drops."""

    def __init__(self, conninfo: str, channel: str) -> None:
        self._conninfo = conninfo
        self._channel = channel
        self._connection: psycopg.Connection[tuple[object, ...]] | None = None

    def start(self) -> None:
        try:
            self._connect()
        except psycopg.Error as exc:
            log.warning("event log listener cannot connect: %s", exc)
            self.close()

    def wait(self, timeout: float) -> None:
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
            # Fall back to a short sleep so a dead database does not spin the caller.
            threading.Event().wait(min(timeout, POLL_SECONDS))

    def _connect(self) -> psycopg.Connection[tuple[object, ...]]:
        if self._connection is None or self._connection.closed:
            self._connection = psycopg.connect(self._conninfo, autocommit=True)
            self._connection.execute(f'LISTEN "{self._channel}"')
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(psycopg.Error):
                self._connection.close()
            self._connection = None
