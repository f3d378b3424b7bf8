"""Campaigns (集中活动): launched, closed with a summary, and what each achieved,
recorded output by output."""

from __future__ import annotations

from services.projection.projectors.base import Part, RowWriter
from services.projection.projectors.tables import CampaignTables, declare_campaigns
from shared.contract.envelope import Envelope
from shared.contract.events import (
    CampaignClosed,
    CampaignLaunched,
    CampaignOutputRecorded,
    Event,
)


def apply(rows: RowWriter, tables: CampaignTables, envelope: Envelope, event: Event) -> None:
    match event:
        case CampaignLaunched():
            rows.record(tables.campaigns, envelope, event, launched_position=envelope.position)
        case CampaignOutputRecorded():
            rows.record(
                tables.campaign_outputs,
                envelope,
                event,
                position=envelope.position,
                campaign_id=envelope.stream_id,
                member_ids=[str(m) for m in event.member_ids],
            )
        case CampaignClosed():
            rows.change(tables.campaigns, envelope, event)


CAMPAIGNS = Part(declare_campaigns, apply)
