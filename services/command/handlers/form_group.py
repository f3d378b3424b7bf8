from services.command.domain.branch import Branch
from services.command.domain.commands import FormGroup
from services.command.domain.group import Group
from services.command.handlers.unit_of_work import UnitOfWork, Written, require


def form_group(command: FormGroup, uow: UnitOfWork) -> Written:
    require(uow, Branch, command.branch_id, command.branch_id)
    group = Group.form(command.group_id, command.branch_id, command.name, command.basis)
    return uow.commit(group)
