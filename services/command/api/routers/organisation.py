"""The branch and its Party groups."""

from uuid import UUID

from services.command.api import schemas as s
from services.command.api.dispatch import Dispatch
from services.command.api.routers import BRANCH, resource_router
from services.command.domain import commands as c
from shared.ids import new_id

router = resource_router("organisation")


@router.post("/branches", status_code=201)
def register_branch(body: s.RegisterBranchBody, dispatch: Dispatch) -> s.WriteResult:
    branch_id = body.id or new_id()
    return dispatch(c.RegisterBranch(branch_id=branch_id, name=body.name), body)


@router.post(BRANCH + "/groups", status_code=201)
def form_group(branch_id: UUID, body: s.FormGroupBody, dispatch: Dispatch) -> s.WriteResult:
    command = c.FormGroup(
        branch_id=branch_id, group_id=body.id or new_id(), name=body.name, basis=body.basis
    )
    return dispatch(command, body)


@router.post(BRANCH + "/groups/{group_id}/leader")
def appoint_group_leader(
    branch_id: UUID, group_id: UUID, body: s.AppointGroupLeaderBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.AppointGroupLeader(branch_id=branch_id, group_id=group_id, member_id=body.member_id)
    return dispatch(command, body)


@router.post(BRANCH + "/groups/{group_id}/dissolution")
def dissolve_group(
    branch_id: UUID, group_id: UUID, body: s.DissolveGroupBody, dispatch: Dispatch
) -> s.WriteResult:
    """Dissolves a group; only an empty one can be."""
    command = c.DissolveGroup(
        branch_id=branch_id,
        group_id=group_id,
        dissolved_on=body.dissolved_on,
        reason=body.reason,
    )
    return dispatch(command, body)
