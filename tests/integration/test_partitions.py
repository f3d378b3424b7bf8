"""Projectors sharing a partitioned stream on real PostgreSQL and RabbitMQ: two
processes split four partitions between them, each partition is read by one of them
at a time, every read model reaches the store's head (partitions with nothing of
their own are moved on by watermarks), and when one process leaves the other takes
its partitions over; the partition count changes while commands arrive. The read
models equal a replay throughout."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from services.command.bootstrap import CommandService
from services.projection.bootstrap import ProjectionService
from services.projection.bootstrap import bootstrap as bootstrap_projections
from services.projection.projectors import ALL_PROJECTORS
from services.relay.bootstrap import RelayService
from services.relay.bootstrap import bootstrap as bootstrap_relay
from services.repartition import CannotRepartition, repartition
from shared.settings import Settings
from tests.integration.test_projector import assert_equal_to_replay, branch_with_groups
from tests.support.broker import eventually

PARTITIONS = 4


@pytest.fixture
def settings(stack_settings: Settings) -> Settings:
    return stack_settings.with_overrides(partitions=PARTITIONS)


@pytest.fixture
def relay(settings: Settings) -> Iterator[RelayService]:
    service = bootstrap_relay(settings)
    service.start()
    yield service
    service.close()


def caught_up(service: ProjectionService) -> bool:
    head = service.event_log.head()
    return all(service.position(p.name) >= head for p in ALL_PROJECTORS)


def labels(service: ProjectionService) -> set[str]:
    return {p.label for p in service.feeds["rosters"].consuming}


def test_two_processes_share_the_partitions_and_one_takes_over_when_the_other_leaves(
    commands: CommandService, settings: Settings, relay: RelayService
) -> None:
    first = bootstrap_projections(settings)
    second = bootstrap_projections(settings)
    try:
        first.start_feeds()
        second.start_feeds()
        every = {f"{i}-of-{PARTITIONS}" for i in range(PARTITIONS)}

        def split_in_halves() -> bool:
            # Each alone holds every partition for a moment after it starts.
            mine, theirs = labels(first), labels(second)
            return mine | theirs == every and len(mine) == len(theirs) == PARTITIONS // 2

        eventually(split_in_halves, message="the two processes split the partitions")
        for _ in range(8):
            branch_with_groups(commands, 3)
        eventually(lambda: caught_up(first), message="every partition reached the head")
        assert_equal_to_replay(first)

        second.close()
        eventually(lambda: labels(first) == every, message="the first took every partition")
        for _ in range(4):
            branch_with_groups(commands, 2)
        eventually(lambda: caught_up(first), message="caught up after the takeover")
        assert_equal_to_replay(first)
    finally:
        first.close()
        second.close()


def test_the_partition_count_changes_while_commands_arrive(
    commands: CommandService, stack_settings: Settings
) -> None:
    settings = stack_settings.with_overrides(partitions=2)
    relay = bootstrap_relay(settings)
    first = bootstrap_projections(settings)
    second = bootstrap_projections(settings)
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            branch_with_groups(commands, 1)

    writer = threading.Thread(target=write)
    try:
        relay.start()
        first.start_feeds()
        second.start_feeds()
        writer.start()
        eventually(lambda: first.event_log.head() > 20, message="commands are arriving")
        said: list[str] = []
        done = repartition(settings, PARTITIONS, timeout=60, say=said.append)
        assert (done.was, done.now) == (2, PARTITIONS)
        assert (
            said[-1] == f"the queues of 2 partitions are deleted; projectors resume on {PARTITIONS}"
        )
        every = {f"{i}-of-{PARTITIONS}" for i in range(PARTITIONS)}
        eventually(
            lambda: labels(first) | labels(second) == every, message="both resumed on the new count"
        )
        time.sleep(1)  # commands after the change, applied by the new partitions
    finally:
        stop.set()
        writer.join()
    try:
        eventually(lambda: caught_up(first), message="caught up after the change")
        assert first.event_log.head() > done.at
        assert_equal_to_replay(first)
        with pytest.raises(CannotRepartition, match="already in 4 partitions"):
            repartition(settings, PARTITIONS)
    finally:
        for service in (first, second):
            service.close()
        relay.close()
