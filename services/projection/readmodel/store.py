"""Where read models live: each projection's tables, per generation, its tracking
row (the live generation) and one row per partition of the event stream (the last
position applied there), all in the same database, so rows and positions always
commit together."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)

from services.projection.projectors.base import Projector
from services.projection.readmodel.progress import Progress, ProgressListener, notify
from shared.migrations import READ_MODELS, upgrade
from shared.partitions import Partition

T = TypeVar("T")

# Made by shared.migrations (readmodels/); this is how the code reads them.
STATE_METADATA = MetaData()

projection_state = Table(
    "projection_state",
    STATE_METADATA,
    Column("name", String(64), primary_key=True),
    Column("generation", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

projection_partitions = Table(
    "projection_partitions",
    STATE_METADATA,
    Column("name", String(64), primary_key=True),
    Column("partition", Integer, primary_key=True),
    Column("partitions", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

dead_letters = Table(
    "projection_dead_letters",
    STATE_METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("projection", String(64), nullable=False, index=True),
    Column("position", BigInteger),
    Column("event_type", String(200)),
    Column("reason", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)


# Images of a projection's in-memory replay at a position, for answers as of a moment
# (``services.projection.time_travel`` makes, uses and prunes them).
checkpoints = Table(
    "projection_checkpoints",
    STATE_METADATA,
    Column("projection", String(64), primary_key=True),
    Column("position", BigInteger, primary_key=True),
    # The latest recording time of any event up to the position, in UTC.
    Column("recorded_until", DateTime(timezone=True), nullable=False),
    # How many subject keys had been destroyed when it was made: an erasure since then
    # makes it unusable (it may hold personal fields opened before).
    Column("erasures", Integer, nullable=False),
    Column("image", LargeBinary, nullable=False),
)


@dataclass(frozen=True)
class ProjectionState:
    """A projection's live generation and how far it has got: for the whole
    projection, the least position of its partitions (every event up to there is
    applied); for one partition, that partition's."""

    generation: int
    position: int


