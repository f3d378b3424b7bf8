"""What a projector is: a read model's name, its tables, and the parts that fill them.

A part is one subject a read model holds (its branches, groups and members; its
households and visits; its requests...): the tables it declares and how each event
changes them. Read models that hold the same subject share its part, so each table is
declared once and each event handled once, while every read model keeps tables of its
own: read models are rebuilt one at a time, and a query joins tables that one
projector brought to one position. Tables are declared per generation, so a rebuild
can fill fresh ones while queries keep reading the current ones."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Connection, CursorResult, Executable, MetaData, Table, insert, update

from services.projection.readmodel.copy import COPY_FROM, copy_rows
from shared.contract.envelope import Envelope
from shared.contract.events import Event

T = TypeVar("T")


class RowWriter:
    """A projector's handle on its transaction. Inserts are queued and sent in bulk
    (one executemany per table) before any other statement runs, so the order of
    effects is kept while a batch of visits costs one round trip, not hundreds.

    A row takes each field of the event whose name it has as a column (``record``,
    ``change``), so a field reaches the read model by being named alike; a projector
    writes out only what differs."""

    def __init__(self, conn: Connection, *, buffered: bool = True) -> None:
        self.conn = conn
        self.buffered = buffered
        self._inserts: dict[Table, list[Mapping[str, Any]]] = {}

    def insert(self, table: Table, **values: Any) -> None:
        self._inserts.setdefault(table, []).append(values)
        if not self.buffered:
            self.flush()

    def record(self, table: Table, envelope: Envelope, event: Event, **values: Any) -> None:
        """Inserts a row for the event: its branch, the event's like-named fields, the
        envelope's stream as ``id`` where the table has one (a row per record), and
        ``values``, which come last and prevail."""
        row = {**like_named(table, event), "branch_id": envelope.branch_id}
        if "id" in table.columns:
            row["id"] = envelope.stream_id
        self.insert(table, **{**row, **values})

    def change(
        self, table: Table, envelope: Envelope, event: Event | None = None, **values: Any
    ) -> None:
        """Sets, in the row of the envelope's stream, the columns named like the
        event's fields (if an event is given) and ``values``."""
        changes = {**(like_named(table, event) if event is not None else {}), **values}
        self.execute(update(table).where(table.c.id == envelope.stream_id).values(**changes))

    def execute(self, statement: Executable) -> CursorResult[Any]:
        self.flush()
        return self.conn.execute(statement)

    def flush(self) -> None:
        inserts, self._inserts = self._inserts, {}
        for table, rows in inserts.items():
            if len(rows) < COPY_FROM or not copy_rows(self.conn, table, rows):
                self.conn.execute(insert(table), rows)


def like_named(table: Table, event: Event) -> dict[str, Any]:
    """The event's fields that ``table`` has a column of the same name for (a
    vocabulary value as its string)."""
    return {name: _plain(getattr(event, name)) for name in _like_names(table, type(event))}


def _like_names(table: Table, kind: type[Event]) -> tuple[str, ...]:
    # Worked out once per table and event type, and kept with the table (a replay
    # asks for each of hundreds of thousands of events).
    known: dict[type[Event], tuple[str, ...]] = table.info.setdefault("fields_taken", {})
    names = known.get(kind)
    if names is None:
        fields = {field.name for field in dataclasses.fields(kind)}
        names = known[kind] = tuple(c.name for c in table.columns if c.name in fields)
    return names


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


@dataclass(frozen=True)
class Part(Generic[T]):
    """One subject of a read model: ``declare(metadata, prefix)`` gives its tables (a
    frozen dataclass of them, every name starting with ``prefix``), and
    ``apply(rows, tables, envelope, event)`` changes them for one event, ignoring the
    events it does not need."""

    declare: Callable[[MetaData, str], T]
    apply: Callable[[RowWriter, T, Envelope, Event], None]


class Projector(Generic[T]):
    """A read model: its ``name`` (its tracking row, its queue, its tables' prefix),
    ``tables_type``, a frozen dataclass deriving from the tables of each of its
    ``parts``, and the parts, applied in turn to every event."""

    name: ClassVar[str]
    tables_type: ClassVar[type[Any]]
    parts: ClassVar[tuple[Part[Any], ...]]

    def define_tables(self, metadata: MetaData, prefix: str) -> T:
        """Declares this read model's tables, every name starting with ``prefix``."""
        declared: dict[str, Table] = {}
        for part in self.parts:
            declared.update(vars(part.declare(metadata, prefix)))
        tables: T = self.tables_type(**declared)
        return tables

    def apply(self, rows: RowWriter, tables: T, envelope: Envelope, event: Event) -> None:
        """Applies one event. Events this read model does not need are ignored."""
        for part in self.parts:
            part.apply(rows, tables, envelope, event)
