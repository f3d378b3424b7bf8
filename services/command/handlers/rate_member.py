from services.command.domain.appraisal import Appraisal
from services.command.domain.commands import RateMember
from services.command.domain.errors import AppraisalNotClosed
from services.command.domain.member import Member
from services.command.handlers.unit_of_work import UnitOfWork, Written, require


def rate_member(command: RateMember, uow: UnitOfWork) -> Written:
    member = require(uow, Member, command.member_id, command.branch_id)
    appraisal = uow.get(
        Appraisal, Appraisal.id_for(command.branch_id, command.year), command.branch_id
    )
    if appraisal is None:
        raise AppraisalNotClosed(f"no appraisal has been held for {command.year}")
    appraisal.rate(
        member,
        grade=command.grade,
        remarks=command.remarks,
        shortcomings=command.shortcomings,
        improvement_plan=command.improvement_plan,
    )
    return uow.commit(appraisal)
