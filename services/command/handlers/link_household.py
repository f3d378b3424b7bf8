from services.command.domain.commands import LinkHousehold
from services.command.domain.household import Household
from services.command.domain.member import Member
from services.command.handlers.unit_of_work import UnitOfWork, Written, reference, require


def link_household(command: LinkHousehold, uow: UnitOfWork) -> Written:
    household = require(uow, Household, command.household_id, command.branch_id)
    member = reference(uow, Member, "member_id", command.member_id, command.branch_id)
    household.link(member)
    return uow.commit(household, member)
