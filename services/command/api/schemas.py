"""Request and response bodies of the v1 command API. Field names are the public
contract; unknown fields are refused so that typos do not pass silently."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.contract.vocabulary import (
    Grade,
    GroupBasis,
    MemberCategory,
    MembershipStatus,
    PostKind,
)

# Control characters have no place in a name and break some stores (PostgreSQL text
# cannot hold NUL); free text may keep tabs and line breaks.
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def _text(max_length: int, pattern: str = ONE_LINE) -> StringConstraints:
    return StringConstraints(
        strip_whitespace=True, min_length=1, max_length=max_length, pattern=pattern
    )


Name = Annotated[str, _text(100)]
Title = Annotated[str, _text(200)]
LongText = Annotated[str, _text(4000, MULTI_LINE)]
Tag = Annotated[str, _text(50)]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 ()-]{2,31}$")
]
Year = Annotated[int, Field(ge=1921, le=2200)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CreationBody(Body):
    id: UUID | None = Field(default=None, description="Optional client-chosen id.")


class RegisterBranchBody(CreationBody):
    name: Name


class FormGroupBody(CreationBody):
    name: Name
    basis: GroupBasis


class EnrollMemberBody(CreationBody):
    name: Name
    category: MemberCategory
    status: MembershipStatus
    group_id: UUID
    holds_office: bool
    phone: Phone | None = None


class AppointGroupLeaderBody(Body):
    member_id: UUID


class EstablishPostBody(CreationBody):
    kind: PostKind
    title: Title
    duties: LongText
    capacity: Annotated[int, Field(ge=1, le=10_000)] | None = Field(
        default=None, description="How many members may hold the post; none means no limit."
    )


class AssignPostBody(Body):
    member_id: UUID
    service_content: LongText
    pledge: LongText


class RegisterHouseholdBody(CreationBody):
    address: Title
    area: Name = Field(description="The alley (巷道) or grid the household belongs to.")
    head_name: Name
    phone: Phone | None = None
    tags: Annotated[list[Tag], Field(max_length=20)] = Field(default_factory=list)


class LinkHouseholdBody(Body):
    member_id: UUID


class RecordVisitBody(CreationBody):
    member_id: UUID
    household_id: UUID
    visited_on: date
    purpose: Title
    notes: LongText | None = None


class RateMemberBody(Body):
    year: Year
    grade: Grade
    remarks: LongText | None = None


class WriteResult(BaseModel):
    id: UUID = Field(description="The aggregate written.")
    version: int = Field(description="Its version after the write.")
    position: int = Field(
        description="Global event-store position of the last event written; pass it as "
        "min_position to a query to read your own write."
    )
