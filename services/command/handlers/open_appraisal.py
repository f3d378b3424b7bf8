from services.command.domain.appraisal import Appraisal
from services.command.domain.branch import Branch
from services.command.domain.commands import OpenAppraisal
from services.command.domain.dates import check_date
from services.command.domain.errors import AppraisalAlreadyOpened
from services.command.handlers.unit_of_work import UnitOfWork, Written, require


def open_appraisal(command: OpenAppraisal, uow: UnitOfWork) -> Written:
    check_date("opened_on", command.opened_on, uow.today)
    require(uow, Branch, command.branch_id, command.branch_id)
    if uow.get(Appraisal, Appraisal.id_for(command.branch_id, command.year), command.branch_id):
        raise AppraisalAlreadyOpened(f"the {command.year} appraisal has been opened")
    appraisal = Appraisal.open(
        command.branch_id,
        year=command.year,
        opened_on=command.opened_on,
        excellent_share=command.excellent_share,
    )
    return uow.commit(appraisal)
