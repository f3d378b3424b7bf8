"""Commands: what a client asks for, named by intent. Ids are chosen before the
command is handled (by the client or the API), so a retried command is the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from shared.contract.vocabulary import (
    Grade,
    GroupBasis,
    MemberCategory,
    MembershipStatus,
    PostKind,
)


@dataclass(frozen=True, kw_only=True)
class Command:
    branch_id: UUID


@dataclass(frozen=True, kw_only=True)
class RegisterBranch(Command):
    name: str


@dataclass(frozen=True, kw_only=True)
class FormGroup(Command):
    group_id: UUID
    name: str
    basis: GroupBasis


@dataclass(frozen=True, kw_only=True)
class EnrollMember(Command):
    member_id: UUID
    group_id: UUID
    name: str
    category: MemberCategory
    status: MembershipStatus
    holds_office: bool
    phone: str | None


@dataclass(frozen=True, kw_only=True)
class AppointGroupLeader(Command):
    group_id: UUID
    member_id: UUID


@dataclass(frozen=True, kw_only=True)
class EstablishPost(Command):
    post_id: UUID
    kind: PostKind
    title: str
    duties: str
    capacity: int | None


@dataclass(frozen=True, kw_only=True)
class AssignPost(Command):
    post_id: UUID
    member_id: UUID
    service_content: str
    pledge: str


@dataclass(frozen=True, kw_only=True)
class RegisterHousehold(Command):
    household_id: UUID
    address: str
    area: str
    head_name: str
    phone: str | None
    tags: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class LinkHousehold(Command):
    household_id: UUID
    member_id: UUID


@dataclass(frozen=True, kw_only=True)
class RecordVisit(Command):
    visit_id: UUID
    member_id: UUID
    household_id: UUID
    visited_on: date
    purpose: str
    notes: str | None


@dataclass(frozen=True, kw_only=True)
class RateMember(Command):
    member_id: UUID
    year: int
    grade: Grade
    remarks: str | None
