from services.command.domain.commands import UnlinkHousehold
from services.command.domain.dates import check_date
from services.command.domain.errors import HouseholdNotLinked
from services.command.domain.household import Household
from services.command.domain.member import Member
from services.command.handlers.unit_of_work import UnitOfWork, Written, require


def unlink_household(command: UnlinkHousehold, uow: UnitOfWork) -> Written:
    check_date("unlinked_on", command.unlinked_on, uow.today)
    household = require(uow, Household, command.household_id, command.branch_id)
    if household.linked_member_id is None:
        raise HouseholdNotLinked(f"household {household.id} is not linked to a member")
    member = require(uow, Member, household.linked_member_id, command.branch_id)
    household.unlink(member, command.unlinked_on, command.reason)
    return uow.commit(household, member)
