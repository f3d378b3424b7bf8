"""Commands: what a client asks for, named by intent. Ids are chosen before the
command is handled (by the client or the API), so a retried command is the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from shared.contract.vocabulary import (
    DepartureReason,
    Grade,
    GroupBasis,
    HardshipKind,
    MemberCategory,
    MembershipStatus,
    NeedCategory,
    PostKind,
    ReportAudience,
    RewardKind,
    VoterKind,
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
    enrolled_on: date | None = None  # None: today


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
class EraseHousehold(Command):
    household_id: UUID
    erased_on: date
    reason: str


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
class CorrectVisit(Command):
    visit_id: UUID
    visited_on: date | None
    purpose: str | None
    notes: str | None
    reason: str
    by_secretary: bool


@dataclass(frozen=True, kw_only=True)
class RetractVisit(Command):
    visit_id: UUID
    reason: str
    by_secretary: bool


@dataclass(frozen=True, kw_only=True)
class RateMember(Command):
    member_id: UUID
    year: int
    grade: Grade
    remarks: str | None
    shortcomings: tuple[str, ...] = ()
    improvement_plan: str | None = None


@dataclass(frozen=True, kw_only=True)
class TransferMember(Command):
    member_id: UUID
    group_id: UUID
    transferred_on: date
    reason: str | None


@dataclass(frozen=True, kw_only=True)
class MemberLeaves(Command):
    member_id: UUID
    reason: DepartureReason
    left_on: date
    notes: str | None


@dataclass(frozen=True, kw_only=True)
class JoinVolunteerTeam(Command):
    member_id: UUID
    joined_on: date


@dataclass(frozen=True, kw_only=True)
class LeaveVolunteerTeam(Command):
    member_id: UUID
    left_on: date


@dataclass(frozen=True, kw_only=True)
class RelievePost(Command):
    post_id: UUID
    member_id: UUID
    relieved_on: date
    reason: str | None


@dataclass(frozen=True, kw_only=True)
class UnlinkHousehold(Command):
    household_id: UUID
    unlinked_on: date
    reason: str | None


@dataclass(frozen=True, kw_only=True)
class DissolveGroup(Command):
    group_id: UUID
    dissolved_on: date
    reason: str | None


@dataclass(frozen=True, kw_only=True)
class LaunchCampaign(Command):
    campaign_id: UUID
    title: str
    purpose: str
    starts_on: date
    ends_on: date | None


@dataclass(frozen=True, kw_only=True)
class RecordCampaignOutput(Command):
    campaign_id: UUID
    metric: str
    quantity: int
    recorded_on: date
    member_ids: tuple[UUID, ...]
    volunteers: int
    notes: str | None


@dataclass(frozen=True, kw_only=True)
class CloseCampaign(Command):
    campaign_id: UUID
    closed_on: date
    summary: str | None


@dataclass(frozen=True, kw_only=True)
class RaiseNeed(Command):
    need_id: UUID
    household_id: UUID
    category: NeedCategory
    description: str
    raised_on: date
    due_on: date
    visit_id: UUID | None
    raised_by_member_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class AssignNeed(Command):
    need_id: UUID
    member_id: UUID
    assigned_on: date


@dataclass(frozen=True, kw_only=True)
class ResolveNeed(Command):
    need_id: UUID
    resolved_on: date
    outcome: str


@dataclass(frozen=True, kw_only=True)
class SubmitDutyReport(Command):
    member_id: UUID
    period: str
    audience: ReportAudience
    submitted_on: date
    summary: str


@dataclass(frozen=True, kw_only=True)
class OpenAppraisal(Command):
    year: int
    opened_on: date
    excellent_share: float


@dataclass(frozen=True, kw_only=True)
class CastBallot(Command):
    year: int
    member_id: UUID
    voter_kind: VoterKind
    grade: Grade


@dataclass(frozen=True, kw_only=True)
class CloseAppraisal(Command):
    year: int
    closed_on: date


@dataclass(frozen=True, kw_only=True)
class RecordTalk(Command):
    member_id: UUID
    held_by: str
    held_on: date
    notes: str


@dataclass(frozen=True, kw_only=True)
class GrantReward(Command):
    member_id: UUID
    kind: RewardKind
    reason: str
    granted_on: date


@dataclass(frozen=True, kw_only=True)
class FlagHardship(Command):
    hardship_id: UUID
    member_id: UUID
    kind: HardshipKind
    description: str
    flagged_on: date


@dataclass(frozen=True, kw_only=True)
class PairHelper(Command):
    hardship_id: UUID
    helper_id: UUID
    paired_on: date


@dataclass(frozen=True, kw_only=True)
class RecordAssistance(Command):
    hardship_id: UUID
    assisted_on: date
    description: str
    helper_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class CloseHardship(Command):
    hardship_id: UUID
    closed_on: date
    outcome: str


@dataclass(frozen=True, kw_only=True)
class RecordExport(Command):
    """Asked by the query side (no route of its own) whenever records leave it."""

    export_id: UUID
    what: str
    filters: str
