from services.command.domain.commands import RaiseNeed
from services.command.domain.dates import check_date
from services.command.domain.household import Household
from services.command.domain.member import Member
from services.command.domain.need import Need
from services.command.domain.visit import Visit
from services.command.handlers.unit_of_work import UnitOfWork, Written, reference


def raise_need(command: RaiseNeed, uow: UnitOfWork) -> Written:
    check_date("raised_on", command.raised_on, uow.today)
    household = reference(uow, Household, "household_id", command.household_id, command.branch_id)
    if command.visit_id is not None:
        reference(uow, Visit, "visit_id", command.visit_id, command.branch_id)
    raised_by = (
        reference(
            uow, Member, "raised_by_member_id", command.raised_by_member_id, command.branch_id
        )
        if command.raised_by_member_id is not None
        else None
    )
    need = Need.raise_need(
        command.need_id,
        household=household,
        category=command.category,
        description=command.description,
        raised_on=command.raised_on,
        due_on=command.due_on,
        visit_id=command.visit_id,
        raised_by=raised_by,
    )
    return uow.commit(need)
