"""Households, their link to a member (党员联户) and the visits (走访) they receive."""

from uuid import UUID

from services.command.api import schemas as s
from services.command.api.dispatch import Dispatch
from services.command.api.routers import BRANCH, resource_router
from services.command.domain import commands as c
from shared.ids import new_id

router = resource_router("households")
HOUSEHOLD = BRANCH + "/households/{household_id}"


@router.post(BRANCH + "/households", status_code=201)
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


@router.post(HOUSEHOLD + "/link")
def link_household(
    branch_id: UUID, household_id: UUID, body: s.LinkHouseholdBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.LinkHousehold(
        branch_id=branch_id, household_id=household_id, member_id=body.member_id
    )
    return dispatch(command, body)


@router.post(HOUSEHOLD + "/unlink")
def unlink_household(
    branch_id: UUID, household_id: UUID, body: s.UnlinkHouseholdBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.UnlinkHousehold(
        branch_id=branch_id,
        household_id=household_id,
        unlinked_on=body.unlinked_on,
        reason=body.reason,
    )
    return dispatch(command, body)


@router.post(HOUSEHOLD + "/erasure")
def erase_household(
    branch_id: UUID, household_id: UUID, body: s.EraseHouseholdBody, dispatch: Dispatch
) -> s.WriteResult:
    """Erases the household's personal fields (address, head, phone, tags) by destroying
    their key: history stays, they read as erased everywhere, for good."""
    command = c.EraseHousehold(
        branch_id=branch_id,
        household_id=household_id,
        erased_on=body.erased_on,
        reason=body.reason,
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


@router.post(BRANCH + "/visits/{visit_id}/correction", tags=["visits"])
def correct_visit(
    branch_id: UUID,
    visit_id: UUID,
    body: s.CorrectVisitBody,
    dispatch: Dispatch,
) -> s.WriteResult:
    """Corrects a visit: the same day by whoever recorded it; any time by the secretary
    (or the group leader of the member who made it)."""
    command = c.CorrectVisit(
        branch_id=branch_id,
        visit_id=visit_id,
        visited_on=body.visited_on,
        purpose=body.purpose,
        notes=body.notes,
        reason=body.reason,
        by_secretary=dispatch.may_amend_any_record,
    )
    return dispatch(command, body)


@router.post(BRANCH + "/visits/{visit_id}/retraction", tags=["visits"])
def retract_visit(
    branch_id: UUID,
    visit_id: UUID,
    body: s.RetractVisitBody,
    dispatch: Dispatch,
) -> s.WriteResult:
    """Retracts a visit recorded in error; its history stays."""
    command = c.RetractVisit(
        branch_id=branch_id,
        visit_id=visit_id,
        reason=body.reason,
        by_secretary=dispatch.may_amend_any_record,
    )
    return dispatch(command, body)
