"""How far each projection has got, announced as projectors commit, so that a query
waiting for a write (``min_position``: read-your-writes) wakes when its projection
gets there rather than polling for it.

- In one process (the embedded default, or any process that runs projectors), a
  tracked projector announces each commit of its position directly.
- Across processes (the query API apart from the projectors, on PostgreSQL), the
  projector's commit transaction also sends ``NOTIFY liaison_read_models,
  '<projection>:<position>'`` (PostgreSQL delivers it on commit, and never for a
  rolled-back batch), and every query process LISTENs on that channel and announces
  what it hears.

Why not ``eventsourcing``'s ``TrackingRecorder.wait``: it polls the tracking table,
sleeping 100 ms, then 200, 400 and 800 ms between looks, so a read-your-writes answer
comes up to 800 ms after the projector got there, and every waiting request keeps
querying the database meanwhile. Here a waiting request costs no query until its
projection commits a position it needs, and it answers as soon as that commit is
announced."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import psycopg
from psycopg.conninfo import make_conninfo
from sqlalchemy import Connection, Engine, func, select

from shared.retry import Backoff

log = logging.getLogger(__name__)

CHANNEL = "liaison_read_models"


@dataclass(eq=False)
class _Waiter:
    name: str
    position: int
    loop: asyncio.AbstractEventLoop
    advanced: asyncio.Event = field(default_factory=asyncio.Event)

    def wake(self) -> None:
        with contextlib.suppress(RuntimeError):  # its loop has closed: nobody waits
            self.loop.call_soon_threadsafe(self.advanced.set)


class Progress:
    """Positions projectors have committed, announced to the queries waiting for them.
    Announced from any thread; waited for on an event loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: list[_Waiter] = []

    def announce(self, name: str, position: int) -> None:
        """``name``'s tracking position is now ``position`` (committed)."""
        with self._lock:
            due = [w for w in self._waiters if w.name == name and w.position <= position]
        for waiter in due:
            waiter.wake()

    @contextlib.contextmanager
    def watch(self, name: str, position: int) -> Iterator[asyncio.Event]:
        """An event set once ``name`` is announced at ``position`` or beyond. Clear it
        before each look at the read model: an announcement made after the clear
        either is in what the look sees, or sets the event again."""
        waiter = _Waiter(name, position, asyncio.get_running_loop())
        with self._lock:
            self._waiters.append(waiter)
        try:
            yield waiter.advanced
        finally:
            with self._lock:
                self._waiters.remove(waiter)


def notify(conn: Connection, name: str, position: int) -> None:
    """Tells other processes, when ``conn``'s transaction commits, that ``name`` got to
    ``position`` (PostgreSQL only: SQLite read models are one process's)."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_notify(CHANNEL, f"{name}:{position}")))


class ProgressListener:
    """A thread LISTENing on ``CHANNEL`` with a connection of its own (reopened when it
    drops), announcing every position it hears to ``progress``."""

    def __init__(self, engine: Engine, progress: Progress) -> None:
        url = engine.url
        parts = {
            "host": url.host,
            "port": url.port,
            "dbname": url.database,
            "user": url.username,
            "password": url.password,
            "connect_timeout": 5,
            **url.query,
        }
        self._conninfo = make_conninfo(**{k: str(v) for k, v in parts.items() if v is not None})
        self._progress = progress
        self._stop = threading.Event()
        self.listening = threading.Event()  # set while its LISTEN stands
        self._thread = threading.Thread(target=self._run, name="read-model-progress", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        backoff = Backoff()
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as conn:
                    conn.execute(f'LISTEN "{CHANNEL}"')
                    self.listening.set()
                    backoff.reset()
                    while not self._stop.is_set():
                        for heard in conn.notifies(timeout=1.0):
                            name, _, position = heard.payload.rpartition(":")
                            self._progress.announce(name, int(position))
            except psycopg.Error as exc:
                self.listening.clear()
                # Waiting queries still look again now and then (see ReadModels).
                log.warning("read-model progress listener lost its connection: %s", exc)
                self._stop.wait(backoff.next())
