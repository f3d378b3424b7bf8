"""Runs one command: replays an idempotent retry, retries an optimistic-concurrency
conflict on fresh state, and otherwise hands the command to its one handler."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from services.command import domain
from services.command.commands import COMMANDS, HANDLERS, Command, Handler
from services.command.domain.errors import ConcurrentModification, DomainError
from services.command.unit_of_work import UnitOfWork, Written
from shared.auth import Principal
from shared.problem_types import Problem


def registered_handlers() -> Mapping[type[Command], Handler[Command]]:
    """Every command's handler: each aggregate's module registers those beside it."""
    for module in pkgutil.iter_modules(domain.__path__):
        importlib.import_module(f"{domain.__name__}.{module.name}")
    unhandled = [command.__name__ for command in COMMANDS if command not in HANDLERS]
    if unhandled:
        raise TypeError(f"commands without a handler: {', '.join(unhandled)}")
    return HANDLERS


@dataclass(frozen=True)
class IdempotencyKey:
    key: str
    fingerprint: str  # of the request, so a reused key with other content is refused


@dataclass(frozen=True, kw_only=True)
class CommandContext:
    principal: Principal  # who acts: the actor on every event, and whose rights apply
    correlation_id: UUID
    command_id: UUID  # the causation id of every event this command writes
    idempotency: IdempotencyKey | None = None

    @property
    def actor(self) -> str:
        return self.principal.subject


@dataclass(frozen=True)
class Outcome:
    written: Written
    replayed: bool = False


class IdempotencyKeyReused(DomainError):
    problem = Problem.IDEMPOTENCY_KEY_REUSED


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
        handlers: Mapping[type[Command], Handler[Command]] | None = None,
        max_attempts: int = 5,
    ) -> None:
        self._store = store
        self._handlers = registered_handlers() if handlers is None else handlers
        self._max_attempts = max_attempts

    def handle(self, command: Command, context: CommandContext) -> Outcome:
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
