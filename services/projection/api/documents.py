"""Documents made from the read models: the ledgers (.xlsx, .csv) and the year-end
work summary (Markdown, .docx). Their endpoints are plain functions, so FastAPI runs
them in the thread pool: reading, rendering (openpyxl, python-docx) and recording the
export never hold up the event loop."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy import Connection

from services.projection import ledgers
from services.projection.answers import Campaigns, Coverage, Needs
from services.projection.api.reader import BranchDocument, BranchReader
from services.projection.api.routes import RESPONSES, check_window
from services.projection.projectors import COVERAGE, EVALUATIONS, ROSTERS, WORK
from services.projection.projectors.tables import CoverageTables, RosterTables
from services.projection.queries import campaigns, coverage, evaluations, needs, rosters, work
from services.projection.queries.membership import branch_exists
from services.projection.queries.needs import NeedStatus
from services.projection.queries.periods import (
    latest_appraisal_year,
    latest_visit_year,
    year_or_latest,
)
from services.projection.summary import Lang, YearRecord, write_summary
from shared.access import Authorised, authorised
from shared.auth import Principal
from shared.export_log import Exports, RequestExports
from shared.problems import invalid_parameter

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


LEDGER_WORK_DAYS = 30  # the work ledger is printed for the month ahead


class LedgerName(StrEnum):
    ROSTER = "roster"
    COVERAGE = "coverage"
    EVALUATIONS = "evaluations"
    VISITS = "visits"
    WORK = "work"  # households due a visit within LEDGER_WORK_DAYS, and overdue
    BRANCH = "branch"  # the whole branch, as the import reads it back (.xlsx only)


class LedgerFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


class SummaryFormat(StrEnum):
    MARKDOWN = "md"
    DOCX = "docx"


@router.get("/exports/{name}.{format}", tags=["ledgers"])
def export_ledger(
    read: BranchDocument,
    name: LedgerName,
    format: LedgerFormat,
    principal: Authorised,
    exports: RequestExports,
    *,
    year: Year = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Response:
    """A ledger (台账) with Chinese headers, dates as dates, ready to print; personal
    data masked without the pii grant, and the export recorded in the audit log.
    Made in the thread pool, as every document is: rendering one takes a while."""
    check_window(start, end)
    read.now(ROSTERS, _known)  # a 404 for a branch the read models do not know
    branch_id = read.branch_id
    ledger: ledgers.Ledger
    if name is LedgerName.BRANCH:
        return _branch_workbook(read, principal, exports, format)
    if name is LedgerName.ROSTER:
        ledger = read.read_models.now(
            ROSTERS, lambda conn, tables, _: ledgers.roster_ledger(conn, tables, branch_id)
        )
    elif name is LedgerName.WORK:
        ledger = ledgers.work_ledger(
            read.now(
                WORK,
                work.work,
                work.Asked(
                    today=read.today, date_of=read.clock.date_of, within_days=LEDGER_WORK_DAYS
                ),
            )
        )
    elif name is LedgerName.EVALUATIONS:
        ledger = read.read_models.now(
            EVALUATIONS,
            lambda conn, tables, _: ledgers.evaluations_ledger(
                conn, tables, branch_id, year, read.today
            ),
        )
    else:
        build = ledgers.coverage_ledger if name is LedgerName.COVERAGE else ledgers.visits_ledger
        ledger = read.read_models.now(
            COVERAGE, lambda conn, tables, _: build(conn, tables, branch_id, start, end)
        )
        if not principal.sees_personal_data:
            ledger = ledgers.masked(ledger)
    exports.record(f"{name.value}.{format.value}", branch_id)
    disposition = f"attachment; filename*=UTF-8''{quote(f'{ledger.title}.{format.value}')}"
    if format is LedgerFormat.XLSX:
        return Response(
            ledgers.to_xlsx(ledger), media_type=XLSX, headers={"Content-Disposition": disposition}
        )
    return Response(
        ledgers.to_csv(ledger),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )


def _branch_workbook(
    read: BranchReader, principal: Principal, exports: Exports, format: LedgerFormat
) -> Response:
    if format is not LedgerFormat.XLSX:
        raise invalid_parameter("format", "the branch's workbook has several sheets: .xlsx only")
    branch_id = read.branch_id
    sheets = read.read_models.now(
        ROSTERS, lambda conn, tables, _: ledgers.branch_roster_ledgers(conn, tables, branch_id)
    ) + read.read_models.now(
        COVERAGE,
        lambda conn, tables, _: ledgers.branch_household_ledgers(
            conn, tables, branch_id, read.clock.date_of
        ),
    )
    if not principal.sees_personal_data:
        sheets = [ledgers.masked(sheet) for sheet in sheets]
    exports.record("branch.xlsx", branch_id)
    disposition = f"attachment; filename*=UTF-8''{quote('支部台账.xlsx')}"
    return Response(
        ledgers.to_xlsx(*sheets), media_type=XLSX, headers={"Content-Disposition": disposition}
    )


@router.get("/summary", tags=["ledgers"])
def year_end_summary(
    read: BranchDocument,
    exports: RequestExports,
    *,
    year: Year = None,
    format: SummaryFormat = SummaryFormat.MARKDOWN,
    lang: Annotated[
        Lang, Query(description="zh: the branch's own document; en: an English version.")
    ] = Lang.ZH,
) -> Response:
    """The year-end work summary, in the structure of the branch's own."""
    today = read.today
    read.now(ROSTERS, _known)  # a 404 for a branch the read models do not know
    branch_id = read.branch_id
    visited = read.read_models.now(
        COVERAGE, lambda conn, tables, _: latest_visit_year(conn, tables, branch_id)
    )
    appraised = read.read_models.now(
        EVALUATIONS, lambda conn, tables, _: latest_appraisal_year(conn, tables, branch_id)
    )
    the_year = year_or_latest(year, max(visited or 0, appraised or 0), today)
    start, end = date(the_year, 1, 1), date(the_year, 12, 31)
    coverage_answer, campaigns_answer, needs_answer = read.now(
        COVERAGE, _services_of_year, start=start, end=end
    )
    summary = write_summary(
        YearRecord(
            year=the_year,
            written_on=today,
            # The branch as it stood at the year's end (or today, for the year under way).
            roster=read.now(ROSTERS, rosters.roster, on=min(end, today)),
            posts=read.now(ROSTERS, rosters.posts_board),
            coverage=coverage_answer,
            campaigns=campaigns_answer,
            needs=needs_answer,
            evaluations=read.now(EVALUATIONS, evaluations.evaluations, year=the_year, today=today),
            work=read.now(
                WORK, work.work, work.Asked(today=min(end, today), date_of=read.clock.date_of)
            ),
        ),
        lang,
    )
    exports.record(f"summary-{the_year}.{format.value}", branch_id)
    if format is SummaryFormat.DOCX:
        filename = quote(f"{summary.title}.docx")
        return Response(
            summary.docx(),
            media_type=DOCX,
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"},
        )
    return Response(summary.markdown(), media_type="text/markdown; charset=utf-8")


def _known(conn: Connection, tables: RosterTables, branch_id: UUID, position: int) -> bool | None:
    return branch_exists(conn, tables, branch_id) or None


def _services_of_year(
    conn: Connection,
    tables: CoverageTables,
    branch_id: UUID,
    position: int,
    *,
    start: date,
    end: date,
) -> tuple[Coverage, Campaigns, Needs] | None:
    """The year's coverage, campaigns and requests, from one snapshot."""
    covered = coverage.coverage(conn, tables, branch_id, position, start=start, end=end)
    launched = campaigns.campaigns(conn, tables, branch_id, position)
    raised = needs.needs(conn, tables, branch_id, position, status=NeedStatus.ALL, on=end)
    if covered is None or launched is None or raised is None:
        return None
    return covered, launched, raised
