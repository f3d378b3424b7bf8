from __future__ import annotations

from uuid import UUID

from services.command.domain.aggregate import Aggregate
from shared.contract.events import BranchRegistered, Event


class Branch(Aggregate):
    """A community Party branch (社区党支部); everything else belongs to one."""

    CREATED_BY = BranchRegistered
    KIND = "branch"

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        super().__init__(id, branch_id)
        self.name = ""

    @classmethod
    def register(cls, id: UUID, name: str) -> Branch:
        branch = cls(id, branch_id=id)
        branch._record(BranchRegistered(name=name))
        return branch

    def apply(self, event: Event) -> None:
        match event:
            case BranchRegistered(name=name):
                self.name = name
