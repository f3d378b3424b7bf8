"""Request and response bodies of the v1 command API. Field names are the public
contract. Bodies are taken as they are written: unknown fields are refused so that
typos do not pass silently, and nothing is coerced (strict mode, with the body
validated as JSON: ``routers.JsonBodyRoute``), so a year is a number, a flag a
boolean and a date a "YYYY-MM-DD" string."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    StringConstraints,
)
from pydantic_core import core_schema

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

# Control characters have no place in a name and break some stores (PostgreSQL text
# cannot hold NUL); free text may keep tabs and line breaks.
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"

# Default-ignorable code points that are not format characters (Cf), and the blank
# Braille pattern: each renders as nothing, so a name of them alone is blank.
BLANK_MARKS = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0"
    + "".join(map(chr, range(0xFE00, 0xFE10)))
    + "".join(map(chr, range(0xE0100, 0xE01F0)))
)


def _shows(char: str) -> bool:
    """Whether a character shows: not whitespace, not a format character (zero-width
    spaces and joiners, the BOM, direction marks) nor another invisible one."""
    return not (char.isspace() or unicodedata.category(char) in ("Cf", "Cc") or char in BLANK_MARKS)


def _not_blank(text: str) -> str:
    if not any(map(_shows, text)):
        raise ValueError("must not be blank (it shows nothing)")
    return text


@dataclass(frozen=True)
class Text:
    """The one type of every text field, as ``Annotated[str, Text(100)]``: stripped of
    surrounding whitespace, not blank once invisible characters are set aside, at most
    ``max_length`` characters, and free of control characters (``lines``: but for
    tabs and line breaks)."""

    max_length: int
    lines: bool = False

    def __get_pydantic_core_schema__(
        self, source: object, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            _not_blank,
            core_schema.str_schema(
                strip_whitespace=True,
                min_length=1,
                max_length=self.max_length,
                pattern=MULTI_LINE if self.lines else ONE_LINE,
            ),
        )


Name = Annotated[str, Text(100)]
Title = Annotated[str, Text(200)]
LongText = Annotated[str, Text(4000, lines=True)]
Tag = Annotated[str, Text(50)]
Reason = Annotated[str, Text(1000, lines=True)]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 ()-]{2,31}$")
]
Year = Annotated[int, Field(ge=1921, le=2200)]


def _written_as_a_day(value: object) -> object:
    """Dates are "YYYY-MM-DD" (strict pydantic still reads "1257033600" as a moment)."""
    if not isinstance(value, str):
        return value  # and strict mode refuses it
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("a date is written YYYY-MM-DD")
    return date.fromisoformat(value)


Day = Annotated[date, BeforeValidator(_written_as_a_day)]
Period = Annotated[str, StringConstraints(pattern=r"^(19[2-9][0-9]|2[0-1][0-9]{2})H[12]$")]
Metric = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,49}$"),
    Field(
        description="What was counted, e.g. alleys_cleared, hutongs_cleared, "
        "rubbish_heaps_cleared, leaflets_distributed, households_visited."
    ),
]


class Body(BaseModel):
    """Every request body: strict, so nothing is coerced, and validated as the JSON it
    came as (``routers.JsonBodyRoute``), where strict means JSON's own types."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


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
    enrolled_on: Day | None = Field(
        default=None,
        description="When the member joined the branch (default today): the years they "
        "are appraised in and the roster on a date count from it.",
    )


class AppointGroupLeaderBody(Body):
    member_id: UUID = Field(description="A member of that group.")


class EstablishPostBody(CreationBody):
    kind: PostKind
    title: Title
    duties: LongText
    capacity: Annotated[int, Field(ge=1, le=10_000)] | None = Field(
        default=None, description="How many may hold it; none: no limit."
    )


class AssignPostBody(Body):
    member_id: UUID
    service_content: LongText
    pledge: LongText


class RegisterHouseholdBody(CreationBody):
    address: Title
    area: Name = Field(description="The alley or grid it belongs to, e.g. 一巷.")
    head_name: Name
    phone: Phone | None = None
    tags: Annotated[list[Tag], Field(max_length=20)] = Field(default_factory=list)


class LinkHouseholdBody(Body):
    member_id: UUID


