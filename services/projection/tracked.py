"""Applies batches of envelopes to one partition of one projection, exactly once.

Rows and the partition's tracking position commit in one transaction, so a
redelivered or republished envelope (position already applied) changes nothing. Each
envelope names the position before it in its partition; if that is ahead of the
tracking position a message went missing, and the gap is filled from the event store
(that partition's events only) before going on. A watermark moves the position on
with nothing to apply. An envelope that cannot be applied (a poison message) is
dead-lettered and skipped, so one bad event never stops the projection."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection
from sqlalchemy.exc import InterfaceError, OperationalError

from services.projection.projectors.base import Projector, RowWriter
from services.projection.readmodel.store import ReadModelStore
from shared.contract.codec import UndecodableEvent
from shared.contract.envelope import (
    Envelope,
    Item,
    Undecodable,
    Watermark,
    envelopes_from,
    read_keys_ahead,
)
from shared.contract.events import Event
from shared.contract.sealing import ERASURES
from shared.logs import CORRELATION_ID
from shared.partitions import ALL, Partition, slice_of
from shared.store import EventLog

log = logging.getLogger(__name__)
# Events already decoded, by position: a rebuild decodes each once for every projector.
Decoded = Mapping[int, Event]

FILL_LIMIT = 1000


@dataclass
class BatchReport:
    applied: int = 0
    duplicates: int = 0
    filled: int = 0  # events read from the store to fill a hole in the message stream
    dead_letters: list[Undecodable] = field(default_factory=list)
    position: int = 0


class _BatchFailed(Exception):
    """A buffered write failed: which event caused it is not known yet."""


class _Poisoned(Exception):
    def __init__(self, index: int, reason: str) -> None:
        super().__init__(reason)
        self.index = index
        self.reason = reason


class TrackedProjector:
    """Runs one projector against one partition's tracking row: of the live
    projection, or of a rebuild's shadow (its own generation of tables, one partition)."""

    def __init__(
        self,
        projector: Projector[Any],
        store: ReadModelStore,
        log: EventLog,
        tracking_name: str | None = None,
        partition: Partition = ALL,
    ) -> None:
        self.projector = projector
        self._store = store
        self._log = log
        self.tracking_name = tracking_name or projector.name
        self.partition = partition

    @property
    def name(self) -> str:
        return self.projector.name

    def in_partition(self, partition: Partition) -> TrackedProjector:
        return TrackedProjector(
            self.projector, self._store, self._log, self.tracking_name, partition
        )

    def partitions(self) -> int:
        """How many partitions this projection is tracked in now."""
        with self._store.reader.connect() as conn:
            return self._store.partitions(conn, self.tracking_name)

    def position(self) -> int:
        """How far this partition has got."""
        with self._store.reader.connect() as conn:
            return self._store.partition_state(conn, self.tracking_name, self.partition).position

    def process(self, items: Sequence[Item], decoded: Decoded | None = None) -> BatchReport:
        with self._store.writer.begin() as conn:
            report = self.process_on(conn, items, decoded)
        self._store.progress.announce(self.tracking_name, report.position)
        return report

    def process_partitions(
        self, shares: Mapping[Partition, Sequence[Item]]
    ) -> dict[Partition, BatchReport]:
        """Applies several partitions' batches of this projection in one transaction
        (one commit where there would be one per partition), locking their rows in
        partition order so two processes handing partitions over never deadlock."""
        reports = {}
        with self._store.writer.begin() as conn:
            for partition in sorted(shares):
                reports[partition] = self.in_partition(partition).process_on(
                    conn, shares[partition]
                )
        if reports:
            furthest = max(report.position for report in reports.values())
            self._store.progress.announce(self.tracking_name, furthest)
        return reports

    def process_on(
        self, conn: Connection, items: Sequence[Item], decoded: Decoded | None = None
    ) -> BatchReport:
        """Applies a batch inside the caller's transaction (a savepoint per attempt, so
        a poison message rolls back only this batch's attempt).

        Inserts are buffered, so a failure cannot be pinned on one event; the batch is
        then tried again writing as it goes, which names the poison message."""
        if decoded is None:  # a rebuild hands its events over already opened
            read_keys_ahead(items, self._log.vault)
        pending = list(items)
        poisoned: dict[int, str] = {}
        buffered = True
        while True:
            try:
                with conn.begin_nested():
                    rows = RowWriter(conn, buffered=buffered)
                    return self._attempt(rows, pending, poisoned, decoded or {})
            except _Poisoned as poison:
                log.error("%s: dead-lettering %s", self.name, poison.reason)
                poisoned[poison.index] = poison.reason
            except _BatchFailed:
                buffered = False

    def _attempt(
        self, rows: RowWriter, pending: list[Item], poisoned: dict[int, str], decoded: Decoded
    ) -> BatchReport:
        """One pass over the batch; ``pending`` grows in place when a gap is filled,
        so the indexes in ``poisoned`` stay valid for the next attempt."""
        conn = rows.conn
        report = BatchReport()
        state = self._store.partition_state(conn, self.tracking_name, self.partition, lock=True)
        tables = self._store.tables(self.projector, state.generation)
        position = state.position
        index = 0
        while index < len(pending):
            item = pending[index]
            if item.position <= position:
                report.duplicates += int(not isinstance(item, Watermark))
                index += 1
                continue
            if item.previous_position is not None and item.previous_position > position:
                missing = self.read_store(position, item.previous_position, FILL_LIMIT)
                if missing:
                    pending[index:index] = missing
                    report.filled += sum(not isinstance(m, Watermark) for m in missing)
                    continue
            if isinstance(item, Watermark):
                pass  # nothing of this partition's between the last item and this one
            elif isinstance(item, Undecodable):
                self._dead_letter(conn, item, item.reason)
                report.dead_letters.append(item)
            elif index in poisoned:
                CORRELATION_ID.set(str(item.correlation_id))
                self._dead_letter(conn, item, poisoned[index])
                report.dead_letters.append(_as_undecodable(item, poisoned[index]))
            else:
                self._apply(rows, tables, item, index, decoded.get(item.position))
                report.applied += 1
                if item.type in ERASURES:
                    self._store.drop_checkpoints(conn, self.projector.name)
            position = item.position
            index += 1
        self._guard(rows, rows.flush, index=None)
        self._store.save_position(conn, self.tracking_name, self.partition, position)
        report.position = position
        return report

    def catch_up_on(self, conn: Connection, batch_size: int, upto: int) -> int:
        """Applies what the store holds for this partition beyond its position up to
        ``upto``, inside the caller's transaction; the number of events read. A fixed
        end, because commands keep arriving while the caller holds its locks."""
        total = 0
        while True:
            position = self._store.partition_state(
                conn, self.tracking_name, self.partition, lock=True
            ).position
            items = self.read_store(position, upto, batch_size)
            if not items:
                return total
            self.process_on(conn, items)
            total += len(items)

    def read_store(self, after: int, upto: int | None, limit: int) -> list[Item]:
        """This partition's events in the store after ``after`` (up to ``upto``), read
        ``limit`` events of the whole stream at a time, ending with a watermark at the
        last one read if this partition's own last event is earlier."""
        notifications = self._log.read(after=after, limit=limit, upto=upto)
        if not notifications:
            return []
        items = envelopes_from(notifications, after, self._log.vault)
        return slice_of(items, self.partition, after, notifications[-1].id)

    def _apply(
        self, rows: RowWriter, tables: object, envelope: Envelope, index: int, event: Event | None
    ) -> None:
        try:
            event = event or envelope.event(self._log.vault)
        except (KeyError, ValidationError, UndecodableEvent) as exc:
            raise _Poisoned(index, f"undecodable {envelope.type}: {exc}") from exc
        self._guard(
            rows,
            lambda: self.projector.apply(rows, tables, envelope, event),
            index=index,
            what=f"{envelope.type} at {envelope.position}",
        )

    @staticmethod
    def _guard(
        rows: RowWriter, action: Callable[[], None], *, index: int | None, what: str = ""
    ) -> None:
        try:
            action()
        except (OperationalError, InterfaceError):
            raise  # the database is down: not the message's fault, retry it later
        except Exception as exc:
            if rows.buffered or index is None:
                raise _BatchFailed from exc
            raise _Poisoned(index, f"{what}: {exc!r}") from exc

    def _dead_letter(self, conn: Connection, item: Envelope | Undecodable, reason: str) -> None:
        self._store.record_dead_letter(
            conn,
            projection=self.name,
            position=item.position,
            event_type=item.type,
            reason=reason,
            body=item.to_json().decode() if isinstance(item, Envelope) else item.body,
        )


def _as_undecodable(item: Envelope, reason: str) -> Undecodable:
    return Undecodable(
        position=item.position,
        previous_position=item.previous_position,
        stream_id=item.stream_id,
        stream_version=item.stream_version,
        type=item.type,
        reason=reason,
        body=item.to_json().decode(),
    )
