"""The machine's PostgreSQL and RabbitMQ, isolated per test: a fresh database and a
unique exchange/queue prefix, both removed afterwards. If a service does not
answer, the test fails (it is never skipped)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pika
import psycopg
from psycopg import sql

from shared.messaging import PROJECTIONS, Topology
from shared.settings import Settings

POSTGRES_ADMIN = os.environ.get(
    "LIAISON_TEST_POSTGRES", "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
)
POSTGRES_URL = os.environ.get("LIAISON_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
AMQP_URL = os.environ.get("LIAISON_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


@contextmanager
def fresh_database() -> Iterator[str]:
    name = f"liaison_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{POSTGRES_URL}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=5) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextmanager
def fresh_broker_prefix() -> Iterator[str]:
    prefix = f"liaison-test-{uuid.uuid4().hex[:12]}"
    try:
        yield prefix
    finally:
        delete_topology(prefix)


def delete_topology(prefix: str) -> None:
    topology = Topology(prefix)
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    try:
        channel = connection.channel()
        for projection in PROJECTIONS:
            channel.queue_delete(topology.queue(projection))
            channel.queue_delete(topology.dead_letter_queue(projection))
        channel.exchange_delete(topology.exchange)
        channel.exchange_delete(topology.dead_letter_exchange)
    finally:
        connection.close()


def postgres_settings(database_url: str, prefix: str | None = None) -> Settings:
    return Settings(
        database_url=database_url,
        read_database_url=database_url,
        amqp_url=AMQP_URL if prefix else None,
        amqp_prefix=prefix or "liaison",
        postgres_pool_size=4,
        projector_batch_size=50,
    )
