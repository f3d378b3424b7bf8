"""Looking into the test's own queues on the real broker."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from typing import Any

import pika

from bench.stack import AMQP_URL
from shared.messaging import Topology


def drain(queue: str) -> list[tuple[Any, bytes]]:
    """Takes every message now in ``queue`` (properties, body), acknowledging them."""
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
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


def publish_raw(topology: Topology, body: bytes, routing_key: str = "test.raw") -> None:
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
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


def close_all_connections() -> None:
    """What a broker restart looks like to clients (every connection dropped)."""
    subprocess.run(
        ["rabbitmqctl", "close_all_connections", "liaison test: simulated broker failure"],
        check=True,
        capture_output=True,
        timeout=60,
    )


def eventually(check: Callable[[], bool], timeout: float = 30.0, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"not true after {timeout}s: {message}")
