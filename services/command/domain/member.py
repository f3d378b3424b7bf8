"""Members (党员): their group, their links to households, the volunteer team, duty
reports (述职), talks and rewards. A member who leaves keeps their history."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from services.command.commands import (
    Command,
    EnrollMember,
    GrantReward,
    JoinVolunteerTeam,
    LeaveVolunteerTeam,
    MemberLeaves,
    RecordTalk,
    SubmitDutyReport,
    TransferMember,
    handles,
)
from services.command.domain.aggregate import Aggregate, derived
from services.command.domain.dates import check_date, check_not_before
from services.command.domain.errors import (
    AlreadyInGroup,
    AlreadyVolunteer,
    DutyReportAlreadySubmitted,
    InvalidValue,
    MemberHasLeft,
    NoLinkedHouseholds,
    NotAMemberThen,
    NotVolunteer,
)
from services.command.unit_of_work import UnitOfWork, Written, reference, require
from shared.contract.events import (
    DutyReportSubmitted,
    Event,
    LinkedHouseholdAdded,
    LinkedHouseholdRemoved,
    MemberEnrolled,
    MemberLeft,
    MemberTransferred,
    RewardGranted,
    TalkRecorded,
    VolunteerTeamJoined,
    VolunteerTeamLeft,
)
from shared.contract.vocabulary import MemberCategory, MembershipStatus
from shared.periods import Period
from shared.policy import check_acting_for


class Member(Aggregate):
    """A Party member of the branch: their group, their links to households, their
    duty reports, talks and rewards. A member who leaves keeps their history."""

    CREATED_BY = MemberEnrolled
    KIND = "member"

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.group_id: UUID | None = None
        self.name = ""
        self.category = MemberCategory.COMMUNITY
        self.status = MembershipStatus.FULL
        self.holds_office = False
        self.enrolled_on: date | None = None  # None: enrolled before dates were recorded
        self.moved_on: date | None = None  # the last dated move: enrolment or transfer
        self.left_on: date | None = None
        self.volunteer = False
        self.linked_households: set[UUID] = set()
        self.reported_periods: set[str] = set()

    @classmethod
    def enroll(cls, command: EnrollMember, today: date) -> Member:
        enrolled_on = check_date("enrolled_on", command.enrolled_on or today, today)
        member = cls(command.member_id, command.branch_id)
        member._record(derived(MemberEnrolled, command, enrolled_on=enrolled_on))
        return member

    @property
    def is_probationary(self) -> bool:
        return self.status is MembershipStatus.PROBATIONARY

    @property
    def active(self) -> bool:
        return self.left_on is None

    def require_active(self) -> None:
        if self.left_on is not None:
            raise MemberHasLeft(f"member {self.id} left the branch on {self.left_on}")

    def require_member_during(self, period: Period, name: str) -> None:
        """The one rule for who counts in a year or half year (``name``): ballots,
        grades, the excellent quota and duty reports are for that period's members."""
        if not period.had_member(self.enrolled_on, self.left_on):
            since = f"enrolled on {self.enrolled_on}" if self.enrolled_on else "enrolled"
            until = f", left on {self.left_on}" if self.left_on else ""
            raise NotAMemberThen(
                f"member {self.id} was not in the branch during {name} ({since}{until})"
            )

    def _not_before_last_move(self, field: str, on: date) -> None:
        """Moves are dated in order, so the branch as it stood on a date is well defined."""
        if self.moved_on is not None:
            check_not_before(field, on, self.moved_on, "the member's last enrolment or transfer")

    def transfer(self, command: TransferMember, today: date) -> UUID:
        """Moves the member to another group; the group they left."""
        check_date("transferred_on", command.transferred_on, today)
        self.require_active()
        self._not_before_last_move("transferred_on", command.transferred_on)
        assert self.group_id is not None
        if command.group_id == self.group_id:
            raise AlreadyInGroup(f"member {self.id} is already in group {command.group_id}")
        from_group_id = self.group_id
        self._record(
            derived(
                MemberTransferred,
                command,
                from_group_id=from_group_id,
                to_group_id=command.group_id,
            )
        )
        return from_group_id

    def leave(self, command: MemberLeaves, today: date) -> None:
        check_date("left_on", command.left_on, today)
        self.require_active()
        self._not_before_last_move("left_on", command.left_on)
        self._record(derived(MemberLeft, command))

    def join_volunteer_team(self, command: JoinVolunteerTeam, today: date) -> None:
        check_date("joined_on", command.joined_on, today)
        self.require_active()
        if self.volunteer:
            raise AlreadyVolunteer(f"member {self.id} is in the volunteer team already")
        self._record(derived(VolunteerTeamJoined, command))

    def leave_volunteer_team(self, command: LeaveVolunteerTeam, today: date) -> None:
        check_date("left_on", command.left_on, today)
        if not self.volunteer:
            raise NotVolunteer(f"member {self.id} is not in the volunteer team")
        self._record(derived(VolunteerTeamLeft, command))

    def take_on_household(self, household_id: UUID) -> None:
        self.require_active()
        self._record(LinkedHouseholdAdded(household_id=household_id))

    def hand_over_household(self, household_id: UUID) -> None:
        if household_id in self.linked_households:
            self._record(LinkedHouseholdRemoved(household_id=household_id))

    def submit_duty_report(self, command: SubmitDutyReport, today: date) -> None:
        period, submitted_on = command.period, command.submitted_on
        check_date("submitted_on", submitted_on, today)
        self.require_active()
        half_year = Period.half_year(period)
        self.require_member_during(half_year, period)
        if not self.linked_households:
            raise NoLinkedHouseholds(f"member {self.id} links no households")
        if period in self.reported_periods:
            raise DutyReportAlreadySubmitted(f"member {self.id} has reported for {period}")
        if half_year.first > submitted_on:
            raise InvalidValue("period", f"{period} had not begun on {submitted_on}")
        self._record(derived(DutyReportSubmitted, command))

    def record_talk(self, command: RecordTalk, today: date) -> None:
        check_date("held_on", command.held_on, today)
        self.require_active()
        self._record(derived(TalkRecorded, command))

    def grant_reward(self, command: GrantReward, today: date) -> None:
        check_date("granted_on", command.granted_on, today)
        self.require_active()
        self._record(derived(RewardGranted, command))

    def not_before_departure(self, field: str, on: date) -> None:
        """Late records of what happened before the member left are still accepted."""
        if self.left_on is not None and on > self.left_on:
            raise MemberHasLeft(f"{field}: member {self.id} left the branch on {self.left_on}")

    def apply(self, event: Event) -> None:
        match event:
            case MemberEnrolled():
                self._adopt(event)
                self.moved_on = event.enrolled_on
            case MemberTransferred(to_group_id=to_group_id):
                self.group_id = to_group_id
                self.moved_on = event.transferred_on
            case MemberLeft(left_on=left_on):
                self.left_on = left_on
                self.volunteer = False
            case VolunteerTeamJoined():
                self.volunteer = True
            case VolunteerTeamLeft():
                self.volunteer = False
            case LinkedHouseholdAdded(household_id=household_id):
                self.linked_households.add(household_id)
            case LinkedHouseholdRemoved(household_id=household_id):
                self.linked_households.discard(household_id)
            case DutyReportSubmitted(period=period):
                self.reported_periods.add(period)


