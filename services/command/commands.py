"""Every command, declared once: its fields are the request (the path's ids and the
JSON body), its class name the intent and, in snake case, the endpoint's operation id
(which the access policy is keyed by), its ``route`` where it is posted. The HTTP
routes, their OpenAPI documents and the README's commands table are derived from these
declarations (``services.command.api.routes``); the domain handles each one
(``@handles`` beside its aggregate, in ``services.command.domain``).

Ids are chosen before a command is handled (by the client, or as the request is
read), so a retried command is the same command."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, ClassVar, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.command.values import (
    Day,
    HalfYear,
    LongText,
    Metric,
    Name,
    NewId,
    Phone,
    Reason,
    Tag,
    Title,
    Year,
)
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

if TYPE_CHECKING:
    from services.command.unit_of_work import UnitOfWork, Written

BRANCH = "/branches/{branch_id}"


@dataclass(frozen=True)
class Route:
    """Where a command is posted (under ``/v1``): the path's ``{names}`` are fields of
    the command, the rest of its fields are the body. ``creates``: it answers 201."""

    path: str
    tag: str
    creates: bool = False

    @property
    def path_fields(self) -> tuple[str, ...]:
        return tuple(re.findall(r"{(\w+)}", self.path))


class Command(BaseModel):
    """A request to change the branch's records, named by intent."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, validate_by_name=True, validate_by_alias=True
    )
    route: ClassVar[Route | None]  # None: asked for by another part, not over HTTP

    branch_id: UUID

    @classmethod
    def operation(cls) -> str:
        """``RecordVisit`` -> ``record_visit``: the endpoint's name and operation id."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


C = TypeVar("C", bound=Command)
Handler = Callable[[C, "UnitOfWork"], "Written"]
HANDLERS: dict[type[Command], Handler[Command]] = {}


def handles(command: type[C]) -> Callable[[Handler[C]], Handler[C]]:
    """Registers the one handler of a command."""

    def register(handler: Handler[C]) -> Handler[C]:
        if command in HANDLERS:
            raise TypeError(f"{command.__name__} has a handler already")
        HANDLERS[command] = handler  # type: ignore[assignment]
        return handler

    return register


# The branch and its groups (党小组).


class RegisterBranch(Command):
    """Registers a community Party branch (社区党支部)."""

    route = Route("/branches", "organisation", creates=True)
    branch_id: NewId
    name: Name


class FormGroup(Command):
    """Forms a Party group (党小组) by residence, occupation or shared traits."""

    route = Route(BRANCH + "/groups", "organisation", creates=True)
    group_id: NewId
    name: Name
    basis: GroupBasis


class AppointGroupLeader(Command):
    """Appoints a group's leader (组长), one of its members."""

    route = Route(BRANCH + "/groups/{group_id}/leader", "organisation")
    group_id: UUID
    member_id: UUID = Field(description="A member of that group.")


class DissolveGroup(Command):
    """Dissolves a group; only an empty one can be."""

    route = Route(BRANCH + "/groups/{group_id}/dissolution", "organisation")
    group_id: UUID
    dissolved_on: Day
    reason: Reason | None = None


class RecordGroupMeeting(Command):
    """Records a meeting of a Party group (党小组会): when, on what, who attended."""

    route = Route(BRANCH + "/groups/{group_id}/meetings", "organisation", creates=True)
    group_id: UUID
    held_on: Day
    topic: Title
    attendee_ids: Annotated[tuple[UUID, ...], Field(min_length=1, max_length=500)]
    notes: LongText | None = None


# Members: enrolment, transfers, departure, the volunteer team, duty reports, talks
# and rewards.


class EnrollMember(Command):
    """Enrols a member of whatever category in one of the branch's groups."""

    route = Route(BRANCH + "/members", "members", creates=True)
    member_id: NewId
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


class TransferMember(Command):
    """Moves a member to another group."""

    route = Route(BRANCH + "/members/{member_id}/transfer", "members")
    member_id: UUID
    group_id: UUID
    transferred_on: Day
    reason: Reason | None = None


class MemberLeaves(Command):
    """The member leaves the branch; their history stays and their households are unlinked."""

    route = Route(BRANCH + "/members/{member_id}/departure", "members")
    member_id: UUID
    reason: DepartureReason
    left_on: Day
    notes: LongText | None = None


class JoinVolunteerTeam(Command):
    """A member joins the volunteer service team (党员义工服务队)."""

    route = Route(BRANCH + "/volunteer-team/members", "members")
    member_id: UUID
    joined_on: Day


class LeaveVolunteerTeam(Command):
    """A member leaves the volunteer service team."""

    route = Route(BRANCH + "/volunteer-team/members/{member_id}/departure", "members")
    member_id: UUID
    left_on: Day


class SubmitDutyReport(Command):
    """A member who links households reports on their duties (述职) for a half year."""

    route = Route(BRANCH + "/members/{member_id}/duty-reports", "members", creates=True)
    member_id: UUID
    period: HalfYear = Field(description="The half year reported on, e.g. 2009H2.")
    audience: ReportAudience
    submitted_on: Day
    summary: LongText


