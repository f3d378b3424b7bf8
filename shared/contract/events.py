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
    """Version 2 added the business date of enrolment; a version-1 enrolment has none
    (``None``: enrolled before enrolment dates were recorded)."""

    VERSION = 2
    group_id: UUID
    name: str
    category: MemberCategory
    status: MembershipStatus
    holds_office: bool
    phone: str | None = None
    enrolled_on: date | None = None


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
class HouseholdErased(Event):
    """The household's personal fields were erased on request (it moved away, or asked):
    their key is destroyed, so every event's copy of them reads as erased."""

    erased_on: date
    reason: str


@event_type
@dataclass(frozen=True, kw_only=True)
class HouseholdLinked(Event):
    member_id: UUID
    # The day the member took the household on; None in events recorded before the
    # field existed, which mean the day they were recorded.
    linked_on: date | None = None


@event_type
@dataclass(frozen=True, kw_only=True)
class VisitScheduleSet(Event):
    """How often linked households are to be visited, from ``set_on``: the branch's
    default (no tag, no household), a tag's, or one household's; ``every_days`` None
    clears that scope's own schedule. Recorded on the branch's stream."""

    every_days: int | None
    tag: str | None = None
    household_id: UUID | None = None
    set_on: date


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
class VisitCorrected(Event):
    """A visit's record as it should have been, and why; the original stays in history."""

    visited_on: date
    purpose: str
    notes: str | None
    reason: str


@event_type
@dataclass(frozen=True, kw_only=True)
class VisitRetracted(Event):
    """A visit recorded in error; it no longer counts, and its history stays."""

    reason: str


@event_type
@dataclass(frozen=True, kw_only=True)
class MemberRated(Event):
    """Version 2 added the named shortcomings and improvement plan a low grade needs."""

    VERSION = 2
    member_id: UUID
    year: int
    grade: Grade
    remarks: str | None = None
    shortcomings: tuple[str, ...] = ()
    improvement_plan: str | None = None


# Roster life cycle: a member's move is recorded on the member and on each group
# involved, so each aggregate can keep its own rules (a group is dissolved only when
# empty; a leader is a member of the group).


@event_type
@dataclass(frozen=True, kw_only=True)
class GroupMemberAdded(Event):
    member_id: UUID


@event_type
@dataclass(frozen=True, kw_only=True)
class GroupMemberRemoved(Event):
    member_id: UUID


@event_type
@dataclass(frozen=True, kw_only=True)
class GroupMeetingHeld(Event):
    """A meeting of the group (党小组会) and the members who attended it."""

    held_on: date
    topic: str
    attendee_ids: tuple[UUID, ...]
    notes: str | None = None


@event_type
@dataclass(frozen=True, kw_only=True)
class GroupDissolved(Event):
    dissolved_on: date
    reason: str | None = None


@event_type
@dataclass(frozen=True, kw_only=True)
class MemberTransferred(Event):
    from_group_id: UUID
    to_group_id: UUID
    transferred_on: date
    reason: str | None = None


@event_type
@dataclass(frozen=True, kw_only=True)
class MemberLeft(Event):
    reason: DepartureReason
    left_on: date
    notes: str | None = None


@event_type
@dataclass(frozen=True, kw_only=True)
class VolunteerTeamJoined(Event):
    joined_on: date


@event_type
@dataclass(frozen=True, kw_only=True)
class VolunteerTeamLeft(Event):
    left_on: date


@event_type
@dataclass(frozen=True, kw_only=True)
class PostRelieved(Event):
    member_id: UUID
    relieved_on: date
    reason: str | None = None


@event_type
@dataclass(frozen=True, kw_only=True)
class HouseholdUnlinked(Event):
    member_id: UUID
    unlinked_on: date
    reason: str | None = None


# The member's side of a link (the household's side is HouseholdLinked/Unlinked):
# the member's own rules (duty reports are for members who link households, links
# end when a member leaves) need to know them.


@event_type
@dataclass(frozen=True, kw_only=True)
class LinkedHouseholdAdded(Event):
    household_id: UUID


@event_type
@dataclass(frozen=True, kw_only=True)
class LinkedHouseholdRemoved(Event):
    household_id: UUID


