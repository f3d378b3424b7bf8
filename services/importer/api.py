"""The import over HTTP: a workbook uploaded (``multipart/form-data``, at most
``MAX_UPLOAD_BYTES``) is checked (``dry_run=true``) or imported, answered as a JSON
report, as the checked workbook (``format=xlsx``: the problems marked on their rows)
or as NDJSON lines of progress ending with the report (``format=ndjson``: a long
import that the client may interrupt; importing again resumes it). Served beside the
queries (the query API, and ``liaison run``): names are matched from the read models."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import threading
from collections.abc import AsyncIterator
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse

from services.importer.running import Report
from services.importer.service import ImportService
from services.importer.sheets import NotAWorkbook
from services.importer.workbooks import XLSX, checked_workbook, template
from shared.access import Authorised, authorised
from shared.problem_types import Problem
from shared.problems import ACCESS, SERVICE, ProblemError, problem_responses
from shared.web import Upload, allow_uploads

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
PROGRESS_EVERY = 0.25  # seconds between progress lines

router = APIRouter(
    prefix="/v1/branches/{branch_id}/imports",
    tags=["import"],
    dependencies=[Depends(authorised)],
    responses=problem_responses(
        *ACCESS,
        *SERVICE,
        Problem.VALIDATION_ERROR,
        Problem.NOT_A_WORKBOOK,
        Problem.PAYLOAD_TOO_LARGE,
        Problem.UNSUPPORTED_MEDIA_TYPE,
    ),
)


class Answer(StrEnum):
    JSON = "json"
    XLSX = "xlsx"
    NDJSON = "ndjson"


def report_json(report: Report) -> dict[str, Any]:
    return {
        **dataclasses.asdict(report),
        "problems": len(report.problems),
        "notices": len(report.notices),
    }


@router.post("", summary="Check or import a branch's workbook (台账导入)")
async def import_workbook(
    *,
    branch_id: UUID,
    file: UploadFile,
    request: Request,
    principal: Authorised,
    dry_run: Annotated[bool, Query(description="Check every row; write nothing.")] = False,
    format: Annotated[
        Answer,
        Query(
            description="json: the report; xlsx: the workbook with its problems marked; "
            "ndjson: progress lines, then the report."
        ),
    ] = Answer.JSON,
) -> Response:
    """Each sheet recognised by its headers, each row run as the commands it asks for
    (as this principal; every rule applies), with a key made from its content, so
    importing again creates nothing twice."""
    data = await file.read()
    if not data.startswith(b"PK\x03\x04"):
        raise ProblemError(Problem.NOT_A_WORKBOOK, "upload an .xlsx workbook (Excel 2007 or later)")
    service: ImportService = request.app.state.imports
    try:
        prepared = await run_in_threadpool(service.prepare, branch_id, data)
    except NotAWorkbook as exc:
        raise ProblemError(Problem.NOT_A_WORKBOOK, str(exc)) from None
    if format is Answer.NDJSON:
        return StreamingResponse(
            _progress_lines(service, principal, prepared, dry_run),
            media_type="application/x-ndjson",
        )
    report = await run_in_threadpool(service.execute, principal, prepared, dry_run=dry_run)
    if format is Answer.XLSX:
        checked = await run_in_threadpool(checked_workbook, data, report)
        name = quote(f"导入检查结果-{file.filename or 'workbook.xlsx'}")
        return Response(
            checked,
            media_type=XLSX,
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
        )
    return JSONResponse(report_json(report))


async def _progress_lines(
    service: ImportService, principal: Any, prepared: Any, dry_run: bool
) -> AsyncIterator[bytes]:
    """Progress as it goes; a client that goes away stops the import after the row
    under way (what was imported stays: importing again resumes)."""
    stop = threading.Event()
    latest: dict[str, int] = {"done": 0, "total": 0}

    def progress(done: int, total: int) -> None:
        latest.update(done=done, total=total)

    task = asyncio.ensure_future(
        run_in_threadpool(
            service.execute, principal, prepared, dry_run=dry_run, progress=progress, stop=stop
        )
    )
    try:
        while not task.done():
            await asyncio.wait([task], timeout=PROGRESS_EVERY)
            yield (json.dumps({"progress": dict(latest)}) + "\n").encode()
        yield (
            json.dumps({"report": report_json(task.result())}, ensure_ascii=False) + "\n"
        ).encode()
    finally:
        stop.set()


@router.get("/template.xlsx", summary="The import template (导入模板)")
def import_template(branch_id: UUID, principal: Authorised) -> Response:
    """Every kind of sheet with its Chinese headers (required ones marked *), drop-down
    lists for the choices, and an example row."""
    name = quote("台账导入模板.xlsx")
    return Response(
        template(),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


def mount_imports(app: FastAPI, service: ImportService) -> None:
    app.state.imports = service
    allow_uploads(app, Upload(re.compile(r"/v1/branches/[^/]+/imports"), MAX_UPLOAD_BYTES))
    app.include_router(router)
