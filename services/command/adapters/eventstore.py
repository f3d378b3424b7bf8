"""The unit of work on the event store: aggregates are loaded by replaying their
stream, and committed by appending their pending events (plus the request's
Idempotency-Key) in one transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar
from uuid import UUID

from services.command.adapters.group_commit import GroupCommitter
from services.command.bus import CommandContext, IdempotencyKeyTaken
from services.command.domain.aggregate import Aggregate
from services.command.domain.errors import AlreadyExists, ConcurrentModification
from services.command.unit_of_work import BranchSettings, Written
from shared.auth import Principal
from shared.clock import Clock
from shared.contract.codec import EventMeta, decode, encode
from shared.contract.sealing import SealingError, Vault
from shared.store import Conflict, IdempotencyRecord, Recorder, StoredEvent

A = TypeVar("A", bound=Aggregate)


class EventStoreCommands:
    """The command side's store: hands out units of work and idempotency records."""

    def __init__(
        self,
        recorder: Recorder,
        clock: Clock,
        settings: BranchSettings,
        vault: Vault,
    ) -> None:
        self.recorder = recorder
        self.vault = vault
        self.committer = GroupCommitter(recorder)
        self.clock = clock
        self.settings = settings

    def unit_of_work(self, context: CommandContext) -> EventStoreUnitOfWork:
        return EventStoreUnitOfWork(self, context)

    def find_idempotent(self, key: str) -> tuple[str, Written] | None:
        return self.recorder.find_idempotent(key)

    def close(self) -> None:
        self.committer.close()


class EventStoreUnitOfWork:
    def __init__(self, store: EventStoreCommands, context: CommandContext) -> None:
        self._recorder = store.recorder
        self._committer = store.committer
        self._clock = store.clock
        self._vault = store.vault
        self._context = context
        self._settings = store.settings

    @property
    def principal(self) -> Principal:
        return self._context.principal

    @property
    def today(self) -> date:
        return self._clock.today()

    @property
    def settings(self) -> BranchSettings:
        return self._settings

    def date_of(self, moment: datetime) -> date:
        return self._clock.date_of(moment)

    def get(self, kind: type[A], id: UUID, branch_id: UUID) -> A | None:
        decoded = [decode(s.topic, s.state, self._vault) for s in self._recorder.select_events(id)]
        if not decoded or type(decoded[0].event) is not kind.CREATED_BY:
            return None
        if decoded[0].meta.branch_id != branch_id:
            return None
        created = decoded[0].meta
        return kind.rehydrate(
            id,
            branch_id,
            (d.event for d in decoded),
            created_by=created.actor,
            created_at=created.occurred_at,
        )

    def commit(self, *aggregates: Aggregate) -> Written:
        occurred_at = self._clock.now()
        stored: list[StoredEvent] = []
        for aggregate in aggregates:
            meta = EventMeta(
                branch_id=aggregate.branch_id,
                actor=self._context.actor,
                occurred_at=occurred_at,
                correlation_id=self._context.correlation_id,
                causation_id=self._context.command_id,
            )
            for version, event in aggregate.pending:
                try:
                    topic, state = encode(event, meta, aggregate.id, self._vault)
                except SealingError as exc:  # an erased subject's id, taken again
                    raise AlreadyExists(f"{aggregate.KIND} {aggregate.id}: {exc}") from exc
                stored.append(StoredEvent(aggregate.id, version, topic, state))
        primary = aggregates[0]
        key = self._context.idempotency
        record = (
            IdempotencyRecord(key.key, key.fingerprint, primary.id, primary.version)
            if key is not None
            else None
        )
        try:
            positions = self._committer.insert(stored, record)
        except Conflict as exc:
            raise self._explain_conflict(aggregates) from exc
        for aggregate in aggregates:
            aggregate.mark_saved()
        return Written(primary.id, primary.version, max(positions))

    def forget_personal_data(self, subject: UUID) -> None:
        self._vault.keys.destroy(subject)
        self._recorder.forget_fingerprints(subject)

    def _explain_conflict(self, aggregates: tuple[Aggregate, ...]) -> Exception:
        key = self._context.idempotency
        if key is not None and self._recorder.find_idempotent(key.key) is not None:
            return IdempotencyKeyTaken(key.key)
        for aggregate in aggregates:
            if (
                aggregate.is_new
                and not aggregate.ID_IS_DERIVED
                and self._recorder.select_events(aggregate.id)
            ):
                return AlreadyExists(f"{aggregate.KIND} {aggregate.id} already exists")
        return ConcurrentModification("a record changed while this command was handled")
