"""The dry run's command store: every command is handled by its own handler, with the
domain's own rules, against the event store as it is, and what it would write is
kept in memory instead of committed — so later rows see what earlier rows would have
created (a member enrolled on the roster, then linked), and nothing is written."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar
from uuid import UUID

from services.command.adapters.eventstore import EventStoreCommands, EventStoreUnitOfWork
from services.command.bus import CommandContext
from services.command.domain.aggregate import Aggregate
from services.command.unit_of_work import BranchSettings, Written
from shared.auth import Principal
from shared.contract.events import Event

A = TypeVar("A", bound=Aggregate)


@dataclass(frozen=True)
class _Uncommitted:
    branch_id: UUID
    events: list[Event]
    created_by: str
    created_at: datetime


class DryRunCommands:
    """A ``CommandStore`` over the real one that commits nothing."""

    def __init__(self, store: EventStoreCommands) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._streams: dict[UUID, _Uncommitted] = {}
        self._keys: dict[str, tuple[str, Written]] = {}
        self._position = store.recorder.max_notification_id()

    def unit_of_work(self, context: CommandContext) -> DryRunUnitOfWork:
        return DryRunUnitOfWork(self, self._store.unit_of_work(context), context)

    def find_idempotent(self, key: str) -> tuple[str, Written] | None:
        with self._lock:
            kept = self._keys.get(key)
        return kept or self._store.find_idempotent(key)

    def load(
        self, stored: EventStoreUnitOfWork, kind: type[A], id: UUID, branch_id: UUID
    ) -> A | None:
        with self._lock:
            kept = self._streams.get(id)
            events = list(kept.events) if kept else []
        aggregate = stored.get(kind, id, branch_id)
        if aggregate is not None or kept is None:
            return aggregate.fold(events) if aggregate is not None else None
        if type(events[0]) is not kind.CREATED_BY or kept.branch_id != branch_id:
            return None
        return kind.rehydrate(
            id, branch_id, events, created_by=kept.created_by, created_at=kept.created_at
        )

    def keep(self, context: CommandContext, aggregates: tuple[Aggregate, ...]) -> Written:
        at = self._store.clock.now()
        with self._lock:
            for aggregate in aggregates:
                kept = self._streams.setdefault(
                    aggregate.id, _Uncommitted(aggregate.branch_id, [], context.actor, at)
                )
                kept.events.extend(event for _, event in aggregate.pending)
                aggregate.mark_saved()
            self._position += 1
            primary = aggregates[0]
            written = Written(primary.id, primary.version, self._position)
            if context.idempotency is not None:
                self._keys[context.idempotency.key] = (context.idempotency.fingerprint, written)
        return written


class DryRunUnitOfWork:
    def __init__(
        self, dry: DryRunCommands, stored: EventStoreUnitOfWork, context: CommandContext
    ) -> None:
        self._dry = dry
        self._stored = stored
        self._context = context

    @property
    def principal(self) -> Principal:
        return self._stored.principal

    @property
    def today(self) -> date:
        return self._stored.today

    @property
    def settings(self) -> BranchSettings:
        return self._stored.settings

    def date_of(self, moment: datetime) -> date:
        return self._stored.date_of(moment)

    def get(self, kind: type[A], id: UUID, branch_id: UUID) -> A | None:
        return self._dry.load(self._stored, kind, id, branch_id)

    def forget_personal_data(self, subject: UUID) -> None:
        pass  # an erasure is never imported; a dry run destroys no key

    def commit(self, *aggregates: Aggregate) -> Written:
        return self._dry.keep(self._context, aggregates)
