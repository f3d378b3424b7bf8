"""The relay against real PostgreSQL and RabbitMQ: every committed event published
once in order, the checkpoint moved only after the broker confirmed, and recovery
from a dropped broker connection (on a RabbitMQ node of the test's own)."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest

from services.command import commands as c
from services.command.bootstrap import CommandService
from services.command.bus import CommandContext
from services.relay.bootstrap import RelayService
from services.relay.bootstrap import bootstrap as bootstrap_relay
from services.relay.publisher import Publisher
from services.relay.relay import Relay
from shared.amqp import AMQP_ERRORS
from shared.contract.envelope import Envelope
from shared.messaging import PROJECTIONS, Topology
from shared.settings import Settings
from tests.support.broker import drain, eventually
from tests.support.principals import TESTER
from tests.support.private import PrivateRabbitMQ


@pytest.fixture
def relay(stack_settings: Settings) -> Iterator[RelayService]:
    service = bootstrap_relay(stack_settings)
    yield service
    service.close()


def register_branches(commands: CommandService, count: int) -> list[int]:
    return [
        commands.bus.handle(
            c.RegisterBranch(branch_id=uuid4(), name=f"支部{i}"),
            CommandContext(principal=TESTER, correlation_id=uuid4(), command_id=uuid4()),
        ).written.position
        for i in range(count)
    ]


def test_each_event_is_published_once_in_order_with_its_predecessor(
    commands: CommandService, relay: RelayService, stack_settings: Settings
) -> None:
    positions = register_branches(commands, 30)
    while relay.relay.run_once():
        pass
    assert relay.checkpoint.load() == positions[-1]
    topology = Topology(stack_settings.amqp_prefix)
    for projection in PROJECTIONS:
        envelopes = [
            Envelope.from_json(body)
            for _, body in drain(stack_settings, topology.queue(projection))
        ]
        assert [e.position for e in envelopes] == positions
        assert [e.previous_position for e in envelopes] == [0, *positions[:-1]]
        assert envelopes[0].data["name"] == "支部0"
    assert relay.relay.run_once() == 0


def test_the_checkpoint_waits_for_the_broker(
    commands: CommandService, relay: RelayService, stack_settings: Settings
) -> None:
    register_branches(commands, 3)
    unreachable = Publisher(
        "amqp://guest:guest@127.0.0.1:1/%2F", Topology(stack_settings.amqp_prefix)
    )
    stranded = Relay(relay.event_log, relay.checkpoint, unreachable)
    with pytest.raises(AMQP_ERRORS):
        stranded.run_once()
    assert relay.checkpoint.load() == 0


def test_the_relay_reconnects_after_the_broker_drops_it(
    commands: CommandService, stack_settings: Settings, private_rabbitmq: PrivateRabbitMQ
) -> None:
    settings = stack_settings.with_overrides(amqp_url=private_rabbitmq.url)
    queue = Topology(settings.amqp_prefix).queue("rosters")
    relay = bootstrap_relay(settings)
    relay.start()
    try:
        first = register_branches(commands, 5)
        eventually(lambda: relay.checkpoint.load() == first[-1], message="first batch relayed")
        private_rabbitmq.close_all_connections()
        second = register_branches(commands, 5)
        eventually(lambda: relay.checkpoint.load() == second[-1], message="relay resumed")
    finally:
        relay.close()
    received = [Envelope.from_json(body) for _, body in drain(settings, queue)]
    assert sorted({e.position for e in received}) == first + second
    assert relay.relay.stats.failures >= 1, "the dropped connection was noticed"


def test_a_standby_relay_waits_for_the_lease(relay: RelayService, stack_settings: Settings) -> None:
    standby = bootstrap_relay(stack_settings)
    holder = relay.checkpoint.lease()
    waiting = standby.checkpoint.lease()
    try:
        assert holder.acquire()
        assert not waiting.acquire()
        holder.release()
        assert waiting.acquire()
    finally:
        holder.release()
        waiting.release()
        standby.close()
