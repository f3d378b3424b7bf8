"""What every liaison HTTP service has: health and readiness, Prometheus metrics,
request metrics by route, and a refusal of bodies that are not JSON."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problems import UNAVAILABLE_ERRORS, problem

MAX_BODY_BYTES = 256 * 1024  # no command needs more; larger bodies answer 413

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


def add_operations_routes(
    app: FastAPI, service: str, checks: Mapping[str, Callable[[], object]]
) -> None:
    app.add_middleware(RequestMetrics, service=service)
    app.add_middleware(RequestGuard)

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], summary="Every dependency answers")
    async def readyz() -> JSONResponse:
        failed: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await run_in_threadpool(check)
            except READINESS_ERRORS as exc:
                failed[name] = str(exc) or type(exc).__name__
        if failed:
            return problem(503, "not-ready", "Not ready", ", ".join(sorted(failed)), checks=failed)
        return JSONResponse({"status": "ready", "checks": sorted(checks)})

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics of this process")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


class RequestGuard:
    """A request body must say it is JSON (415) and fit in ``MAX_BODY_BYTES`` (413),
    checked before anything tries to parse it. Bodies are read here in full (they
    are small) so an oversized one is refused even without a Content-Length."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        media_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if media_type != b"application/json":
            detail = "request bodies must be application/json (UTF-8)"
            await problem(415, "unsupported-media-type", "Send JSON", detail)(scope, receive, send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_BODY_BYTES:
                detail = f"request bodies are at most {MAX_BODY_BYTES} bytes"
                await problem(413, "payload-too-large", "Too large", detail)(scope, receive, send)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)


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
