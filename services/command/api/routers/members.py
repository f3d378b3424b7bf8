"""Members: enrolment, moves, departure, the volunteer team, duty reports, talks
and rewards."""

from uuid import UUID

from services.command.api import schemas as s
from services.command.api.dispatch import Dispatch
from services.command.api.routers import BRANCH, resource_router
from services.command.domain import commands as c
from shared.ids import new_id

router = resource_router("members")
MEMBER = BRANCH + "/members/{member_id}"


@router.post(BRANCH + "/members", status_code=201)
def enroll_member(branch_id: UUID, body: s.EnrollMemberBody, dispatch: Dispatch) -> s.WriteResult:
    command = c.EnrollMember(
        branch_id=branch_id,
        member_id=body.id or new_id(),
        group_id=body.group_id,
        name=body.name,
        category=body.category,
        status=body.status,
        holds_office=body.holds_office,
        phone=body.phone,
        enrolled_on=body.enrolled_on,
    )
    return dispatch(command, body)


@router.post(MEMBER + "/transfer")
def transfer_member(
    branch_id: UUID, member_id: UUID, body: s.TransferMemberBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.TransferMember(
        branch_id=branch_id,
        member_id=member_id,
        group_id=body.group_id,
        transferred_on=body.transferred_on,
        reason=body.reason,
    )
    return dispatch(command, body)


@router.post(MEMBER + "/departure")
def member_leaves(
    branch_id: UUID, member_id: UUID, body: s.MemberLeavesBody, dispatch: Dispatch
) -> s.WriteResult:
    """The member leaves the branch; their history stays and their households are unlinked."""
    command = c.MemberLeaves(
        branch_id=branch_id,
        member_id=member_id,
        reason=body.reason,
        left_on=body.left_on,
        notes=body.notes,
    )
    return dispatch(command, body)


@router.post(BRANCH + "/volunteer-team/members")
def join_volunteer_team(
    branch_id: UUID, body: s.JoinVolunteerTeamBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.JoinVolunteerTeam(
        branch_id=branch_id, member_id=body.member_id, joined_on=body.joined_on
    )
    return dispatch(command, body)


@router.post(BRANCH + "/volunteer-team/members/{member_id}/departure")
def leave_volunteer_team(
    branch_id: UUID, member_id: UUID, body: s.LeaveVolunteerTeamBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.LeaveVolunteerTeam(branch_id=branch_id, member_id=member_id, left_on=body.left_on)
    return dispatch(command, body)


@router.post(MEMBER + "/duty-reports", status_code=201)
def submit_duty_report(
    branch_id: UUID, member_id: UUID, body: s.SubmitDutyReportBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.SubmitDutyReport(
        branch_id=branch_id,
        member_id=member_id,
        period=body.period,
        audience=body.audience,
        submitted_on=body.submitted_on,
        summary=body.summary,
    )
    return dispatch(command, body)


@router.post(MEMBER + "/talks", status_code=201)
def record_talk(
    branch_id: UUID, member_id: UUID, body: s.RecordTalkBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.RecordTalk(
        branch_id=branch_id,
        member_id=member_id,
        held_by=body.held_by,
        held_on=body.held_on,
        notes=body.notes,
    )
    return dispatch(command, body)


@router.post(MEMBER + "/rewards", status_code=201)
def grant_reward(
    branch_id: UUID, member_id: UUID, body: s.GrantRewardBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.GrantReward(
        branch_id=branch_id,
        member_id=member_id,
        kind=body.kind,
        reason=body.reason,
        granted_on=body.granted_on,
    )
    return dispatch(command, body)
