from services.command.domain.commands import ResolveNeed
from services.command.domain.dates import check_date
from services.command.domain.need import Need
from services.command.handlers.unit_of_work import UnitOfWork, Written, require


def resolve_need(command: ResolveNeed, uow: UnitOfWork) -> Written:
    check_date("resolved_on", command.resolved_on, uow.today)
    need = require(uow, Need, command.need_id, command.branch_id)
    need.resolve(command.resolved_on, command.outcome)
    return uow.commit(need)
