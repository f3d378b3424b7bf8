from services.command.domain.branch import Branch
from services.command.domain.commands import RegisterBranch
from services.command.handlers.unit_of_work import UnitOfWork, Written


def register_branch(command: RegisterBranch, uow: UnitOfWork) -> Written:
    return uow.commit(Branch.register(command.branch_id, command.name))