class RecordTalk(Command):
    """Records a heart-to-heart talk (谈心谈话) with a member."""

    route = Route(BRANCH + "/members/{member_id}/talks", "members", creates=True)
    member_id: UUID
    held_by: Name
    held_on: Day
    notes: LongText


class GrantReward(Command):
    """Rewards a member's good work, spiritually or materially."""

    route = Route(BRANCH + "/members/{member_id}/rewards", "members", creates=True)
    member_id: UUID
    kind: RewardKind
    reason: LongText
    granted_on: Day


# Volunteer service posts (党员义务服务岗) and who holds them (设岗定责).


class EstablishPost(Command):
    """Sets up a volunteer service post with its duties."""

    route = Route(BRANCH + "/posts", "posts", creates=True)
    post_id: NewId
    kind: PostKind
    title: Title
    duties: LongText
    capacity: Annotated[int, Field(ge=1, le=10_000)] | None = Field(
        default=None, description="How many may hold it; none: no limit."
    )


class AssignPost(Command):
    """A member without office takes a post, publishing what they serve and pledging
    its quality."""

    route = Route(BRANCH + "/posts/{post_id}/assignments", "posts", creates=True)
    post_id: UUID
    member_id: UUID
    service_content: LongText
    pledge: LongText


class RelievePost(Command):
    """Relieves a member of a post they hold."""

    route = Route(BRANCH + "/posts/{post_id}/relief", "posts")
    post_id: UUID
    member_id: UUID
    relieved_on: Day
    reason: Reason | None = None


# Households, their link to a member (党员联户), and erasure.


class RegisterHousehold(Command):
    """Registers a resident household the branch serves."""

    route = Route(BRANCH + "/households", "households", creates=True)
    household_id: NewId
    address: Title
    area: Name = Field(description="The alley or grid it belongs to, e.g. 一巷.")
    head_name: Name
    phone: Phone | None = None
    tags: Annotated[tuple[Tag, ...], Field(max_length=20)] = ()


class LinkHousehold(Command):
    """Links a household to the member who serves it."""

    route = Route(BRANCH + "/households/{household_id}/link", "households")
    household_id: UUID
    member_id: UUID
    linked_on: Day | None = Field(
        default=None,
        description="The day the member took the household on (default today); until a "
        "later visit, its next visit falls due one cadence after it.",
    )


class UnlinkHousehold(Command):
    """Unlinks a household from its member."""

    route = Route(BRANCH + "/households/{household_id}/unlink", "households")
    household_id: UUID
    unlinked_on: Day
    reason: Reason | None = None


class EraseHousehold(Command):
    """Erases the household's personal fields (address, head, phone, tags) by destroying
    their key: history stays, they read as erased everywhere, for good."""

    route = Route(BRANCH + "/households/{household_id}/erasure", "households")
    household_id: UUID
    erased_on: Day
    reason: Reason = Field(description="Why: moved away, asked to be forgotten.")


class SetVisitSchedule(Command):
    """Sets how often linked households are to be visited: the branch's default, or
    for households with a tag (独居老人 ``elderly_alone``: weekly), or for one
    household. A household's own schedule comes first, then the most frequent of its
    tags', then the branch's; a household's next visit is due that many days after its
    last visit, or after it was linked."""

    route = Route(BRANCH + "/visit-schedules", "households")
    every_days: Annotated[int, Field(ge=1, le=366)] | None = Field(
        description="Days between visits (7: weekly, 30: monthly); null: no schedule of "
        "its own (a tag's or household's falls back to the next)."
    )
    tag: Tag | None = Field(default=None, description="For households with this tag.")
    household_id: UUID | None = Field(default=None, description="For this household.")
    set_on: Day


# Visits (走访), corrected or retracted, never edited.


class RecordVisit(Command):
    """Records a member's visit to a household."""

    route = Route(BRANCH + "/visits", "visits", creates=True)
    visit_id: NewId
    member_id: UUID
    household_id: UUID
    visited_on: Day
    purpose: Title
    notes: LongText | None = None


class CorrectVisit(Command):
    """Corrects a visit: within the edit window by whoever recorded it; any time by the
    secretary (or the group leader of the member who made it)."""

    route = Route(BRANCH + "/visits/{visit_id}/correction", "visits")
    visit_id: UUID
    visited_on: Day | None = None
    purpose: Title | None = None
    notes: LongText | None = None
    reason: Reason = Field(description="Why the record was wrong.")


class RetractVisit(Command):
    """Retracts a visit recorded in error; its history stays."""

    route = Route(BRANCH + "/visits/{visit_id}/retraction", "visits")
    visit_id: UUID
    reason: Reason = Field(description="Why the visit should not count.")


# Campaigns and what they achieved.


class LaunchCampaign(Command):
    """Launches a campaign (集中活动) with countable outputs."""

    route = Route(BRANCH + "/campaigns", "campaigns", creates=True)
    campaign_id: NewId
    title: Title
    purpose: LongText
    starts_on: Day
    ends_on: Day | None = None


