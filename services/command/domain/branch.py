"""The branch (社区党支部) everything else belongs to."""

from __future__ import annotations

from uuid import UUID

from services.command.commands import RegisterBranch, handles
from services.command.domain.aggregate import Aggregate, derived
from services.command.unit_of_work import UnitOfWork, Written
from shared.contract.events import BranchRegistered, Event


class Branch(Aggregate):
    CREATED_BY = BranchRegistered
    KIND = "branch"

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.name = ""

    @classmethod
    def register(cls, command: RegisterBranch) -> Branch:
        branch = cls(command.branch_id, branch_id=command.branch_id)
        branch._record(derived(BranchRegistered, command))
        return branch

    def apply(self, event: Event) -> None:
        match event:
            case BranchRegistered():
                self._adopt(event)


@handles(RegisterBranch)
def register_branch(command: RegisterBranch, uow: UnitOfWork) -> Written:
    return uow.commit(Branch.register(command))
