from services.command.domain.commands import GrantReward
from services.command.domain.dates import check_date
from services.command.domain.member import Member
from services.command.handlers.unit_of_work import UnitOfWork, Written, require


def grant_reward(command: GrantReward, uow: UnitOfWork) -> Written:
    check_date("granted_on", command.granted_on, uow.today)
    member = require(uow, Member, command.member_id, command.branch_id)
    member.grant_reward(kind=command.kind, reason=command.reason, granted_on=command.granted_on)
    return uow.commit(member)
