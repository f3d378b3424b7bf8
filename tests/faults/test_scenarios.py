"""The fault suite: each scenario drives the real PostgreSQL + RabbitMQ deployment
with a stream of commands, injects a fault mid-stream, lets the system settle and
checks the invariant (every accepted command stored exactly once; every read model
equal to a fresh replay). Each writes its figures to test-artifacts/faults.json.
The scenarios that stop or cut off a server run on servers of their own. Each runs
with the stream in one partition and in two (the branches' events split between
them, each partition with its own chain and watermarks)."""

from __future__ import annotations

import signal
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from bench.stack import bearer, postgres_settings
from shared.messaging import Topology
from shared.partitions import Partition, branch_partition
from shared.settings import Settings
from tests.faults.harness import Scenario
from tests.support.broker import connect, eventually, publish_raw
from tests.support.private import PrivatePostgres, PrivateRabbitMQ

pytestmark = pytest.mark.timeout(600)


def run_scenario(
    request: pytest.FixtureRequest, settings: Settings, tmp_path: Path, **shape: int
) -> Iterator[Scenario]:
    """``shape``: how many projector processes and branches (``Scenario``'s)."""
    run = Scenario(request.node.name.removeprefix("test_"), settings, tmp_path, **shape)
    try:
        yield run
    finally:
        run.close()


@pytest.fixture(params=[1, 2], ids=["one-partition", "two-partitions"])
def partitions(request: pytest.FixtureRequest) -> int:
    count: int = request.param
    return count


@pytest.fixture
def scenario(
    request: pytest.FixtureRequest, stack_settings: Settings, tmp_path: Path, partitions: int
) -> Iterator[Scenario]:
    """On the shared servers, with a database and broker names of its own."""
    settings = stack_settings.with_overrides(partitions=partitions)
    yield from run_scenario(request, settings, tmp_path)


@pytest.fixture
def private_scenario(
    request: pytest.FixtureRequest,
    private_postgres: PrivatePostgres,
    private_rabbitmq: PrivateRabbitMQ,
    tmp_path: Path,
    partitions: int,
) -> Iterator[Scenario]:
    """On a PostgreSQL cluster and a RabbitMQ node of its own, which it may stop."""
    settings = postgres_settings(private_postgres.database(), "liaison", private_rabbitmq.url)
    yield from run_scenario(request, settings.with_overrides(partitions=partitions), tmp_path)


def test_rabbitmq_restarted_and_connections_dropped(
    private_scenario: Scenario, private_rabbitmq: PrivateRabbitMQ
) -> None:
    scenario = private_scenario
    with scenario.client.streaming():
        time.sleep(2)
        private_rabbitmq.stop_app()
        time.sleep(3)
        private_rabbitmq.start_app()
        time.sleep(3)
        private_rabbitmq.close_all_connections()
        scenario.fault_over()
        time.sleep(3)
    scenario.settle()
    scenario.check()
    assert scenario.status("projector")["coverage"]["reconnects"] >= 1


def test_projector_killed_mid_batch_three_times(scenario: Scenario) -> None:
    with scenario.client.streaming(rate=80):
        for _ in range(3):
            time.sleep(1.5)
            scenario.processes["projector"].kill(signal.SIGKILL)
            time.sleep(1)
            scenario.processes["projector"].start()
        scenario.fault_over()
        time.sleep(2)
    scenario.settle()
    scenario.check()


def test_relay_killed_after_publishing_before_its_checkpoint(scenario: Scenario) -> None:
    """What a crash between the broker's confirm and the checkpoint's commit leaves:
    a checkpoint behind what was published. The relay publishes those again; the
    projectors must drop every copy."""
    with scenario.client.streaming():
        time.sleep(3)
        scenario.processes["relay"].kill(signal.SIGKILL)
        with psycopg.connect(scenario.bench.conninfo, autocommit=True) as conn:
            rewound = conn.execute(
                "UPDATE liaison_relay_checkpoint SET position = greatest(position - 100, 0) "
                "RETURNING position"
            ).fetchone()
        assert rewound is not None
        scenario.processes["relay"].start()
        scenario.fault_over()
        time.sleep(2)
    scenario.settle()
    scenario.check()
    assert scenario.report["deduplicated"] >= 100


