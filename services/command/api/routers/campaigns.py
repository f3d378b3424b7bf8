"""Campaigns (集中活动) and their countable outputs."""

from uuid import UUID

from services.command.api import schemas as s
from services.command.api.dispatch import Dispatch
from services.command.api.routers import BRANCH, resource_router
from services.command.domain import commands as c
from shared.ids import new_id

router = resource_router("campaigns")
CAMPAIGN = BRANCH + "/campaigns/{campaign_id}"


@router.post(BRANCH + "/campaigns", status_code=201)
def launch_campaign(
    branch_id: UUID, body: s.LaunchCampaignBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.LaunchCampaign(
        branch_id=branch_id,
        campaign_id=body.id or new_id(),
        title=body.title,
        purpose=body.purpose,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
    )
    return dispatch(command, body)


@router.post(CAMPAIGN + "/outputs", status_code=201)
def record_campaign_output(
    branch_id: UUID, campaign_id: UUID, body: s.RecordCampaignOutputBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.RecordCampaignOutput(
        branch_id=branch_id,
        campaign_id=campaign_id,
        metric=body.metric,
        quantity=body.quantity,
        recorded_on=body.recorded_on,
        member_ids=tuple(body.member_ids),
        volunteers=body.volunteers,
        notes=body.notes,
    )
    return dispatch(command, body)


@router.post(CAMPAIGN + "/closure")
def close_campaign(
    branch_id: UUID, campaign_id: UUID, body: s.CloseCampaignBody, dispatch: Dispatch
) -> s.WriteResult:
    command = c.CloseCampaign(
        branch_id=branch_id,
        campaign_id=campaign_id,
        closed_on=body.closed_on,
        summary=body.summary,
    )
    return dispatch(command, body)
