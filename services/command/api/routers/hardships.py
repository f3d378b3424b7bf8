"""Care for members in hardship (困难党员结对帮扶)."""

from uuid import UUID

from services.command.api import schemas as s
from services.command.api.dispatch import Dispatch
from services.command.api.routers import BRANCH, resource_router
from services.command.domain import commands as c
from shared.ids import new_id

router = resource_router("care")
HARDSHIP = BRANCH + "/hardships/{hardship_id}"


@router.post(BRANCH + "/hardships", status_code=201)
def flag_hardship(branch_id: UUID, body: s.FlagHardshipBody, dispatch: Dispatch) -> s.WriteResult:
    command = c.FlagHardship(
        branch_id=branch_id,
        hardship_id=body.id or new_id(),
        member_id=body.member_id,
        kind=body.kind,
        description=body.description,
        flagged_on=body.flagged_on,
    )
    return dispatch(command, body)


@router.post(HARDSHIP + "/helper")
def pair_helper(
    branch_id: UUID, hardship_id: UUID, body: s.PairHelperBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.PairHelper(
        branch_id=branch_id,
        hardship_id=hardship_id,
        helper_id=body.helper_id,
        paired_on=body.paired_on,
    )
    return dispatch(command, body)


@router.post(HARDSHIP + "/assistance", status_code=201)
def record_assistance(
    branch_id: UUID, hardship_id: UUID, body: s.RecordAssistanceBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.RecordAssistance(
        branch_id=branch_id,
        hardship_id=hardship_id,
        assisted_on=body.assisted_on,
        description=body.description,
        helper_id=body.helper_id,
    )
    return dispatch(command, body)


@router.post(HARDSHIP + "/closure")
def close_hardship(
    branch_id: UUID, hardship_id: UUID, body: s.CloseHardshipBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.CloseHardship(
        branch_id=branch_id,
        hardship_id=hardship_id,
        closed_on=body.closed_on,
        outcome=body.outcome,
    )
    return dispatch(command, body)
