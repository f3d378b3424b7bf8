from services.command.domain.commands import RecordVisit
from services.command.domain.household import Household
from services.command.domain.member import Member
from services.command.domain.visit import Visit
from services.command.handlers.unit_of_work import UnitOfWork, Written, reference


def record_visit(command: RecordVisit, uow: UnitOfWork) -> Written:
    member = reference(uow, Member, "member_id", command.member_id, command.branch_id)
    household = reference(uow, Household, "household_id", command.household_id, command.branch_id)
    visit = Visit.record(
        command.visit_id,
        member=member,
        household=household,
        visited_on=command.visited_on,
        purpose=command.purpose,
        notes=command.notes,
        today=uow.today,
    )
    return uow.commit(visit)
