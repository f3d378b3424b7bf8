"""Read models as they stood at a moment: the projector replays the store's history
up to that moment into a private in-memory database, and the usual query answers
from it. Computed on demand from the events, never from the live tables, so "the
roster on 2009-11-29" reflects what had been recorded by then."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from services.projection.projectors.base import Projector
from services.projection.readmodel.store import ReadModelStore
from services.projection.runner import ProjectionRunner
from shared.contract.envelope import Envelope, envelopes_from
from shared.eventstore import EventLog

T = TypeVar("T")
R = TypeVar("R")

CHUNK = 2000


def answer_as_of(
    projector: Projector[T],
    event_log: EventLog,
    as_of: datetime,
    query: Callable[[Any, T, int], R],
) -> R:
    engine = create_engine(
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )
    try:
        store = ReadModelStore(engine, engine)
        store.ensure(projector)
        runner = ProjectionRunner(projector, store, event_log)
        position = 0
        while notifications := event_log.read(after=position, limit=CHUNK):
            items = envelopes_from(notifications, position, event_log.vault)
            # History is in commit order: the first event after the moment ends it.
            later = next(
                (
                    i
                    for i, item in enumerate(items)
                    if isinstance(item, Envelope) and item.occurred_at > as_of
                ),
                None,
            )
            runner.process(items[:later])
            if later is not None:
                break
            position = notifications[-1].id
        with engine.connect() as conn:
            state = store.state(conn, projector.name)
            assert state is not None
            return query(conn, store.tables(projector, state.generation), state.position)
    finally:
        engine.dispose()
