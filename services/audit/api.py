"""The audit endpoints: the log (filtered, paged, exported), a stream's history, and
an aggregate's state at a version or moment."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import StreamingResponse

from services.audit import trail
from services.audit.schemas import AuditEvent, AuditPage, StreamHistory, StreamState
from services.audit.state import state_of
from shared.access import Authorised, authorised
from shared.auth import Principal
from shared.export_log import RequestExports
from shared.moments import MomentFrom, MomentUpTo
from shared.policy import Hidden, branch_in_scope
from shared.problem_types import Problem
from shared.problems import ACCESS, SERVICE, ProblemError, invalid_parameter, problem_responses
from shared.store import EventLog

router = APIRouter(
    prefix="/v1/audit",
    tags=["audit"],
    dependencies=[Depends(authorised)],
    responses=problem_responses(*ACCESS, *SERVICE, Problem.VALIDATION_ERROR),
)
MAX_POSITION = 2**63 - 1


class ExportFormat(StrEnum):
    JSON = "json"
    NDJSON = "ndjson"
    CSV = "csv"


def _log(request: Request) -> EventLog:
    event_log: EventLog = request.app.state.event_log
    return event_log


def _visible(principal: Principal, stream_id: UUID, events: list[AuditEvent]) -> bool:
    """Whether the stream belongs to a branch the principal reads (a branch's own
    stream carries no branch id: it is the branch)."""
    if not events:
        return False
    branch = events[0].branch_id or stream_id
    try:
        return branch_in_scope(principal, branch) == branch
    except Hidden:
        return False


@router.get("/events", response_model=AuditPage)
def audit_events(
    request: Request,
    principal: Authorised,
    exports: RequestExports,
    *,
    after: Annotated[int, Query(ge=0, le=MAX_POSITION, description="Start after.")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    branch_id: UUID | None = None,
    stream_id: UUID | None = None,
    type: Annotated[list[str] | None, Query(description="Event types (repeatable).")] = None,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[
        MomentFrom | None, Query(description="occurred_at on or after (a date: from its start)")
    ] = None,
    until: Annotated[
        MomentUpTo | None, Query(description="occurred_at on or before (a date: to its end)")
    ] = None,
    format: Annotated[
        ExportFormat,
        Query(description="json: one page; ndjson or csv: everything that matches, streamed."),
    ] = ExportFormat.JSON,
) -> AuditPage | StreamingResponse:
    if since is not None and until is not None and since > until:
        raise invalid_parameter("until", f"until ({until}) is before since ({since})")
    branch_id = branch_in_scope(principal, branch_id)
    where = trail.EventFilter(
        branch_id=branch_id,
        stream_id=stream_id,
        types=frozenset(type or ()),
        actor=actor,
        since=since,
        until=until,
    )
    event_log = _log(request)
    private = not principal.sees_personal_data
    if format is ExportFormat.JSON:
        return trail.page(event_log, after, limit, where, masked=private)
    exports.record(f"audit.{format.value}", branch_id)
    events = trail.export(event_log, after, where, masked=private)
    if format is ExportFormat.NDJSON:
        return StreamingResponse(trail.ndjson(events), media_type="application/x-ndjson")
    return StreamingResponse(
        trail.csv_rows(events),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="liaison-audit.csv"'},
    )


@router.get("/streams/{stream_id}")
def audit_stream(stream_id: UUID, request: Request, principal: Authorised) -> StreamHistory:
    history = trail.stream_history(
        _log(request), stream_id, masked=not principal.sees_personal_data
    )
    if history is None or not _visible(principal, stream_id, history.events):
        raise ProblemError(Problem.NOT_FOUND, f"no stream {stream_id}")
    return history


@router.get("/streams/{stream_id}/state")
def audit_stream_state(
    stream_id: UUID,
    request: Request,
    principal: Authorised,
    version: Annotated[int | None, Query(ge=1, le=MAX_POSITION)] = None,
    as_of: Annotated[
        MomentUpTo | None,
        Query(description="The moment to look at (recording time; a date: the end of that day)."),
    ] = None,
) -> StreamState:
    """The aggregate as it was at a version, or at a moment (both: whichever is earlier)."""
    state = state_of(
        _log(request),
        stream_id,
        version=version,
        as_of=as_of,
        masked=not principal.sees_personal_data,
    )
    if state is None or not _visible(principal, stream_id, state.events):
        raise ProblemError(Problem.NOT_FOUND, f"no stream {stream_id} at that version or moment")
    return state


def mount_audit(app: FastAPI, event_log: EventLog) -> None:
    """Adds the audit endpoints to an app (the query service, or the embedded one)
    whose ``app.state.export_log`` records exports (``shared.export_log``)."""
    app.state.event_log = event_log
    app.include_router(router)
