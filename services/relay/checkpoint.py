"""The relay's checkpoint (last position confirmed by the broker) and its partition
count, kept in the event store's database, and the lease that keeps a second relay
on standby."""

from __future__ import annotations

import logging
import time
import zlib
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    select,
    text,
)

from shared.settings import Settings, sqlalchemy_url

log = logging.getLogger(__name__)

# How often a held lease's connection is checked: the relay asks for the lease before
# each batch, and a round trip per batch was a tenth of its work under load.
LEASE_CHECK_SECONDS = 1.0

# The table is made by shared.migrations (store/); this is how the code reads it.
metadata = MetaData()
relay_checkpoint = Table(
    "liaison_relay_checkpoint",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("partitions", Integer),
    Column("wanted_partitions", Integer),
    Column("partitioned_at", BigInteger),
)


@dataclass(frozen=True)
class Partitioning:
    """How the relay partitions the stream: ``partitions`` now (None: not yet
    started), ``wanted`` (a change asked for, not yet made) and ``since`` (the position
    of the last change)."""

    partitions: int | None
    wanted: int | None
    since: int | None


class Checkpoint:
    def __init__(self, engine: Engine, name: str = "relay") -> None:
        self._engine = engine
        self._name = name

    @classmethod
    def for_settings(cls, settings: Settings) -> Checkpoint:
        # No ping before each checkout (a round trip per batch): a connection the
        # database dropped fails its statement, the relay retries the batch, and the
        # pool is refilled; republished envelopes are duplicates projectors skip.
        engine = create_engine(sqlalchemy_url(settings.database_url), pool_size=2)
        return cls(engine)

    def load(self) -> int:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(relay_checkpoint.c.position).where(relay_checkpoint.c.name == self._name)
            ).one_or_none()
        return 0 if row is None else int(row.position)

    def save(self, position: int, **values: int | None) -> None:
        with self._engine.begin() as conn:
            updated = conn.execute(
                relay_checkpoint.update()
                .where(relay_checkpoint.c.name == self._name)
                .values(position=position, **values)
            )
            if updated.rowcount == 0:
                conn.execute(
                    relay_checkpoint.insert().values(name=self._name, position=position, **values)
                )

    def partitioning(self) -> Partitioning:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(
                    relay_checkpoint.c.partitions,
                    relay_checkpoint.c.wanted_partitions,
                    relay_checkpoint.c.partitioned_at,
                ).where(relay_checkpoint.c.name == self._name)
            ).one_or_none()
        return Partitioning(None, None, None) if row is None else Partitioning(*row)

    def repartition(self, position: int, partitions: int) -> None:
        """The relay now publishes to ``partitions`` partitions, from after ``position``."""
        self.save(position, partitions=partitions, wanted_partitions=None, partitioned_at=position)

    def want(self, partitions: int) -> None:
        """Asks the running relay to change its partition count."""
        with self._engine.begin() as conn:
            updated = conn.execute(
                relay_checkpoint.update()
                .where(relay_checkpoint.c.name == self._name)
                .values(wanted_partitions=partitions)
            )
            if updated.rowcount == 0:
                raise LookupError("the relay has not started yet: nothing to change")

    def lease(self) -> Lease:
        return Lease(self._engine, self._name)

    def dispose(self) -> None:
        self._engine.dispose()


class Lease:
    """A PostgreSQL advisory lock held on its own connection while the relay runs:
    one relay publishes, any other waits as a standby. (Duplicates would be harmless,
    since projectors deduplicate; the lease avoids the wasted work.) SQLite is a
    single machine's store, so there the lease is always granted."""

    def __init__(self, engine: Engine, name: str) -> None:
        self._engine = engine
        self._key = zlib.crc32(f"liaison-relay/{name}".encode())
        self._connection: Connection | None = None
        self._checked_at = 0.0
        self.acquisitions = 0  # how many times the lock was (re)taken

    def acquire(self) -> bool:
        if self._engine.dialect.name != "postgresql":
            self.acquisitions = max(self.acquisitions, 1)
            return True
        if self._connection is not None:
            if time.monotonic() - self._checked_at < LEASE_CHECK_SECONDS:
                return True
            try:
                self._connection.execute(text("SELECT 1"))
                self._checked_at = time.monotonic()
                return True
            except Exception:
                log.warning("relay lease connection lost")
                self.release()
        connection = self._engine.connect()
        held = connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
        ).scalar_one()
        if not held:
            connection.close()
            return False
        connection.commit()
        self._connection = connection
        self._checked_at = time.monotonic()
        self.acquisitions += 1
        return True

    def release(self) -> None:
        if self._connection is None:
            return
        connection, self._connection = self._connection, None
        try:
            # Session-level lock: unlock before the connection goes back to the pool.
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            connection.commit()
            connection.close()
        except Exception:
            log.debug("dropping a broken lease connection", exc_info=True)
            connection.invalidate()
