"""The year-end evaluation: democratic appraisal (民主评议) by anonymous ballots,
then the final grade of each member."""

from uuid import UUID

from fastapi import Path, Request

from services.command.api import schemas as s
from services.command.api.dispatch import Dispatch
from services.command.api.routers import BRANCH, resource_router
from services.command.domain import commands as c
from shared.settings import Settings

router = resource_router("evaluations")
APPRAISAL = BRANCH + "/appraisals/{year}"
YearPath = Path(ge=1921, le=2200)


@router.post(BRANCH + "/appraisals", status_code=201)
def open_appraisal(
    branch_id: UUID, body: s.OpenAppraisalBody, request: Request, dispatch: Dispatch
) -> s.WriteResult:
    settings: Settings = request.app.state.settings
    command = c.OpenAppraisal(
        branch_id=branch_id,
        year=body.year,
        opened_on=body.opened_on,
        excellent_share=body.excellent_share or settings.excellent_share,
    )
    return dispatch(command, body)


@router.post(APPRAISAL + "/ballots", status_code=201)
def cast_ballot(
    branch_id: UUID, body: s.CastBallotBody, dispatch: Dispatch, year: int = YearPath
) -> s.WriteResult:
    command = c.CastBallot(
        branch_id=branch_id,
        year=year,
        member_id=body.member_id,
        voter_kind=body.voter_kind,
        grade=body.grade,
    )
    return dispatch(command, body)


@router.post(APPRAISAL + "/closure")
def close_appraisal(
    branch_id: UUID, body: s.CloseAppraisalBody, dispatch: Dispatch, year: int = YearPath
) -> s.WriteResult:
    command = c.CloseAppraisal(branch_id=branch_id, year=year, closed_on=body.closed_on)
    return dispatch(command, body)


@router.post(BRANCH + "/members/{member_id}/ratings", status_code=201)
def rate_member(
    branch_id: UUID, member_id: UUID, body: s.RateMemberBody, dispatch: Dispatch
) -> s.WriteResult:
    """The final grade, after the year's appraisal has closed."""
    command = c.RateMember(
        branch_id=branch_id,
        member_id=member_id,
        year=body.year,
        grade=body.grade,
        remarks=body.remarks,
        shortcomings=tuple(body.shortcomings),
        improvement_plan=body.improvement_plan,
    )
    return dispatch(command, body)
