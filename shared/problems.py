"""RFC 9457 problem details, the one error format of every liaison HTTP service.

Every answer here is one of the types declared in ``shared.problem_types``: there is
no fallback that could make up another. Nothing a client sends may produce a 500;
anything unexpected still answers in this format (and is logged once), and a failing
dependency answers 503 so clients know to retry."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import psycopg
import psycopg_pool
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problem_types import Problem
from shared.store import Unavailable

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

# What the framework itself refuses with (an unknown path, a wrong method, a body it
# cannot read); any other status it raised would be a bug of ours, answered as one.
FRAMEWORK_ERRORS = {
    400: Problem.BAD_REQUEST,
    404: Problem.NOT_FOUND,
    405: Problem.METHOD_NOT_ALLOWED,
}

# The problems every route of a kind can answer, for ``problem_responses``.
SERVICE = (Problem.INTERNAL_ERROR, Problem.DEPENDENCY_UNAVAILABLE)
ACCESS = (
    Problem.UNAUTHENTICATED,
    Problem.FORBIDDEN,
    Problem.NOT_FOUND,  # another branch's ids are not confirmed to outsiders
    Problem.TOO_MANY_ATTEMPTS,
)
BODY = (
    Problem.BAD_REQUEST,
    Problem.PAYLOAD_TOO_LARGE,
    Problem.UNSUPPORTED_MEDIA_TYPE,
    Problem.VALIDATION_ERROR,
)


def problem(
    kind: Problem,
    detail: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"type": kind.type, "title": kind.title, "status": kind.status}
    if detail is not None:
        body["detail"] = detail
    body.update(extensions)
    return JSONResponse(body, status_code=kind.status, media_type=PROBLEM_JSON, headers=headers)


def problem_responses(*kinds: Problem) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` declaring which problem types a route can answer."""
    by_status: dict[int, list[Problem]] = {}
    for kind in dict.fromkeys(kinds):
        by_status.setdefault(kind.status, []).append(kind)
    return {
        status: {
            "description": "; ".join(kind.title for kind in listed),
            "content": {
                PROBLEM_JSON: {
                    "schema": {
                        "type": "object",
                        "required": ["type", "title", "status"],
                        "properties": {
                            "type": {"type": "string", "enum": [kind.type for kind in listed]},
                            "title": {"type": "string"},
                            "status": {"type": "integer", "enum": [status]},
                            "detail": {"type": "string"},
                        },
                    }
                }
            },
        }
        for status, listed in sorted(by_status.items())
    }


class ProblemError(Exception):
    """A refusal answered as its problem type, for code that is not a command (whose
    refusals are ``DomainError``s)."""

    def __init__(
        self,
        kind: Problem,
        detail: str,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.headers = headers
        self.extensions = extensions


class ServiceUnavailable(ProblemError):
    """A dependency did not answer in time (read model behind, database down)."""

    def __init__(
        self, detail: str, kind: Problem = Problem.DEPENDENCY_UNAVAILABLE, retry_after: int = 1
    ) -> None:
        super().__init__(kind, detail, headers={"Retry-After": str(retry_after)})


def invalid_parameter(field: str, message: str) -> RequestValidationError:
    """A parameter that is well-formed alone but not with the others (a window that
    ends before it starts): a validation error naming the field, like any other."""
    return RequestValidationError(
        [{"loc": ("query", field), "msg": message, "type": "value_error"}]
    )


# What a dependency that is down looks like from here.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    Unavailable,
    psycopg.OperationalError,
    psycopg_pool.PoolTimeout,
    OperationalError,
    DBAPIError,
    ConnectionError,
    TimeoutError,
)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_middleware(UnexpectedErrors)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": ".".join(str(part) for part in error.get("loc", ()) if part != "body"),
                "message": error.get("msg", "invalid"),
            }
            for error in exc.errors()
        ]
        return problem(
            Problem.VALIDATION_ERROR,
            "; ".join(f"{e['field']}: {e['message']}" for e in errors),
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        kind = FRAMEWORK_ERRORS.get(exc.status_code)
        if kind is None:
            log.error(
                "unregistered HTTP error %s on %s %s: %s",
                exc.status_code,
                request.method,
                request.url.path,
                exc.detail,
            )
            return problem(Problem.INTERNAL_ERROR, "the error was logged")
        return problem(kind, str(exc.detail), headers=exc.headers)

    @app.exception_handler(ProblemError)
    async def refused(_: Request, exc: ProblemError) -> JSONResponse:
        return problem(exc.kind, exc.detail, headers=exc.headers, **exc.extensions)

    for error_type in UNAVAILABLE_ERRORS:
        app.add_exception_handler(error_type, _dependency_down)


async def _dependency_down(request: Request, exc: Exception) -> JSONResponse:
    log.warning("dependency unavailable on %s %s: %s", request.method, request.url.path, exc)
    return problem(
        Problem.DEPENDENCY_UNAVAILABLE,
        "a database or broker did not answer; retry shortly",
        headers={"Retry-After": "1"},
    )


class UnexpectedErrors:
    """Answers an unexpected exception with ``internal-error`` and logs it once, with
    the request. Left to Starlette, its ServerErrorMiddleware would answer and then
    re-raise so that the server logs the same error a second time."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            if started:
                raise  # too late to answer: the server logs it and drops the connection
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            await problem(Problem.INTERNAL_ERROR, "the error was logged")(scope, receive, send)
