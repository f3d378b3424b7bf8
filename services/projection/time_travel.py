"""Read models as they stood at a moment of recording time (``as_of``): the projector
replays the store's history into a private in-memory SQLite database, stopping at the
first event recorded after the moment (history is in commit order), and the usual
query answers from it — never from the live tables.

Replaying the whole log for every question would cost time in proportion to the
store, so replays start from checkpoints:

- **Made** by the replays themselves: each time one passes another
  ``checkpoint_every`` positions it keeps an image of its database (SQLite's
  ``serialize``, compressed) in ``projection_checkpoints``, with the position and the
  latest recording time of any event up to it.
- **Used**: a question about moment T starts from the latest checkpoint whose events
  were all recorded by T and replays only the events after it. A full replay would
  have applied every one of those events too, so the answer is the same.
- **Pruned**: at most ``checkpoints_kept`` per read model; beyond that the one whose
  removal leaves the smallest gap goes (never the newest), so they stay spread over
  the log. A rebuild drops them (the projector's code may have changed), and so does
  an erasure, since they hold personal fields opened before it: the live projector
  drops them when it applies the erasure, each records how many keys had been
  destroyed when it was made (another count makes it unusable, and it is deleted),
  and a replay that sees a key destroyed while it ran keeps nothing.

At most ``time_travel_limit`` replays run at once in a process; beyond that a question
answers 503 ``time-travel-busy`` with ``Retry-After``, so a few curious auditors
cannot take every worker of the query API."""

from __future__ import annotations

import sqlite3
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine, create_engine, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import StaticPool

from services.projection.projectors.base import Projector
from services.projection.readmodel.store import ReadModelStore, checkpoints
from services.projection.tracked import TrackedProjector
from shared.contract.envelope import Envelope, envelopes_from
from shared.problem_types import Problem
from shared.problems import ServiceUnavailable
from shared.store import EventLog

T = TypeVar("T")
R = TypeVar("R")

CHUNK = 2000
RETRY_AFTER_SECONDS = 5


@dataclass(frozen=True)
class Replayed(Generic[R]):
    answer: R
    base: int  # the position of the checkpoint the replay started from (0: none)
    replayed: int  # events replayed after it


@dataclass(frozen=True)
class _Checkpoint:
    position: int
    recorded_until: datetime
    image: bytes


