"""Health endpoints every liaison HTTP service has."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from shared.problems import UNAVAILABLE_ERRORS, problem


def add_health_routes(app: FastAPI, checks: Mapping[str, Callable[[], object]]) -> None:
    @app.get("/healthz", tags=["health"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], summary="Every dependency answers")
    async def readyz() -> JSONResponse:
        failed: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await run_in_threadpool(check)
            except UNAVAILABLE_ERRORS as exc:
                failed[name] = str(exc) or type(exc).__name__
        if failed:
            return problem(503, "not-ready", "Not ready", ", ".join(sorted(failed)), checks=failed)
        return JSONResponse({"status": "ready", "checks": sorted(checks)})
