"""Personal data at rest, on the real deployment (PostgreSQL, RabbitMQ, each service its
own process, the store cipher configured): events are stored encrypted, a household's
personal fields travel sealed, and erasing the household (crypto-shredding) leaves no
plaintext of them in the store, the read models or the broker's queues, while its
history stays whole and verifiable."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pika
import psycopg
import pytest
from psycopg import sql
from sqlalchemy import create_engine

from bench.stack import AMQP_URL, Process, bearer, environment, liaison
from services.demo.client import Branch
from shared.contract.codec import decode
from shared.contract.events import HouseholdRegistered
from shared.contract.sealing import (
    ERASED_TEXT,
    SEALED,
    StoredSubjectKeys,
    Vault,
    new_cipher_key,
    store_cipher,
)
from shared.messaging import PROJECTIONS, Topology
from shared.migrations import EVENTS_TABLE
from shared.settings import Settings, sqlalchemy_url
from shared.store.postgres import conninfo
from tests.support.broker import drain, eventually

# What the household tells the branch, each string found nowhere else in the run.
ADDRESS = "鼓楼西大街甲9号院"
HEAD = "欧阳晓燕"
PHONE = "13987654321"
TAG = "独居老人（需每周探望）"
PERSONAL = (ADDRESS, HEAD, PHONE, TAG)


@pytest.fixture
def settings(stack_settings: Settings) -> Settings:
    return stack_settings.with_overrides(cipher_key=new_cipher_key())


@pytest.fixture
def tap(settings: Settings) -> Iterator[str]:
    """A queue of its own on the events exchange: a copy of everything published."""
    topology = Topology(settings.amqp_prefix)
    name = f"{settings.amqp_prefix}.tap"
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    try:
        channel = connection.channel()
        topology.declare(channel)
        channel.queue_declare(name, durable=True)
        channel.queue_bind(name, topology.exchange, routing_key="#")
        yield name
    finally:
        channel.queue_delete(name)
        connection.close()


def test_erasure_leaves_no_plaintext_in_store_read_models_or_queues(
    settings: Settings, tap: str, tmp_path: Path
) -> None:
    env = environment(settings)
    processes = [
        Process(name, [name if name != "query" else "query-api"], env, tmp_path)
        for name in ("command-api", "relay", "query")
    ]
    projector = Process("project", ["project"], env, tmp_path)
    try:
        for process in processes:
            process.start()
        command, _, query = processes
        admin = bearer(settings)
        commands = httpx.Client(base_url=command.url, timeout=30, headers=admin)
        queries = httpx.Client(base_url=query.url, timeout=30, headers=admin)
        branch = Branch(commands, queries).register("鼓楼社区党支部")
        branch.form_group("第一党小组")
        branch.enroll("王建国", "第一党小组")
        household = branch.register_household(ADDRESS, "鼓楼西", HEAD, phone=PHONE, tags=[TAG])
        branch.link(ADDRESS, "王建国")
        branch.visit("王建国", ADDRESS, date(2009, 3, 8), purpose="了解生活困难")

        # In transit: the projectors' queues hold the registration, its fields sealed.
        published = _event_count(settings)
        for projection in PROJECTIONS:
            bodies = _peek(Topology(settings.amqp_prefix).queue(projection), published)
            assert any(SEALED.encode() in body for body in bodies)
            _assert_absent(bodies, f"queue {projection} before erasure")

        projector.start()
        before = branch.read("/coverage/households", visited=True)["households"]
        assert (before[0]["head_name"], before[0]["phone"], before[0]["tags"]) == (
            HEAD,
            PHONE,
            [TAG],
        )
        _assert_absent(_event_states(settings), "the event store before erasure")

        path = f"{branch.base}/households/{household}/erasure"
        erasure = {"erased_on": date.today().isoformat(), "reason": "本人要求删除个人信息"}
        branch.write(path, erasure, expected=200)
        erased = branch.read("/coverage/households", visited=True)["households"][0]
        assert erased == before[0] | {
            "address": ERASED_TEXT,
            "head_name": ERASED_TEXT,
            "phone": None,
            "tags": [],
            "erased": True,
        }

        # Gone: from every row of every table (events, keys, idempotency, read models,
        # dead letters), from what the broker carried, and from the events even when
        # they are decrypted with the store cipher's key.
        for table, rows in _every_table(settings).items():
            _assert_absent(rows, f"table {table}")
        tapped = drain(settings, tap)
        assert len(tapped) == _event_count(settings)  # all of it, the erasure included
        _assert_absent(tapped, "the tap queue")
        for projection in PROJECTIONS:
            queue = Topology(settings.amqp_prefix)
            _assert_absent(
                drain(settings, queue.dead_letter_queue(projection)), f"{projection} DLQ"
            )
        vault = _vault_with_store_key_only(settings)
        decrypted = [vault.open_state(state) for _, state in _event_states(settings)]
        _assert_absent(decrypted, "decrypted event states")
        registered = next(
            decode(topic, state, vault).event
            for topic, state in _event_states(settings)
            if topic == "HouseholdRegistered"
        )
        assert isinstance(registered, HouseholdRegistered)
        assert (registered.address, registered.head_name, registered.phone) == (
            ERASED_TEXT,
            ERASED_TEXT,
            None,
        )

        # History kept: the stream still has every event, erasure included, and the
        # chain and the read models still verify.
        history = queries.get(f"/v1/audit/streams/{household}").json()["events"]
        assert [e["type"] for e in history] == [
            "HouseholdRegistered",
            "HouseholdLinked",
            "HouseholdErased",
        ]
        assert history[0]["data"]["head_name"] == ERASED_TEXT
        assert history[2]["data"]["reason"] == "本人要求删除个人信息"
        assert liaison(env, "audit", "verify").returncode == 0
        verify = liaison(env, "replay", "--verify")
        assert verify.stdout.count(", 0 differing rows") == 4, verify.stdout + verify.stderr

        # For good: no second erasure, no new link.
        branch.write(
            f"{branch.base}/households/{household}/unlink",
            {"unlinked_on": date.today().isoformat()},
            expected=200,
        )
        link = {"member_id": branch.members["王建国"]}
        for attempt_path, body in ((path, erasure), (path.replace("erasure", "link"), link)):
            refused = commands.post(attempt_path, json=body)
            assert refused.status_code == 409, refused.text
            assert refused.json()["type"].endswith("/household-erased")
    finally:
        for process in (projector, *processes):
            process.kill(signal.SIGTERM)


def _assert_absent(found: Any, where: str) -> None:
    text = repr(found)
    raw = b"".join(item if isinstance(item, bytes) else b"" for item in _flatten(found))
    for secret in PERSONAL:
        assert secret not in text, f"{secret!r} in {where}"
        assert secret.encode() not in raw, f"{secret!r} (UTF-8) in {where}"


def _flatten(found: Any) -> Iterator[Any]:
    if isinstance(found, list | tuple):
        for item in found:
            yield from _flatten(item)
    else:
        yield found


def _connect(settings: Settings) -> psycopg.Connection[tuple[Any, ...]]:
    return psycopg.connect(conninfo(settings), autocommit=True)


def _every_table(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    with _connect(settings) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {
            name: [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in conn.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(name)))
            ]
            for name in names
        }


def _event_states(settings: Settings) -> list[tuple[str, bytes]]:
    with _connect(settings) as conn:
        query = sql.SQL("SELECT topic, state FROM {} ORDER BY notification_id")
        return [
            (topic, bytes(state))
            for topic, state in conn.execute(query.format(sql.Identifier(EVENTS_TABLE)))
        ]


def _event_count(settings: Settings) -> int:
    return len(_event_states(settings))


def _vault_with_store_key_only(settings: Settings) -> Vault:
    """What someone holding the database and the store cipher's key can open."""
    cipher = store_cipher(settings.cipher_key)
    engine = create_engine(sqlalchemy_url(settings.database_url))
    return Vault(StoredSubjectKeys(engine, cipher), cipher)


def _peek(queue: str, expected: int) -> list[bytes]:
    """Every message in ``queue`` once ``expected`` are there, left in the queue."""
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    try:
        channel = connection.channel()
        eventually(
            lambda: channel.queue_declare(queue, passive=True).method.message_count >= expected,
            message=f"{expected} messages in {queue}",
        )
        bodies = []
        for method, _, body in channel.consume(queue, inactivity_timeout=0.5):
            if method is None:
                break
            bodies.append(body)
        channel.cancel()  # unacknowledged: back in the queue for the projector
        return bodies
    finally:
        connection.close()
