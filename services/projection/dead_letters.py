"""Dead letters: events a projection could not apply, kept with their reason.
Once the cause is fixed (new code, a corrected upcaster), ``redrive`` applies the
stored event to the projection's current tables and clears the letter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from services.projection.projectors.base import Projector, RowWriter
from services.projection.readmodel.store import ReadModelStore, dead_letters
from shared.contract.envelope import Envelope, envelopes_from
from shared.store import EventLog


@dataclass(frozen=True)
class DeadLetter:
    id: int
    projection: str
    position: int | None
    event_type: str | None
    reason: str
    recorded_at: datetime


def list_dead_letters(store: ReadModelStore, projection: str | None = None) -> list[DeadLetter]:
    query = select(dead_letters).order_by(dead_letters.c.id)
    if projection is not None:
        query = query.where(dead_letters.c.projection == projection)
    with store.reader.connect() as conn:
        return [
            DeadLetter(
                row.id, row.projection, row.position, row.event_type, row.reason, row.recorded_at
            )
            for row in conn.execute(query)
        ]


class CannotRedrive(Exception):
    pass


def redrive(
    letter: DeadLetter, projector: Projector[Any], store: ReadModelStore, event_log: EventLog
) -> None:
    """Applies the dead-lettered event from the store; raises if it still fails (and
    the letter stays)."""
    if letter.position is None:
        raise CannotRedrive(f"dead letter {letter.id} has no position: nothing to read back")
    items = envelopes_from(
        event_log.read(after=letter.position - 1, limit=1, upto=letter.position),
        letter.position - 1,
        event_log.vault,
    )
    item = items[0] if items else None
    if not isinstance(item, Envelope):
        raise CannotRedrive(f"the event at {letter.position} still cannot be read")
    with store.writer.begin() as conn:
        state = store.locked_state(conn, projector.name)
        tables = store.tables(projector, state.generation)
        rows = RowWriter(conn)
        projector.apply(rows, tables, item, item.event(event_log.vault))
        rows.flush()
        conn.execute(delete(dead_letters).where(dead_letters.c.id == letter.id))
