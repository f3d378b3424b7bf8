"""The v1 query endpoints."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, TypeVar
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Connection, func, select

from services.projection.api import schemas as s
from services.projection.api.reader import ReadModels
from services.projection.projectors import ALL_PROJECTORS, COVERAGE, EVALUATIONS, ROSTERS
from services.projection.projectors.base import Projector
from services.projection.queries import campaigns, coverage, evaluations, needs, periods, rosters
from services.projection.queries.needs import NeedStatus
from services.projection.readmodel.store import dead_letters
from services.projection.time_travel import TimeTravel
from shared.access import Authorised, authorised
from shared.clock import Clock
from shared.moments import MomentUpTo
from shared.policy import ANY_BRANCH, allowed_actions, member_in_scope
from shared.privacy import mask_phone, mask_tags
from shared.problem_types import Problem
from shared.problems import ACCESS, SERVICE, ProblemError, invalid_parameter, problem_responses
from shared.store import EventLog

RESPONSES = problem_responses(
    *ACCESS,
    *SERVICE,
    Problem.VALIDATION_ERROR,
    Problem.READ_MODEL_BEHIND,
    Problem.READ_MODEL_UNAVAILABLE,
    Problem.TIME_TRAVEL_BUSY,
)

router = APIRouter(prefix="/v1", responses=RESPONSES, dependencies=[Depends(authorised)])
BRANCH = "/branches/{branch_id}"

A = TypeVar("A", bound=s.ReadAnswer)
T = TypeVar("T")
R = TypeVar("R")

MAX_POSITION = 2**63 - 1  # a PostgreSQL bigint

MinPosition = Annotated[
    int | None,
    Query(
        ge=0,
        le=MAX_POSITION,
        description="Wait until the read model has applied this position (a write's "
        "`position`), then answer: read-your-writes. 503 if it cannot in time.",
    ),
]
AsOf = Annotated[
    MomentUpTo | None,
    Query(
        description="Answer as recorded at this moment (recording time, not a business "
        "date), replayed from the event store (not the live read model). With a zone, "
        "without one (that time in LIAISON_TIMEZONE), or a date (the end of that day there)."
    ),
]
From = Annotated[date | None, Query(alias="from", description="First day of the window.")]
To = Annotated[date | None, Query(alias="to", description="Last day of the window.")]
OfMember = Annotated[
    UUID | None, Query(description="Only this member's (members: always their own).")
]


def today_for(request: Request) -> date:
    clock: Clock = request.app.state.clock
    return clock.today()


async def read_projection(
    request: Request,
    as_of: datetime | None,
    projector: Projector[T],
    min_position: int | None,
    query: Callable[[Connection, T, int], R],
) -> R:
    """From the live read model, or (``as_of``) replayed from history up to then."""
    if as_of is None:
        return await _reads(request).read(projector, min_position, query)
    time_travel: TimeTravel = request.app.state.time_travel
    replayed = await run_in_threadpool(time_travel.answer, projector, as_of, query)
    return replayed.answer


def _reads(request: Request) -> ReadModels:
    reads: ReadModels = request.app.state.read_models
    return reads


def found(answer: A | None, response: Response, branch_id: UUID) -> A:
    if answer is None:
        raise ProblemError(Problem.NOT_FOUND, f"no branch {branch_id}")
    response.headers["X-Read-Position"] = str(answer.position)
    return answer


def check_window(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and start > end:
        raise invalid_parameter("to", f"the window ends ({end}) before it starts ({start})")


@router.get(BRANCH + "/roster", tags=["rosters"])
async def roster(
    branch_id: UUID,
    *,
    request: Request,
    response: Response,
    on: Annotated[
        date | None,
        Query(
            description="The roster as it stood at the end of this business date: members "
            "enrolled, transferred and departed on or before it (not as recorded then: "
            "see as_of)."
        ),
    ] = None,
    min_position: MinPosition = None,
    as_of: AsOf = None,
) -> s.Roster:
    answer = await read_projection(
        request,
        as_of,
        ROSTERS,
        min_position,
        lambda conn, t, pos: rosters.roster(conn, t, branch_id, pos, on=on),
    )
    return found(answer, response, branch_id)


@router.get(BRANCH + "/posts", tags=["rosters"])
async def posts_board(
    branch_id: UUID,
    request: Request,
    response: Response,
    min_position: MinPosition = None,
    as_of: AsOf = None,
) -> s.PostsBoard:
    answer = await read_projection(
        request,
        as_of,
        ROSTERS,
        min_position,
        lambda conn, t, pos: rosters.posts_board(conn, t, branch_id, pos),
    )
    return found(answer, response, branch_id)


@router.get(BRANCH + "/coverage", tags=["coverage"], response_model_by_alias=True)
async def coverage_counts(
    branch_id: UUID,
    *,
    request: Request,
    response: Response,
    start: From = None,
    end: To = None,
    min_position: MinPosition = None,
    as_of: AsOf = None,
) -> s.Coverage:
    check_window(start, end)
    answer = await read_projection(
        request,
        as_of,
        COVERAGE,
        min_position,
        lambda conn, t, pos: coverage.coverage(
            conn, t, branch_id, start=start, end=end, position=pos
        ),
    )
    return found(answer, response, branch_id)


@router.get(BRANCH + "/coverage/households", tags=["coverage"])
async def coverage_households(
    branch_id: UUID,
    *,
    request: Request,
    response: Response,
    visited: Annotated[bool, Query(description="false: households with no visit in the window")],
    start: From = None,
    end: To = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    offset: Annotated[int, Query(ge=0)] = 0,
    linked_member_id: Annotated[
        UUID | None, Query(description="Only the households linked to this member.")
    ] = None,
    min_position: MinPosition = None,
    as_of: AsOf = None,
    principal: Authorised,
) -> s.CoverageHouseholds:
    check_window(start, end)
    linked_member_id = member_in_scope(principal, linked_member_id)
    answer = await read_projection(
        request,
        as_of,
        COVERAGE,
        min_position,
        lambda conn, t, pos: coverage.households(
            conn,
            t,
            branch_id,
            visited=visited,
            start=start,
            end=end,
            limit=limit,
            offset=offset,
            linked_member_id=linked_member_id,
            position=pos,
        ),
    )
    households = found(answer, response, branch_id)
    if not principal.sees_personal_data:
        for household in households.households:
            household.phone = mask_phone(household.phone)
            household.tags = mask_tags(household.tags)
    return households


@router.get(BRANCH + "/evaluations", tags=["evaluations"])
async def evaluations_of_year(
    branch_id: UUID,
    *,
    request: Request,
    response: Response,
    year: Annotated[
        int | None,
        Query(ge=1921, le=2200, description="Default: the latest year with an appraisal."),
    ] = None,
    min_position: MinPosition = None,
    as_of: AsOf = None,
) -> s.Evaluations:
    today = today_for(request)
    answer = await read_projection(
        request,
        as_of,
        EVALUATIONS,
        min_position,
        lambda conn, t, pos: evaluations.evaluations(
            conn,
            t,
            branch_id,
            year=periods.year_or_latest(
                year, periods.latest_appraisal_year(conn, t, branch_id), today
            ),
            today=today,
            position=pos,
        ),
    )
    return found(answer, response, branch_id)


@router.get(BRANCH + "/coverage/visits", tags=["coverage"])
async def visits_by_month(
    branch_id: UUID,
    *,
    request: Request,
    response: Response,
    year: Annotated[
        int | None,
        Query(ge=1921, le=2200, description="Default: the latest year with visits."),
    ] = None,
    member_id: OfMember = None,
    min_position: MinPosition = None,
    as_of: AsOf = None,
    principal: Authorised,
) -> s.VisitsByMonth:
    """Visits per month of the year, by purpose (a member: their own)."""
    member_id = member_in_scope(principal, member_id)
    today = today_for(request)
    answer = await read_projection(
        request,
        as_of,
        COVERAGE,
        min_position,
        lambda conn, t, pos: coverage.visits_by_month(
            conn,
            t,
            branch_id,
            periods.year_or_latest(
                year, periods.latest_visit_year(conn, t, branch_id, member_id), today
            ),
            pos,
            member_id=member_id,
        ),
    )
    return found(answer, response, branch_id)


@router.get(BRANCH + "/campaigns", tags=["campaigns"])
async def campaign_tallies(
    branch_id: UUID,
    request: Request,
    response: Response,
    min_position: MinPosition = None,
    as_of: AsOf = None,
) -> s.Campaigns:
    answer = await read_projection(
        request,
        as_of,
        COVERAGE,
        min_position,
        lambda conn, t, pos: campaigns.campaigns(conn, t, branch_id, pos),
    )
    return found(answer, response, branch_id)


@router.get(BRANCH + "/needs", tags=["needs"])
async def residents_needs(
    branch_id: UUID,
    *,
    request: Request,
    response: Response,
    status: Annotated[NeedStatus, Query(description="Which requests to list.")] = NeedStatus.OPEN,
    on: Annotated[
        date | None, Query(description="Judge overdue on this day (default today).")
    ] = None,
    member_id: OfMember = None,
    min_position: MinPosition = None,
    as_of: AsOf = None,
    principal: Authorised,
) -> s.Needs:
    """Residents' requests and their state (a member: those they raised or were given)."""
    day = on or today_for(request)
    member_id = member_in_scope(principal, member_id)
    answer = await read_projection(
        request,
        as_of,
        COVERAGE,
        min_position,
        lambda conn, t, pos: needs.needs(
            conn, t, branch_id, status=status, on=day, member_id=member_id, position=pos
        ),
    )
    return found(answer, response, branch_id)