@event_type
@dataclass(frozen=True, kw_only=True)
class DutyReportSubmitted(Event):
    period: str  # a half year: "2009H2"
    audience: ReportAudience
    submitted_on: date
    summary: str


@event_type
@dataclass(frozen=True, kw_only=True)
class TalkRecorded(Event):
    """A heart-to-heart talk (谈心谈话) with the member."""

    held_by: str
    held_on: date
    notes: str


@event_type
@dataclass(frozen=True, kw_only=True)
class RewardGranted(Event):
    kind: RewardKind
    reason: str
    granted_on: date


# Campaigns (集中活动) and their countable outputs.


@event_type
@dataclass(frozen=True, kw_only=True)
class CampaignLaunched(Event):
    title: str
    purpose: str
    starts_on: date
    ends_on: date | None = None


@event_type
@dataclass(frozen=True, kw_only=True)
class CampaignOutputRecorded(Event):
    metric: str  # alleys_cleared, leaflets_distributed, households_visited, ...
    quantity: int
    recorded_on: date
    member_ids: tuple[UUID, ...] = ()
    volunteers: int = 0
    notes: str | None = None


@event_type
@dataclass(frozen=True, kw_only=True)
class CampaignClosed(Event):
    closed_on: date
    summary: str | None = None


# Residents' requests (诉求).


@event_type
@dataclass(frozen=True, kw_only=True)
class NeedRaised(Event):
    household_id: UUID
    category: NeedCategory
    description: str
    raised_on: date
    due_on: date
    visit_id: UUID | None = None
    raised_by_member_id: UUID | None = None


@event_type
@dataclass(frozen=True, kw_only=True)
class NeedAssigned(Event):
    member_id: UUID
    assigned_on: date


@event_type
@dataclass(frozen=True, kw_only=True)
class NeedResolved(Event):
    resolved_on: date
    outcome: str


# Democratic appraisal (民主评议): on the branch's appraisal stream of the year.


@event_type
@dataclass(frozen=True, kw_only=True)
class AppraisalOpened(Event):
    year: int
    opened_on: date
    excellent_share: float


@event_type
@dataclass(frozen=True, kw_only=True)
class BallotCast(Event):
    """Anonymous: the kind of voter, never who."""

    member_id: UUID
    voter_kind: VoterKind
    grade: Grade


@event_type
@dataclass(frozen=True, kw_only=True)
class AppraisalClosed(Event):
    closed_on: date


# Care for members in hardship (困难党员结对帮扶).


@event_type
@dataclass(frozen=True, kw_only=True)
class HardshipFlagged(Event):
    member_id: UUID
    kind: HardshipKind
    description: str
    flagged_on: date


@event_type
@dataclass(frozen=True, kw_only=True)
class HelperPaired(Event):
    helper_id: UUID
    paired_on: date


@event_type
@dataclass(frozen=True, kw_only=True)
class AssistanceRecorded(Event):
    assisted_on: date
    description: str
    helper_id: UUID | None = None


@event_type
@dataclass(frozen=True, kw_only=True)
class HardshipClosed(Event):
    closed_on: date
    outcome: str


# Who saw what: exports of records are themselves recorded.


@event_type
@dataclass(frozen=True, kw_only=True)
class ExportRecorded(Event):
    what: str  # "coverage.xlsx", "summary-2009.docx", "audit.ndjson"
    filters: str = ""


@event_type
@dataclass(frozen=True, kw_only=True)
class ReminderSent(Event):
    """A reminder reached ``whom`` (``member:<id>`` or ``secretary``) about ``what``
    (``visit:<household>``, ``report:<member>:<period>``, ``need:<id>``) due on
    ``due_on``: ``kind`` is ``upcoming`` or ``overdue``; ``channels`` those it went by."""

    what: str
    whom: str
    due_on: date
    kind: str
    channels: tuple[str, ...]
    attempts: int


@event_type
@dataclass(frozen=True, kw_only=True)
class ReminderFailed(Event):
    """A reminder that could not be delivered after every attempt (it is still in the
    in-app inbox); ``reason`` is the last channel's error."""

    what: str
    whom: str
    due_on: date
    kind: str
    channels: tuple[str, ...]
    attempts: int
    reason: str
