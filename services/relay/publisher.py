"""Publishes envelopes to the topic exchange as persistent messages, in confirm
mode: ``publish`` returns only when the broker has taken responsibility for every
message, which is when the relay may advance its checkpoint.

A message holds one envelope, or, with ``envelopes_per_message`` above 1, a JSON
array of consecutive envelopes (``shared.contract.envelope.BATCH_TYPE``): the broker
stores, replicates and confirms one message where it did one per event, and each
envelope still names its predecessor, so a consumer detects holes as before."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pika
from pika.adapters.blocking_connection import BlockingChannel

from shared.amqp import connect
from shared.contract.envelope import BATCH_TYPE, Envelope, batch_body
from shared.messaging import Topology

log = logging.getLogger(__name__)


class Publisher:
    def __init__(self, amqp_url: str, topology: Topology, envelopes_per_message: int = 1) -> None:
        self._url = amqp_url
        self._topology = topology
        self._per_message = envelopes_per_message
        self._connection: pika.BlockingConnection | None = None
        self._channel: BlockingChannel | None = None

    def publish(self, envelopes: Sequence[Envelope]) -> None:
        if self._per_message == 1:
            for envelope in envelopes:
                self._publish_one(envelope)
            return
        channel = self._open()
        for start in range(0, len(envelopes), self._per_message):
            chunk = envelopes[start : start + self._per_message]
            channel.basic_publish(
                exchange=self._topology.exchange,
                # Every queue takes every event: a batch is routed as a whole.
                routing_key=BATCH_TYPE,
                body=batch_body(chunk),
                properties=pika.BasicProperties(
                    delivery_mode=pika.DeliveryMode.Persistent,
                    content_type="application/json",
                    content_encoding="utf-8",
                    message_id=f"{chunk[0].position}-{chunk[-1].position}",
                    type=BATCH_TYPE,
                ),
                mandatory=True,
            )

    def _publish_one(self, envelope: Envelope) -> None:
        # mandatory: an unroutable message is an error, not a silent confirm.
        self._open().basic_publish(
            exchange=self._topology.exchange,
            routing_key=envelope.routing_key,
            body=envelope.to_json(),
            properties=pika.BasicProperties(
                delivery_mode=pika.DeliveryMode.Persistent,
                content_type="application/json",
                content_encoding="utf-8",
                message_id=str(envelope.position),
                type=envelope.type,
                correlation_id=str(envelope.correlation_id),
            ),
            mandatory=True,
        )

    def keep_alive(self) -> None:
        """Services heartbeats while the relay is idle."""
        if self._connection is not None and self._connection.is_open:
            self._connection.process_data_events(time_limit=0)

    def _open(self) -> BlockingChannel:
        if self._channel is None or not self._channel.is_open:
            self.close()
            self._connection = connect(self._url, "liaison relay")
            channel = self._connection.channel()
            self._topology.declare(channel)
            channel.confirm_delivery()
            self._channel = channel
        return self._channel

    def close(self) -> None:
        if self._connection is not None and self._connection.is_open:
            try:
                self._connection.close()
            except Exception:
                log.debug("closing a broken broker connection", exc_info=True)
        self._connection = None
        self._channel = None
