from services.command.domain.appraisal import Appraisal
from services.command.domain.commands import RateMember
from services.command.domain.member import Member
from services.command.handlers.unit_of_work import UnitOfWork, Written, require


def rate_member(command: RateMember, uow: UnitOfWork) -> Written:
    member = require(uow, Member, command.member_id, command.branch_id)
    blank = Appraisal.for_year(command.branch_id, command.year)
    appraisal = uow.get(Appraisal, blank.id, command.branch_id) or blank
    appraisal.rate(
        member,
        year=command.year,
        grade=command.grade,
        remarks=command.remarks,
        this_year=uow.today.year,
    )
    return uow.commit(appraisal)
