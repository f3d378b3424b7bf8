"""Refused commands as problem details: which HTTP status each kind of refusal gets."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.command.domain.errors import (
    DomainError,
    InvalidValue,
    NotFound,
    RuleViolation,
    UnknownReference,
)
from services.command.handlers.bus import IdempotencyKeyReused
from shared.problems import problem


def status_of(error: DomainError) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, UnknownReference | InvalidValue | IdempotencyKeyReused):
        return 422
    if isinstance(error, RuleViolation):
        return 409
    return 400


def install_domain_error_handler(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def refused(_: Request, exc: DomainError) -> JSONResponse:
        extensions: dict[str, Any] = (
            {"field": exc.field} if isinstance(exc, UnknownReference | InvalidValue) else {}
        )
        return problem(status_of(exc), exc.slug, exc.title, exc.detail, **extensions)
