"""Residents' requests (诉求): raised, assigned, resolved."""

from datetime import timedelta
from uuid import UUID

from fastapi import Request

from services.command.api import schemas as s
from services.command.api.dispatch import Dispatch
from services.command.api.routers import BRANCH, resource_router
from services.command.domain import commands as c
from shared.ids import new_id
from shared.settings import Settings

router = resource_router("needs")
NEED = BRANCH + "/needs/{need_id}"


@router.post(BRANCH + "/needs", status_code=201)
def raise_need(
    branch_id: UUID, body: s.RaiseNeedBody, request: Request, dispatch: Dispatch
) -> s.WriteResult:
    settings: Settings = request.app.state.settings
    command = c.RaiseNeed(
        branch_id=branch_id,
        need_id=body.id or new_id(),
        household_id=body.household_id,
        category=body.category,
        description=body.description,
        raised_on=body.raised_on,
        due_on=body.due_on or body.raised_on + timedelta(days=settings.need_due_days),
        visit_id=body.visit_id,
        raised_by_member_id=body.raised_by_member_id,
    )
    return dispatch(command, body)


@router.post(NEED + "/assignment")
def assign_need(
    branch_id: UUID, need_id: UUID, body: s.AssignNeedBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.AssignNeed(
        branch_id=branch_id,
        need_id=need_id,
        member_id=body.member_id,
        assigned_on=body.assigned_on,
    )
    return dispatch(command, body)


@router.post(NEED + "/resolution")
def resolve_need(
    branch_id: UUID, need_id: UUID, body: s.ResolveNeedBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.ResolveNeed(
        branch_id=branch_id,
        need_id=need_id,
        resolved_on=body.resolved_on,
        outcome=body.outcome,
    )
    return dispatch(command, body)
