"""Many envelopes per broker message (``LIAISON_RELAY_ENVELOPES_PER_MESSAGE``): the
relay publishes consecutive envelopes as one message, in order, each still naming
its predecessor; a projector applies them exactly once, filling holes left by a lost
batch from the store, as it does for single messages."""

from __future__ import annotations

from uuid import uuid4

from services.command import commands as c
from services.command.bootstrap import CommandService
from services.command.bus import CommandContext
from services.projection.bootstrap import ProjectionService
from services.projection.projectors import ALL_PROJECTORS, ROSTERS
from services.relay.bootstrap import bootstrap as bootstrap_relay
from services.relay.publisher import Publisher
from shared.contract.envelope import envelopes_in
from shared.messaging import Topology
from shared.partitions import ALL
from shared.settings import Settings
from tests.integration.test_projector import (
    assert_equal_to_replay,
    branch_with_groups,
    feed_for,
    group_names,
    run_feed,
    stored_envelopes,
)
from tests.support.broker import drain, eventually
from tests.support.principals import TESTER


def test_the_relay_publishes_batches_in_order_with_each_predecessor(
    commands: CommandService, stack_settings: Settings
) -> None:
    settings = stack_settings.with_overrides(relay_envelopes_per_message=4)
    positions = [
        commands.bus.handle(
            c.RegisterBranch(branch_id=uuid4(), name=f"支部{i}"),
            CommandContext(principal=TESTER, correlation_id=uuid4(), command_id=uuid4()),
        ).written.position
        for i in range(10)
    ]
    relay = bootstrap_relay(settings)
    try:
        while relay.relay.run_once():
            pass
    finally:
        relay.close()
    for projection in ("rosters", "coverage", "evaluations"):
        messages = drain(settings, Topology(settings.amqp_prefix).queue(projection))
        assert [len(envelopes_in(body)) for _, body in messages] == [4, 4, 2]
        envelopes = [e for _, body in messages for e in envelopes_in(body)]
        assert [e.position for e in envelopes] == positions
        assert [e.previous_position for e in envelopes] == [0, *positions[:-1]]
        assert envelopes[-1].data["name"] == "支部9"


def test_lost_and_repeated_batches_are_applied_once(
    commands: CommandService, projections: ProjectionService, stack_settings: Settings
) -> None:
    branch = branch_with_groups(commands, 10)
    envelopes = stored_envelopes(projections.event_log)
    publisher = Publisher(stack_settings.amqp_url or "", Topology(stack_settings.amqp_prefix), 3)
    # Batches of 3: the first batch lost, a later one alone; then everything twice.
    publisher.publish(ALL, envelopes[6:9])
    publisher.publish(ALL, envelopes + envelopes)
    publisher.close()
    runner = projections.tracked[ROSTERS.name]
    feed = feed_for(projections, stack_settings, runner)
    stop, thread = run_feed(feed)
    try:
        eventually(lambda: runner.position() == envelopes[-1].position, message="caught up")
        # One batch, then 22 envelopes in batches of 3: 8 messages.
        eventually(lambda: feed.stats.received == 1 + 8, message="every message consumed")
    finally:
        stop.set()
        thread.join(10)
    assert group_names(projections, branch) == sorted(f"第{i}党小组" for i in range(10))
    # 7..9 came first, so 1..6 were read from the store; then 1..9 were repeats, 10 and
    # 11 new, and the second copy all repeats.
    assert (feed.stats.applied, feed.stats.filled, feed.stats.duplicates) == (11, 6, 9 + 11)
    for projector in ALL_PROJECTORS:
        projections.tracked[projector.name].process(envelopes)
    assert_equal_to_replay(projections)
