from services.command.domain.commands import EraseHousehold
from services.command.domain.dates import check_date
from services.command.domain.household import Household
from services.command.handlers.unit_of_work import UnitOfWork, Written, require


def erase_household(command: EraseHousehold, uow: UnitOfWork) -> Written:
    check_date("erased_on", command.erased_on, uow.today)
    household = require(uow, Household, command.household_id, command.branch_id)
    household.erase(command.erased_on, command.reason)
    # The key goes first: should the write fail, the data is erased all the same and a
    # retry records it.
    uow.forget_personal_data(household.id)
    return uow.commit(household)
