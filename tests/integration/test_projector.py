"""Projectors consuming from real RabbitMQ into PostgreSQL read models: duplicates
change nothing, a lost message is read back from the store, poison messages go to
the dead-letter queue with their reason and the projector carries on."""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Connection

from services.command import commands as c
from services.command.bootstrap import CommandService
from services.command.bus import CommandContext
from services.projection.bootstrap import ProjectionService
from services.projection.dead_letters import list_dead_letters, redrive
from services.projection.feeds.rabbit import RabbitFeed
from services.projection.projectors import ALL_PROJECTORS, ROSTERS
from services.projection.projectors.base import RowWriter
from services.projection.projectors.rosters import RostersProjector
from services.projection.projectors.tables import RosterTables
from services.projection.queries.rosters import roster
from services.projection.rebuild import rebuild
from services.projection.tracked import TrackedProjector
from services.relay.publisher import Publisher
from shared.contract.envelope import Envelope, envelopes_from
from shared.contract.events import Event, GroupFormed
from shared.contract.vocabulary import GroupBasis
from shared.messaging import Topology
from shared.partitions import ALL
from shared.settings import Settings
from shared.store import EventLog, StoredEvent
from tests.support.broker import drain, eventually, publish_raw
from tests.support.principals import TESTER


def handle(commands: CommandService, command: c.Command) -> UUID:
    context = CommandContext(principal=TESTER, correlation_id=uuid4(), command_id=uuid4())
    return commands.bus.handle(command, context).written.id


def branch_with_groups(commands: CommandService, count: int) -> UUID:
    branch = handle(commands, c.RegisterBranch(branch_id=uuid4(), name="长安党支部"))
    for i in range(count):
        handle(
            commands,
            c.FormGroup(
                branch_id=branch, group_id=uuid4(), name=f"第{i}党小组", basis=GroupBasis.RESIDENCE
            ),
        )
    return branch


def stored_envelopes(event_log: EventLog) -> list[Envelope]:
    items = envelopes_from(event_log.read(after=0, limit=10_000), 0, event_log.vault)
    return [item for item in items if isinstance(item, Envelope)]


def run_feed(feed: RabbitFeed) -> tuple[threading.Event, threading.Thread]:
    stop = threading.Event()
    thread = threading.Thread(target=feed.run, args=(stop,), daemon=True)
    thread.start()
    return stop, thread


def feed_for(
    projections: ProjectionService, settings: Settings, runner: TrackedProjector
) -> RabbitFeed:
    assert settings.amqp_url is not None
    return RabbitFeed(runner, settings.amqp_url, Topology(settings.amqp_prefix), batch_size=20)


def group_names(projections: ProjectionService, branch: UUID) -> list[str]:
    def query(conn: Connection, tables: RosterTables, position: int) -> Any:
        return roster(conn, tables, branch, position)

    with projections.store.reader.connect() as conn:
        state = projections.store.state(conn, ROSTERS.name)
        assert state is not None
        answer = query(conn, projections.store.tables(ROSTERS, state.generation), state.position)
    # The roster lists groups in natural order (第2 before 第10), not the order formed.
    return [] if answer is None else sorted(g.name for g in answer.groups)


def assert_equal_to_replay(projections: ProjectionService) -> None:
    for report in rebuild(ALL_PROJECTORS, projections.store, projections.event_log, switch=False):
        assert report.differing_rows == 0, (report.projection, report.differences)


