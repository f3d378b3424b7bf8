"""Turns one HTTP request into a command context (the authenticated principal, who
acts and whose rights the handler checks; correlation; idempotency) and runs the
command on the bus. ``command_context`` declares the headers a command takes (FastAPI
documents them from its signature) and builds the context; it never blocks, so a
request crosses into the thread pool once, for the command itself (``run``)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import Depends, Header, Request
from pydantic import BaseModel

from services.command.bus import CommandBus, CommandContext, IdempotencyKey, Outcome
from services.command.commands import Command
from shared.access import Authorised
from shared.logs import CORRELATION_ID

MAX_KEY_LENGTH = 200


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
        principal=principal,
        correlation_id=correlation,
        command_id=uuid4(),
        idempotency=IdempotencyKey(idempotency_key, "") if idempotency_key else None,
    )


def run(
    bus: CommandBus, request: Request, command: Command, body: BaseModel, context: CommandContext
) -> Outcome:
    """Runs the command on the bus in its context (blocking: called in the thread pool)."""
    if context.idempotency is not None:
        context = _with_fingerprint(context, request, body)
    return bus.handle(command, context)


def outcome_headers(outcome: Outcome, context: CommandContext) -> dict[str, str]:
    """What the response says about how the command went: a replayed retry, and the
    correlation id."""
    headers = {"X-Correlation-ID": str(context.correlation_id)}
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return headers


Context = Annotated[CommandContext, Depends(command_context)]


def _with_fingerprint(context: CommandContext, request: Request, body: BaseModel) -> CommandContext:
    """The context with a fingerprint of the request: who sent what where. An id made
    as the request was read (none given) is left out, so a retry matches the first."""
    assert context.idempotency is not None
    made_here = {
        name
        for name, field in type(body).model_fields.items()
        if field.default_factory is not None and name not in body.model_fields_set
    }
    canonical = body.model_dump_json(exclude=made_here)
    digest = hashlib.sha256(
        f"{context.actor} {request.method} {request.url.path}\n{canonical}".encode()
    ).hexdigest()
    return replace(context, idempotency=IdempotencyKey(context.idempotency.key, digest))
