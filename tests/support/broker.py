"""Looking into the test's own queues on a real broker."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pika

from shared.messaging import Topology
from shared.settings import Settings


def connect(settings: Settings) -> pika.BlockingConnection:
    """A connection to the broker the settings name (the shared one or a test's own)."""
    assert settings.amqp_url, "the settings name no broker"
    return pika.BlockingConnection(pika.URLParameters(settings.amqp_url))


def drain(settings: Settings, queue: str) -> list[tuple[Any, bytes]]:
    """Takes every message now in ``queue`` (properties, body), acknowledging them."""
    connection = connect(settings)
    try:
        channel = connection.channel()
        messages = []
        # basic.get is refused on single-active-consumer quorum queues: consume instead.
        for method, properties, body in channel.consume(queue, inactivity_timeout=0.5):
            if method is None:
                break
            channel.basic_ack(method.delivery_tag)
            messages.append((properties, body))
        channel.cancel()
        return messages
    finally:
        connection.close()


def publish_raw(settings: Settings, body: bytes, routing_key: str = "0-of-1.test.raw") -> None:
    """Publishes ``body`` as it is to the events exchange of the settings' prefix (by
    default to the one partition's queues)."""
    topology = Topology(settings.amqp_prefix)
    connection = connect(settings)
    try:
        channel = connection.channel()
        topology.declare(channel)
        channel.confirm_delivery()
        channel.basic_publish(
            topology.exchange,
            routing_key,
            body,
            properties=pika.BasicProperties(delivery_mode=2, content_type="application/json"),
            mandatory=True,
        )
    finally:
        connection.close()


def eventually(check: Callable[[], bool], timeout: float = 30.0, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"not true after {timeout}s: {message}")