def test_duplicates_and_lost_messages(
    commands: CommandService, projections: ProjectionService, stack_settings: Settings
) -> None:
    branch = branch_with_groups(commands, 10)
    envelopes = stored_envelopes(projections.event_log)
    publisher = Publisher(stack_settings.amqp_url or "", Topology(stack_settings.amqp_prefix))
    # Publish every other message, then all of them twice: holes and duplicates.
    publisher.publish(ALL, envelopes[::2])
    publisher.publish(ALL, envelopes + envelopes)
    publisher.close()
    runner = projections.tracked[ROSTERS.name]
    feed = feed_for(projections, stack_settings, runner)
    stop, thread = run_feed(feed)
    try:
        eventually(lambda: runner.position() == envelopes[-1].position, message="caught up")
        sent = len(envelopes[::2]) + 2 * len(envelopes)
        eventually(lambda: feed.stats.received == sent, message="every message consumed")
    finally:
        stop.set()
        thread.join(10)
    assert group_names(projections, branch) == sorted(f"第{i}党小组" for i in range(10))
    # Sent: 1,3,5,7,9,11 then 1..11 twice. The five holes are read from the store.
    assert (feed.stats.applied, feed.stats.filled, feed.stats.duplicates) == (11, 5, 22)
    for projector in ALL_PROJECTORS:
        projections.tracked[projector.name].process(envelopes)
    assert_equal_to_replay(projections)


class BuggyRosters(RostersProjector):
    """A projector with a bug that bites on one particular group."""

    def apply(
        self, rows: RowWriter, tables: RosterTables, envelope: Envelope, event: Event
    ) -> None:
        if isinstance(event, GroupFormed) and event.name == "出错的小组":
            raise RuntimeError("bug in the projector")
        super().apply(rows, tables, envelope, event)


def test_poison_messages_are_dead_lettered_and_the_projector_goes_on(
    commands: CommandService, projections: ProjectionService, stack_settings: Settings
) -> None:
    topology = Topology(stack_settings.amqp_prefix)
    branch = branch_with_groups(commands, 1)
    handle(
        commands,
        c.FormGroup(branch_id=branch, group_id=uuid4(), name="出错的小组", basis=GroupBasis.TRAIT),
    )
    # An event from a newer version of the code, which this one cannot read.
    projections.recorder.insert_events(
        [
            StoredEvent(
                originator_id=uuid4(), originator_version=1, topic="FromTheFuture", state=b"{}"
            )
        ]
    )
    handle(
        commands,
        c.FormGroup(branch_id=branch, group_id=uuid4(), name="后来的小组", basis=GroupBasis.TRAIT),
    )
    envelopes = stored_envelopes(projections.event_log)
    publisher = Publisher(stack_settings.amqp_url or "", topology)
    publisher.publish(ALL, envelopes)
    publisher.close()
    publish_raw(stack_settings, b"{not json")

    runner = TrackedProjector(BuggyRosters(), projections.store, projections.event_log)
    feed = feed_for(projections, stack_settings, runner)
    stop, thread = run_feed(feed)
    try:
        head = projections.event_log.head()
        eventually(lambda: runner.position() == head, message="past the poison")
        eventually(lambda: feed.stats.dead_lettered == 3, message="three dead letters")
    finally:
        stop.set()
        thread.join(10)
    assert group_names(projections, branch) == sorted(["第0党小组", "后来的小组"])
    dead = drain(stack_settings, topology.dead_letter_queue(ROSTERS.name))
    reasons = sorted(properties.headers["x-liaison-reason"] for properties, _ in dead)
    assert len(reasons) == 3
    assert any("malformed envelope" in r for r in reasons)
    assert any("FromTheFuture" in r for r in reasons)
    assert any("bug in the projector" in r for r in reasons)


def test_dead_letters_are_listed_and_redriven_once_fixed(
    commands: CommandService, projections: ProjectionService
) -> None:
    branch = branch_with_groups(commands, 1)
    handle(
        commands,
        c.FormGroup(branch_id=branch, group_id=uuid4(), name="出错的小组", basis=GroupBasis.TRAIT),
    )
    envelopes = stored_envelopes(projections.event_log)
    buggy = TrackedProjector(BuggyRosters(), projections.store, projections.event_log)
    report = buggy.process(envelopes)
    assert len(report.dead_letters) == 1
    [letter] = list_dead_letters(projections.store, "rosters")
    assert "bug in the projector" in letter.reason
    assert group_names(projections, branch) == ["第0党小组"]
    redrive(letter, ROSTERS, projections.store, projections.event_log)  # the fixed projector
    assert group_names(projections, branch) == sorted(["第0党小组", "出错的小组"])
    assert list_dead_letters(projections.store) == []
