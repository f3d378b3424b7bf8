"""What a projector is: a name, the tables of its read model, and how one event
changes them. Tables are defined per generation so a rebuild can fill fresh ones
while queries keep reading the current ones."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, Generic, TypeVar

from sqlalchemy import Column, Connection, MetaData, Table, Text, Uuid, insert, update

from shared.contract.envelope import Envelope
from shared.contract.events import BranchRegistered, Event, LinkedHouseholdAdded

T = TypeVar("T")


class Projector(ABC, Generic[T]):
    name: ClassVar[str]

    @abstractmethod
    def define_tables(self, metadata: MetaData, prefix: str) -> T:
        """Declares this read model's tables, every name starting with ``prefix``."""

    @abstractmethod
    def apply(self, conn: Connection, tables: T, envelope: Envelope, event: Event) -> None:
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


def apply_branch(conn: Connection, branches: Table, envelope: Envelope, event: Event) -> None:
    if isinstance(event, BranchRegistered):
        conn.execute(insert(branches).values(id=envelope.stream_id, name=event.name))


def update_row(conn: Connection, table: Table, id: object, **values: object) -> None:
    """Sets columns of the row whose ``id`` is given."""
    conn.execute(update(table).where(table.c.id == id).values(**values))


def count_link(conn: Connection, members: Table, envelope: Envelope, event: Event) -> None:
    """Keeps a member's ``linked_households`` count from their side of each link."""
    step = 1 if isinstance(event, LinkedHouseholdAdded) else -1
    conn.execute(
        update(members)
        .where(members.c.id == envelope.stream_id)
        .values(linked_households=members.c.linked_households + step)
    )
