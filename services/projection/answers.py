"""Response bodies of the v1 query API. Every answer says which event-store position
it reflects (``position``), so a client can tell how fresh it is."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.auth import Role
from shared.contract.vocabulary import Grade, VoterKind


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
    volunteer: bool
    posts: list[PostRef]
    linked_households: int


class GroupMeeting(BaseModel):
    held_on: date
    topic: str
    attendees: int


class RosterGroup(BaseModel):
    id: UUID
    name: str
    basis: str
    leader_id: UUID | None
    members: list[RosterMember]
    meetings: list[GroupMeeting]  # 党小组会, the latest first


class RosterTotals(BaseModel):
    members: int
    by_category: dict[str, int]
    by_status: dict[str, int]


class VolunteerEntry(BaseModel):
    id: UUID
    name: str
    group_id: UUID
    since: date


class DepartedMember(BaseModel):
    id: UUID
    name: str
    category: str
    left_on: date
    reason: str


class DissolvedGroup(BaseModel):
    id: UUID
    name: str
    dissolved_on: date


class HardshipPair(BaseModel):
    id: UUID
    member_id: UUID
    member_name: str
    kind: str
    description: str
    flagged_on: date
    helper_id: UUID | None
    helper_name: str | None
    paired_on: date | None
    assistance_count: int
    last_assisted_on: date | None
    closed_on: date | None
    outcome: str | None


class Roster(ReadAnswer):
    branch_id: UUID
    name: str
    groups: list[RosterGroup]
    totals: RosterTotals = Field(description="Members still in the branch.")
    volunteer_team: list[VolunteerEntry]
    departed: list[DepartedMember]
    dissolved_groups: list[DissolvedGroup]
    hardships: list[HardshipPair]


class BranchRef(BaseModel):
    id: UUID
    name: str


class Branches(ReadAnswer):
    branches: list[BranchRef]


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
    linked_since: datetime | None = Field(
        description="when the current link was recorded (linking names no business date)"
    )
    last_visited_on: date | None
    erased: bool = Field(
        description="its personal fields were erased on request: they read as 已删除 for good"
    )


class CoverageHouseholds(ReadAnswer):
    model_config = ConfigDict(populate_by_name=True)
    branch_id: UUID
    visited: bool
    from_: date | None = Field(alias="from", serialization_alias="from")
    to: date | None
    total: int
    households: list[CoverageHousehold]


class BallotTally(BaseModel):
    total: int
    by_grade: dict[Grade, int]
    by_voter_kind: dict[VoterKind, dict[Grade, int]]


class DutyReport(BaseModel):
    period: str
    audience: str
    submitted_on: date
    summary: str


class Talk(BaseModel):
    held_by: str
    held_on: date
    notes: str


class Reward(BaseModel):
    kind: str
    reason: str
    granted_on: date


class EvaluatedMember(BaseModel):
    id: UUID
    name: str
    group_id: UUID
    status: str
    left_on: date | None
    links_households: bool
    ballots: BallotTally
    grade: Grade | None
    remarks: str | None
    shortcomings: list[str]
    improvement_plan: str | None
    duty_reports: dict[str, DutyReport | None] = Field(
        description="Keyed by half year (2009H1, 2009H2); null where none was submitted."
    )
    talks: list[Talk] = Field(description="Talks held in the year or after it.")
    rewards: list[Reward] = Field(description="Rewards granted in the year.")


class AppraisalSummary(BaseModel):
    opened_on: date
    closed_on: date | None
    excellent_share: float
    ballots: int


class GroupDistribution(BaseModel):
    id: UUID
    name: str
    distribution: dict[Grade, int]


class MemberRef(BaseModel):
    id: UUID
    name: str


class ReportDue(MemberRef):
    period: str


class AwaitingTalk(MemberRef):
    grade: Grade


class Evaluations(ReadAnswer):
    branch_id: UUID
    year: int
    appraisal: AppraisalSummary | None
    distribution: dict[Grade, int]
    distribution_by_group: list[GroupDistribution]
    rated: int
    members: list[EvaluatedMember]
    awaiting_talk: list[AwaitingTalk] = Field(
        description="Graded basically qualified or unqualified, and no talk recorded since."
    )
    duty_reports_overdue: list[ReportDue] = Field(
        description="Members linking households with no report for a half year that has ended."
    )


class CampaignOutput(BaseModel):
    metric: str
    quantity: int
    recorded_on: date
    member_ids: list[UUID]
    volunteers: int
    notes: str | None


class Campaign(BaseModel):
    id: UUID
    title: str
    purpose: str
    starts_on: date
    ends_on: date | None
    closed_on: date | None
    summary: str | None
    tallies: dict[str, int]
    participants: int = Field(description="Distinct members who took part.")
    volunteers: int = Field(description="Volunteers counted across the outputs.")
    outputs: list[CampaignOutput]


class Campaigns(ReadAnswer):
    branch_id: UUID
    campaigns: list[Campaign]
    totals: dict[str, int]


class NeedCounts(BaseModel):
    open: int = 0
    overdue: int = Field(default=0, description="Open and past their due date (also open).")
    resolved: int = 0


class AreaNeeds(NeedCounts):
    area: str


class MemberNeeds(NeedCounts):
    member_id: UUID
    name: str


class NeedEntry(BaseModel):
    id: UUID
    household_id: UUID
    address: str
    area: str
    category: str
    description: str
    raised_on: date
    due_on: date
    overdue: bool
    assigned_member_id: UUID | None
    assigned_member_name: str | None
    resolved_on: date | None
    outcome: str | None


class Needs(ReadAnswer):
    branch_id: UUID
    on: date = Field(description="The day overdue is judged on.")
    status: str
    counts: NeedCounts
    by_area: list[AreaNeeds]
    by_member: list[MemberNeeds]
    needs: list[NeedEntry]


class MonthVisits(BaseModel):
    month: str
    visits: int
    by_purpose: dict[str, int]


class VisitsByMonth(ReadAnswer):
    branch_id: UUID
    year: int
    months: list[MonthVisits]


class ProjectionStatus(BaseModel):
    name: str
    generation: int
    position: int
    lag: int = Field(description="Events in the store not yet applied.")
    dead_letters: int


class ProjectionsStatus(BaseModel):
    head: int
    projections: list[ProjectionStatus]


class WhoAmI(BaseModel):
    subject: str
    role: Role
    branch_id: UUID | None
    member_id: UUID | None
    group_id: UUID | None
    grants: list[str]
    expires_at: datetime | None
    may: list[str] = Field(description="The endpoints (route names) this role may use.")


class DueVisit(BaseModel):
    household_id: UUID
    address: str
    area: str
    member_id: UUID
    member_name: str
    group_id: UUID
    every_days: int
    last_visited_on: date | None
    due_on: date
    standing: str = Field(description="overdue, or due (within the window)")


class UnvisitedHousehold(BaseModel):
    household_id: UUID
    address: str
    area: str
    member_id: UUID
    member_name: str
    group_id: UUID
    last_visited_on: date | None


class DueReport(BaseModel):
    member_id: UUID
    member_name: str
    group_id: UUID
    period: str
    due_on: date
    standing: str


class OverdueNeed(BaseModel):
    need_id: UUID
    household_id: UUID
    address: str
    area: str
    category: str
    due_on: date
    assigned_member_id: UUID | None
    assigned_member_name: str | None


class AwaitedTalk(BaseModel):
    member_id: UUID
    member_name: str
    group_id: UUID
    year: int
    grade: Grade
    since: date = Field(description="When the appraisal closed: a talk on or after it counts.")


class UnassistedHardship(BaseModel):
    hardship_id: UUID
    member_id: UUID
    member_name: str
    kind: str
    helper_id: UUID | None
    helper_name: str | None
    since: date = Field(description="The last help given, or when it was flagged.")


class WorkCounts(BaseModel):
    visits_overdue: int = 0
    visits_due: int = 0
    scheduled_households: int = 0
    unvisited: int = 0
    reports_overdue: int = 0
    reports_due: int = 0
    needs_overdue: int = 0
    talks_awaited: int = 0
    hardships_unassisted: int = 0


class Work(ReadAnswer):
    """What is due and overdue on ``today``, for the branch or the part asked about."""

    branch_id: UUID
    today: date
    within_days: int
    unvisited_days: int | None
    hardship_days: int
    counts: WorkCounts
    on_schedule_share: float | None = Field(
        description="Share of scheduled households not overdue (None: none scheduled)."
    )
    visits: list[DueVisit]
    unvisited: list[UnvisitedHousehold]
    duty_reports: list[DueReport]
    needs: list[OverdueNeed]
    talks: list[AwaitedTalk]
    hardships: list[UnassistedHardship]
