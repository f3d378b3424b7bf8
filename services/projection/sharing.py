"""Which partitions this projector process consumes, when several share the work.

Every projector process joins the group by holding a PostgreSQL advisory lock on one
of ``SLOTS`` numbered slots, on a connection of its own: the lock is its membership,
and the database ends it when the process dies (its connection closes). The group is
the slots whose locks are held; each process ranks itself in that list, and takes the
partitions whose index modulo the group's size is its rank. When a process joins or
dies, every process sees the new group within ``CHECK_SECONDS`` and moves to its new
share.

Queues have single active consumer, so a partition is never consumed by two
processes at once even while they disagree for a moment about who has it; and each
partition's tracking row is locked while a batch is applied, so nothing is applied
twice. An SQLite read-model database belongs to one process, which takes every
partition."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Connection, Engine, text

from shared.partitions import Partition

log = logging.getLogger(__name__)

GROUP = 727100  # the advisory locks' first key; the slot is the second
SLOTS = 64
CHECK_SECONDS = 2.0


class Group:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self.slot: int | None = None
        self._lock = threading.Lock()

    @property
    def shared(self) -> bool:
        return self._engine.dialect.name == "postgresql"

    def share(self, partitions: list[Partition]) -> list[Partition]:
        """This process's share of ``partitions`` (none while it cannot join)."""
        if not self.shared:
            return partitions
        with self._lock:
            members = self._members()
        if self.slot not in members:
            return []
        rank = members.index(self.slot)
        return [p for p in partitions if p.index % len(members) == rank]

    def _members(self) -> list[int]:
        try:
            if self._connection is None:
                self._join()
            assert self._connection is not None
            rows = self._connection.execute(
                text(
                    "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND classid = :group AND objsubid = 2"
                    " AND database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())"
                ),
                {"group": GROUP},
            )
            members = sorted(int(row.objid) for row in rows)
            self._connection.commit()
            return members
        except Exception:
            self.leave()
            raise

    def _join(self) -> None:
        connection = self._engine.connect()
        for slot in range(SLOTS):
            held = connection.execute(
                text("SELECT pg_try_advisory_lock(:group, :slot)"), {"group": GROUP, "slot": slot}
            ).scalar_one()
            if held:
                connection.commit()
                self._connection, self.slot = connection, slot
                log.info("projector process joined the group in slot %d", slot)
                return
        connection.close()
        raise RuntimeError(f"all {SLOTS} projector slots are taken")

    def leave(self) -> None:
        connection, self._connection, self.slot = self._connection, None, None
        if connection is not None:
            # Closed for good, not returned to the pool: the lock ends with its session.
            connection.invalidate()
            connection.close()
