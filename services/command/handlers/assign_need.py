from services.command.domain.commands import AssignNeed
from services.command.domain.dates import check_date
from services.command.domain.member import Member
from services.command.domain.need import Need
from services.command.handlers.unit_of_work import UnitOfWork, Written, reference, require


def assign_need(command: AssignNeed, uow: UnitOfWork) -> Written:
    check_date("assigned_on", command.assigned_on, uow.today)
    need = require(uow, Need, command.need_id, command.branch_id)
    member = reference(uow, Member, "member_id", command.member_id, command.branch_id)
    need.assign(member, command.assigned_on)
    return uow.commit(need)
