from services.command.domain.commands import DissolveGroup
from services.command.domain.dates import check_date
from services.command.domain.group import Group
from services.command.handlers.unit_of_work import UnitOfWork, Written, require


def dissolve_group(command: DissolveGroup, uow: UnitOfWork) -> Written:
    check_date("dissolved_on", command.dissolved_on, uow.today)
    group = require(uow, Group, command.group_id, command.branch_id)
    group.dissolve(command.dissolved_on, command.reason)
    return uow.commit(group)
