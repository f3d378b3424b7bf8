from services.command.domain.branch import Branch
from services.command.domain.commands import RegisterHousehold
from services.command.domain.household import Household
from services.command.handlers.unit_of_work import UnitOfWork, Written, require


def register_household(command: RegisterHousehold, uow: UnitOfWork) -> Written:
    require(uow, Branch, command.branch_id, command.branch_id)
    household = Household.register(
        command.household_id,
        command.branch_id,
        address=command.address,
        area=command.area,
        head_name=command.head_name,
        phone=command.phone,
        tags=command.tags,
    )
    return uow.commit(household)
