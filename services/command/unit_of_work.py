"""The port every handler works through: who is acting, the day it is, the branch's
configured rules, loading aggregates and storing what they decided. One unit of work
serves one command, in one branch; ``services.command.adapters.eventstore`` implements
it on the event store, ``tests/unit/test_handlers.py`` in memory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, TypeVar
from uuid import UUID

from services.command.domain.aggregate import Aggregate
from services.command.domain.errors import NotFound, UnknownReference
from shared.auth import Principal
from shared.store import Written

__all__ = [
    "BranchSettings",
    "UnitOfWork",
    "Written",
    "reference",
    "require",
]  # Written: as the store records it

A = TypeVar("A", bound=Aggregate)


@dataclass(frozen=True)
class BranchSettings:
    """What the branch's rules are configured with (``LIAISON_*``), given once at the
    composition root."""

    edit_window_days: int = 0  # how long a recorder may correct their own record (0: that day)
    need_due_days: int = 30  # a request's due date, when none is given, after it is raised
    excellent_share: float = 1 / 3  # the year's default share of members graded excellent


class UnitOfWork(Protocol):
    @property
    def principal(self) -> Principal:
        """Who issued the command: their role, and the member or group they act for."""
        ...

    @property
    def today(self) -> date: ...

    @property
    def settings(self) -> BranchSettings: ...

    def date_of(self, moment: datetime) -> date:
        """The business date of a stored moment."""
        ...

    def get(self, kind: type[A], id: UUID, branch_id: UUID) -> A | None:
        """The aggregate, or None if there is none of that kind in that branch."""
        ...

    def forget_personal_data(self, subject: UUID) -> None:
        """Destroys the key that seals the subject's personal fields in every event, for
        good: the events stay, the fields read as erased."""
        ...

    def commit(self, *aggregates: Aggregate) -> Written:
        """Stores the pending events of all the aggregates in one transaction; the
        first aggregate is the one the write reports."""
        ...


def require(uow: UnitOfWork, kind: type[A], id: UUID, branch_id: UUID) -> A:
    """An aggregate addressed by the path: missing means 404."""
    aggregate = uow.get(kind, id, branch_id)
    if aggregate is None:
        raise NotFound(kind.KIND, id)
    return aggregate


def reference(uow: UnitOfWork, kind: type[A], field: str, id: UUID, branch_id: UUID) -> A:
    """An aggregate named in the body: missing means the input is invalid (422)."""
    aggregate = uow.get(kind, id, branch_id)
    if aggregate is None:
        raise UnknownReference(field, kind.KIND, id)
    return aggregate