def test_postgres_connections_killed_and_postgres_stopped(
    private_scenario: Scenario, private_postgres: PrivatePostgres
) -> None:
    scenario = private_scenario
    database = scenario.settings.database_url.rsplit("/", 1)[-1]
    with scenario.client.streaming():
        time.sleep(2)
        for _ in range(2):
            private_postgres.terminate_connections(database)
            time.sleep(1.5)
        private_postgres.stop("fast")
        try:
            time.sleep(4)
        finally:
            private_postgres.start()
        scenario.fault_over()
        time.sleep(3)
    scenario.settle()
    scenario.check()
    statuses = scenario.client.tally.statuses
    assert (
        statuses.get("503", 0) + statuses.get("ConnectError", 0) + statuses.get("ReadTimeout", 0)
        > 0
    ), "the outage was seen by clients"
    assert scenario.client.tally.slowest_answer_seconds < 30, "no answer hangs past a timeout"


def test_poison_messages_go_to_the_dead_letter_queue(scenario: Scenario) -> None:
    topology = Topology(scenario.settings.amqp_prefix)
    first = Topology.routing_key(Partition(0, scenario.settings.partitions), "test", "raw")
    with scenario.client.streaming():
        time.sleep(1)
        publish_raw(scenario.settings, b"{not json", first)
        publish_raw(scenario.settings, b'{"position": 1}', first)
        scenario.fault_over()
        time.sleep(2)
    scenario.settle()
    scenario.check()
    projector = scenario.status("projector")
    assert all(feed["dead_lettered"] >= 2 for feed in projector.values())
    metrics = httpx.get(f"{scenario.processes['projector'].url}/metrics").text
    assert 'liaison_projector_dead_lettered_total{projection="coverage"} 2.0' in metrics
    connection = connect(scenario.settings)
    try:
        declared = connection.channel().queue_declare(
            topology.dead_letter_queue("coverage"), passive=True
        )
        assert declared.method.message_count == 2
    finally:
        connection.close()


def test_a_message_lost_in_transit_is_read_from_the_store(scenario: Scenario) -> None:
    """Visits to one branch only: every message its partition's queue gets is an
    envelope (a batch ends in that partition, so no watermark goes there)."""
    count = scenario.settings.partitions
    branch = scenario.world.branches[0]
    queue = Topology(scenario.settings.amqp_prefix).queue(
        "coverage", Partition(branch_partition(branch.id, count), count)
    )
    scenario.processes["projector"].kill(signal.SIGTERM)
    for _ in range(20):
        scenario.client.visit(branch)
    eventually(lambda: _queue_depth(scenario.settings, queue) >= 20)
    lost = _take(scenario.settings, queue, 5)
    assert lost == 5
    scenario.processes["projector"].start()
    scenario.fault_over()
    scenario.settle()
    scenario.check()
    assert scenario.status("projector")["coverage"]["filled"] >= 5


def test_fifty_clients_in_conflict(scenario: Scenario) -> None:
    branch = scenario.world.branches[0]
    household = branch.households[0]
    answers: list[int] = []
    lock = threading.Lock()

    def link(member: uuid.UUID) -> None:
        status = scenario.client.send(
            f"/v1/branches/{branch.id}/households/{household}/link", {"member_id": str(member)}
        )
        with lock:
            answers.append(status)

    threads = [threading.Thread(target=link, args=(m,)) for m in branch.members[:20] * 3][:50]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(answers)) == [200, 409]
    assert answers.count(200) == 1
    scenario.fault_over()
    scenario.settle()
    scenario.check()
    linked = httpx.get(
        f"{scenario.processes['query'].url}/v1/branches/{branch.id}/coverage/households",
        params={"visited": "false", "limit": 1000},
        headers=bearer(scenario.settings),
    ).json()["households"]
    assert sum(1 for h in linked if h["linked_member_id"]) == 1


def _queue_depth(settings: Settings, queue: str) -> int:
    connection = connect(settings)
    try:
        count: int = connection.channel().queue_declare(queue, passive=True).method.message_count
        return count
    finally:
        connection.close()


def _take(settings: Settings, queue: str, count: int) -> int:
    """Consumes and acknowledges ``count`` messages: they are gone from the queue."""
    connection = connect(settings)
    taken = 0
    try:
        channel = connection.channel()
        channel.basic_qos(prefetch_count=count)
        for method, _, _ in channel.consume(queue, inactivity_timeout=5):
            if method is None:
                break
            channel.basic_ack(method.delivery_tag)
            taken += 1
            if taken == count:
                break
        channel.cancel()
    finally:
        connection.close()
    return taken
