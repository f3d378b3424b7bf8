"""The envelope: one stored event as the relay publishes it and auditors read it.

``previous_position`` is the position of the event published just before this one
in the same partition (``shared.partitions``), so a consumer can tell a duplicate
(position already seen) from a hole (previous position not yet seen) even though
positions themselves may have gaps.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from shared.contract.codec import (
    JSONObject,
    UndecodableEvent,
    UnknownEventType,
    open_event,
    parse_document,
)
from shared.contract.events import EVENT_TYPES, Event
from shared.contract.sealing import Vault
from shared.store import Notification


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    position: int
    previous_position: int | None = None
    stream_id: UUID
    stream_version: int
    type: str
    schema_version: int
    branch_id: UUID | None
    actor: str
    occurred_at: datetime
    correlation_id: UUID
    causation_id: UUID
    data: JSONObject

    @classmethod
    def from_stored(
        cls,
        *,
        position: int,
        stream_id: UUID,
        stream_version: int,
        topic: str,
        state: bytes,
        vault: Vault,
        previous_position: int | None = None,
    ) -> Envelope:
        """The envelope of a stored event: decrypted, its personal fields still sealed."""
        document = parse_document(topic, state, vault)
        meta: dict[str, Any] = document["meta"] or {}
        return cls(
            position=position,
            previous_position=previous_position,
            stream_id=stream_id,
            stream_version=stream_version,
            type=topic,
            schema_version=document["v"],
            data=document["data"],
            **meta,
        )

    def to_json(self) -> bytes:
        return self.model_dump_json().encode("utf-8")

    @classmethod
    def from_json(cls, body: bytes) -> Envelope:
        return cls.model_validate_json(body)

    def event(self, vault: Vault) -> Event:
        """The typed event, personal fields opened (or erased); the envelope's data is
        already at the current version."""
        return open_event(self.type, self.data, vault)

    @property
    def is_known(self) -> bool:
        return self.type in EVENT_TYPES


# A broker message's type (and routing key) when it carries many envelopes: a JSON
# array of consecutive envelopes, each as it would be alone.
BATCH_TYPE = "batch"
_BATCH: TypeAdapter[list[Envelope]] = TypeAdapter(list[Envelope])


def batch_body(envelopes: Sequence[Envelope]) -> bytes:
    return b"[" + b",".join(envelope.to_json() for envelope in envelopes) + b"]"


def envelopes_in(body: bytes) -> list[Envelope]:
    """The envelopes a broker message holds: one, or a batch's (ValidationError if
    the body is neither)."""
    if body.lstrip()[:1] == b"[":
        return _BATCH.validate_json(body)
    return [Envelope.from_json(body)]


@dataclass(frozen=True)
class Undecodable:
    """A stored event this code cannot read (unknown type, bad shape): kept in the
    chain of positions so readers dead-letter it instead of waiting for it."""

    position: int
    previous_position: int | None
    stream_id: UUID
    stream_version: int
    type: str | None
    reason: str
    body: str


@dataclass(frozen=True)
class Watermark:
    """A link in a partition's chain that carries no event: the partition holds
    nothing between ``previous_position`` and ``position``. The relay sends one to each
    partition a batch left without its last event, so every partition is known to
    have passed the batch's end (read-your-writes across partitions)."""

    position: int
    previous_position: int

    def to_json(self) -> bytes:
        return json.dumps(
            {"position": self.position, "previous_position": self.previous_position}
        ).encode()

    @classmethod
    def from_json(cls, body: bytes) -> Watermark:
        try:
            document = json.loads(body)
            return cls(int(document["position"]), int(document["previous_position"]))
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"malformed watermark: {exc}") from exc


# A broker message's type when it is a watermark.
WATERMARK_TYPE = "watermark"

Item = Envelope | Undecodable | Watermark


def envelopes_from(
    notifications: Sequence[Notification], previous_position: int, vault: Vault
) -> list[Envelope | Undecodable]:
    """Envelopes for notifications read in order after ``previous_position``."""
    result: list[Envelope | Undecodable] = []
    for notification in notifications:
        try:
            item: Envelope | Undecodable = Envelope.from_stored(
                position=notification.id,
                previous_position=previous_position,
                stream_id=notification.originator_id,
                stream_version=notification.originator_version,
                topic=notification.topic,
                state=notification.state,
                vault=vault,
            )
        except (UnknownEventType, UndecodableEvent, ValidationError) as exc:
            item = Undecodable(
                position=notification.id,
                previous_position=previous_position,
                stream_id=notification.originator_id,
                stream_version=notification.originator_version,
                type=notification.topic,
                reason=f"{type(exc).__name__}: {exc}",
                body=notification.state.decode("utf-8", errors="replace"),
            )
        result.append(item)
        previous_position = notification.id
    return result


def read_keys_ahead(items: Iterable[Item], vault: Vault) -> None:
    """Reads the keys these envelopes' sealed fields need in one go, before they are
    opened one by one."""
    vault.prefetch(item.data for item in items if isinstance(item, Envelope))
