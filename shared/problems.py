"""RFC 9457 problem details, the one error format of every liaison HTTP service.

``type`` is ``/problems/<slug>``: stable, documented in the README, never reused.
Nothing a client sends may produce a 500; anything unexpected still answers in this
format, and a failing dependency answers 503 so clients know to retry."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import psycopg
import psycopg_pool
from eventsourcing.persistence import PersistenceError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

HTTP_SLUGS = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    413: "payload-too-large",
    415: "unsupported-media-type",
}


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"type": f"/problems/{slug}", "title": title, "status": status}
    if detail is not None:
        body["detail"] = detail
    body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


class ServiceUnavailable(Exception):
    """A dependency did not answer in time (read model behind, database down)."""

    def __init__(
        self, detail: str, slug: str = "dependency-unavailable", retry_after: int = 1
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.slug = slug
        self.retry_after = retry_after


# What a dependency that is down looks like from here.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    PersistenceError,
    psycopg.OperationalError,
    psycopg_pool.PoolTimeout,
    OperationalError,
    DBAPIError,
    ConnectionError,
    TimeoutError,
)


def install_problem_handlers(app: FastAPI) -> None:
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
            422,
            "validation-error",
            "The request is not valid",
            "; ".join(f"{e['field']}: {e['message']}" for e in errors),
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug = HTTP_SLUGS.get(exc.status_code, f"http-{exc.status_code}")
        return problem(exc.status_code, slug, str(exc.detail), headers=exc.headers)

    @app.exception_handler(ServiceUnavailable)
    async def unavailable(_: Request, exc: ServiceUnavailable) -> JSONResponse:
        return problem(
            503,
            exc.slug,
            "Service unavailable",
            exc.detail,
            headers={"Retry-After": str(exc.retry_after)},
        )

    for error_type in UNAVAILABLE_ERRORS:
        app.add_exception_handler(error_type, _dependency_down)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(500, "internal-error", "Internal error", "the error was logged")


async def _dependency_down(request: Request, exc: Exception) -> JSONResponse:
    log.warning("dependency unavailable on %s %s: %s", request.method, request.url.path, exc)
    return problem(
        503,
        "dependency-unavailable",
        "Service unavailable",
        "a database or broker did not answer; retry shortly",
        headers={"Retry-After": "1"},
    )
