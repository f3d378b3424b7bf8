"""Refused commands as problem details: each refusal names its problem type."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.command.domain.errors import DomainError, InvalidValue, UnknownReference
from shared.problems import problem


def install_domain_error_handler(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def refused(_: Request, exc: DomainError) -> JSONResponse:
        extensions: dict[str, Any] = (
            {"field": exc.field} if isinstance(exc, UnknownReference | InvalidValue) else {}
        )
        return problem(exc.problem, exc.detail, **extensions)
