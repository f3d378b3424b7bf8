from __future__ import annotations

from uuid import UUID

from services.command.domain.aggregate import Aggregate
from services.command.domain.errors import AlreadyRated, InvalidValue, ProbationaryNotGraded
from services.command.domain.member import Member
from shared.contract.events import Event, MemberRated
from shared.contract.vocabulary import Grade
from shared.ids import appraisal_id


class Appraisal(Aggregate):
    """A branch's year-end evaluation (年终考评) of its members: one stream per branch
    and year, so rules across all ratings of a year (the share of "excellent", one
    grade per member) sit inside one consistency boundary."""

    CREATED_BY = MemberRated
    KIND = "appraisal"
    ID_IS_DERIVED = True

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.grades: dict[UUID, Grade] = {}

    @classmethod
    def for_year(cls, branch_id: UUID, year: int) -> Appraisal:
        return cls(appraisal_id(branch_id, year), branch_id)

    def rate(
        self, member: Member, *, year: int, grade: Grade, remarks: str | None, this_year: int
    ) -> None:
        if year > this_year:
            raise InvalidValue("year", f"{year} has not begun (this year is {this_year})")
        if member.is_probationary:
            raise ProbationaryNotGraded(f"member {member.id} is probationary")
        if member.id in self.grades:
            raise AlreadyRated(
                f"member {member.id} was already graded {self.grades[member.id]} for {year}"
            )
        self._record(MemberRated(member_id=member.id, year=year, grade=grade, remarks=remarks))

    def apply(self, event: Event) -> None:
        match event:
            case MemberRated(member_id=member_id, grade=grade):
                self.grades[member_id] = grade
