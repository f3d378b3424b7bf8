"""The branch's dashboard at ``/dashboard``: a static page (no CDN: everything it
needs is served from here) that reads the query API, speaks zh-CN first with an
English switch, and follows the read models as events arrive."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from services.projection.i18n import CONCERNS, EN, ENUMS, ZH
from shared.problem_types import Problem

STATIC = Path(__file__).parent / "static"

router = APIRouter(include_in_schema=False)


@router.get("/dashboard")
async def dashboard() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


@router.get("/dashboard/")
async def dashboard_slash() -> RedirectResponse:
    return RedirectResponse("/dashboard")


@router.get("/dashboard/labels.json")
async def labels() -> dict[str, object]:
    """The vocabulary's names, from the same table as the ledgers and the summary, and
    the console's words: refusals in English are the problem types' own titles."""
    en = {**EN, "problem": {kind.slug: kind.title for kind in Problem}}
    return {"zh": ZH, "en": en, "concerns": CONCERNS, "enums": ENUMS}


def mount_dashboard(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/dashboard/static", StaticFiles(directory=STATIC), name="dashboard-static")
