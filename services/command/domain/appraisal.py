from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from fractions import Fraction
from math import floor
from uuid import UUID

from services.command.domain.aggregate import Aggregate
from services.command.domain.dates import check_not_before
from services.command.domain.errors import (
    AlreadyRated,
    AppraisalNotClosed,
    AppraisalNotOpen,
    ExcellentQuotaExceeded,
    InvalidValue,
    ProbationaryNotGraded,
    ShortcomingsRequired,
)
from services.command.domain.member import Member
from shared.contract.events import (
    AppraisalClosed,
    AppraisalOpened,
    BallotCast,
    Event,
    MemberRated,
)
from shared.contract.vocabulary import Grade, VoterKind
from shared.ids import appraisal_id
from shared.periods import Period

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
    def open(
        cls, branch_id: UUID, *, year: int, opened_on: date, excellent_share: float
    ) -> Appraisal:
        if opened_on.year < year:
            raise InvalidValue("opened_on", f"the {year} appraisal cannot open in {opened_on.year}")
        if not 0 < excellent_share <= 1:
            raise InvalidValue("excellent_share", "must be more than 0 and at most 1")
        appraisal = cls(cls.id_for(branch_id, year), branch_id)
        appraisal._record(
            AppraisalOpened(year=year, opened_on=opened_on, excellent_share=excellent_share)
        )
        return appraisal

    def cast_ballot(self, member: Member, *, voter_kind: VoterKind, grade: Grade) -> None:
        if self.closed:
            raise AppraisalNotOpen(f"the {self.year} appraisal is closed")
        self._require_gradable(member)
        self._record(BallotCast(member_id=member.id, voter_kind=voter_kind, grade=grade))

    def close(self, closed_on: date) -> None:
        if self.closed:
            raise AppraisalNotOpen(f"the {self.year} appraisal is closed already")
        check_not_before("closed_on", closed_on, self.opened_on, "the opening")
        self._record(AppraisalClosed(closed_on=closed_on))

    def rate(
        self,
        member: Member,
        *,
        grade: Grade,
        remarks: str | None,
        shortcomings: Sequence[str],
        improvement_plan: str | None,
    ) -> None:
        if not self.closed:
            raise AppraisalNotClosed(f"the {self.year} appraisal has not closed")
        self._require_gradable(member)
        if member.id in self.grades:
            raise AlreadyRated(
                f"member {member.id} was already graded {self.grades[member.id]} for {self.year}"
            )
        if grade in LOW_GRADES and not shortcomings:
            raise ShortcomingsRequired(f"a grade of {grade} needs the shortcomings named")
        if grade is Grade.EXCELLENT:
            self._check_excellent_quota(member.id)
        self._record(
            MemberRated(
                member_id=member.id,
                year=self.year,
                grade=grade,
                remarks=remarks,
                shortcomings=tuple(shortcomings),
                improvement_plan=improvement_plan,
            )
        )

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
                self.year = event.year
                self.opened_on = event.opened_on
                self.excellent_share = Fraction(event.excellent_share).limit_denominator(1000)
            case BallotCast(member_id=member_id):
                self.appraised.add(member_id)
            case AppraisalClosed():
                self.closed = True
            case MemberRated(member_id=member_id, grade=grade):
                self.grades[member_id] = grade
