"""Documents made from the read models: the ledgers (.xlsx, .csv) and the year-end
work summary (Markdown, .docx)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response

from services.projection import ledgers
from services.projection.api import schemas as s
from services.projection.api.routes import (
    RESPONSES,
    check_window,
    found,
    read_projection,
    today_for,
)
from services.projection.exports import record_export
from services.projection.projectors import COVERAGE, EVALUATIONS, ROSTERS
from services.projection.queries import campaigns, coverage, evaluations, needs, periods, rosters
from services.projection.queries.needs import NeedStatus
from services.projection.summary import Lang, YearRecord, write_summary
from shared.access import Authorised, authorised
from shared.problem_types import Problem
from shared.problems import ProblemError

router = APIRouter(
    prefix="/v1/branches/{branch_id}", responses=RESPONSES, dependencies=[Depends(authorised)]
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
Year = Annotated[
    int | None,
    Query(
        ge=1921,
        le=2200,
        description="Default: the latest year with data (an appraisal for evaluations; "
        "visits or an appraisal for the summary), else this year.",
    ),
]


class LedgerName(StrEnum):
    ROSTER = "roster"
    COVERAGE = "coverage"
    EVALUATIONS = "evaluations"
    VISITS = "visits"


class LedgerFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


class SummaryFormat(StrEnum):
    MARKDOWN = "md"
    DOCX = "docx"


async def _exists(request: Request, branch_id: UUID, on: date | None = None) -> s.Roster:
    roster = await read_projection(
        request,
        None,
        ROSTERS,
        None,
        lambda conn, t, pos: rosters.roster(conn, t, branch_id, pos, on=on),
    )
    if roster is None:
        raise ProblemError(Problem.NOT_FOUND, f"no branch {branch_id}")
    return roster


@router.get("/exports/{name}.{format}", tags=["ledgers"])
async def export_ledger(
    branch_id: UUID,
    name: LedgerName,
    format: LedgerFormat,
    request: Request,
    principal: Authorised,
    *,
    year: Year = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    """A ledger (台账) with Chinese headers, dates as dates, ready to print; personal
    data masked without the pii grant, and the export recorded in the audit log."""
    check_window(start, end)
    await _exists(request, branch_id)
    today = today_for(request)
    ledger: ledgers.Ledger
    if name is LedgerName.ROSTER:
        ledger = await read_projection(
            request,
            None,
            ROSTERS,
            None,
            lambda conn, t, _: ledgers.roster_ledger(conn, t, branch_id),
        )
    elif name is LedgerName.EVALUATIONS:
        ledger = await read_projection(
            request,
            None,
            EVALUATIONS,
            None,
            lambda conn, t, _: ledgers.evaluations_ledger(
                conn,
                t,
                branch_id,
                periods.year_or_latest(
                    year, periods.latest_appraisal_year(conn, t, branch_id), today
                ),
            ),
        )
    else:
        build = ledgers.coverage_ledger if name is LedgerName.COVERAGE else ledgers.visits_ledger
        ledger = await read_projection(
            request, None, COVERAGE, None, lambda conn, t, _: build(conn, t, branch_id, start, end)
        )
        if not principal.sees_personal_data:
            ledger = ledgers.masked(ledger)
    record_export(request, principal, branch_id, f"{name.value}.{format.value}")
    filename = f"{ledger.title}.{format.value}"
    disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
    if format is LedgerFormat.XLSX:
        return Response(
            ledgers.to_xlsx(ledger), media_type=XLSX, headers={"Content-Disposition": disposition}
        )
    return Response(
        ledgers.to_csv(ledger),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )


@router.get("/summary", tags=["ledgers"])
async def year_end_summary(
    branch_id: UUID,
    request: Request,
    principal: Authorised,
    *,
    year: Year = None,
    format: SummaryFormat = SummaryFormat.MARKDOWN,
    lang: Annotated[
        Lang, Query(description="zh: the branch's own document; en: an English version.")
    ] = Lang.ZH,
) -> Response:
    """The year-end work summary, in the structure of the branch's own."""
    today = today_for(request)
    await _exists(request, branch_id)
    visited = await read_projection(
        request,
        None,
        COVERAGE,
        None,
        lambda conn, t, _: periods.latest_visit_year(conn, t, branch_id),
    )
    appraised = await read_projection(
        request,
        None,
        EVALUATIONS,
        None,
        lambda conn, t, _: periods.latest_appraisal_year(conn, t, branch_id),
    )
    the_year = periods.year_or_latest(year, max(visited or 0, appraised or 0), today)
    start, end = date(the_year, 1, 1), date(the_year, 12, 31)
    # The branch as it stood at the year's end (or today, for the year under way).
    roster = await _exists(request, branch_id, on=min(end, today))
    board = found(
        await read_projection(
            request,
            None,
            ROSTERS,
            None,
            lambda conn, t, pos: rosters.posts_board(conn, t, branch_id, pos),
        ),
        Response(),
        branch_id,
    )
    covered = await read_projection(
        request,
        None,
        COVERAGE,
        None,
        lambda conn, t, pos: (
            coverage.coverage(conn, t, branch_id, start=start, end=end, position=pos),
            campaigns.campaigns(conn, t, branch_id, pos),
            needs.needs(conn, t, branch_id, status=NeedStatus.ALL, on=end, position=pos),
        ),
    )
    evaluated = await read_projection(
        request,
        None,
        EVALUATIONS,
        None,
        lambda conn, t, pos: evaluations.evaluations(
            conn, t, branch_id, year=the_year, today=today, position=pos
        ),
    )
    coverage_answer, campaigns_answer, needs_answer = covered
    if None in (coverage_answer, campaigns_answer, needs_answer, evaluated):
        raise ProblemError(Problem.NOT_FOUND, f"no branch {branch_id} in every read model yet")
    assert coverage_answer and campaigns_answer and needs_answer and evaluated  # noqa: PT018
    summary = write_summary(
        YearRecord(
            year=the_year,
            written_on=today,
            roster=roster,
            posts=board,
            coverage=coverage_answer,
            campaigns=campaigns_answer,
            needs=needs_answer,
            evaluations=evaluated,
        ),
        lang,
    )
    record_export(request, principal, branch_id, f"summary-{the_year}.{format.value}")
    if format is SummaryFormat.DOCX:
        filename = quote(f"{summary.title}.docx")
        return Response(
            summary.docx(),
            media_type=DOCX,
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
        )
    return Response(summary.markdown(), media_type="text/markdown; charset=utf-8")
