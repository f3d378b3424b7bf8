"""The year-end evaluation (年终考评): democratic appraisal (民主评议) by anonymous
ballots, then each member's final grade."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from math import floor
from uuid import UUID

from services.command.commands import (
    CastBallot,
    CloseAppraisal,
    OpenAppraisal,
    RateMember,
    handles,
)
from services.command.domain.aggregate import Aggregate, derived
from services.command.domain.branch import Branch
from services.command.domain.dates import check_date, check_not_before
from services.command.domain.errors import (
    AlreadyRated,
    AppraisalAlreadyOpened,
    AppraisalNotClosed,
    AppraisalNotOpen,
    ExcellentQuotaExceeded,
    InvalidValue,
    ProbationaryNotGraded,
    ShortcomingsRequired,
)
from services.command.domain.member import Member
from services.command.unit_of_work import UnitOfWork, Written, reference, require
from shared.contract.events import (
    AppraisalClosed,
    AppraisalOpened,
    BallotCast,
    Event,
    MemberRated,
)
from shared.contract.vocabulary import Grade
from shared.ids import appraisal_id
from shared.periods import Period
from shared.policy import check_voting_as

LOW_GRADES = frozenset({Grade.BASICALLY_QUALIFIED, Grade.UNQUALIFIED})


class Appraisal(Aggregate):
    """A branch's year-end evaluation (年终考评): democratic appraisal (民主评议) by
    anonymous ballots while open, then one final grade per member once closed. One
    stream per branch and year, so the rules across the year's grades (the share of
    "excellent", one grade each) sit inside one consistency boundary."""

    CREATED_BY = AppraisalOpened
    KIND = "appraisal"
    ID_IS_DERIVED = True

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.year = 0
        self.opened_on = date.min
        self.excellent_share = Fraction(1, 3)
        self.closed = False
        self.appraised: set[UUID] = set()
        self.grades: dict[UUID, Grade] = {}

    @staticmethod
    def id_for(branch_id: UUID, year: int) -> UUID:
        return appraisal_id(branch_id, year)

    @classmethod
    def open(cls, command: OpenAppraisal, today: date, default_share: float) -> Appraisal:
        """``default_share``: of excellent grades, when the command gives none."""
        year, opened_on = command.year, check_date("opened_on", command.opened_on, today)
        share = command.excellent_share
        excellent_share = default_share if share is None else share
        if opened_on.year < year:
            raise InvalidValue("opened_on", f"the {year} appraisal cannot open in {opened_on.year}")
        if not 0 < excellent_share <= 1:
            raise InvalidValue("excellent_share", "must be more than 0 and at most 1")
        appraisal = cls(cls.id_for(command.branch_id, year), command.branch_id)
        appraisal._record(derived(AppraisalOpened, command, excellent_share=excellent_share))
        return appraisal

    def cast_ballot(self, command: CastBallot, member: Member) -> None:
        if self.closed:
            raise AppraisalNotOpen(f"the {self.year} appraisal is closed")
        self._require_gradable(member)
        self._record(derived(BallotCast, command))

    def close(self, command: CloseAppraisal, today: date) -> None:
        closed_on = check_date("closed_on", command.closed_on, today)
        if self.closed:
            raise AppraisalNotOpen(f"the {self.year} appraisal is closed already")
        check_not_before("closed_on", closed_on, self.opened_on, "the opening")
        self._record(derived(AppraisalClosed, command))

    def rate(self, command: RateMember, member: Member) -> None:
        grade = command.grade
        if not self.closed:
            raise AppraisalNotClosed(f"the {self.year} appraisal has not closed")
        self._require_gradable(member)
        if member.id in self.grades:
            raise AlreadyRated(
                f"member {member.id} was already graded {self.grades[member.id]} for {self.year}"
            )
        if grade in LOW_GRADES and not command.shortcomings:
            raise ShortcomingsRequired(f"a grade of {grade} needs the shortcomings named")
        if grade is Grade.EXCELLENT:
            self._check_excellent_quota(member.id)
        self._record(derived(MemberRated, command))

    def _check_excellent_quota(self, member_id: UUID) -> None:
        # The year's members are those appraised by ballot or graded, this one included
        # (only members of that year are either).
        members = len(self.appraised | set(self.grades) | {member_id})
        allowed = floor(self.excellent_share * members)
        excellent = sum(1 for grade in self.grades.values() if grade is Grade.EXCELLENT)
        if excellent + 1 > allowed:
            raise ExcellentQuotaExceeded(
                f"{excellent + 1} of {members} members would be excellent; "
                f"at most {allowed} ({self.excellent_share} of them) may be"
            )

    def _require_gradable(self, member: Member) -> None:
        member.require_member_during(Period.year(self.year), str(self.year))
        if member.is_probationary:
            raise ProbationaryNotGraded(f"member {member.id} is probationary")

    def apply(self, event: Event) -> None:
        match event:
            case AppraisalOpened():
                self._adopt(event)
                self.excellent_share = Fraction(event.excellent_share).limit_denominator(1000)
            case BallotCast(member_id=member_id):
                self.appraised.add(member_id)
            case AppraisalClosed():
                self.closed = True
            case MemberRated(member_id=member_id, grade=grade):
                self.grades[member_id] = grade


def appraisal_of(uow: UnitOfWork, branch_id: UUID, year: int) -> Appraisal:
    """The branch's appraisal of a year, addressed in the path by its year. A year is
    not a resource that may be missing: one whose appraisal was never opened is not
    open (409), like one that has closed; only an unknown branch is not found."""
    appraisal = uow.get(Appraisal, Appraisal.id_for(branch_id, year), branch_id)
    if appraisal is None:
        require(uow, Branch, branch_id, branch_id)
        raise AppraisalNotOpen(f"no appraisal has been opened for {year}")
    return appraisal


@handles(OpenAppraisal)
def open_appraisal(command: OpenAppraisal, uow: UnitOfWork) -> Written:
    require(uow, Branch, command.branch_id, command.branch_id)
    if uow.get(Appraisal, Appraisal.id_for(command.branch_id, command.year), command.branch_id):
        raise AppraisalAlreadyOpened(f"the {command.year} appraisal has been opened")
    appraisal = Appraisal.open(command, uow.today, uow.settings.excellent_share)
    return uow.commit(appraisal)


@handles(CastBallot)
def cast_ballot(command: CastBallot, uow: UnitOfWork) -> Written:
    check_voting_as(uow.principal, command.voter_kind)
    appraisal = appraisal_of(uow, command.branch_id, command.year)
    member = reference(uow, Member, "member_id", command.member_id, command.branch_id)
    appraisal.cast_ballot(command, member)
    return uow.commit(appraisal)


@handles(CloseAppraisal)
def close_appraisal(command: CloseAppraisal, uow: UnitOfWork) -> Written:
    appraisal = appraisal_of(uow, command.branch_id, command.year)
    appraisal.close(command, uow.today)
    return uow.commit(appraisal)


@handles(RateMember)
def rate_member(command: RateMember, uow: UnitOfWork) -> Written:
    member = require(uow, Member, command.member_id, command.branch_id)
    appraisal = uow.get(
        Appraisal, Appraisal.id_for(command.branch_id, command.year), command.branch_id
    )
    if appraisal is None:
        raise AppraisalNotClosed(f"no appraisal has been held for {command.year}")
    appraisal.rate(command, member)
    return uow.commit(appraisal)
