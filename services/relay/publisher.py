"""Publishes a partition's envelopes to the topic exchange as persistent messages, in
confirm mode: ``publish`` returns only when the broker has taken responsibility for
every message, which is when the relay may advance its checkpoint.

A message holds one envelope, or, with ``envelopes_per_message`` above 1, a JSON
array of the partition's consecutive envelopes (``BATCH_TYPE``): the broker stores,
replicates and confirms one message where it did one per event, and each envelope
still names its predecessor in the partition, so a consumer detects holes as before.
A watermark (``WATERMARK_TYPE``) tells a partition how far the batch went."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pika
from pika.adapters.blocking_connection import BlockingChannel

from shared.amqp import connect
from shared.contract.envelope import BATCH_TYPE, WATERMARK_TYPE, Envelope, Watermark, batch_body
from shared.messaging import Topology
from shared.partitions import Partition

log = logging.getLogger(__name__)


class Publisher:
    def __init__(
        self,
        amqp_url: str,
        topology: Topology,
        envelopes_per_message: int = 1,
    ) -> None:
        self._url = amqp_url
        self._topology = topology
        self._per_message = envelopes_per_message
        self._connection: pika.BlockingConnection | None = None
        self._channel: BlockingChannel | None = None
        self._declared = 0  # the partition count whose queues this channel declared

    def publish(
        self,
        partition: Partition,
        envelopes: Sequence[Envelope],
        watermark: Watermark | None = None,
    ) -> None:
        """One partition's share of a batch, then its watermark, if any."""
        channel = self._open(partition.count)
        if self._per_message == 1:
            for envelope in envelopes:
                self._send(
                    channel,
                    self._topology.routing_key(
                        partition, str(envelope.branch_id or "none"), envelope.type
                    ),
                    envelope.to_json(),
                    message_id=str(envelope.position),
                    kind=envelope.type,
                    correlation_id=str(envelope.correlation_id),
                )
        else:
            for start in range(0, len(envelopes), self._per_message):
                chunk = envelopes[start : start + self._per_message]
                self._send(
                    channel,
                    self._topology.routing_key(partition, BATCH_TYPE),
                    batch_body(chunk),
                    message_id=f"{chunk[0].position}-{chunk[-1].position}",
                    kind=BATCH_TYPE,
                )
        if watermark is not None:
            self._send(
                channel,
                self._topology.routing_key(partition, WATERMARK_TYPE),
                watermark.to_json(),
                message_id=f"{watermark.position}-{partition.label}",
                kind=WATERMARK_TYPE,
            )

    def _send(
        self,
        channel: BlockingChannel,
        routing_key: str,
        body: bytes,
        *,
        message_id: str,
        kind: str,
        correlation_id: str | None = None,
    ) -> None:
        # mandatory: an unroutable message is an error, not a silent confirm.
        channel.basic_publish(
            exchange=self._topology.exchange,
            routing_key=routing_key,
            body=body,
            properties=pika.BasicProperties(
                delivery_mode=pika.DeliveryMode.Persistent,
                content_type="application/json",
                content_encoding="utf-8",
                message_id=message_id,
                type=kind,
                correlation_id=correlation_id,
            ),
            mandatory=True,
        )

    def prepare(self, count: int) -> None:
        """Declares the queues of ``count`` partitions before anything is sent to them."""
        self._open(count)

    def keep_alive(self) -> None:
        """Services heartbeats while the relay is idle."""
        if self._connection is not None and self._connection.is_open:
            self._connection.process_data_events(time_limit=0)

    def _open(self, count: int) -> BlockingChannel:
        if self._channel is None or not self._channel.is_open:
            self.close()
            self._connection = connect(self._url, "liaison relay")
            channel = self._connection.channel()
            channel.confirm_delivery()
            self._channel = channel
        if self._declared != count:
            self._topology.declare(self._channel, count=count)
            self._declared = count
        return self._channel

    def close(self) -> None:
        if self._connection is not None and self._connection.is_open:
            try:
                self._connection.close()
            except Exception:
                log.debug("closing a broken broker connection", exc_info=True)
        self._connection = None
        self._channel = None
        self._declared = 0