class TimeTravel:
    def __init__(
        self,
        store: ReadModelStore,
        event_log: EventLog,
        *,
        limit: int,
        every: int,
        kept: int,
    ) -> None:
        self._store = store  # where checkpoints are kept: the read-model database
        self._log = event_log
        self._slots = threading.BoundedSemaphore(limit)
        self._every = every
        self._kept = kept

    @contextmanager
    def slot(self) -> Iterator[None]:
        """One of the process's places for a replay, or 503 if none is free."""
        if not self._slots.acquire(blocking=False):
            raise ServiceUnavailable(
                "as many answers as of a moment are being replayed as this process allows; "
                "retry shortly",
                kind=Problem.TIME_TRAVEL_BUSY,
                retry_after=RETRY_AFTER_SECONDS,
            )
        try:
            yield
        finally:
            self._slots.release()

    def answer(
        self, projector: Projector[T], as_of: datetime, query: Callable[[Any, T, int], R]
    ) -> Replayed[R]:
        """``query(conn, tables, position)`` on the read model as recorded at ``as_of``,
        in one of the process's places for a replay (held until the replay ends, even if
        the client has gone)."""
        with self.slot():
            return self._replay(projector, as_of, query)

    def _replay(
        self, projector: Projector[T], as_of: datetime, query: Callable[[Any, T, int], R]
    ) -> Replayed[R]:
        log = self._log.with_fresh_keys()
        erasures = log.vault.keys.destroyed_count()  # before any key is read
        base = self._nearest(projector.name, as_of, erasures)
        engine = _in_memory(base.image if base else None)
        saved: list[int] = []
        try:
            store = ReadModelStore(engine, engine)
            if base is None:
                store.ensure(projector)
            tracked = TrackedProjector(projector, store, log)
            position = base.position if base else 0
            recorded_until = base.recorded_until if base else None
            replayed = 0
            while notifications := log.read(after=position, limit=min(CHUNK, self._every)):
                items = envelopes_from(notifications, position, log.vault)
                # The first event recorded after the moment ends the replay.
                later = next(
                    (
                        i
                        for i, item in enumerate(items)
                        if isinstance(item, Envelope) and item.occurred_at > as_of
                    ),
                    None,
                )
                tracked.process(items[:later])
                replayed += len(items[:later])
                if later is not None:
                    break
                recorded_until = max(
                    (item.occurred_at for item in items if isinstance(item, Envelope)),
                    default=recorded_until,
                )
                passed = notifications[-1].id
                if (
                    recorded_until is not None
                    and passed // self._every > max([position, *saved]) // self._every
                    and self._save(projector.name, engine, passed, recorded_until, erasures)
                ):
                    saved.append(passed)
                position = passed
            if saved and log.vault.keys.destroyed_count() != erasures:
                self._discard(projector.name, saved)  # a key went while this replay ran
            with engine.connect() as conn:
                state = store.state(conn, projector.name)
                assert state is not None
                tables = store.tables(projector, state.generation)
                answer = query(conn, tables, state.position)
            return Replayed(answer, base.position if base else 0, replayed)
        finally:
            engine.dispose()

    def _nearest(self, name: str, as_of: datetime, erasures: int) -> _Checkpoint | None:
        """The latest usable checkpoint recorded entirely by ``as_of``; unusable ones
        (made before an erasure) are deleted on the way."""
        of_projection = checkpoints.c.projection == name
        with self._store.reader.connect() as conn:
            rows = conn.execute(
                select(checkpoints.c.position, checkpoints.c.recorded_until, checkpoints.c.erasures)
                .where(of_projection)
                .order_by(checkpoints.c.position.desc())
            ).all()
        stale = [row.position for row in rows if row.erasures != erasures]
        if stale:
            self._discard(name, stale)
        usable = [
            row for row in rows if row.erasures == erasures and _utc(row.recorded_until) <= as_of
        ]
        with self._store.reader.connect() as conn:
            for row in usable:  # the latest first; one pruned meanwhile is passed over
                image = conn.execute(
                    select(checkpoints.c.image).where(
                        of_projection, checkpoints.c.position == row.position
                    )
                ).scalar()
                if image is not None:
                    return _Checkpoint(
                        row.position, _utc(row.recorded_until), zlib.decompress(image)
                    )
        return None

    def _save(
        self, name: str, engine: Engine, position: int, recorded_until: datetime, erasures: int
    ) -> bool:
        raw = engine.raw_connection()
        try:
            database = raw.driver_connection
            assert isinstance(database, sqlite3.Connection)
            image = zlib.compress(database.serialize(), 1)
        finally:
            raw.close()
        bucket = position // self._every
        try:
            with self._store.writer.begin() as conn:
                taken = conn.execute(
                    select(checkpoints.c.position).where(
                        checkpoints.c.projection == name,
                        checkpoints.c.position >= bucket * self._every,
                        checkpoints.c.position < (bucket + 1) * self._every,
                    )
                ).first()
                if taken is not None:
                    return False  # another replay got there first
                conn.execute(
                    insert(checkpoints).values(
                        projection=name,
                        position=position,
                        recorded_until=recorded_until.astimezone(UTC),
                        erasures=erasures,
                        image=image,
                    )
                )
                self._prune(conn, name)
        except IntegrityError:
            return False
        return True

    def _prune(self, conn: Connection, name: str) -> None:
        positions = list(
            conn.execute(
                select(checkpoints.c.position)
                .where(checkpoints.c.projection == name)
                .order_by(checkpoints.c.position)
            ).scalars()
        )
        while len(positions) > self._kept:
            # Merging the gaps either side of a checkpoint: drop the one that merges
            # the smallest (the newest is never dropped).
            bounds = [0, *positions]
            index = min(range(len(positions) - 1), key=lambda i: bounds[i + 2] - bounds[i])
            conn.execute(
                delete(checkpoints).where(
                    checkpoints.c.projection == name,
                    checkpoints.c.position == positions[index],
                )
            )
            del positions[index]

    def _discard(self, name: str, positions: list[int]) -> None:
        with self._store.writer.begin() as conn:
            conn.execute(
                delete(checkpoints).where(
                    checkpoints.c.projection == name, checkpoints.c.position.in_(positions)
                )
            )


def _in_memory(image: bytes | None) -> Engine:
    """A private in-memory database, empty or loaded from a checkpoint's image."""
    database = sqlite3.connect(":memory:", check_same_thread=False)
    if image is not None:
        database.deserialize(image)
    return create_engine("sqlite://", creator=lambda: database, poolclass=StaticPool)


def _utc(moment: datetime) -> datetime:
    # SQLite hands back the stored UTC time without its zone.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