def acting_for(uow: UnitOfWork, command: Command, member: Member | None) -> None:
    """The access policy's rule on whom a principal acts for (a member for themselves, a
    group leader for their group's members), checked where the member is loaded."""
    check_acting_for(
        uow.principal,
        command.operation(),
        member.id if member else None,
        member.group_id if member else None,
    )


@handles(JoinVolunteerTeam)
def join_volunteer_team(command: JoinVolunteerTeam, uow: UnitOfWork) -> Written:
    member = reference(uow, Member, "member_id", command.member_id, command.branch_id)
    member.join_volunteer_team(command, uow.today)
    return uow.commit(member)


@handles(LeaveVolunteerTeam)
def leave_volunteer_team(command: LeaveVolunteerTeam, uow: UnitOfWork) -> Written:
    member = require(uow, Member, command.member_id, command.branch_id)
    member.leave_volunteer_team(command, uow.today)
    return uow.commit(member)


@handles(SubmitDutyReport)
def submit_duty_report(command: SubmitDutyReport, uow: UnitOfWork) -> Written:
    member = require(uow, Member, command.member_id, command.branch_id)
    acting_for(uow, command, member)
    member.submit_duty_report(command, uow.today)
    return uow.commit(member)


@handles(RecordTalk)
def record_talk(command: RecordTalk, uow: UnitOfWork) -> Written:
    member = require(uow, Member, command.member_id, command.branch_id)
    member.record_talk(command, uow.today)
    return uow.commit(member)


@handles(GrantReward)
def grant_reward(command: GrantReward, uow: UnitOfWork) -> Written:
    member = require(uow, Member, command.member_id, command.branch_id)
    member.grant_reward(command, uow.today)
    return uow.commit(member)
