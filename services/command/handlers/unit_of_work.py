"""The port the handlers use to load aggregates and store what they decided."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol, TypeVar
from uuid import UUID

from services.command.domain.aggregate import Aggregate
from services.command.domain.corrections import EditWindow
from services.command.domain.errors import NotFound, UnknownReference
from shared.store import Written

# Written: what a write returns, as the store records it.
__all__ = ["UnitOfWork", "Written", "reference", "require"]

A = TypeVar("A", bound=Aggregate)


class UnitOfWork(Protocol):
    @property
    def today(self) -> date: ...

    @property
    def actor(self) -> str:
        """Who issued the command."""
        ...

    @property
    def edit_window(self) -> EditWindow:
        """How long a record's own recorder may still correct it."""
        ...

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
