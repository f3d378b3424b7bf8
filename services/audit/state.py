"""An aggregate as it was: its stream folded up to a version or a moment, by the
command side's own (pure) domain, so the auditor sees exactly what the rules saw."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic_core import to_jsonable_python

from services.audit.schemas import StreamState
from services.audit.trail import audit_events
from services.command.domain.aggregate import Aggregate
from services.command.domain.appraisal import Appraisal
from services.command.domain.branch import Branch
from services.command.domain.campaign import Campaign
from services.command.domain.group import Group
from services.command.domain.hardship import Hardship
from services.command.domain.household import Household
from services.command.domain.member import Member
from services.command.domain.need import Need
from services.command.domain.post import Post
from services.command.domain.visit import Visit
from shared.contract.codec import decode
from shared.privacy import mask_fields
from shared.store import EventLog

AGGREGATES: dict[str, type[Aggregate]] = {
    kind.CREATED_BY.TYPE: kind
    for kind in (Branch, Group, Member, Post, Household, Visit, Appraisal, Campaign, Need, Hardship)
}


def state_of(
    event_log: EventLog,
    stream_id: UUID,
    *,
    version: int | None,
    as_of: datetime | None,
    masked: bool,
) -> StreamState | None:
    """None when the stream does not exist, or did not yet at that version or moment."""
    notifications = event_log.stream(stream_id)
    decoded = [decode(n.topic, n.state, event_log.vault) for n in notifications]
    kept = [
        (notification, d)
        for notification, d in zip(notifications, decoded, strict=True)
        if (version is None or notification.originator_version <= version)
        and (as_of is None or d.meta.occurred_at <= as_of)
    ]
    if not kept:
        return None
    kind = AGGREGATES.get(type(kept[0][1].event).__name__)
    if kind is None:
        return None
    first = kept[0][1]
    aggregate = kind.rehydrate(
        stream_id, first.meta.branch_id or stream_id, (d.event for _, d in kept)
    )
    return StreamState(
        stream_id=stream_id,
        kind=kind.KIND,
        version=aggregate.version,
        as_of=as_of,
        state=mask_fields(_public(aggregate)) if masked else _public(aggregate),
        events=audit_events(
            [notification for notification, _ in kept], event_log.vault, masked=masked
        ),
    )


def _public(aggregate: Aggregate) -> dict[str, Any]:
    fields = {k: v for k, v in vars(aggregate).items() if not k.startswith("_")}
    state: dict[str, Any] = to_jsonable_python(fields)
    return state
