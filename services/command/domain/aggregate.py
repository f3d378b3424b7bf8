"""The aggregate base: state is a fold of events; new events are recorded pending
until the unit of work stores them. Borrowed from ``eventsourcing``'s aggregates, but
our events are the contract's dataclasses (``shared.contract.events``), which the read
side decodes without importing the command side, stored under their contract names
rather than Python module paths (see the README's architecture)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import fields
from datetime import datetime
from typing import ClassVar, Self, TypeVar
from uuid import UUID

from shared.contract.events import Event

E = TypeVar("E", bound=Event)


def derived(event_type: type[E], source: object, **given: object) -> E:
    """The event whose fields are ``given`` or else the same-named fields of ``source``
    (the command it answers): a command's fields are written once for the request and
    once for the event, and nothing between them copies them out by hand."""
    values = {
        field.name: given[field.name] if field.name in given else getattr(source, field.name)
        for field in fields(event_type)
        if field.name in given or hasattr(source, field.name)
    }
    return event_type(**values)


class Aggregate(ABC):
    CREATED_BY: ClassVar[type[Event]]
    KIND: ClassVar[str]
    # Derived ids (from a natural key) are expected to collide when two commands create
    # the same stream at once; chosen ids colliding means the id is already taken.
    ID_IS_DERIVED: ClassVar[bool] = False

    def __init__(self, id: UUID, branch_id: UUID) -> None:
        self.id = id
        self.branch_id = branch_id
        self.version = 0
        self.created_by: str | None = None  # who recorded it, for rules on who may amend it
        self.created_at: datetime | None = None
        self._pending: list[Event] = []

    @abstractmethod
    def apply(self, event: Event) -> None:
        """Folds one event into the state; never refuses (events are facts)."""

    def _adopt(self, event: Event) -> None:
        """Takes each of the event's fields that the aggregate keeps, as it is."""
        for field in fields(event):
            if hasattr(self, field.name):
                setattr(self, field.name, getattr(event, field.name))

    def _record(self, event: Event) -> None:
        self.apply(event)
        self.version += 1
        self._pending.append(event)

    @classmethod
    def rehydrate(
        cls,
        id: UUID,
        branch_id: UUID,
        events: Iterable[Event],
        *,
        created_by: str | None = None,
        created_at: datetime | None = None,
    ) -> Self:
        aggregate = cls(id, branch_id)
        aggregate.created_by = created_by
        aggregate.created_at = created_at
        return aggregate.fold(events)

    def fold(self, events: Iterable[Event]) -> Self:
        """The aggregate with stored events applied after those it was loaded with."""
        for event in events:
            self.apply(event)
            self.version += 1
        return self

    @property
    def pending(self) -> list[tuple[int, Event]]:
        """New events with the stream version each will be stored at."""
        first = self.version - len(self._pending) + 1
        return [(first + offset, event) for offset, event in enumerate(self._pending)]

    @property
    def is_new(self) -> bool:
        return bool(self._pending) and self.version == len(self._pending)

    def mark_saved(self) -> None:
        self._pending.clear()
