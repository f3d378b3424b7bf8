"""Connecting to RabbitMQ with pika: one blocking connection per thread (pika's
connections are not thread-safe), heartbeats on, errors that mean "reconnect"."""

from __future__ import annotations

import pika
import pika.exceptions

# Everything pika raises when the broker restarts, closes us, or the network drops
# (a broker restart is ConnectionClosedByBroker with reply code 320: reconnect).
AMQP_ERRORS: tuple[type[BaseException], ...] = (
    pika.exceptions.AMQPError,
    ConnectionError,
    OSError,
)


def connect(amqp_url: str, name: str) -> pika.BlockingConnection:
    parameters = pika.URLParameters(amqp_url)
    parameters.heartbeat = 30
    parameters.blocked_connection_timeout = 30
    parameters.connection_attempts = 1
    parameters.socket_timeout = 5
    parameters.client_properties = {"connection_name": name}
    return pika.BlockingConnection(parameters)
