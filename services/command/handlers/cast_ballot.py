from services.command.domain.commands import CastBallot
from services.command.domain.member import Member
from services.command.handlers.appraisal_of import appraisal_of
from services.command.handlers.unit_of_work import UnitOfWork, Written, reference


def cast_ballot(command: CastBallot, uow: UnitOfWork) -> Written:
    appraisal = appraisal_of(uow, command.branch_id, command.year)
    member = reference(uow, Member, "member_id", command.member_id, command.branch_id)
    appraisal.cast_ballot(member, voter_kind=command.voter_kind, grade=command.grade)
    return uow.commit(appraisal)
