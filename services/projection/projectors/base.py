"""What a projector is: a name, the tables of its read model, and how one event
changes them. Tables are defined per generation so a rebuild can fill fresh ones
while queries keep reading the current ones."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import (
    Column,
    Connection,
    CursorResult,
    Executable,
    MetaData,
    Table,
    Text,
    Uuid,
    insert,
    update,
)

from shared.contract.envelope import Envelope
from shared.contract.events import BranchRegistered, Event, LinkedHouseholdAdded

T = TypeVar("T")


class Writes:
    """A projector's handle on its transaction. Inserts are queued and sent in bulk
    (one executemany per table) before any other statement runs, so the order of
    effects is kept while a batch of visits costs one round trip, not hundreds."""

    def __init__(self, conn: Connection, *, buffered: bool = True) -> None:
        self.conn = conn
        self.buffered = buffered
        self._inserts: dict[Table, list[Mapping[str, Any]]] = {}

    def insert(self, table: Table, **values: Any) -> None:
        self._inserts.setdefault(table, []).append(values)
        if not self.buffered:
            self.flush()

    def execute(self, statement: Executable) -> CursorResult[Any]:
        self.flush()
        return self.conn.execute(statement)

    def flush(self) -> None:
        inserts, self._inserts = self._inserts, {}
        for table, rows in inserts.items():
            self.conn.execute(insert(table), rows)


class Projector(ABC, Generic[T]):
    name: ClassVar[str]

    @abstractmethod
    def define_tables(self, metadata: MetaData, prefix: str) -> T:
        """Declares this read model's tables, every name starting with ``prefix``."""

    @abstractmethod
    def apply(self, w: Writes, tables: T, envelope: Envelope, event: Event) -> None:
        """Applies one event. Events this read model does not need are ignored."""


def define_branches(metadata: MetaData, prefix: str) -> Table:
    """Every read model knows its branches, so its queries can tell an unknown branch
    (404) from an empty one."""
    return Table(
        f"{prefix}branches",
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("name", Text, nullable=False),
    )


def apply_branch(w: Writes, branches: Table, envelope: Envelope, event: Event) -> None:
    if isinstance(event, BranchRegistered):
        w.insert(branches, id=envelope.stream_id, name=event.name)


def update_row(w: Writes, table: Table, id: object, **values: object) -> None:
    """Sets columns of the row whose ``id`` is given."""
    w.execute(update(table).where(table.c.id == id).values(**values))


def count_link(w: Writes, members: Table, envelope: Envelope, event: Event) -> None:
    """Keeps a member's ``linked_households`` count from their side of each link."""
    step = 1 if isinstance(event, LinkedHouseholdAdded) else -1
    w.execute(
        update(members)
        .where(members.c.id == envelope.stream_id)
        .values(linked_households=members.c.linked_households + step)
    )
