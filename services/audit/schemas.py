"""Bodies of the audit API."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from shared.contract.envelope import Envelope, Undecodable
from shared.contract.sealing import SealingError, Vault
from shared.privacy import mask_fields


class AuditEvent(BaseModel):
    position: int
    stream_id: UUID
    stream_version: int
    type: str
    schema_version: int | None = None
    branch_id: UUID | None = None
    actor: str | None = None
    occurred_at: datetime | None = None
    correlation_id: UUID | None = None
    causation_id: UUID | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    error: str | None = Field(default=None, description="Why this stored event is unreadable.")

    @classmethod
    def of(cls, item: Envelope | Undecodable, vault: Vault, *, masked: bool) -> AuditEvent:
        """The event as an auditor reads it: personal fields opened (or erased), and
        masked unless the reader may see them."""
        if isinstance(item, Envelope):
            event = item.model_dump(exclude={"previous_position"})
            try:
                event["data"] = vault.open_fields(event["data"])
            except SealingError as exc:
                event["error"] = str(exc)
            if masked:
                event["data"] = mask_fields(event["data"])
            return cls.model_validate(event)
        return cls(
            position=item.position,
            stream_id=item.stream_id,
            stream_version=item.stream_version,
            type=item.type or "",
            error=item.reason,
        )


class AuditPage(BaseModel):
    events: list[AuditEvent]
    next: int = Field(
        description="Pass as `after` for the next page: the last position examined, so "
        "pages never skip or repeat an event even while writes go on."
    )
    head: int = Field(description="The store's last position when this page was read.")


class StreamHistory(BaseModel):
    stream_id: UUID
    events: list[AuditEvent]


class StreamState(BaseModel):
    stream_id: UUID
    kind: str
    version: int
    as_of: datetime | None
    state: dict[str, Any] = Field(description="The aggregate as it was at that version.")
    events: list[AuditEvent] = Field(description="The events it was folded from.")
