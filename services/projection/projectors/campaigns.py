"""Campaigns (集中活动): launched, closed with a summary, and what each achieved,
recorded output by output."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import JSON, BigInteger, Column, Date, Integer, MetaData, String, Table, Text, Uuid

from services.projection.projectors.base import Part, RowWriter
from shared.contract.envelope import Envelope
from shared.contract.events import (
    CampaignClosed,
    CampaignLaunched,
    CampaignOutputRecorded,
    Event,
)


@dataclass(frozen=True)
class CampaignTables:
    campaigns: Table
    campaign_outputs: Table


def declare(metadata: MetaData, prefix: str) -> CampaignTables:
    return CampaignTables(
        campaigns=Table(
            f"{prefix}campaigns",
            metadata,
            Column("id", Uuid, primary_key=True),
            Column("branch_id", Uuid, nullable=False, index=True),
            Column("title", Text, nullable=False),
            Column("purpose", Text, nullable=False),
            Column("starts_on", Date, nullable=False),
            Column("ends_on", Date),
            Column("closed_on", Date),
            Column("summary", Text),
            Column("launched_position", BigInteger, nullable=False),
        ),
        campaign_outputs=Table(
            f"{prefix}campaign_outputs",
            metadata,
            Column("position", BigInteger, primary_key=True, autoincrement=False),
            Column("campaign_id", Uuid, nullable=False, index=True),
            Column("branch_id", Uuid, nullable=False),
            Column("metric", String(50), nullable=False),
            Column("quantity", Integer, nullable=False),
            Column("recorded_on", Date, nullable=False),
            Column("member_ids", JSON, nullable=False),
            Column("volunteers", Integer, nullable=False),
            Column("notes", Text),
        ),
    )


def apply(rows: RowWriter, tables: CampaignTables, envelope: Envelope, event: Event) -> None:
    match event:
        case CampaignLaunched():
            rows.insert(
                tables.campaigns,
                id=envelope.stream_id,
                branch_id=envelope.branch_id,
                title=event.title,
                purpose=event.purpose,
                starts_on=event.starts_on,
                ends_on=event.ends_on,
                launched_position=envelope.position,
            )
        case CampaignOutputRecorded():
            rows.insert(
                tables.campaign_outputs,
                position=envelope.position,
                campaign_id=envelope.stream_id,
                branch_id=envelope.branch_id,
                metric=event.metric,
                quantity=event.quantity,
                recorded_on=event.recorded_on,
                member_ids=[str(m) for m in event.member_ids],
                volunteers=event.volunteers,
                notes=event.notes,
            )
        case CampaignClosed():
            rows.update(
                tables.campaigns,
                envelope.stream_id,
                closed_on=event.closed_on,
                summary=event.summary,
            )


CAMPAIGNS = Part(declare, apply)
