"""Response bodies of the v1 query API. Every answer says which event-store position
it reflects (``position``), so a client can tell how fresh it is."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.contract.vocabulary import Grade


class ReadAnswer(BaseModel):
    position: int = Field(description="Event-store position this answer reflects.")


class PostRef(BaseModel):
    id: UUID
    kind: str
    title: str


class RosterMember(BaseModel):
    id: UUID
    name: str
    category: str
    status: str
    holds_office: bool
    posts: list[PostRef]
    linked_households: int


class RosterGroup(BaseModel):
    id: UUID
    name: str
    basis: str
    leader_id: UUID | None
    members: list[RosterMember]


class RosterTotals(BaseModel):
    members: int
    by_category: dict[str, int]
    by_status: dict[str, int]


class Roster(ReadAnswer):
    branch_id: UUID
    name: str
    groups: list[RosterGroup]
    totals: RosterTotals


class PostHolder(BaseModel):
    member_id: UUID
    name: str
    service_content: str
    pledge: str


class Post(BaseModel):
    id: UUID
    kind: str
    title: str
    duties: str
    capacity: int | None
    holders: list[PostHolder]


class PostsBoard(ReadAnswer):
    branch_id: UUID
    posts: list[Post]


class CoverageCounts(BaseModel):
    households: int
    linked: int
    visited: int = Field(description="Households with at least one visit in the window.")
    coverage: float = Field(description="visited / households (0 when there are none).")
    visits: int


class GroupCoverage(CoverageCounts):
    id: UUID
    name: str


class MemberCoverage(CoverageCounts):
    id: UUID
    name: str
    group_id: UUID


class AreaCoverage(CoverageCounts):
    area: str


class Coverage(ReadAnswer, CoverageCounts):
    model_config = ConfigDict(populate_by_name=True)
    branch_id: UUID
    from_: date | None = Field(alias="from", serialization_alias="from")
    to: date | None
    groups: list[GroupCoverage]
    members: list[MemberCoverage]
    areas: list[AreaCoverage]


class CoverageHousehold(BaseModel):
    id: UUID
    address: str
    area: str
    head_name: str
    phone: str | None
    tags: list[str]
    linked_member_id: UUID | None
    linked_member_name: str | None
    last_visited_on: date | None


class CoverageHouseholds(ReadAnswer):
    model_config = ConfigDict(populate_by_name=True)
    branch_id: UUID
    visited: bool
    from_: date | None = Field(alias="from", serialization_alias="from")
    to: date | None
    total: int
    households: list[CoverageHousehold]


class EvaluatedMember(BaseModel):
    id: UUID
    name: str
    group_id: UUID
    status: str
    grade: Grade | None
    remarks: str | None


class Evaluations(ReadAnswer):
    branch_id: UUID
    year: int
    distribution: dict[Grade, int]
    rated: int
    members: list[EvaluatedMember]


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


class AuditPage(BaseModel):
    events: list[AuditEvent]
    next: int = Field(description="Pass as `after` for the next page.")


class StreamHistory(BaseModel):
    stream_id: UUID
    events: list[AuditEvent]


class ProjectionStatus(BaseModel):
    name: str
    generation: int
    position: int
    lag: int = Field(description="Events in the store not yet applied.")
    dead_letters: int


class ProjectionsStatus(BaseModel):
    head: int
    projections: list[ProjectionStatus]
