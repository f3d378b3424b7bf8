from __future__ import annotations

from datetime import date
from uuid import UUID

from services.command.domain.aggregate import Aggregate
from services.command.domain.dates import check_not_before
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
from shared.contract.vocabulary import (
    DepartureReason,
    MemberCategory,
    MembershipStatus,
    ReportAudience,
    RewardKind,
)
from shared.periods import Period


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
    def enroll(
        cls,
        id: UUID,
        branch_id: UUID,
        *,
        group_id: UUID,
        name: str,
        category: MemberCategory,
        status: MembershipStatus,
        holds_office: bool,
        phone: str | None,
        enrolled_on: date,
    ) -> Member:
        member = cls(id, branch_id)
        member._record(
            MemberEnrolled(
                group_id=group_id,
                name=name,
                category=category,
                status=status,
                holds_office=holds_office,
                phone=phone,
                enrolled_on=enrolled_on,
            )
        )
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

    def transfer(self, to_group_id: UUID, transferred_on: date, reason: str | None) -> UUID:
        """Moves the member to another group; the group they left."""
        self.require_active()
        self._not_before_last_move("transferred_on", transferred_on)
        assert self.group_id is not None
        if to_group_id == self.group_id:
            raise AlreadyInGroup(f"member {self.id} is already in group {to_group_id}")
        from_group_id = self.group_id
        self._record(
            MemberTransferred(
                from_group_id=from_group_id,
                to_group_id=to_group_id,
                transferred_on=transferred_on,
                reason=reason,
            )
        )
        return from_group_id

    def leave(self, reason: DepartureReason, left_on: date, notes: str | None) -> None:
        self.require_active()
        self._not_before_last_move("left_on", left_on)
        self._record(MemberLeft(reason=reason, left_on=left_on, notes=notes))

    def join_volunteer_team(self, joined_on: date) -> None:
        self.require_active()
        if self.volunteer:
            raise AlreadyVolunteer(f"member {self.id} is in the volunteer team already")
        self._record(VolunteerTeamJoined(joined_on=joined_on))

    def leave_volunteer_team(self, left_on: date) -> None:
        if not self.volunteer:
            raise NotVolunteer(f"member {self.id} is not in the volunteer team")
        self._record(VolunteerTeamLeft(left_on=left_on))

    def take_on_household(self, household_id: UUID) -> None:
        self.require_active()
        self._record(LinkedHouseholdAdded(household_id=household_id))

    def hand_over_household(self, household_id: UUID) -> None:
        if household_id in self.linked_households:
            self._record(LinkedHouseholdRemoved(household_id=household_id))

    def submit_duty_report(
        self, *, period: str, audience: ReportAudience, submitted_on: date, summary: str
    ) -> None:
        self.require_active()
        half_year = Period.half_year(period)
        self.require_member_during(half_year, period)
        if not self.linked_households:
            raise NoLinkedHouseholds(f"member {self.id} links no households")
        if period in self.reported_periods:
            raise DutyReportAlreadySubmitted(f"member {self.id} has reported for {period}")
        if half_year.first > submitted_on:
            raise InvalidValue("period", f"{period} had not begun on {submitted_on}")
        self._record(
            DutyReportSubmitted(
                period=period, audience=audience, submitted_on=submitted_on, summary=summary
            )
        )

    def record_talk(self, *, held_by: str, held_on: date, notes: str) -> None:
        self.require_active()
        self._record(TalkRecorded(held_by=held_by, held_on=held_on, notes=notes))

    def grant_reward(self, *, kind: RewardKind, reason: str, granted_on: date) -> None:
        self.require_active()
        self._record(RewardGranted(kind=kind, reason=reason, granted_on=granted_on))

    def not_before_departure(self, field: str, on: date) -> None:
        """Late records of what happened before the member left are still accepted."""
        if self.left_on is not None and on > self.left_on:
            raise MemberHasLeft(f"{field}: member {self.id} left the branch on {self.left_on}")

    def apply(self, event: Event) -> None:
        match event:
            case MemberEnrolled():
                self.group_id = event.group_id
                self.name = event.name
                self.category = event.category
                self.status = event.status
                self.holds_office = event.holds_office
                self.enrolled_on = self.moved_on = event.enrolled_on
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
