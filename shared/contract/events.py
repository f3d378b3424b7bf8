"""Domain events as stored and published. Past tense, versioned, and never changing
meaning: a new shape gets a new version and an upcaster in ``codec``.

Every event also carries metadata (branch, actor, times, correlation and causation
ids) in its envelope; the payloads here hold only the business facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar, TypeVar
from uuid import UUID

from shared.contract.vocabulary import (
    Grade,
    GroupBasis,
    MemberCategory,
    MembershipStatus,
    PostKind,
)


@dataclass(frozen=True, kw_only=True)
class Event:
    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1


EVENT_TYPES: dict[str, type[Event]] = {}

E = TypeVar("E", bound=type[Event])


def event_type(cls: E) -> E:
    """Registers an event class under its contract name (the class name)."""
    name = cls.__name__
    if name in EVENT_TYPES:
        raise TypeError(f"event type {name} registered twice")
    cls.TYPE = name
    EVENT_TYPES[name] = cls
    return cls


@event_type
@dataclass(frozen=True, kw_only=True)
class BranchRegistered(Event):
    name: str


@event_type
@dataclass(frozen=True, kw_only=True)
class GroupFormed(Event):
    name: str
    basis: GroupBasis


@event_type
@dataclass(frozen=True, kw_only=True)
class GroupLeaderAppointed(Event):
    member_id: UUID


@event_type
@dataclass(frozen=True, kw_only=True)
class MemberEnrolled(Event):
    group_id: UUID
    name: str
    category: MemberCategory
    status: MembershipStatus
    holds_office: bool
    phone: str | None = None


@event_type
@dataclass(frozen=True, kw_only=True)
class PostEstablished(Event):
    kind: PostKind
    title: str
    duties: str
    capacity: int | None = None


@event_type
@dataclass(frozen=True, kw_only=True)
class PostAssigned(Event):
    member_id: UUID
    service_content: str
    pledge: str


@event_type
@dataclass(frozen=True, kw_only=True)
class HouseholdRegistered(Event):
    address: str
    area: str
    head_name: str
    phone: str | None = None
    tags: tuple[str, ...] = ()


@event_type
@dataclass(frozen=True, kw_only=True)
class HouseholdLinked(Event):
    member_id: UUID


@event_type
@dataclass(frozen=True, kw_only=True)
class VisitRecorded(Event):
    member_id: UUID
    household_id: UUID
    visited_on: date
    purpose: str
    notes: str | None = None


@event_type
@dataclass(frozen=True, kw_only=True)
class MemberRated(Event):
    member_id: UUID
    year: int
    grade: Grade
    remarks: str | None = None