class ReadModelStore:
    def __init__(self, writer: Engine, reader: Engine) -> None:
        self.writer = writer
        self.reader = reader
        # Commits of tracking positions, announced by whoever commits them here (and,
        # once ``listen`` runs, by projectors in other processes).
        self.progress = Progress()
        self._listener: ProgressListener | None = None
        self._tables: dict[tuple[str, int], tuple[MetaData, Any]] = {}
        self._lock = threading.Lock()

    def listen(self) -> ProgressListener | None:
        """Hears the positions projectors in other processes commit (PostgreSQL; an
        SQLite read-model database is one process's)."""
        if self._listener is None and self.writer.dialect.name == "postgresql":
            self._listener = ProgressListener(self.writer, self.progress)
            self._listener.start()
        return self._listener

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
        self.writer.dispose()
        self.reader.dispose()

    def ensure(self, projector: Projector[Any], partitions: int = 1) -> None:
        """Brings the tracking tables up to date (migrations, under their lock), then
        creates the projection's first generation, tracked in ``partitions``
        partitions, if it has none. (A projection that has one keeps its partitions:
        ``liaison partitions`` changes them.)"""
        upgrade(self.writer, READ_MODELS)
        with self.writer.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Several processes may start at once; DDL races are not IF NOT EXISTS-safe.
                conn.execute(text("SELECT pg_advisory_xact_lock(727001)"))
            if self.state(conn, projector.name) is None:
                self._metadata(projector, 1).create_all(conn)
                self.track(conn, projector.name, ProjectionState(1, 0), partitions)

    def outdated(self, projector: Projector[Any]) -> bool:
        """Whether the live tables differ in columns from what the projector now
        defines: the code changed shape (an upgrade added a column, say)."""
        with self.reader.connect() as conn:
            live = self.state(conn, projector.name)
            if live is None:
                return False
            inspector = inspect(conn)
            for table in self.table_list(projector, live.generation):
                if not inspector.has_table(table.name):
                    return True
                built = {column["name"] for column in inspector.get_columns(table.name)}
                if built != set(table.columns.keys()):
                    return True
        return False

    @contextmanager
    def schema_lock(self) -> Iterator[None]:
        """Held while tables are checked and rebuilt at start-up: several processes
        may start at once, and one rebuild is enough."""
        with self.writer.connect() as conn:
            postgres = conn.dialect.name == "postgresql"
            if postgres:
                conn.execute(text("SELECT pg_advisory_lock(727002)"))
                conn.commit()
            try:
                yield
            finally:
                if postgres:
                    conn.execute(text("SELECT pg_advisory_unlock(727002)"))
                    conn.commit()

    def tables(self, projector: Projector[T], generation: int) -> T:
        return self._entry(projector, generation)[1]  # type: ignore[no-any-return]

    def state(self, conn: Connection, name: str, *, lock: bool = False) -> ProjectionState | None:
        """The projection's generation and the least position of its partitions;
        ``lock``: both held until ``conn`` commits, so no partition moves meanwhile."""
        generation = self._generation(conn, name, "update" if lock else None)
        if generation is None:
            return None
        positions = select(projection_partitions.c.position).where(
            projection_partitions.c.name == name
        )
        if lock and conn.dialect.name == "postgresql":
            positions = positions.with_for_update()
        return ProjectionState(generation, min(conn.execute(positions).scalars(), default=0))

    def locked_state(self, conn: Connection, name: str) -> ProjectionState:
        """The whole projection, locked until ``conn`` commits: its partitions' writers
        wait (a rebuild's switch, a redrive)."""
        state = self.state(conn, name, lock=True)
        if state is None:
            raise LookupError(f"projection {name} has not been set up")
        return state

    def partition_state(
        self, conn: Connection, name: str, partition: Partition, *, lock: bool = False
    ) -> ProjectionState:
        """One partition's position and the generation; ``lock``: the partition's row
        held until ``conn`` commits (one writer per partition), and the generation held
        shared (a switch waits for the writers)."""
        generation = self._generation(conn, name, "share" if lock else None)
        query = select(projection_partitions.c.position, projection_partitions.c.partitions).where(
            projection_partitions.c.name == name,
            projection_partitions.c.partition == partition.index,
        )
        if lock and conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).one_or_none()
        if generation is None or row is None or row.partitions != partition.count:
            raise LookupError(f"projection {name} has no partition {partition.label}")
        return ProjectionState(generation, row.position)

    def partition_positions(self, conn: Connection, name: str) -> list[tuple[str, int]]:
        """Each partition's label and position, in order."""
        rows = conn.execute(
            select(
                projection_partitions.c.partition,
                projection_partitions.c.partitions,
                projection_partitions.c.position,
            )
            .where(projection_partitions.c.name == name)
            .order_by(projection_partitions.c.partition)
        )
        return [(Partition(row.partition, row.partitions).label, row.position) for row in rows]

    def partitions(self, conn: Connection, name: str) -> int:
        """How many partitions the projection is tracked in (0: not set up)."""
        query = select(func.count()).where(projection_partitions.c.name == name)
        return int(conn.execute(query).scalar_one())

    def _generation(self, conn: Connection, name: str, lock: str | None) -> int | None:
        query = select(projection_state.c.generation).where(projection_state.c.name == name)
        if lock and conn.dialect.name == "postgresql":
            query = query.with_for_update(read=lock == "share")
        generation = conn.execute(query).scalar_one_or_none()
        return None if generation is None else int(generation)

    def track(
        self, conn: Connection, name: str, state: ProjectionState, partitions: int = 1
    ) -> None:
        """Starts (or restarts) a tracking row and its partitions' rows, each at
        ``state.position``: a projection's first generation, a rebuild's shadow."""
        self.untrack(conn, name)
        conn.execute(
            insert(projection_state).values(
                name=name, generation=state.generation, updated_at=_now()
            )
        )
        self.repartition(conn, name, partitions, state.position)

    def repartition(self, conn: Connection, name: str, partitions: int, position: int) -> None:
        """Tracks the projection in ``partitions`` partitions from ``position``, where
        every event up to it must already be applied."""
        conn.execute(delete(projection_partitions).where(projection_partitions.c.name == name))
        conn.execute(
            insert(projection_partitions),
            [
                {
                    "name": name,
                    "partition": index,
                    "partitions": partitions,
                    "position": position,
                    "updated_at": _now(),
                }
                for index in range(partitions)
            ],
        )

    def untrack(self, conn: Connection, name: str) -> None:
        conn.execute(delete(projection_state).where(projection_state.c.name == name))
        conn.execute(delete(projection_partitions).where(projection_partitions.c.name == name))

    def table_list(self, projector: Projector[Any], generation: int) -> list[Table]:
        return list(self._metadata(projector, generation).sorted_tables)

    def save_position(
        self, conn: Connection, name: str, partition: Partition, position: int
    ) -> None:
        """Moves a partition's row on; announce the position once ``conn`` commits."""
        conn.execute(
            update(projection_partitions)
            .where(
                projection_partitions.c.name == name,
                projection_partitions.c.partition == partition.index,
            )
            .values(position=position, updated_at=_now())
        )
        notify(conn, name, position)

    def switch(self, conn: Connection, name: str, state: ProjectionState) -> None:
        """Makes ``state`` (a rebuilt generation, caught up to its position) live in
        every partition."""
        conn.execute(
            update(projection_state)
            .where(projection_state.c.name == name)
            .values(generation=state.generation, updated_at=_now())
        )
        conn.execute(
            update(projection_partitions)
            .where(projection_partitions.c.name == name)
            .values(position=state.position, updated_at=_now())
        )
        notify(conn, name, state.position)

    def create_generation(self, projector: Projector[Any], generation: int) -> None:
        """Fresh, empty tables for ``generation`` (leftovers of a failed run dropped)."""
        metadata = self._metadata(projector, generation)
        with self.writer.begin() as conn:
            metadata.drop_all(conn)
            metadata.create_all(conn)

    def drop_generation(self, conn: Connection, projector: Projector[Any], generation: int) -> None:
        self._metadata(projector, generation).drop_all(conn)

    def drop_checkpoints(self, conn: Connection, name: str) -> None:
        """Forgets the projection's time-travel checkpoints: they were made by other
        code (a rebuild), or hold personal fields opened before an erasure."""
        conn.execute(delete(checkpoints).where(checkpoints.c.projection == name))

    def record_dead_letter(
        self,
        conn: Connection,
        *,
        projection: str,
        position: int | None,
        event_type: str | None,
        reason: str,
        body: str,
    ) -> None:
        conn.execute(
            insert(dead_letters).values(
                projection=projection,
                position=position,
                event_type=event_type,
                reason=reason,
                body=body,
                recorded_at=_now(),
            )
        )

    def _metadata(self, projector: Projector[Any], generation: int) -> MetaData:
        return self._entry(projector, generation)[0]

    def _entry(self, projector: Projector[Any], generation: int) -> tuple[MetaData, Any]:
        key = (projector.name, generation)
        with self._lock:
            if key not in self._tables:
                metadata = MetaData()
                tables = projector.define_tables(metadata, f"{projector.name}_g{generation}_")
                self._tables[key] = (metadata, tables)
            return self._tables[key]


def _now() -> datetime:
    return datetime.now(UTC)
