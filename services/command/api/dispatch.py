"""Turns one HTTP request into a command context (the authenticated principal as the
actor, correlation, idempotency), checks the content rules of ``shared.policy``, and
runs the command on the bus. The dependencies are async (they never block) so a
request crosses into the thread pool once, for the command itself."""

from __future__ import annotations

import hashlib
from dataclasses import fields
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import Depends, Header, Request, Response
from pydantic import BaseModel

from services.command.api.schemas import WriteResult
from services.command.domain.commands import Command
from services.command.handlers.bus import CommandBus, CommandContext, IdempotencyKey
from shared.access import Authorised
from shared.auth import Principal
from shared.logs import CORRELATION_ID
from shared.policy import Lookups, authorise_content, may_amend_any_record

MAX_KEY_LENGTH = 200


class Dispatcher:
    def __init__(
        self,
        request: Request,
        response: Response,
        context: CommandContext,
        principal: Principal,
    ) -> None:
        self._bus: CommandBus = request.app.state.bus
        self._lookups: Lookups = request.app.state.lookups
        self._request = request
        self._response = response
        self._context = context
        self.principal = principal

    @property
    def may_amend_any_record(self) -> bool:
        return may_amend_any_record(self.principal)

    def __call__(self, command: Command, body: BaseModel | None) -> WriteResult:
        route = self._request.scope.get("route")
        content = {field.name: getattr(command, field.name) for field in fields(command)}
        authorise_content(
            self.principal, getattr(route, "name", ""), command.branch_id, content, self._lookups
        )
        context = self._context
        if context.idempotency is not None:
            context = _with_fingerprint(context, self._request, body)
        outcome = self._bus.handle(command, context)
        if outcome.replayed:
            self._response.headers["Idempotent-Replayed"] = "true"
        self._response.headers["X-Correlation-ID"] = str(context.correlation_id)
        written = outcome.written
        return WriteResult(id=written.id, version=written.version, position=written.position)


def _with_fingerprint(
    context: CommandContext, request: Request, body: BaseModel | None
) -> CommandContext:
    assert context.idempotency is not None
    canonical = body.model_dump_json() if body is not None else ""
    digest = hashlib.sha256(
        f"{context.actor} {request.method} {request.url.path}\n{canonical}".encode()
    ).hexdigest()
    return CommandContext(
        actor=context.actor,
        correlation_id=context.correlation_id,
        command_id=context.command_id,
        idempotency=IdempotencyKey(context.idempotency.key, digest),
    )


async def command_context(
    principal: Authorised,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=MAX_KEY_LENGTH,
            description="Retry-safe key: a retry with the same key returns the first result.",
        ),
    ] = None,
    correlation_id: Annotated[UUID | None, Header(alias="X-Correlation-ID")] = None,
) -> CommandContext:
    correlation = correlation_id or uuid4()
    CORRELATION_ID.set(str(correlation))
    return CommandContext(
        actor=principal.subject,
        correlation_id=correlation,
        command_id=uuid4(),
        idempotency=IdempotencyKey(idempotency_key, "") if idempotency_key else None,
    )


async def dispatcher(
    request: Request,
    response: Response,
    context: Annotated[CommandContext, Depends(command_context)],
    principal: Authorised,
) -> Dispatcher:
    return Dispatcher(request, response, context, principal)


Dispatch = Annotated[Dispatcher, Depends(dispatcher)]
