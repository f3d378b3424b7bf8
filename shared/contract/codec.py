"""How an event is stored: the topic column holds the contract name, the state column
UTF-8 JSON ``{"v": <schema version>, "data": {...}, "meta": {...}}`` — encrypted with
the store cipher when one is configured, and with a household's personal fields sealed
under its own key (``shared.contract.sealing``).

Old schema versions are upcast on the way out, so aggregates, the relay and rebuilds
all see the current shape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from pydantic import TypeAdapter, ValidationError

from shared.contract.events import EVENT_TYPES, Event
from shared.contract.sealing import SealingError, Vault

JSONObject = dict[str, Any]
Upcaster = Callable[[JSONObject], JSONObject]


def _rated_v1_to_v2(data: JSONObject) -> JSONObject:
    # Version 1 had no place for shortcomings: none were named.
    return {**data, "shortcomings": [], "improvement_plan": None}


def _enrolled_v1_to_v2(data: JSONObject) -> JSONObject:
    # Version 1 recorded no enrolment date: unknown, so the member counts from the start.
    return {**data, "enrolled_on": None}


# (event type, stored version) -> function giving the data of the next version.
UPCASTERS: dict[tuple[str, int], Upcaster] = {
    ("MemberRated", 1): _rated_v1_to_v2,
    ("MemberEnrolled", 1): _enrolled_v1_to_v2,
}


class UnknownEventType(LookupError):
    pass


class UndecodableEvent(ValueError):
    pass


@dataclass(frozen=True, kw_only=True)
class EventMeta:
    """Who did it, when, and why (which request and which command caused it)."""

    branch_id: UUID | None
    actor: str
    occurred_at: datetime
    correlation_id: UUID
    causation_id: UUID


@dataclass(frozen=True)
class DecodedEvent:
    event: Event
    meta: EventMeta


def encode(event: Event, meta: EventMeta, stream_id: UUID, vault: Vault) -> tuple[str, bytes]:
    """The (topic, state) pair to store for an event of the stream (the data subject
    whose personal fields it seals)."""
    data = payload_adapter(type(event)).dump_python(event, mode="json")
    document = {
        "v": event.VERSION,
        "data": vault.seal_fields(event.TYPE, stream_id, data),
        "meta": _META.dump_python(meta, mode="json"),
    }
    return event.TYPE, vault.seal_state(dumps(document))


def decode(topic: str, state: bytes, vault: Vault) -> DecodedEvent:
    """The current-version event (personal fields opened, or erased) and its metadata
    from a stored (topic, state) pair."""
    document = parse_document(topic, state, vault)
    try:
        meta = _META.validate_python(document["meta"])
    except ValidationError as exc:
        raise UndecodableEvent(f"{topic}: {exc}") from exc
    return DecodedEvent(open_event(topic, document["data"], vault), meta)


def open_event(topic: str, data: JSONObject, vault: Vault) -> Event:
    """The typed event from current-version data whose personal fields may be sealed."""
    try:
        return payload_adapter(EVENT_TYPES[topic]).validate_python(vault.open_fields(data))
    except (ValidationError, SealingError) as exc:
        raise UndecodableEvent(f"{topic}: {exc}") from exc


def parse_document(topic: str, state: bytes, vault: Vault) -> JSONObject:
    """The stored JSON document (decrypted; personal fields still sealed), upcast to the
    current version of its event type."""
    cls = EVENT_TYPES.get(topic)
    if cls is None:
        raise UnknownEventType(topic)
    try:
        document = orjson.loads(vault.open_state(state))
        version = int(document["v"])
        data = document["data"]
    except (ValueError, KeyError, TypeError) as exc:  # SealingError is a ValueError
        raise UndecodableEvent(f"{topic}: {exc}") from exc
    while version < cls.VERSION:
        upcast = UPCASTERS.get((topic, version))
        if upcast is None:
            raise UndecodableEvent(f"{topic}: no upcaster from version {version}")
        data = upcast(data)
        version += 1
    if version > cls.VERSION:
        raise UndecodableEvent(f"{topic}: version {version} is newer than this code")
    return {"v": version, "data": data, "meta": document.get("meta")}


def dumps(value: object) -> bytes:
    """Compact UTF-8 JSON: Chinese text stays as it is, not as \\u escapes."""
    return orjson.dumps(value)


_META: TypeAdapter[EventMeta] = TypeAdapter(EventMeta)


_ADAPTERS: dict[type[Event], TypeAdapter[Event]] = {}


def payload_adapter(cls: type[Event]) -> TypeAdapter[Event]:
    """Pydantic's (de)serialiser for an event's payload, built once per type."""
    adapter = _ADAPTERS.get(cls)
    if adapter is None:
        adapter = _ADAPTERS[cls] = TypeAdapter(cls)
    return adapter
