from services.command.domain.commands import CloseHardship
from services.command.domain.dates import check_date
from services.command.domain.hardship import Hardship
from services.command.handlers.unit_of_work import UnitOfWork, Written, require


def close_hardship(command: CloseHardship, uow: UnitOfWork) -> Written:
    check_date("closed_on", command.closed_on, uow.today)
    hardship = require(uow, Hardship, command.hardship_id, command.branch_id)
    hardship.close(command.closed_on, command.outcome)
    return uow.commit(hardship)
