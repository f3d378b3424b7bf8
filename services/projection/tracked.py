"""Applies batches of envelopes to one projection, exactly once.

Rows and the tracking position commit in one transaction, so a redelivered or
republished envelope (position already applied) changes nothing. Each envelope names
the position before it; if that is ahead of the tracking position a message went
missing, and the gap is filled from the event store before going on. An envelope
that cannot be applied (a poison message) is dead-lettered and skipped, so one bad
event never stops the projection."""

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
    Undecodable,
    envelopes_from,
    read_keys_ahead,
)
from shared.contract.events import Event
from shared.contract.sealing import ERASURES
from shared.logs import CORRELATION_ID
from shared.store import EventLog

log = logging.getLogger(__name__)

Item = Envelope | Undecodable
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
    """Runs one projector against one tracking row: the live row named after the
    projection, or a rebuild's shadow row (its own generation of tables)."""

    def __init__(
        self,
        projector: Projector[Any],
        store: ReadModelStore,
        log: EventLog,
        tracking_name: str | None = None,
    ) -> None:
        self.projector = projector
        self._store = store
        self._log = log
        self.tracking_name = tracking_name or projector.name

    @property
    def name(self) -> str:
        return self.projector.name

    def position(self) -> int:
        with self._store.reader.connect() as conn:
            state = self._store.state(conn, self.tracking_name)
        return 0 if state is None else state.position

    def process(self, items: Sequence[Item], decoded: Decoded | None = None) -> BatchReport:
        with self._store.writer.begin() as conn:
            report = self.process_on(conn, items, decoded)
        self._store.progress.announce(self.tracking_name, report.position)
        return report

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
        state = self._store.locked_state(conn, self.tracking_name)
        tables = self._store.tables(self.projector, state.generation)
        position = state.position
        index = 0
        while index < len(pending):
            item = pending[index]
            if item.position <= position:
                report.duplicates += 1
                index += 1
                continue
            if item.previous_position is not None and item.previous_position > position:
                missing = self._read_store(position, item.previous_position)
                if missing:
                    pending[index:index] = missing
                    report.filled += len(missing)
                    continue
            if isinstance(item, Undecodable):
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
        self._store.save_position(conn, self.tracking_name, position)
        report.position = position
        return report

    def catch_up_on(self, conn: Connection, batch_size: int) -> int:
        """Applies everything the store holds beyond this tracking row's position, inside the
        caller's transaction; the number of events read."""
        total = 0
        while True:
            position = self._store.locked_state(conn, self.tracking_name).position
            notifications = self._log.read(after=position, limit=batch_size)
            if not notifications:
                return total
            self.process_on(conn, envelopes_from(notifications, position, self._log.vault))
            total += len(notifications)

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

    def _read_store(self, after: int, upto: int) -> list[Item]:
        notifications = self._log.read(after=after, limit=FILL_LIMIT, upto=upto)
        return list(envelopes_from(notifications, after, self._log.vault))

    def _dead_letter(self, conn: Connection, item: Item, reason: str) -> None:
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
