"""Runs one command: replays an idempotent retry, retries an optimistic-concurrency
conflict on fresh state, and otherwise hands the command to its one handler."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from services.command.domain import commands as c
from services.command.domain.errors import ConcurrentModification, DomainError
from services.command.handlers.appoint_group_leader import appoint_group_leader
from services.command.handlers.assign_post import assign_post
from services.command.handlers.enroll_member import enroll_member
from services.command.handlers.establish_post import establish_post
from services.command.handlers.form_group import form_group
from services.command.handlers.link_household import link_household
from services.command.handlers.rate_member import rate_member
from services.command.handlers.record_visit import record_visit
from services.command.handlers.register_branch import register_branch
from services.command.handlers.register_household import register_household
from services.command.handlers.unit_of_work import UnitOfWork, Written

Handler = Callable[[Any, UnitOfWork], Written]

HANDLERS: Mapping[type[c.Command], Handler] = {
    c.RegisterBranch: register_branch,
    c.FormGroup: form_group,
    c.EnrollMember: enroll_member,
    c.AppointGroupLeader: appoint_group_leader,
    c.EstablishPost: establish_post,
    c.AssignPost: assign_post,
    c.RegisterHousehold: register_household,
    c.LinkHousehold: link_household,
    c.RecordVisit: record_visit,
    c.RateMember: rate_member,
}


@dataclass(frozen=True)
class IdempotencyKey:
    key: str
    fingerprint: str  # of the request, so a reused key with other content is refused


@dataclass(frozen=True, kw_only=True)
class CommandContext:
    actor: str
    correlation_id: UUID
    command_id: UUID  # the causation id of every event this command writes
    idempotency: IdempotencyKey | None = None


@dataclass(frozen=True)
class Outcome:
    written: Written
    replayed: bool = False


class IdempotencyKeyReused(DomainError):
    slug = "idempotency-key-reused"
    title = "This Idempotency-Key was already used for a different request"


class IdempotencyKeyTaken(Exception):
    """The store found the key recorded by a concurrent request while committing."""


class CommandStore(Protocol):
    def unit_of_work(self, context: CommandContext) -> UnitOfWork: ...

    def find_idempotent(self, key: str) -> tuple[str, Written] | None:
        """The fingerprint and result recorded under an Idempotency-Key, if any."""
        ...


class CommandBus:
    def __init__(
        self,
        store: CommandStore,
        handlers: Mapping[type[c.Command], Handler] = HANDLERS,
        max_attempts: int = 5,
    ) -> None:
        self._store = store
        self._handlers = handlers
        self._max_attempts = max_attempts

    def handle(self, command: c.Command, context: CommandContext) -> Outcome:
        handler = self._handlers[type(command)]
        replay = self._replay(context)
        if replay is not None:
            return replay
        attempt = 1
        while True:
            try:
                return Outcome(handler(command, self._store.unit_of_work(context)))
            except ConcurrentModification:
                if attempt >= self._max_attempts:
                    raise
                attempt += 1
            except IdempotencyKeyTaken:
                replay = self._replay(context)
                if replay is None:
                    raise
                return replay

    def _replay(self, context: CommandContext) -> Outcome | None:
        if context.idempotency is None:
            return None
        found = self._store.find_idempotent(context.idempotency.key)
        if found is None:
            return None
        fingerprint, written = found
        if fingerprint != context.idempotency.fingerprint:
            raise IdempotencyKeyReused(
                f"Idempotency-Key {context.idempotency.key!r} was used for another request"
            )
        return Outcome(written, replayed=True)
