"""Opening the event store (the ``eventsourcing`` library's recorders) and following
its notification log, which is the outbox every reader works from.

PostgreSQL readers are woken by the recorder's own ``NOTIFY``; SQLite has no such
thing, so embedded readers are woken in-process by ``LOCAL_COMMITS`` and otherwise poll.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Sequence
from uuid import UUID

import psycopg
from eventsourcing.persistence import ApplicationRecorder, Notification
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore
from psycopg.sql import SQL, Identifier
from sqlalchemy.engine import make_url

from shared.settings import Settings, is_postgres, sqlite_path

log = logging.getLogger(__name__)

EVENTS_TABLE = "liaison_events"
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


def open_recorder(
    settings: Settings,
    *,
    postgres_class: type[PostgresApplicationRecorder] = PostgresApplicationRecorder,
    sqlite_class: type[SQLiteApplicationRecorder] = SQLiteApplicationRecorder,
    pool_size: int | None = None,
) -> ApplicationRecorder:
    """A recorder on the configured store, its tables created if missing."""
    recorder: ApplicationRecorder
    if is_postgres(settings.database_url):
        recorder = postgres_class(
            postgres_datastore(settings, pool_size or settings.postgres_pool_size),
            events_table_name=EVENTS_TABLE,
        )
    else:
        path = sqlite_path(settings.database_url)
        path.parent.mkdir(parents=True, exist_ok=True)
        recorder = sqlite_class(
            SQLiteDatastore(db_name=str(path), lock_timeout=10, pool_size=pool_size or 5),
            events_table_name=EVENTS_TABLE,
        )
    recorder.create_table()
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


class EventLog:
    """Reads the notification log in global order and waits for it to grow."""

    def __init__(self, recorder: ApplicationRecorder, settings: Settings) -> None:
        self.recorder = recorder
        self._settings = settings
        self._listener: _PostgresListener | None = None
        if isinstance(recorder, PostgresApplicationRecorder):
            self._listener = _PostgresListener(conninfo(settings), recorder.channel_name)

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
