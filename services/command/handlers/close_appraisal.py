from services.command.domain.commands import CloseAppraisal
from services.command.domain.dates import check_date
from services.command.handlers.appraisal_of import appraisal_of
from services.command.handlers.unit_of_work import UnitOfWork, Written


def close_appraisal(command: CloseAppraisal, uow: UnitOfWork) -> Written:
    check_date("closed_on", command.closed_on, uow.today)
    appraisal = appraisal_of(uow, command.branch_id, command.year)
    appraisal.close(command.closed_on)
    return uow.commit(appraisal)
