"""Volunteer service posts (党员义务服务岗) and who holds them."""

from uuid import UUID

from services.command.api import schemas as s
from services.command.api.dispatch import Dispatch
from services.command.api.routers import BRANCH, resource_router
from services.command.domain import commands as c
from shared.ids import new_id

router = resource_router("posts")
POST = BRANCH + "/posts/{post_id}"


@router.post(BRANCH + "/posts", status_code=201)
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


@router.post(POST + "/assignments", status_code=201)
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


@router.post(POST + "/relief")
def relieve_post(
    branch_id: UUID, post_id: UUID, body: s.RelievePostBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.RelievePost(
        branch_id=branch_id,
        post_id=post_id,
        member_id=body.member_id,
        relieved_on=body.relieved_on,
        reason=body.reason,
    )
    return dispatch(command, body)
