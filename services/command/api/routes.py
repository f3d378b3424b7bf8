"""The v1 command endpoints: each builds one command and dispatches it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from services.command.api import schemas as s
from services.command.api.dispatch import Dispatch
from services.command.domain import commands as c
from shared.ids import new_id

PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}
RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown branch or resource in the path", **PROBLEM},
    409: {"description": "A business rule refused the command", **PROBLEM},
    422: {"description": "Invalid input or unknown reference", **PROBLEM},
    503: {"description": "The event store is unavailable; retry", **PROBLEM},
}

router = APIRouter(prefix="/v1", responses=RESPONSES)
BRANCH = "/branches/{branch_id}"


@router.post("/branches", status_code=201, tags=["branches"])
def register_branch(body: s.RegisterBranchBody, dispatch: Dispatch) -> s.WriteResult:
    branch_id = body.id or new_id()
    return dispatch(c.RegisterBranch(branch_id=branch_id, name=body.name), body)


@router.post(BRANCH + "/groups", status_code=201, tags=["groups"])
def form_group(branch_id: UUID, body: s.FormGroupBody, dispatch: Dispatch) -> s.WriteResult:
    command = c.FormGroup(
        branch_id=branch_id, group_id=body.id or new_id(), name=body.name, basis=body.basis
    )
    return dispatch(command, body)


@router.post(BRANCH + "/members", status_code=201, tags=["members"])
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
    )
    return dispatch(command, body)


@router.post(BRANCH + "/groups/{group_id}/leader", tags=["groups"])
def appoint_group_leader(
    branch_id: UUID, group_id: UUID, body: s.AppointGroupLeaderBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.AppointGroupLeader(branch_id=branch_id, group_id=group_id, member_id=body.member_id)
    return dispatch(command, body)


@router.post(BRANCH + "/posts", status_code=201, tags=["posts"])
def establish_post(branch_id: UUID, body: s.EstablishPostBody, dispatch: Dispatch) -> s.WriteResult:
    command = c.EstablishPost(
        branch_id=branch_id,
        post_id=body.id or new_id(),
        kind=body.kind,
        title=body.title,
        duties=body.duties,
        capacity=body.capacity,
    )
    return dispatch(command, body)


@router.post(BRANCH + "/posts/{post_id}/assignments", status_code=201, tags=["posts"])
def assign_post(
    branch_id: UUID, post_id: UUID, body: s.AssignPostBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.AssignPost(
        branch_id=branch_id,
        post_id=post_id,
        member_id=body.member_id,
        service_content=body.service_content,
        pledge=body.pledge,
    )
    return dispatch(command, body)


@router.post(BRANCH + "/households", status_code=201, tags=["households"])
def register_household(
    branch_id: UUID, body: s.RegisterHouseholdBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.RegisterHousehold(
        branch_id=branch_id,
        household_id=body.id or new_id(),
        address=body.address,
        area=body.area,
        head_name=body.head_name,
        phone=body.phone,
        tags=tuple(body.tags),
    )
    return dispatch(command, body)


@router.post(BRANCH + "/households/{household_id}/link", tags=["households"])
def link_household(
    branch_id: UUID, household_id: UUID, body: s.LinkHouseholdBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.LinkHousehold(
        branch_id=branch_id, household_id=household_id, member_id=body.member_id
    )
    return dispatch(command, body)


@router.post(BRANCH + "/visits", status_code=201, tags=["visits"])
def record_visit(branch_id: UUID, body: s.RecordVisitBody, dispatch: Dispatch) -> s.WriteResult:
    command = c.RecordVisit(
        branch_id=branch_id,
        visit_id=body.id or new_id(),
        member_id=body.member_id,
        household_id=body.household_id,
        visited_on=body.visited_on,
        purpose=body.purpose,
        notes=body.notes,
    )
    return dispatch(command, body)


@router.post(BRANCH + "/members/{member_id}/ratings", status_code=201, tags=["evaluations"])
def rate_member(
    branch_id: UUID, member_id: UUID, body: s.RateMemberBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.RateMember(
        branch_id=branch_id,
        member_id=member_id,
        year=body.year,
        grade=body.grade,
        remarks=body.remarks,
    )
    return dispatch(command, body)