@router.get("/branches", tags=["rosters"])
async def branches(
    request: Request, principal: Authorised, min_position: MinPosition = None
) -> s.Branches:
    """The branches this principal may see, for choosing one."""
    answer = await read_projection(request, None, ROSTERS, min_position, rosters.branches)
    if principal.role not in ANY_BRANCH:
        answer.branches = [b for b in answer.branches if b.id == principal.branch_id]
    return answer


@router.get("/auth/whoami", tags=["access"])
async def whoami(principal: Authorised) -> s.WhoAmI:
    """Who the bearer token names, and what they may use."""
    return s.WhoAmI(
        subject=principal.subject,
        role=principal.role,
        branch_id=principal.branch_id,
        member_id=principal.member_id,
        group_id=principal.group_id,
        grants=sorted(principal.grants),
        expires_at=principal.expires_at,
        may=allowed_actions(principal),
    )


@router.get("/projections", tags=["operations"])
def projections_status(request: Request) -> s.ProjectionsStatus:
    event_log: EventLog = request.app.state.event_log
    store = _reads(request).store
    head = event_log.head()
    statuses = []
    with store.reader.connect() as conn:
        counts: dict[str, int] = dict(
            conn.execute(
                select(dead_letters.c.projection, func.count()).group_by(dead_letters.c.projection)
            ).all()
        )
        for projector in ALL_PROJECTORS:
            state = store.state(conn, projector.name)
            if state is None:
                continue
            statuses.append(
                s.ProjectionStatus(
                    name=projector.name,
                    generation=state.generation,
                    position=state.position,
                    lag=max(head - state.position, 0),
                    dead_letters=counts.get(projector.name, 0),
                )
            )
    return s.ProjectionsStatus(head=head, projections=statuses)
