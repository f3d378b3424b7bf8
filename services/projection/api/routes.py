"""The v1 query endpoints: each asks one query of one read model (``reader``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import func, select

from services.projection.answers import (
    Branches,
    Campaigns,
    Coverage,
    CoverageHouseholds,
    Evaluations,
    Needs,
    PostsBoard,
    ProjectionsStatus,
    ProjectionStatus,
    Roster,
    VisitsByMonth,
    WhoAmI,
    Work,
)
from services.projection.api.reader import BranchQuery, MinPosition, ReadModels
from services.projection.projectors import ALL_PROJECTORS, COVERAGE, EVALUATIONS, ROSTERS, WORK
from services.projection.queries import campaigns, coverage, evaluations, needs, rosters, work
from services.projection.queries.needs import NeedStatus
from services.projection.queries.work import Asked, Scope
from services.projection.readmodel.store import dead_letters
from shared.access import Authorised, authorised
from shared.policy import ANY_BRANCH, allowed_actions, member_in_scope
from shared.privacy import mask_phone, mask_tags
from shared.problem_types import Problem
from shared.problems import ACCESS, SERVICE, invalid_parameter, problem_responses
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

From = Annotated[date | None, Query(alias="from", description="First day of the window.")]
To = Annotated[date | None, Query(alias="to", description="Last day of the window.")]
OfMember = Annotated[
    UUID | None, Query(description="Only this member's (members: always their own).")
]


def check_window(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and start > end:
        raise invalid_parameter("to", f"the window ends ({end}) before it starts ({start})")


@router.get(BRANCH + "/roster", tags=["rosters"])
async def roster(
    read: BranchQuery,
    on: Annotated[
        date | None,
        Query(
            description="The roster as it stood at the end of this business date: members "
            "enrolled, transferred and departed on or before it (not as recorded then: "
            "see as_of)."
        ),
    ] = None,
) -> Roster:
    return await read.answer(ROSTERS, rosters.roster, on=on)


@router.get(BRANCH + "/posts", tags=["rosters"])
async def posts_board(read: BranchQuery) -> PostsBoard:
    return await read.answer(ROSTERS, rosters.posts_board)


@router.get(BRANCH + "/coverage", tags=["coverage"], response_model_by_alias=True)
async def coverage_counts(read: BranchQuery, start: From = None, end: To = None) -> Coverage:
    check_window(start, end)
    return await read.answer(COVERAGE, coverage.coverage, start=start, end=end)


@router.get(BRANCH + "/coverage/households", tags=["coverage"])
async def coverage_households(
    read: BranchQuery,
    principal: Authorised,
    *,
    visited: Annotated[bool, Query(description="false: households with no visit in the window")],
    start: From = None,
    end: To = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    offset: Annotated[int, Query(ge=0)] = 0,
    linked_member_id: Annotated[
        UUID | None, Query(description="Only the households linked to this member.")
    ] = None,
) -> CoverageHouseholds:
    check_window(start, end)
    households = await read.answer(
        COVERAGE,
        coverage.households,
        visited=visited,
        start=start,
        end=end,
        limit=limit,
        offset=offset,
        linked_member_id=member_in_scope(principal, linked_member_id),
    )
    if not principal.sees_personal_data:
        for household in households.households:
            household.phone = mask_phone(household.phone)
            household.tags = mask_tags(household.tags)
    return households


@router.get(BRANCH + "/evaluations", tags=["evaluations"])
async def evaluations_of_year(
    read: BranchQuery,
    year: Annotated[
        int | None,
        Query(ge=1921, le=2200, description="Default: the latest year with an appraisal."),
    ] = None,
) -> Evaluations:
    return await read.answer(EVALUATIONS, evaluations.evaluations, year=year, today=read.today)


@router.get(BRANCH + "/coverage/visits", tags=["coverage"])
async def visits_by_month(
    read: BranchQuery,
    principal: Authorised,
    year: Annotated[
        int | None,
        Query(ge=1921, le=2200, description="Default: the latest year with visits."),
    ] = None,
    member_id: OfMember = None,
) -> VisitsByMonth:
    """Visits per month of the year, by purpose (a member: their own)."""
    return await read.answer(
        COVERAGE,
        coverage.visits_by_month,
        year=year,
        today=read.today,
        member_id=member_in_scope(principal, member_id),
    )


@router.get(BRANCH + "/campaigns", tags=["campaigns"])
async def campaign_tallies(read: BranchQuery) -> Campaigns:
    return await read.answer(COVERAGE, campaigns.campaigns)


@router.get(BRANCH + "/needs", tags=["needs"])
async def residents_needs(
    read: BranchQuery,
    principal: Authorised,
    status: Annotated[NeedStatus, Query(description="Which requests to list.")] = NeedStatus.OPEN,
    on: Annotated[
        date | None, Query(description="Judge overdue on this day (default today).")
    ] = None,
    member_id: OfMember = None,
) -> Needs:
    """Residents' requests and their state (a member: those they raised or were given)."""
    return await read.answer(
        COVERAGE,
        needs.needs,
        status=status,
        on=on or read.today,
        member_id=member_in_scope(principal, member_id),
    )


Days = Annotated[int, Query(ge=0, le=3660)]


@router.get(BRANCH + "/work", tags=["work"])
async def work_lists(
    read: BranchQuery,
    principal: Authorised,
    *,
    within_days: Annotated[
        Days, Query(description="Visits and reports due this many days on.")
    ] = 7,
    unvisited_days: Annotated[
        Days | None, Query(description="Also list households not visited in the last N days.")
    ] = None,
    hardship_days: Annotated[
        Days, Query(description="Hardship cases without help for this many days.")
    ] = 30,
    member_id: OfMember = None,
    group_id: Annotated[UUID | None, Query(description="Only this group's work.")] = None,
    area: Annotated[
        str | None, Query(max_length=100, description="Only this area's households.")
    ] = None,
) -> Work:
    """What is due and overdue today: visits by each household's schedule, duty
    reports, requests past their due date, talks after a low grade, hardship cases
    without help (a member: their own)."""
    return await read.answer(
        WORK,
        work.work,
        Asked(
            today=read.today,
            date_of=read.clock.date_of,
            within_days=within_days,
            unvisited_days=unvisited_days,
            hardship_days=hardship_days,
            scope=Scope(member_in_scope(principal, member_id), group_id, area),
        ),
    )


@router.get("/branches", tags=["rosters"])
async def branches(
    request: Request, principal: Authorised, min_position: MinPosition = None
) -> Branches:
    """The branches this principal may see, for choosing one."""
    answer = await _read_models(request).read(ROSTERS, min_position, rosters.branches)
    if principal.role not in ANY_BRANCH:
        answer.branches = [b for b in answer.branches if b.id == principal.branch_id]
    return answer


def _read_models(request: Request) -> ReadModels:
    read_models: ReadModels = request.app.state.read_models
    return read_models


@router.get("/auth/whoami", tags=["access"])
async def whoami(principal: Authorised) -> WhoAmI:
    """Who the bearer token names, and what they may use."""
    return WhoAmI(
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
def projections_status(request: Request) -> ProjectionsStatus:
    event_log: EventLog = request.app.state.event_log
    store = _read_models(request).store
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
                ProjectionStatus(
                    name=projector.name,
                    generation=state.generation,
                    position=state.position,
                    lag=max(head - state.position, 0),
                    dead_letters=counts.get(projector.name, 0),
                )
            )
    return ProjectionsStatus(head=head, projections=statuses)
