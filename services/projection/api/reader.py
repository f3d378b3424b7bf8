"""How a query is answered: from one projection's current generation, after waiting
(if the client asks with ``min_position``) until the projection has applied that
position, or (``as_of``) replayed from the store up to a moment; an answer about a
branch the read model does not know is a 404."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Concatenate, ParamSpec, TypeVar
from uuid import UUID

from fastapi import Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Connection

from services.projection.answers import ReadAnswer
from services.projection.projectors import ALL_PROJECTORS
from services.projection.projectors.base import Projector
from services.projection.readmodel.store import ReadModelStore
from services.projection.time_travel import TimeTravel
from shared.clock import Clock
from shared.moments import MomentUpTo
from shared.problem_types import Problem
from shared.problems import ProblemError, ServiceUnavailable

A = TypeVar("A", bound=ReadAnswer)
P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

MAX_POSITION = 2**63 - 1  # a PostgreSQL bigint
# A waiting query is woken by its projection's commits (``Progress``); it also looks
# again this often, should a wake-up not come (a listener reconnecting, projectors in
# another process on SQLite, which has no NOTIFY).
RECHECK_SECONDS = 1.0

MinPosition = Annotated[
    int | None,
    Query(
        ge=0,
        le=MAX_POSITION,
        description="Wait until the read model has applied this position (a write's "
        "`position`), then answer: read-your-writes. 503 if it cannot in time.",
    ),
]
AsOf = Annotated[
    MomentUpTo | None,
    Query(
        description="Answer as recorded at this moment (recording time, not a business "
        "date), replayed from the event store (not the live read model). With a zone, "
        "without one (that time in LIAISON_TIMEZONE), or a date (the end of that day there)."
    ),
]


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
        if min_position is None:
            return await run_in_threadpool(self.now, projector, query)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._wait_seconds
        with self.store.progress.watch(projector.name, min_position) as advanced:
            while True:
                advanced.clear()
                answer = await run_in_threadpool(self._attempt, projector, min_position, query)
                if answer is not None:
                    return answer[0]
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise ServiceUnavailable(
                        f"the {projector.name} read model has not reached position "
                        f"{min_position} yet; retry",
                        Problem.READ_MODEL_BEHIND,
                    )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(advanced.wait(), min(remaining, RECHECK_SECONDS))

    def now(self, projector: Projector[T], query: Callable[[Connection, T, int], R]) -> R:
        """``query(conn, tables, position)`` on the read model as it is (blocking)."""
        answer = self._attempt(projector, None, query)
        assert answer is not None
        return answer[0]

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


class BranchReader:
    """Answers queries about one branch (the path's ``branch_id``):
    ``query(conn, tables, branch_id, position, ...)`` gives the answer, or None when
    the read model knows no such branch (a 404)."""

    def __init__(
        self,
        branch_id: UUID,
        request: Request,
        response: Response | None = None,
        min_position: int | None = None,
        as_of: datetime | None = None,
    ) -> None:
        self.branch_id = branch_id
        self.read_models: ReadModels = request.app.state.read_models
        self._time_travel: TimeTravel = request.app.state.time_travel
        self._clock: Clock = request.app.state.clock
        self._response = response
        self._min_position = min_position
        self._as_of = as_of

    @property
    def today(self) -> date:
        return self._clock.today()

    @property
    def clock(self) -> Clock:
        return self._clock

    async def answer(
        self,
        projector: Projector[T],
        query: Callable[Concatenate[Connection, T, UUID, int, P], A | None],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> A:
        """The query's answer, from the live read model (after ``min_position``) or
        replayed (``as_of``); its position also goes out as ``X-Read-Position``."""

        def ask(conn: Connection, tables: T, position: int) -> A | None:
            return query(conn, tables, self.branch_id, position, *args, **kwargs)

        if self._as_of is None:
            answer = await self.read_models.read(projector, self._min_position, ask)
        else:
            replayed = await run_in_threadpool(
                self._time_travel.answer, projector, self._as_of, ask
            )
            answer = replayed.answer
        found = self._known(answer)
        if self._response is not None:
            self._response.headers["X-Read-Position"] = str(found.position)
        return found

    def now(
        self,
        projector: Projector[T],
        query: Callable[Concatenate[Connection, T, UUID, int, P], R | None],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """The query's answer from the read model as it is (blocking: for endpoints
        that run in the thread pool)."""
        return self._known(
            self.read_models.now(
                projector,
                lambda conn, tables, position: query(
                    conn, tables, self.branch_id, position, *args, **kwargs
                ),
            )
        )

    def _known(self, answer: R | None) -> R:
        if answer is None:
            raise ProblemError(Problem.NOT_FOUND, f"no branch {self.branch_id}")
        return answer


async def branch_query(
    branch_id: UUID,
    request: Request,
    response: Response,
    min_position: MinPosition = None,
    as_of: AsOf = None,
) -> BranchReader:
    return BranchReader(branch_id, request, response, min_position, as_of)


async def branch_document(
    branch_id: UUID, request: Request, min_position: MinPosition = None
) -> BranchReader:
    """A document reads several read models as they are, once each has applied
    ``min_position`` (an export right after an import holds what it wrote)."""
    reader = BranchReader(branch_id, request)
    if min_position is not None:
        for projector in ALL_PROJECTORS:
            await reader.read_models.read(projector, min_position, _reached)
    return reader


def _reached(conn: Connection, tables: object, position: int) -> None:
    return None


# A query endpoint's reader: it takes ``min_position`` and ``as_of``.
BranchQuery = Annotated[BranchReader, Depends(branch_query)]
# A document's (ledger, summary): the read models as they are, after ``min_position``.
BranchDocument = Annotated[BranchReader, Depends(branch_document)]