class RecordCampaignOutput(Command):
    """Records what a campaign achieved: a metric's quantity, who took part."""

    route = Route(BRANCH + "/campaigns/{campaign_id}/outputs", "campaigns", creates=True)
    campaign_id: UUID
    metric: Metric
    quantity: Annotated[int, Field(ge=1, le=10_000_000)]
    recorded_on: Day
    member_ids: Annotated[tuple[UUID, ...], Field(max_length=500)] = ()
    volunteers: Annotated[int, Field(ge=0, le=100_000)] = 0
    notes: LongText | None = None


class CloseCampaign(Command):
    """Closes a campaign."""

    route = Route(BRANCH + "/campaigns/{campaign_id}/closure", "campaigns")
    campaign_id: UUID
    closed_on: Day
    summary: LongText | None = None


# Residents' requests (诉求).


class RaiseNeed(Command):
    """Raises a resident's request, often on a visit."""

    route = Route(BRANCH + "/needs", "needs", creates=True)
    need_id: NewId
    household_id: UUID
    category: NeedCategory
    description: LongText
    raised_on: Day
    due_on: Day | None = Field(
        default=None, description="Default: LIAISON_NEED_DUE_DAYS (30) days on."
    )
    visit_id: UUID | None = None
    raised_by_member_id: UUID | None = None


class AssignNeed(Command):
    """Assigns a request to a member."""

    route = Route(BRANCH + "/needs/{need_id}/assignment", "needs")
    need_id: UUID
    member_id: UUID
    assigned_on: Day


class ResolveNeed(Command):
    """Resolves a request with what was done."""

    route = Route(BRANCH + "/needs/{need_id}/resolution", "needs")
    need_id: UUID
    resolved_on: Day
    outcome: LongText


# The year-end evaluation: democratic appraisal (民主评议) by anonymous ballots, then
# each member's grade.


class OpenAppraisal(Command):
    """Opens the year's democratic appraisal."""

    route = Route(BRANCH + "/appraisals", "evaluations", creates=True)
    year: Year
    opened_on: Day
    excellent_share: Annotated[float, Field(gt=0, le=1)] | None = Field(
        default=None,
        description="The most who may be graded excellent; default LIAISON_EXCELLENT_SHARE (1/3).",
    )


class CastBallot(Command):
    """An anonymous ballot on a member: who voted is never recorded, only as what."""

    route = Route(BRANCH + "/appraisals/{year}/ballots", "evaluations", creates=True)
    year: Year
    member_id: UUID = Field(description="The member appraised, never the voter.")
    voter_kind: VoterKind
    grade: Grade


class CloseAppraisal(Command):
    """Closes the year's appraisal; grades may follow."""

    route = Route(BRANCH + "/appraisals/{year}/closure", "evaluations")
    year: Year
    closed_on: Day


class RateMember(Command):
    """The final grade, after the year's appraisal has closed."""

    route = Route(BRANCH + "/members/{member_id}/ratings", "evaluations", creates=True)
    member_id: UUID
    year: Year
    grade: Grade
    remarks: LongText | None = None
    shortcomings: Annotated[tuple[Title, ...], Field(max_length=20)] = Field(
        default=(), description="Required for basically_qualified and unqualified."
    )
    improvement_plan: LongText | None = None


# Members in hardship and their helpers (困难党员结对帮扶).


class FlagHardship(Command):
    """Flags a member in hardship (jobs, medical care, schooling, living)."""

    route = Route(BRANCH + "/hardships", "hardships", creates=True)
    hardship_id: NewId
    member_id: UUID
    kind: HardshipKind
    description: LongText
    flagged_on: Day


class PairHelper(Command):
    """Pairs a member in hardship with a helper."""

    route = Route(BRANCH + "/hardships/{hardship_id}/helper", "hardships")
    hardship_id: UUID
    helper_id: UUID
    paired_on: Day


class RecordAssistance(Command):
    """Records help given to a member in hardship."""

    route = Route(BRANCH + "/hardships/{hardship_id}/assistance", "hardships", creates=True)
    hardship_id: UUID
    assisted_on: Day
    description: LongText
    helper_id: UUID | None = None


class CloseHardship(Command):
    """Closes a hardship case with its outcome."""

    route = Route(BRANCH + "/hardships/{hardship_id}/closure", "hardships")
    hardship_id: UUID
    closed_on: Day
    outcome: LongText


# Who saw what: records that leave the query side are themselves recorded.


class RecordExport(Command):
    """Records an export (a ledger, the year-end summary, the audit log): asked for by
    the query side (``services.command.export_log``) whenever records leave it."""

    route = None
    export_id: UUID
    what: str
    filters: str


class RecordReminder(Command):
    """Records a reminder the notifier delivered, or failed to deliver after every
    attempt: asked for by the notifier (``services.command.reminder_log``), never over
    HTTP."""

    route = None
    reminder_id: UUID
    what: str
    whom: str
    due_on: Day
    kind: str
    channels: tuple[str, ...]
    attempts: int
    failure: str | None = None


COMMANDS: tuple[type[Command], ...] = tuple(Command.__subclasses__())
