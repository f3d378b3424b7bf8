from services.command.domain.commands import RecordAssistance
from services.command.domain.dates import check_date
from services.command.domain.hardship import Hardship
from services.command.domain.member import Member
from services.command.handlers.unit_of_work import UnitOfWork, Written, reference, require


def record_assistance(command: RecordAssistance, uow: UnitOfWork) -> Written:
    check_date("assisted_on", command.assisted_on, uow.today)
    hardship = require(uow, Hardship, command.hardship_id, command.branch_id)
    helper = (
        reference(uow, Member, "helper_id", command.helper_id, command.branch_id)
        if command.helper_id is not None
        else None
    )
    hardship.record_assistance(
        assisted_on=command.assisted_on, description=command.description, helper=helper
    )
    return uow.commit(hardship)
