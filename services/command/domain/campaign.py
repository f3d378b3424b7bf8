"""Campaigns (集中活动) and what they achieved."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from services.command.commands import (
    CloseCampaign,
    LaunchCampaign,
    RecordCampaignOutput,
    handles,
)
from services.command.domain.aggregate import Aggregate, derived
from services.command.domain.branch import Branch
from services.command.domain.dates import check_date, check_not_before
from services.command.domain.errors import CampaignIsClosed, InvalidValue
from services.command.domain.member import Member
from services.command.unit_of_work import UnitOfWork, Written, reference, require
from shared.contract.events import (
    CampaignClosed,
    CampaignLaunched,
    CampaignOutputRecorded,
    Event,
)


class Campaign(Aggregate):
    """A concentrated activity with countable outputs: alleys cleared, leaflets handed
    out, households visited."""

    CREATED_BY = CampaignLaunched
    KIND = "campaign"

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.starts_on = date.min
        self.ends_on: date | None = None
        self.closed = False

    @classmethod
    def launch(cls, command: LaunchCampaign, today: date) -> Campaign:
        check_date("starts_on", command.starts_on, today)
        if command.ends_on is not None:
            check_not_before("ends_on", command.ends_on, command.starts_on, "the start")
        campaign = cls(command.campaign_id, command.branch_id)
        campaign._record(derived(CampaignLaunched, command))
        return campaign

    def record_output(
        self, command: RecordCampaignOutput, participants: Sequence[Member], today: date
    ) -> None:
        recorded_on = command.recorded_on
        check_date("recorded_on", recorded_on, today)
        self._require_open()
        check_not_before("recorded_on", recorded_on, self.starts_on, "the campaign's start")
        if self.ends_on is not None and recorded_on > self.ends_on:
            raise InvalidValue("recorded_on", f"{recorded_on} is after the campaign's end")
        for member in participants:
            member.not_before_departure("member_ids", recorded_on)
        self._record(
            derived(
                CampaignOutputRecorded,
                command,
                member_ids=tuple(dict.fromkeys(m.id for m in participants)),
            )
        )

    def close(self, command: CloseCampaign, today: date) -> None:
        check_date("closed_on", command.closed_on, today)
        self._require_open()
        check_not_before("closed_on", command.closed_on, self.starts_on, "the campaign's start")
        self._record(derived(CampaignClosed, command))

    def _require_open(self) -> None:
        if self.closed:
            raise CampaignIsClosed(f"campaign {self.id} is closed")

    def apply(self, event: Event) -> None:
        match event:
            case CampaignLaunched():
                self._adopt(event)
            case CampaignClosed():
                self.closed = True


@handles(LaunchCampaign)
def launch_campaign(command: LaunchCampaign, uow: UnitOfWork) -> Written:
    require(uow, Branch, command.branch_id, command.branch_id)
    return uow.commit(Campaign.launch(command, uow.today))


@handles(RecordCampaignOutput)
def record_campaign_output(command: RecordCampaignOutput, uow: UnitOfWork) -> Written:
    campaign = require(uow, Campaign, command.campaign_id, command.branch_id)
    participants = [
        reference(uow, Member, "member_ids", member_id, command.branch_id)
        for member_id in dict.fromkeys(command.member_ids)
    ]
    campaign.record_output(command, participants, uow.today)
    return uow.commit(campaign)


@handles(CloseCampaign)
def close_campaign(command: CloseCampaign, uow: UnitOfWork) -> Written:
    campaign = require(uow, Campaign, command.campaign_id, command.branch_id)
    campaign.close(command, uow.today)
    return uow.commit(campaign)
