"""Read-your-writes across processes on PostgreSQL: a projector's commit NOTIFYs the
position it reached, and a query process (its own read-model store here) that LISTENs
hears it and wakes the queries waiting for it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from uuid import uuid4

import psycopg
import pytest

from services.command import commands as c
from services.command.bootstrap import CommandService
from services.command.bootstrap import bootstrap as bootstrap_commands
from services.command.bus import CommandContext
from services.projection.bootstrap import ProjectionService
from services.projection.bootstrap import bootstrap as bootstrap_projections
from services.projection.feeds.store import StoreFeed
from services.projection.projectors import ROSTERS
from services.projection.readmodel.database import create_engines
from services.projection.readmodel.progress import CHANNEL
from services.projection.readmodel.store import ReadModelStore
from shared.settings import Settings
from tests.support.principals import TESTER


@pytest.fixture
def stores(pg_settings: Settings) -> Iterator[tuple[CommandService, ProjectionService]]:
    """The command side and the projectors, in this process."""
    commands, projections = bootstrap_commands(pg_settings), bootstrap_projections(pg_settings)
    yield commands, projections
    projections.close()
    commands.close()


def register_branch(commands: CommandService) -> int:
    context = CommandContext(principal=TESTER, correlation_id=uuid4(), command_id=uuid4())
    command = c.RegisterBranch(branch_id=uuid4(), name="长安党支部")
    return commands.bus.handle(command, context).written.position


def catch_up(projections: ProjectionService) -> None:
    tracked = projections.tracked[ROSTERS.name]
    feed = StoreFeed(tracked, projections.event_log, batch_size=50)
    while feed.run_once() is not None:
        pass


def test_a_projectors_commit_notifies_the_position_it_reached(
    pg_settings: Settings, stores: tuple[CommandService, ProjectionService]
) -> None:
    commands, projections = stores
    with psycopg.connect(pg_settings.read_database_url, autocommit=True) as listener:
        listener.execute(f'LISTEN "{CHANNEL}"')
        position = register_branch(commands)
        catch_up(projections)
        heard = [n.payload for n in listener.notifies(timeout=30, stop_after=1)]
    assert heard == [f"{ROSTERS.name}:{position}"]


def test_a_query_process_waiting_for_a_position_is_woken_by_another_processs_commit(
    pg_settings: Settings, stores: tuple[CommandService, ProjectionService]
) -> None:
    commands, projections = stores
    queries = ReadModelStore(*create_engines(pg_settings.read_database_url))
    try:
        listener = queries.listen()
        assert listener is not None and listener.listening.wait(30)

        async def wait_for_the_next_write() -> int:
            position = register_branch(commands)
            with queries.progress.watch(ROSTERS.name, position) as advanced:
                await asyncio.to_thread(catch_up, projections)
                await asyncio.wait_for(advanced.wait(), timeout=60)
            return position

        position = asyncio.run(wait_for_the_next_write())
    finally:
        queries.close()
    assert projections.tracked[ROSTERS.name].position() == position
