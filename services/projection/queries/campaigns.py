"""Campaigns and what they achieved, counted by metric."""

from __future__ import annotations

from collections import Counter, defaultdict
from uuid import UUID

from sqlalchemy import Connection, select

from services.projection.answers import (
    Campaign,
    CampaignOutput,
    Campaigns,
)
from services.projection.projectors.tables import CoverageTables
from services.projection.queries.membership import branch_exists


def campaigns(
    conn: Connection, tables: CoverageTables, branch_id: UUID, position: int
) -> Campaigns | None:
    if not branch_exists(conn, tables, branch_id):
        return None
    outputs: defaultdict[UUID, list[CampaignOutput]] = defaultdict(list)
    rows = conn.execute(
        select(tables.campaign_outputs)
        .where(tables.campaign_outputs.c.branch_id == branch_id)
        .order_by(tables.campaign_outputs.c.position)
    )
    for row in rows:
        outputs[row.campaign_id].append(
            CampaignOutput(
                metric=row.metric,
                quantity=row.quantity,
                recorded_on=row.recorded_on,
                member_ids=[UUID(m) for m in row.member_ids],
                volunteers=row.volunteers,
                notes=row.notes,
            )
        )
    totals: Counter[str] = Counter()
    answer = []
    launched = conn.execute(
        select(tables.campaigns)
        .where(tables.campaigns.c.branch_id == branch_id)
        .order_by(tables.campaigns.c.launched_position)
    )
    for row in launched:
        tallies: Counter[str] = Counter()
        for output in outputs[row.id]:
            tallies[output.metric] += output.quantity
        totals.update(tallies)
        answer.append(
            Campaign(
                id=row.id,
                title=row.title,
                purpose=row.purpose,
                starts_on=row.starts_on,
                ends_on=row.ends_on,
                closed_on=row.closed_on,
                summary=row.summary,
                tallies=dict(sorted(tallies.items())),
                participants=len({m for o in outputs[row.id] for m in o.member_ids}),
                volunteers=sum(o.volunteers for o in outputs[row.id]),
                outputs=outputs[row.id],
            )
        )
    return Campaigns(
        position=position,
        branch_id=branch_id,
        campaigns=answer,
        totals=dict(sorted(totals.items())),
    )
