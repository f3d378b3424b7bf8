"""What every liaison HTTP service has, built in one place (``service_app``): problem
answers, access (the APIs), health and readiness, Prometheus metrics, request metrics
by route, a refusal of bodies that are not JSON in UTF-8, and the browser policy."""

from __future__ import annotations

import codecs
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.access import install_access
from shared.auth import Tokens
from shared.browser import install_browser_policy
from shared.metrics import Source, app_registry
from shared.problem_types import Problem
from shared.problems import UNAVAILABLE_ERRORS, install_problem_handlers, problem, problem_responses

MAX_BODY_BYTES = 256 * 1024  # no command needs more; larger bodies answer 413
MAX_DEPTH = 32  # a command's body nests two deep
NESTED_TOO_DEEP = f"the body nests deeper than {MAX_DEPTH} levels"

REQUESTS = Counter(
    "liaison_http_requests_total",
    "HTTP requests by service, route and status (a command's route names the command).",
    ["service", "method", "route", "status"],
)
LATENCY = Histogram(
    "liaison_http_request_seconds",
    "HTTP request latency by service and route.",
    ["service", "method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class NotReady(Exception):
    """A readiness check that failed for a reason other than a dependency being down
    (a projection too far behind, a consumer not connected)."""


READINESS_ERRORS: tuple[type[Exception], ...] = (*UNAVAILABLE_ERRORS, NotReady)


def operation_id(route: APIRoute) -> str:
    """OpenAPI operation ids are the route names, which are also what the access
    policy (``shared.policy.RULES``) is keyed by."""
    return route.name


# Adds what an app serves: its routes, and the state they read.
Mount = Callable[[FastAPI], None]


@dataclass(frozen=True)
class Upload:
    """A route that takes a file (``multipart/form-data``) rather than JSON, and how
    large a one (413 beyond)."""

    path: re.Pattern[str]
    max_bytes: int


def allow_uploads(app: FastAPI, *uploads: Upload) -> None:
    """Lets these routes take files: set by a mount, read by ``RequestGuard``."""
    app.state.uploads = (*getattr(app.state, "uploads", ()), *uploads)


def service_app(
    service: str,
    *,
    title: str,
    description: str = "",
    tokens: Tokens | None = None,
    mounts: Sequence[Mount] = (),
    checks: Mapping[str, Callable[[], object]],
    metric_sources: Sequence[Source] = (),
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
) -> FastAPI:
    """A liaison app named ``service`` (in its metrics): problem answers; with
    ``tokens`` (the APIs), every route behind a token; then what ``mounts`` add; the
    operations routes, answering ready when every one of ``checks`` passes; and the
    browser policy over all of it. API docs are served offline by the policy."""
    app = FastAPI(
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=operation_id,
        title=title,
        version="1",
        description=description,
        lifespan=lifespan,
    )
    install_problem_handlers(app)
    if tokens is not None:
        install_access(app, tokens)
    for mount in mounts:
        mount(app)
    add_operations_routes(app, service, checks, metric_sources)
    install_browser_policy(app)
    return app


def add_operations_routes(
    app: FastAPI,
    service: str,
    checks: Mapping[str, Callable[[], object]],
    metric_sources: Sequence[Source] = (),
) -> None:
    registry = app_registry(metric_sources)
    app.add_middleware(RequestMetrics, service=service)
    app.add_middleware(RequestGuard, uploads=tuple(getattr(app.state, "uploads", ())))

    @app.get(
        "/healthz",
        tags=["operations"],
        summary="The process is alive",
        responses=problem_responses(Problem.INTERNAL_ERROR),
    )
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="Every dependency answers",
        responses=problem_responses(Problem.NOT_READY, Problem.INTERNAL_ERROR),
    )
    async def readyz() -> JSONResponse:
        failed: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await run_in_threadpool(check)
            except READINESS_ERRORS as exc:
                failed[name] = str(exc) or type(exc).__name__
        if failed:
            return problem(Problem.NOT_READY, ", ".join(sorted(failed)), checks=failed)
        return JSONResponse({"status": "ready", "checks": sorted(checks)})

    @app.get(
        "/metrics",
        tags=["operations"],
        summary="Prometheus metrics of this process",
        responses=problem_responses(Problem.INTERNAL_ERROR),
    )
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


class RequestGuard:
    """A request body must be JSON in UTF-8 (415 otherwise: another media type, or a
    ``charset`` other than ``utf-8``), fit in ``MAX_BODY_BYTES`` (413), and be one JSON
    document that means one thing (400): UTF-8 without a byte-order mark, valid JSON,
    no key twice in one object, no ``NaN`` or ``Infinity``, no lone surrogate, nested
    at most ``MAX_DEPTH`` deep. Checked here, before anything parses it, because the
    JSON readers behind the routes are lenient: Python's guesses UTF-16 from the bytes
    and keeps the last of two keys. Bodies are read here in full (they are small), so
    an oversized one is refused even without a Content-Length."""

    def __init__(self, app: ASGIApp, uploads: tuple[Upload, ...] = ()) -> None:
        self.app = app
        self.uploads = uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        content_type = dict(scope["headers"]).get(b"content-type", b"")
        upload = next((u for u in self.uploads if u.path.fullmatch(scope["path"])), None)
        is_file = upload is not None and content_type.lower().startswith(b"multipart/form-data")
        limit = upload.max_bytes if upload is not None and is_file else MAX_BODY_BYTES
        refusal = None if is_file else _media_type_refusal(content_type)
        if refusal is not None:
            await problem(Problem.UNSUPPORTED_MEDIA_TYPE, refusal)(scope, receive, send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > limit:
                detail = f"request bodies are at most {limit} bytes"
                await problem(Problem.PAYLOAD_TOO_LARGE, detail)(scope, receive, send)
                return
        refusal = _json_refusal(bytes(body)) if body and not is_file else None
        if refusal is not None:
            await problem(Problem.BAD_REQUEST, refusal)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)


def _media_type_refusal(content_type: bytes) -> str | None:
    media_type, *parameters = content_type.decode("latin-1").split(";")
    if media_type.strip().lower() != "application/json":
        return "request bodies must be application/json (UTF-8)"
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset != "utf-8":
            return f"request bodies are JSON in UTF-8, not {charset or 'an empty charset'}"
    return None


class _NotOneMeaning(ValueError):
    """JSON that parses but does not say one thing."""


def _json_refusal(body: bytes) -> str | None:
    """Why the body is not one JSON document in UTF-8, or None if it is."""
    if body.startswith(codecs.BOM_UTF8):
        return "the body starts with a byte-order mark: send UTF-8 without one"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"the body is not UTF-8 (byte {exc.start})"
    try:
        _check_values(
            json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constants)
        )
    except RecursionError:
        return NESTED_TOO_DEEP
    except json.JSONDecodeError as exc:
        return f"the body is not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
    except _NotOneMeaning as exc:
        return str(exc)
    return None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise _NotOneMeaning(f"the key {key!r} is given twice in one object")
        document[key] = value
    return document


def _no_constants(name: str) -> Any:
    raise _NotOneMeaning(f"{name} is not JSON")


def _check_values(document: Any) -> None:
    """No lone surrogate (``"\\ud800"`` parses, to a string UTF-8 cannot hold, nor
    PostgreSQL store), and no deeper nesting than a body could mean."""
    pending = [(document, 0)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise _NotOneMeaning(NESTED_TOO_DEEP)
        if isinstance(value, dict):
            pending.extend((item, depth + 1) for item in (*value, *value.values()))
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise _NotOneMeaning(
                    "a \\u escape names a lone surrogate, not a character"
                ) from None


class RequestMetrics:
    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            name = getattr(route, "path", "unmatched")
            labels = (self.service, scope["method"], name)
            REQUESTS.labels(*labels, str(status)).inc()
            LATENCY.labels(*labels).observe(time.perf_counter() - started)
