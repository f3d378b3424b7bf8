"""Answers a query from one projection's current generation, after waiting (if the
client asks with ``min_position``) until the projection has applied that position."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Connection

from services.projection.projectors.base import Projector
from services.projection.readmodel.store import ReadModelStore
from shared.problem_types import Problem
from shared.problems import ServiceUnavailable

R = TypeVar("R")
T = TypeVar("T")

POLL_SECONDS = 0.01


class ReadModels:
    def __init__(self, store: ReadModelStore, wait_seconds: float) -> None:
        self.store = store
        self._wait_seconds = wait_seconds

    async def read(
        self,
        projector: Projector[T],
        min_position: int | None,
        query: Callable[[Connection, T, int], R],
    ) -> R:
        """``query(conn, tables, position)`` on a snapshot at least at ``min_position``."""
        deadline = time.monotonic() + self._wait_seconds
        while True:
            answer = await run_in_threadpool(self._attempt, projector, min_position, query)
            if answer is not None:
                return answer[0]
            if time.monotonic() >= deadline:
                raise ServiceUnavailable(
                    f"the {projector.name} read model has not reached position "
                    f"{min_position} yet; retry",
                    Problem.READ_MODEL_BEHIND,
                )
            await asyncio.sleep(POLL_SECONDS)

    def _attempt(
        self,
        projector: Projector[T],
        min_position: int | None,
        query: Callable[[Connection, T, int], R],
    ) -> tuple[R] | None:
        with self.store.reader.connect() as conn:
            state = self.store.state(conn, projector.name)
            if state is None:
                raise ServiceUnavailable(
                    f"the {projector.name} read model is not set up yet",
                    Problem.READ_MODEL_UNAVAILABLE,
                )
            if min_position is not None and state.position < min_position:
                return None
            tables = self.store.tables(projector, state.generation)
            return (query(conn, tables, state.position),)