class RecordVisitBody(CreationBody):
    member_id: UUID
    household_id: UUID
    visited_on: Day
    purpose: Title
    notes: LongText | None = None


class CorrectVisitBody(Body):
    visited_on: Day | None = None
    purpose: Title | None = None
    notes: LongText | None = None
    reason: Reason = Field(description="Why the record was wrong.")


class RetractVisitBody(Body):
    reason: Reason = Field(description="Why the visit should not count.")


class RateMemberBody(Body):
    year: Year
    grade: Grade
    remarks: LongText | None = None
    shortcomings: Annotated[list[Title], Field(max_length=20)] = Field(
        default_factory=list,
        description="Required for basically_qualified and unqualified.",
    )
    improvement_plan: LongText | None = None


class TransferMemberBody(Body):
    group_id: UUID
    transferred_on: Day
    reason: Reason | None = None


class MemberLeavesBody(Body):
    reason: DepartureReason
    left_on: Day
    notes: LongText | None = None


class JoinVolunteerTeamBody(Body):
    member_id: UUID
    joined_on: Day


class LeaveVolunteerTeamBody(Body):
    left_on: Day


class RelievePostBody(Body):
    member_id: UUID
    relieved_on: Day
    reason: Reason | None = None


class EraseHouseholdBody(Body):
    erased_on: Day
    reason: Reason = Field(description="Why: moved away, asked to be forgotten.")


class UnlinkHouseholdBody(Body):
    unlinked_on: Day
    reason: Reason | None = None


class DissolveGroupBody(Body):
    dissolved_on: Day
    reason: Reason | None = None


class LaunchCampaignBody(CreationBody):
    title: Title
    purpose: LongText
    starts_on: Day
    ends_on: Day | None = None


class RecordCampaignOutputBody(Body):
    metric: Metric
    quantity: Annotated[int, Field(ge=1, le=10_000_000)]
    recorded_on: Day
    member_ids: Annotated[list[UUID], Field(max_length=500)] = Field(default_factory=list)
    volunteers: Annotated[int, Field(ge=0, le=100_000)] = 0
    notes: LongText | None = None


class CloseCampaignBody(Body):
    closed_on: Day
    summary: LongText | None = None


class RaiseNeedBody(CreationBody):
    household_id: UUID
    category: NeedCategory
    description: LongText
    raised_on: Day
    due_on: Day | None = Field(
        default=None, description="Default: LIAISON_NEED_DUE_DAYS (30) days on."
    )
    visit_id: UUID | None = None
    raised_by_member_id: UUID | None = None


class AssignNeedBody(Body):
    member_id: UUID
    assigned_on: Day


class ResolveNeedBody(Body):
    resolved_on: Day
    outcome: LongText


class SubmitDutyReportBody(Body):
    period: Period = Field(description="The half year reported on, e.g. 2009H2.")
    audience: ReportAudience
    submitted_on: Day
    summary: LongText


class OpenAppraisalBody(Body):
    year: Year
    opened_on: Day
    excellent_share: Annotated[float, Field(gt=0, le=1)] | None = Field(
        default=None,
        description="The most who may be graded excellent; default LIAISON_EXCELLENT_SHARE (1/3).",
    )


class CastBallotBody(Body):
    member_id: UUID = Field(description="The member appraised, never the voter.")
    voter_kind: VoterKind
    grade: Grade


class CloseAppraisalBody(Body):
    closed_on: Day


class RecordTalkBody(Body):
    held_by: Name
    held_on: Day
    notes: LongText


class GrantRewardBody(Body):
    kind: RewardKind
    reason: LongText
    granted_on: Day


class FlagHardshipBody(CreationBody):
    member_id: UUID
    kind: HardshipKind
    description: LongText
    flagged_on: Day


class PairHelperBody(Body):
    helper_id: UUID
    paired_on: Day


class RecordAssistanceBody(Body):
    assisted_on: Day
    description: LongText
    helper_id: UUID | None = None


class CloseHardshipBody(Body):
    closed_on: Day
    outcome: LongText


class WriteResult(BaseModel):
    id: UUID = Field(description="The aggregate written.")
    version: int = Field(description="Its version after the write.")
    position: int = Field(
        description="Global event-store position of the last event written; pass it as "
        "min_position to a query to read your own write."
    )
